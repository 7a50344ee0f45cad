package certs

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode/utf8"
)

// role is which file the admin meant to pick; it decides the wording of the
// messages, so a refusal from Load says which of the two files is wrong.
type role int

const (
	roleKey role = iota
	roleCert
)

func (r role) file() string {
	if r == roleKey {
		return "the key file"
	}
	return "the certificate file"
}

func inputErr(k ErrorKind, problem, hint string) *InputError {
	return &InputError{Kind: k, Problem: problem, Hint: hint}
}

// Hints shared by several cases.
// makeNew says how to make a new pair in both front ends: the same words
// reach the window and the terminal.
const makeNew = "Generate on the Key and certificate step, or tnjwt keygen on the command line"

const (
	hintPickKey = "Pick the private key: a text file that starts with -----BEGIN PRIVATE KEY----- " +
		"or -----BEGIN RSA PRIVATE KEY----- (tnjwt names it " + KeyFileName + ")."
	hintPickCert = "Pick the certificate: a text file that starts with -----BEGIN CERTIFICATE----- " +
		"(tnjwt names it " + CertFileName + ")."
	hintNewRSA = "Salesforce's JWT bearer flow signs with RS256, which needs an RSA key. " +
		"Generate a new RSA key and certificate (" + makeNew + ") and upload that certificate to the External Client App."
	hintDamaged = "The file was changed or cut short, for example by an editor, an email program or a partial copy. " +
		"Use the original file, or generate a new key and certificate."
	hintEncrypted = "Keys are read without a passphrase (the wizard protects them in the OS keychain instead). " +
		"Write an unprotected copy with: openssl pkey -in key.pem -out key-plain.pem " +
		"(it asks for the passphrase), then pick key-plain.pem and keep that copy as private as the original."
)

// ParsePrivateKey reads an RSA private key from PEM text, PKCS#1
// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"). Anything else, and RSA keys
// under 2048 bits, give an *InputError.
func ParsePrivateKey(pemData []byte) (*rsa.PrivateKey, error) {
	blocks, broken := splitPEM(pemData, roleKey)
	if len(blocks) == 0 && broken == nil {
		return nil, notPEM(pemData, roleKey)
	}
	var keys []*pem.Block
	for _, b := range blocks {
		if isPrivateKeyType(b.Type) {
			keys = append(keys, b)
		}
	}
	switch {
	case len(keys) > 1:
		return nil, inputErr(KindManyKeys,
			fmt.Sprintf("the key file holds %d private keys, so it is unclear which one to use", len(keys)),
			"Keep only the key that belongs to the certificate uploaded to the External Client App, in a file of its own.")
	case len(keys) == 1:
		return privateKeyBlock(keys[0])
	case broken != nil:
		return nil, broken
	}
	return nil, wrongBlock(blocks[0], roleKey)
}

// ParseCertificate reads the first X.509 certificate from PEM text. A file that
// holds something else, or a certificate without an RSA key of at least 2048
// bits, gives an *InputError.
func ParseCertificate(pemData []byte) (*x509.Certificate, error) {
	blocks, broken := splitPEM(pemData, roleCert)
	if len(blocks) == 0 && broken == nil {
		return nil, notPEM(pemData, roleCert)
	}
	for _, b := range blocks {
		if isCertificateType(b.Type) {
			return certificateBlock(b)
		}
	}
	if broken != nil {
		return nil, broken
	}
	return nil, wrongBlock(blocks[0], roleCert)
}

// Load reads a key and its certificate and checks that they are a pair. The
// returned PEM is re-encoded: the key as PKCS#8, the certificate as a single
// CERTIFICATE block, so nothing else that shared the files travels along.
func Load(keyPEM, certPEM []byte) (*Bundle, error) {
	key, err := ParsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	cert, err := ParseCertificate(certPEM)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, inputErr(KindMismatch,
			"the private key does not belong to this certificate",
			"Salesforce would refuse every sign-in with \"invalid assertion\". Pick the key that was generated "+
				"together with this certificate, or generate a new pair and upload its certificate to the External Client App.")
	}
	keyOut, err := encodeKey(key)
	if err != nil {
		return nil, inputErr(KindCorrupt, "the key file holds a key that cannot be re-encoded", hintDamaged)
	}
	return &Bundle{Key: key, Cert: cert, KeyPEM: keyOut, CertPEM: encodeCert(cert)}, nil
}

// KeyOnly reads a private key and returns it with its PKCS#8 PEM encoding.
func KeyOnly(keyPEM []byte) (*rsa.PrivateKey, []byte, error) {
	key, err := ParsePrivateKey(keyPEM)
	if err != nil {
		return nil, nil, err
	}
	out, err := encodeKey(key)
	if err != nil {
		return nil, nil, inputErr(KindCorrupt, "the key file holds a key that cannot be re-encoded", hintDamaged)
	}
	return key, out, nil
}

// splitPEM returns the PEM blocks in data that decode, and an *InputError for
// the first one that does not (cut short, or damaged). Each BEGIN line is
// decoded on its own so a broken block is reported, not silently skipped.
func splitPEM(data []byte, r role) (blocks []*pem.Block, broken *InputError) {
	data = bytes.TrimPrefix(data, utf8BOM) // Windows editors add one
	starts := beginOffsets(data)
	for i, start := range starts {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		seg := data[start:end]
		b, _ := pem.Decode(seg)
		if b == nil {
			if broken == nil {
				broken = diagnoseBlock(seg, r)
			}
			continue
		}
		blocks = append(blocks, b)
	}
	return blocks, broken
}

// beginOffsets finds every "-----BEGIN " at the start of a line.
func beginOffsets(data []byte) []int {
	const marker = "-----BEGIN "
	var out []int
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte(marker))
		if j < 0 {
			break
		}
		at := i + j
		if at == 0 || data[at-1] == '\n' || data[at-1] == '\r' {
			out = append(out, at)
		}
		i = at + len(marker)
	}
	return out
}

// diagnoseBlock explains why seg, which starts with a BEGIN line, did not decode.
func diagnoseBlock(seg []byte, r role) *InputError {
	line, _, _ := bytes.Cut(seg, []byte("\n"))
	line = bytes.TrimRight(line, "\r \t")
	typ, ok := bytes.CutPrefix(line, []byte("-----BEGIN "))
	if ok {
		typ, ok = bytes.CutSuffix(typ, []byte("-----"))
	}
	if !ok {
		return inputErr(KindCorrupt, r.file()+" has a damaged -----BEGIN line", hintDamaged)
	}
	name := printable(string(typ))
	if bytes.Contains(seg, []byte("-----END "+string(typ)+"-----")) {
		return inputErr(KindCorrupt,
			fmt.Sprintf("%s is damaged: the text between -----BEGIN %s----- and its END line is not valid base64", r.file(), name),
			hintDamaged)
	}
	if bytes.Contains(seg, []byte("-----END ")) {
		return inputErr(KindCorrupt,
			fmt.Sprintf("%s is damaged: -----BEGIN %s----- is closed by a different -----END line", r.file(), name),
			hintDamaged)
	}
	return inputErr(KindTruncated,
		fmt.Sprintf("%s is cut short: it has a -----BEGIN %s----- line but no -----END %s----- line", r.file(), name, name),
		"Only part of the file was copied or saved. Copy the whole file again, including the END line, or use the original.")
}

// printable keeps a PEM type from another program safe to show on one line.
func printable(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

func isPrivateKeyType(t string) bool {
	switch t {
	case "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY",
		"DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "ANY PRIVATE KEY":
		return true
	}
	return false
}

func isCertificateType(t string) bool {
	return t == "CERTIFICATE" || t == "X509 CERTIFICATE" || t == "TRUSTED CERTIFICATE"
}

// privateKeyBlock turns one private-key PEM block into an RSA key or explains
// why it cannot be used.
func privateKeyBlock(b *pem.Block) (*rsa.PrivateKey, error) {
	if strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") && b.Type != "EC PRIVATE KEY" && b.Type != "DSA PRIVATE KEY" {
		return nil, inputErr(KindEncrypted,
			"the key file is an encrypted private key (legacy OpenSSL format, protected by a passphrase)", hintEncrypted)
	}
	switch b.Type {
	case "ENCRYPTED PRIVATE KEY":
		return nil, inputErr(KindEncrypted,
			"the key file is an encrypted private key (PKCS#8, protected by a passphrase)", hintEncrypted)
	case "EC PRIVATE KEY":
		return nil, inputErr(KindNotRSA, "the key file holds an EC (elliptic curve) private key, not an RSA key", hintNewRSA)
	case "DSA PRIVATE KEY":
		return nil, inputErr(KindNotRSA, "the key file holds a DSA private key, not an RSA key", hintNewRSA)
	case "OPENSSH PRIVATE KEY":
		return nil, inputErr(KindOtherFormat, "the key file is an OpenSSH private key, a format tnjwt does not read",
			"If it is an RSA key of 2048 bits or more, convert a copy to PKCS#8: cp key key-pkcs8 && "+
				"ssh-keygen -p -m PKCS8 -N \"\" -f key-pkcs8 (asks for the current passphrase, if any), then pick key-pkcs8. "+
				"A dedicated key for Salesforce is better: make one ("+makeNew+").")
	case "RSA PRIVATE KEY":
		if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
			return checkRSAKey(k)
		}
		// Some tools label PKCS#8 data with the PKCS#1 name.
		if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
			return pkcs8Key(k)
		}
		return nil, inputErr(KindCorrupt, "the key file is damaged: its RSA PRIVATE KEY block does not hold a readable key", hintDamaged)
	}
	// "PRIVATE KEY" and "ANY PRIVATE KEY" hold PKCS#8.
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, pkcs8Failure(b.Bytes)
	}
	return pkcs8Key(k)
}

func pkcs8Key(k any) (*rsa.PrivateKey, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return checkRSAKey(k)
	case *ecdsa.PrivateKey:
		return nil, inputErr(KindNotRSA,
			fmt.Sprintf("the key file holds an EC (elliptic curve, %s) private key, not an RSA key", k.Curve.Params().Name), hintNewRSA)
	case ed25519.PrivateKey:
		return nil, inputErr(KindNotRSA, "the key file holds an Ed25519 private key, not an RSA key", hintNewRSA)
	case *ecdh.PrivateKey:
		return nil, inputErr(KindNotRSA, "the key file holds an X25519 key-agreement key, not an RSA key", hintNewRSA)
	}
	return nil, inputErr(KindNotRSA, fmt.Sprintf("the key file holds a %T, not an RSA key", k), hintNewRSA)
}

// Algorithm identifiers Go's PKCS#8 parser does not take, named for the admin.
var unsupportedKeyAlgorithms = map[string]string{
	"1.2.840.113549.1.1.10": "an RSA-PSS key, which cannot make RS256 signatures",
	"1.2.840.10040.4.1":     "a DSA key, not an RSA key",
	"1.3.101.113":           "an Ed448 key, not an RSA key",
	"1.3.101.111":           "an X448 key, not an RSA key",
	"1.3.101.110":           "an X25519 key, not an RSA key",
	"1.2.840.10045.2.1":     "an EC key on an unusual curve, not an RSA key",
}

// pkcs8Failure explains a PKCS#8 block that x509 could not parse: either an
// algorithm other than RSA, or damaged data.
func pkcs8Failure(der []byte) *InputError {
	var p struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &p); err != nil {
		return inputErr(KindCorrupt, "the key file is damaged: its PRIVATE KEY block does not hold a readable key", hintDamaged)
	}
	oid := p.Algo.Algorithm.String()
	if name, ok := unsupportedKeyAlgorithms[oid]; ok {
		return inputErr(KindNotRSA, "the key file holds "+name, hintNewRSA)
	}
	if p.Algo.Algorithm.Equal(oidRSA) {
		return inputErr(KindCorrupt, "the key file is damaged: its RSA key values are not valid", hintDamaged)
	}
	return inputErr(KindNotRSA, fmt.Sprintf("the key file holds a private key of an unknown algorithm (OID %s), not an RSA key", oid), hintNewRSA)
}

var utf8BOM = []byte("\xef\xbb\xbf")

var oidRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}

func checkRSAKey(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if bits := k.N.BitLen(); bits < MinImportBits {
		return nil, inputErr(KindWeakKey,
			fmt.Sprintf("the key file holds a %d-bit RSA key; Salesforce requires at least %d bits", bits, MinImportBits),
			"Generate a new key and certificate of 2048 bits or more ("+makeNew+") and upload the new certificate to the External Client App.")
	}
	return k, nil
}

func certificateBlock(b *pem.Block) (*x509.Certificate, error) {
	der := b.Bytes
	if b.Type == "TRUSTED CERTIFICATE" {
		// OpenSSL appends its trust settings after the certificate itself.
		var first asn1.RawValue
		if _, err := asn1.Unmarshal(der, &first); err == nil {
			der = first.FullBytes
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, inputErr(KindCorrupt, "the certificate file is damaged: its CERTIFICATE block does not hold a readable certificate", hintDamaged)
	}
	return checkCertKey(c)
}

func checkCertKey(c *x509.Certificate) (*x509.Certificate, error) {
	pub, ok := c.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, inputErr(KindNotRSA,
			fmt.Sprintf("the certificate file holds %s public key, not an RSA key", article(c.PublicKeyAlgorithm.String())), hintNewRSA)
	}
	if bits := pub.N.BitLen(); bits < MinImportBits {
		return nil, inputErr(KindWeakKey,
			fmt.Sprintf("the certificate file holds a %d-bit RSA key; Salesforce requires at least %d bits", bits, MinImportBits),
			"Generate a new key and certificate of 2048 bits or more ("+makeNew+") and upload the new certificate to the External Client App.")
	}
	return c, nil
}

func article(alg string) string {
	switch alg {
	case "ECDSA":
		return "an EC (ECDSA)"
	case "Ed25519":
		return "an Ed25519"
	case "DSA":
		return "a DSA"
	}
	return "an unknown (" + alg + ")"
}

// wrongBlock explains a file whose first PEM block is of the wrong kind.
func wrongBlock(b *pem.Block, r role) *InputError {
	pick := hintPickKey
	if r == roleCert {
		pick = hintPickCert
	}
	switch {
	case r == roleKey && isCertificateType(b.Type):
		return inputErr(KindCertificate, "the key file is a certificate, not a private key",
			"The certificate is what you upload to Salesforce; tnjwt also needs the private key it was made with. "+pick)
	case r == roleCert && isPrivateKeyType(b.Type):
		return inputErr(KindPrivateKey, "the certificate file is a private key, not a certificate",
			pick+" Never upload the private key to Salesforce; if it was shared, generate a new pair.")
	case b.Type == "PUBLIC KEY" || b.Type == "RSA PUBLIC KEY":
		return publicKeyError(r)
	case b.Type == "CERTIFICATE REQUEST" || b.Type == "NEW CERTIFICATE REQUEST":
		return csrError(r)
	case b.Type == "PKCS7" || b.Type == "CMS":
		if r == roleCert {
			return inputErr(KindOtherFormat, "the certificate file is a PKCS#7 bundle (.p7b), not a single certificate",
				"Extract the certificates with: openssl pkcs7 -print_certs -in bundle.p7b -out cert.pem, then pick cert.pem.")
		}
		return inputErr(KindOtherFormat, "the key file is a PKCS#7 bundle (.p7b), which holds certificates, not a private key", pick)
	}
	what := "private key"
	if r == roleCert {
		what = "certificate"
	}
	return inputErr(KindOtherFormat,
		fmt.Sprintf("%s holds a PEM block of type %q, not a %s", r.file(), printable(b.Type), what), pick)
}

func publicKeyError(r role) *InputError {
	if r == roleKey {
		return inputErr(KindPublicKey, "the key file is a public key, not the private key",
			"Signing needs the private key. "+hintPickKey+" If the private key is lost, generate a new pair and upload the new certificate.")
	}
	return inputErr(KindPublicKey, "the certificate file is a bare public key; Salesforce needs an X.509 certificate",
		"Make a certificate from the private key: openssl req -new -x509 -key key.pem -subj /CN="+DefaultCN+
			" -days 365 -sha256 -out "+CertFileName+", or generate a new pair ("+makeNew+").")
}

func csrError(r role) *InputError {
	if r == roleKey {
		return inputErr(KindCSR, "the key file is a certificate signing request (CSR), not a private key",
			"Pick the private key the request was made from: a text file that starts with -----BEGIN PRIVATE KEY----- "+
				"or -----BEGIN RSA PRIVATE KEY-----.")
	}
	return inputErr(KindCSR, "the certificate file is a certificate signing request (CSR), not a certificate",
		"Use the certificate your certificate authority issued for it, or make a self-signed one: openssl x509 -req "+
			"-in request.csr -signkey key.pem -days 365 -sha256 -out "+CertFileName+".")
}

// notPEM explains a file with no BEGIN line: empty, binary, or some other text.
func notPEM(data []byte, r role) *InputError {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	switch {
	case len(trimmed) == 0:
		pick := hintPickKey
		if r == roleCert {
			pick = hintPickCert
		}
		return inputErr(KindEmpty, r.file()+" is empty", pick)
	case isBinary(data):
		return binaryError(data, r)
	case bytes.HasPrefix(trimmed, []byte("PuTTY-User-Key-File")):
		return inputErr(KindOtherFormat, r.file()+" is a PuTTY key (.ppk), a format tnjwt does not read",
			"Export it in OpenSSL form: puttygen key.ppk -O private-openssl -o key.pem, then pick key.pem. "+
				"A dedicated key for Salesforce is better: make one ("+makeNew+").")
	case bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")):
		if r == roleKey {
			return publicKeyError(r)
		}
		return inputErr(KindPublicKey, "the certificate file is an SSH public key, not an X.509 certificate", hintPickCert)
	case trimmed[0] == '{':
		return inputErr(KindOtherFormat, r.file()+" is JSON (a JWK or key set?), not PEM text", pickFor(r))
	}
	if k := bareBase64(trimmed); k != "" {
		return inputErr(KindNotPEM, fmt.Sprintf("%s holds %s without its -----BEGIN and -----END lines", r.file(), k),
			"The lines were lost when the text was copied. Use the original file, which has them.")
	}
	return inputErr(KindNotPEM, r.file()+" is not a PEM file: it has no -----BEGIN line", pickFor(r))
}

func pickFor(r role) string {
	if r == roleCert {
		return hintPickCert
	}
	return hintPickKey
}

// isBinary reports data that is not text: NUL or other control bytes, or
// invalid UTF-8 (DER lengths such as 0x82 are never valid UTF-8 on their own).
func isBinary(data []byte) bool {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	for i := 0; i < len(head); {
		r, size := utf8.DecodeRune(head[i:])
		cutRune := len(data) > len(head) && i > len(head)-utf8.UTFMax
		if r == utf8.RuneError && size == 1 && !cutRune {
			return true
		}
		if r < 0x09 || (r > 0x0d && r < 0x20) || r == 0x7f {
			return true
		}
		i += size
	}
	return false
}

// derKind names what a binary DER blob holds, or "" when it is none of the
// things tnjwt knows.
func derKind(der []byte) string {
	if _, err := x509.ParseCertificate(der); err == nil {
		return "certificate"
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return "private key"
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return "private key"
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return "private key"
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return "public key"
	}
	if _, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return "public key"
	}
	if _, err := x509.ParseCertificateRequest(der); err == nil {
		return "certificate signing request"
	}
	if isPKCS12(der) {
		return "pkcs12"
	}
	return ""
}

// isPKCS12 recognises the outer shape of a .p12/.pfx file: version 3 and
// PKCS#7 data content.
func isPKCS12(der []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
		}
		MacData asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(der, &pfx); err != nil {
		return false
	}
	return pfx.Version == 3 && pfx.AuthSafe.ContentType.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
}

func binaryError(der []byte, r role) *InputError {
	switch kind := derKind(der); {
	case kind == "pkcs12":
		hint := "Extract the key with: openssl pkcs12 -in bundle.p12 -nocerts -nodes -out key.pem (it asks for the bundle's password), then pick key.pem."
		if r == roleCert {
			hint = "Extract the certificate with: openssl pkcs12 -in bundle.p12 -clcerts -nokeys -out cert.pem, then pick cert.pem."
		}
		return inputErr(KindBinary, r.file()+" is a PKCS#12 bundle (.p12/.pfx), not PEM text", hint)
	case r == roleKey && kind == "certificate":
		return inputErr(KindCertificate, "the key file is a certificate (binary DER form), not a private key", hintPickKey)
	case r == roleCert && kind == "private key":
		return inputErr(KindPrivateKey, "the certificate file is a private key (binary DER form), not a certificate",
			hintPickCert+" Never upload the private key to Salesforce.")
	case kind == "public key":
		return publicKeyError(r)
	case kind == "certificate signing request":
		return csrError(r)
	case r == roleKey && kind == "private key":
		return inputErr(KindBinary, "the key file is a binary (DER) private key; tnjwt reads the PEM text form",
			"Convert it with: openssl pkey -inform DER -in key.der -out key.pem, then pick key.pem.")
	case r == roleCert && kind == "certificate":
		return inputErr(KindBinary, "the certificate file is a binary (DER) certificate; tnjwt reads the PEM text form",
			"Convert it with: openssl x509 -inform DER -in cert.der -out cert.pem, then pick cert.pem.")
	}
	return inputErr(KindBinary, r.file()+" is a binary file, not PEM text", pickFor(r))
}

// bareBase64 recognises PEM body text pasted without its BEGIN/END lines and
// names what it holds.
func bareBase64(text []byte) string {
	clean := bytes.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, text)
	der, err := base64.StdEncoding.DecodeString(string(clean))
	if err != nil || len(der) == 0 {
		return ""
	}
	switch k := derKind(der); k {
	case "", "pkcs12":
		return ""
	default:
		return "a " + k
	}
}
