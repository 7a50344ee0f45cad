package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParseCertificate reads the PEM certificate an admin would upload to the
// External Client App and returns it with its RSA public key. The messages
// say what is wrong with the file and what to upload instead.
func ParseCertificate(data []byte) (*x509.Certificate, *rsa.PublicKey, error) {
	var cert *x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case strings.Contains(block.Type, "PRIVATE KEY"):
			return nil, nil, errors.New("this holds a private key; upload only the certificate (sf_public_cert.crt) and keep the private key secret")
		case block.Type == "PUBLIC KEY":
			return nil, nil, errors.New("this is a bare public key; Salesforce needs an X.509 certificate (-----BEGIN CERTIFICATE-----)")
		case block.Type == "CERTIFICATE" && cert == nil:
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("the certificate is damaged and cannot be read (%v); generate a new one", err)
			}
			cert = c
		}
	}
	if cert == nil {
		if _, err := x509.ParseCertificate(data); err == nil {
			return nil, nil, errors.New("this certificate is binary (DER); convert it to PEM: openssl x509 -inform der -in FILE -out sf_public_cert.crt")
		}
		return nil, nil, errors.New("no PEM certificate found; expected text starting with -----BEGIN CERTIFICATE-----")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("the certificate holds a %s key; the JWT bearer flow needs an RSA key (RS256)", cert.PublicKeyAlgorithm)
	}
	return cert, pub, nil
}
