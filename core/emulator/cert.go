package emulator

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"

	"github.com/tnjwt/tnjwt/core/certs"
)

// ParseCertificate reads the PEM certificate an admin would upload to the
// External Client App and returns it with its RSA public key. It applies
// tnjwt's one set of rules (certs.ParseCertificate: PEM text, an RSA key of at
// least certs.MinImportBits), so the practice org accepts exactly what the
// client can use, plus one of Salesforce's own: the upload must not carry a
// private key. Errors are *certs.InputError, written for the admin.
func ParseCertificate(data []byte) (*x509.Certificate, *rsa.PublicKey, error) {
	cert, err := certs.ParseCertificate(data)
	if err != nil {
		return nil, nil, err
	}
	if holdsPrivateKey(data) {
		return nil, nil, &certs.InputError{Kind: certs.KindPrivateKey,
			Problem: "the certificate file also holds a private key",
			Hint: "Upload a file with only the certificate (sf_public_cert.crt) and keep the private key secret: " +
				"never upload it to Salesforce, and if it was shared, generate a new pair."}
	}
	// certs.ParseCertificate only returns certificates with an RSA key.
	return cert, cert.PublicKey.(*rsa.PublicKey), nil
}

// holdsPrivateKey spots any private-key BEGIN line (PRIVATE KEY, RSA PRIVATE
// KEY, ENCRYPTED PRIVATE KEY, ...), even in a block too damaged to decode:
// the point is not to accept a file that exposes the key.
func holdsPrivateKey(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if bytes.HasPrefix(line, []byte("-----BEGIN ")) && bytes.HasSuffix(line, []byte("PRIVATE KEY-----")) {
			return true
		}
	}
	return false
}
