package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestGenerateDefaults(t *testing.T) {
	b := testBundle(t, 2048)
	c := b.Cert
	if c.Subject.CommonName != DefaultCN || c.Issuer.CommonName != DefaultCN {
		t.Errorf("subject %q issuer %q, want CN %q", c.Subject, c.Issuer, DefaultCN)
	}
	if got := b.Key.N.BitLen(); got != 2048 {
		t.Errorf("key bits %d, want 2048", got)
	}
	if c.Version != 3 {
		t.Errorf("X.509 version %d, want 3", c.Version)
	}
	if c.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature %v, want SHA256-RSA", c.SignatureAlgorithm)
	}
	if want := fixedNow.Add(-5 * time.Minute); !c.NotBefore.Equal(want) {
		t.Errorf("NotBefore %v, want %v", c.NotBefore, want)
	}
	if want := fixedNow.Add(DefaultDays * 24 * time.Hour); !c.NotAfter.Equal(want) {
		t.Errorf("NotAfter %v, want %v", c.NotAfter, want)
	}
	if c.KeyUsage&x509.KeyUsageDigitalSignature == 0 || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("key usage %b lacks digitalSignature or keyCertSign", c.KeyUsage)
	}
	if !c.BasicConstraintsValid || !c.IsCA || c.MaxPathLen != 0 || !c.MaxPathLenZero {
		t.Errorf("basic constraints valid=%v ca=%v pathlen=%d", c.BasicConstraintsValid, c.IsCA, c.MaxPathLen)
	}
	skid := sha1.Sum(x509.MarshalPKCS1PublicKey(&b.Key.PublicKey))
	if !bytes.Equal(c.SubjectKeyId, skid[:]) {
		t.Errorf("SubjectKeyId %x, want %x", c.SubjectKeyId, skid)
	}
	if c.SerialNumber.Sign() <= 0 || c.SerialNumber.BitLen() > 128 {
		t.Errorf("serial %v is not a positive number of at most 128 bits", c.SerialNumber)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("certificate is not validly self-signed: %v", err)
	}
	if !b.Key.PublicKey.Equal(c.PublicKey) {
		t.Error("certificate does not hold the bundle's public key")
	}
}

func TestGeneratePEMEncodings(t *testing.T) {
	b := testBundle(t, 2048)
	kb, rest := pem.Decode(b.KeyPEM)
	if kb == nil || kb.Type != "PRIVATE KEY" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("KeyPEM is not a single PRIVATE KEY block: %q", firstLine(b.KeyPEM))
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatalf("KeyPEM is not PKCS#8: %v", err)
	}
	if !b.Key.Equal(k) {
		t.Error("KeyPEM holds a different key")
	}
	cb, rest := pem.Decode(b.CertPEM)
	if cb == nil || cb.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("CertPEM is not a single CERTIFICATE block: %q", firstLine(b.CertPEM))
	}
	if !bytes.Equal(cb.Bytes, b.Cert.Raw) {
		t.Error("CertPEM holds a different certificate")
	}
}

func TestGenerateOptions(t *testing.T) {
	now := time.Date(2026, 1, 31, 23, 59, 59, 999_000_000, time.UTC)
	b, err := Generate(Options{CN: "  acme-embed  ", Days: 30, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if b.Cert.Subject.CommonName != "acme-embed" {
		t.Errorf("CN %q, want the trimmed name", b.Cert.Subject.CommonName)
	}
	secondNow := now.Truncate(time.Second)
	if want := secondNow.Add(30 * 24 * time.Hour); !b.Cert.NotAfter.Equal(want) {
		t.Errorf("NotAfter %v, want %v", b.Cert.NotAfter, want)
	}
	if got := Describe(b.Cert, secondNow).DaysLeft; got != 30 {
		t.Errorf("DaysLeft right after generation %d, want 30", got)
	}
}

func TestGenerateLargerKeys(t *testing.T) {
	for _, bits := range []int{3072, 4096} {
		b := testBundle(t, bits)
		if got := b.Key.N.BitLen(); got != bits {
			t.Errorf("key bits %d, want %d", got, bits)
		}
		if got := Describe(b.Cert, fixedNow).KeyBits; got != bits {
			t.Errorf("Describe KeyBits %d, want %d", got, bits)
		}
	}
}

func TestSerialsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		n, err := randomSerial()
		if err != nil {
			t.Fatal(err)
		}
		if n.Sign() <= 0 || n.Cmp(new(big.Int).Lsh(big.NewInt(1), 128)) >= 0 {
			t.Fatalf("serial %v out of range", n)
		}
		if seen[n.String()] {
			t.Fatalf("serial %v repeated", n)
		}
		seen[n.String()] = true
	}
}

func TestGenerateRefusesBadOptions(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"1024 bits", Options{Bits: 1024}, "1024-bit key is not offered"},
		{"odd bits", Options{Bits: 2049}, "2049-bit key is not offered"},
		{"8192 bits", Options{Bits: 8192}, "8192-bit key is not offered"},
		{"negative bits", Options{Bits: -1}, "-1-bit key is not offered"},
		{"negative days", Options{Days: -5}, "-5 days"},
		{"too many days", Options{Days: MaxDays + 1}, "3651 days"},
		{"long CN", Options{CN: strings.Repeat("x", 65)}, "65 characters"},
		{"control character CN", Options{CN: "a\nb"}, "control character"},
		{"invalid UTF-8 CN", Options{CN: "a\xffb"}, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Generate(tc.o)
			if b != nil {
				t.Fatal("a bundle was returned with the error")
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Kind != KindBadOption {
				t.Fatalf("err = %v, want *InputError of kind %q", err, KindBadOption)
			}
			if !strings.Contains(ie.Problem, tc.want) || ie.Hint == "" {
				t.Errorf("problem %q (hint %q), want it to mention %q and to carry a hint", ie.Problem, ie.Hint, tc.want)
			}
		})
	}
}

func TestDaysLimitIsExplained(t *testing.T) {
	err := CheckDays(0)
	if err == nil || !strings.Contains(err.Error(), "3650") || !strings.Contains(err.Error(), "10 years") {
		t.Fatalf("CheckDays(0) = %v, want the 1..3650 range explained", err)
	}
	for _, d := range []int{1, 365, 3650} {
		if err := CheckDays(d); err != nil {
			t.Errorf("CheckDays(%d) = %v", d, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	b := testBundle(t, 2048)
	info := Describe(b.Cert, fixedNow)
	sum := sha256.Sum256(b.Cert.Raw)
	want := strings.ToUpper(hex.EncodeToString(sum[:]))
	if got := strings.ReplaceAll(info.Fingerprint, ":", ""); got != want {
		t.Errorf("fingerprint %s, want %s", got, want)
	}
	if len(info.Fingerprint) != 32*3-1 || strings.ToUpper(info.Fingerprint) != info.Fingerprint {
		t.Errorf("fingerprint %q is not 32 colon-separated upper-case bytes", info.Fingerprint)
	}
	if info.Subject != "CN="+DefaultCN || info.CommonName != DefaultCN {
		t.Errorf("subject %q CN %q", info.Subject, info.CommonName)
	}
	serial, ok := new(big.Int).SetString(info.Serial, 16)
	if !ok || serial.Cmp(b.Cert.SerialNumber) != 0 || strings.ToUpper(info.Serial) != info.Serial || len(info.Serial)%2 != 0 {
		t.Errorf("serial %q does not spell %x in whole upper-case bytes", info.Serial, b.Cert.SerialNumber)
	}
	if !info.NotBefore.Equal(b.Cert.NotBefore) || !info.NotAfter.Equal(b.Cert.NotAfter) {
		t.Errorf("dates %v..%v", info.NotBefore, info.NotAfter)
	}
	if info.DaysLeft != DefaultDays || info.KeyBits != 2048 {
		t.Errorf("DaysLeft %d KeyBits %d, want %d and 2048", info.DaysLeft, info.KeyBits, DefaultDays)
	}
}

func TestDescribeDaysLeft(t *testing.T) {
	c := testBundle(t, 2048).Cert
	cases := []struct {
		now  time.Time
		want int
	}{
		{c.NotAfter.Add(-48*time.Hour - time.Minute), 2},
		{c.NotAfter.Add(-24*time.Hour + time.Minute), 0},
		{c.NotAfter.Add(-time.Second), 0},
		{c.NotAfter, 0},
		{c.NotAfter.Add(time.Hour), -1},
		{c.NotAfter.Add(24*time.Hour + time.Second), -2},
	}
	for _, tc := range cases {
		if got := Describe(c, tc.now).DaysLeft; got != tc.want {
			t.Errorf("%v before expiry: DaysLeft %d, want %d", c.NotAfter.Sub(tc.now), got, tc.want)
		}
	}
}

func TestSerialHex(t *testing.T) {
	cases := map[int64]string{1: "01", 255: "FF", 256: "0100", -255: "-FF", 0xABCDE: "0ABCDE"}
	for n, want := range cases {
		if got := serialHex(big.NewInt(n)); got != want {
			t.Errorf("serialHex(%d) = %q, want %q", n, got, want)
		}
	}
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}
