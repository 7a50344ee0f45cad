// Package certs makes and checks the key pair behind the JWT bearer flow: an
// RSA private key that signs the JWTs and the self-signed X.509 certificate
// that the admin uploads to the External Client App so Salesforce can verify
// them. It also imports an existing key and certificate, and explains in plain
// words why a file that was picked cannot be used.
package certs

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults and file names shared with the wizard and `tnjwt keygen`.
const (
	DefaultCN   = "tableau-next-eca"
	DefaultDays = 365
	DefaultBits = 2048

	CertFileName = "sf_public_cert.crt"
	KeyFileName  = "sf_private_key.pem"
)

// Limits on what Generate issues and on what may be imported.
const (
	MinDays = 1
	MaxDays = 3650
	// MinImportBits is the smallest RSA key Salesforce accepts for the JWT
	// bearer flow, so tnjwt refuses smaller imported keys up front rather than
	// let the admin find out from an `invalid assertion` later.
	MinImportBits = 2048
	// maxCNLength is ub-common-name from RFC 5280.
	maxCNLength = 64
	// clockSkew backdates NotBefore so a certificate made on a machine whose
	// clock runs a little fast is still valid where it is checked.
	clockSkew = 5 * time.Minute
)

// AllowedBits are the RSA key sizes Generate offers.
var AllowedBits = []int{2048, 3072, 4096}

// Options for Generate. Zero values mean the defaults.
type Options struct {
	CN   string
	Days int
	Bits int
	Now  time.Time
}

// Bundle is a matching key and certificate. KeyPEM is PKCS#8 ("PRIVATE KEY")
// and is a secret: never log or print it.
type Bundle struct {
	Key     *rsa.PrivateKey
	Cert    *x509.Certificate
	KeyPEM  []byte
	CertPEM []byte
}

// withDefaults fills zero fields; the values are checked afterwards.
func (o Options) withDefaults() Options {
	if strings.TrimSpace(o.CN) == "" {
		o.CN = DefaultCN
	}
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Bits == 0 {
		o.Bits = DefaultBits
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// CheckBits refuses key sizes Generate does not offer.
func CheckBits(bits int) error {
	for _, b := range AllowedBits {
		if bits == b {
			return nil
		}
	}
	return &InputError{
		Kind:    KindBadOption,
		Problem: fmt.Sprintf("a %d-bit key is not offered", bits),
		Hint:    "Choose 2048 (the default, what Salesforce documents), 3072 or 4096 bits.",
	}
}

// CheckDays refuses validity periods outside 1..3650 days.
func CheckDays(days int) error {
	if days >= MinDays && days <= MaxDays {
		return nil
	}
	return &InputError{
		Kind:    KindBadOption,
		Problem: fmt.Sprintf("a validity of %d days is not possible", days),
		Hint: fmt.Sprintf("Choose between %d and %d days (10 years). Plan to replace the key before then: "+
			"a key that stays in use for many years has more chances to leak unnoticed.", MinDays, MaxDays),
	}
}

// CheckCN refuses a common name that is empty, too long for X.509 or holds
// control characters. Generate trims surrounding spaces before checking.
func CheckCN(cn string) error {
	cn = strings.TrimSpace(cn)
	bad := func(problem string) error {
		return &InputError{Kind: KindBadOption, Problem: problem,
			Hint: fmt.Sprintf("Use a short name of up to %d characters, for example %q.", maxCNLength, DefaultCN)}
	}
	switch {
	case cn == "":
		return bad("the certificate name (CN) is empty")
	case !utf8.ValidString(cn):
		return bad("the certificate name (CN) is not valid UTF-8 text")
	case utf8.RuneCountInString(cn) > maxCNLength:
		return bad(fmt.Sprintf("the certificate name (CN) is %d characters long, more than X.509 allows", utf8.RuneCountInString(cn)))
	case strings.IndexFunc(cn, unicode.IsControl) >= 0:
		return bad("the certificate name (CN) contains a control character")
	}
	return nil
}

// Generate makes a new RSA key and a self-signed certificate for it.
func Generate(o Options) (*Bundle, error) {
	o = o.withDefaults()
	o.CN = strings.TrimSpace(o.CN)
	for _, err := range []error{CheckCN(o.CN), CheckDays(o.Days), CheckBits(o.Bits)} {
		if err != nil {
			return nil, err
		}
	}
	key, err := newKey(o.Bits)
	if err != nil {
		return nil, err
	}
	return selfSign(key, o)
}

// Renew issues a new self-signed certificate over an existing key: the
// public key stays, so JWTs signed with it verify against the old and the
// new certificate alike. o.Bits is ignored (the key's own size stays).
func Renew(key *rsa.PrivateKey, o Options) (*Bundle, error) {
	if key == nil {
		return nil, errors.New("no key to renew the certificate for")
	}
	o.Bits = key.N.BitLen()
	o = o.withDefaults()
	o.CN = strings.TrimSpace(o.CN)
	for _, err := range []error{CheckCN(o.CN), CheckDays(o.Days)} {
		if err != nil {
			return nil, err
		}
	}
	return selfSign(key, o)
}

func newKey(bits int) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("cannot generate a %d-bit RSA key: %w", bits, err)
	}
	return key, nil
}

// selfSign issues the certificate for key. It mirrors what
// `openssl req -x509` produces, the recipe Salesforce documents: a CA:TRUE
// self-signed certificate with key usage for signatures.
func selfSign(key *rsa.PrivateKey, o Options) (*Bundle, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	skid := subjectKeyID(&key.PublicKey)
	now := o.Now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.CN},
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(time.Duration(o.Days) * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          skid,
		AuthorityKeyId:        skid,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("cannot create the certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("cannot read back the new certificate: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	return &Bundle{Key: key, Cert: cert, KeyPEM: keyPEM, CertPEM: encodeCert(cert)}, nil
}

// randomSerial returns a random positive serial number of up to 128 bits, as
// RFC 5280 and the CA/Browser Forum rules ask for unpredictable serials.
func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, fmt.Errorf("cannot make a serial number: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

// subjectKeyID is RFC 5280 §4.2.1.2 method 1 (SHA-1 of the public key bits),
// the same value openssl computes, so both tools name the key alike.
func subjectKeyID(pub *rsa.PublicKey) []byte {
	sum := sha1.Sum(x509.MarshalPKCS1PublicKey(pub))
	return sum[:]
}

func encodeKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the private key as PKCS#8: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func encodeCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Info is what the UI and CLI show about a certificate.
type Info struct {
	Fingerprint string // SHA-256 of the DER, colon-separated upper-case hex
	Subject     string
	CommonName  string
	Serial      string // upper-case hex, as `openssl x509 -serial` prints it
	NotBefore   time.Time
	NotAfter    time.Time
	DaysLeft    int // whole days until NotAfter; negative once expired
	KeyBits     int
}

// Describe summarises c as seen at now.
func Describe(c *x509.Certificate, now time.Time) Info {
	return Info{
		Fingerprint: Fingerprint(c),
		Subject:     c.Subject.String(),
		CommonName:  c.Subject.CommonName,
		Serial:      serialHex(c.SerialNumber),
		NotBefore:   c.NotBefore,
		NotAfter:    c.NotAfter,
		DaysLeft:    DaysLeft(c.NotAfter, now),
		KeyBits:     publicKeyBits(c.PublicKey),
	}
}

// DaysLeft is the number of whole days from now until notAfter, rounded
// down, so it is negative once the certificate has expired (-1: less than a
// day ago).
func DaysLeft(notAfter, now time.Time) int {
	return int(math.Floor(notAfter.Sub(now).Hours() / 24))
}

// Fingerprint is the SHA-256 of the certificate's DER encoding as
// colon-separated upper-case hex (the form openssl and browsers show).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	s := strings.ToUpper(new(big.Int).Abs(n).Text(16))
	if len(s)%2 == 1 {
		s = "0" + s // whole bytes, like openssl
	}
	if n.Sign() < 0 {
		s = "-" + s
	}
	return s
}

func publicKeyBits(pub any) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return k.N.BitLen()
	case *ecdsa.PublicKey:
		return k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return 256
	}
	return 0
}
