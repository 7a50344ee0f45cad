package certs

import (
	"errors"
	"testing"
)

// FuzzParsePEM feeds arbitrary bytes to every import entry point: none may
// panic, and every refusal must be an *InputError an admin can read. The
// seeds (run by plain `go test`) are the valid files and every malformed case
// of the unit tests.
func FuzzParsePEM(f *testing.F) {
	fx := fixtures(f)
	gen := testBundle(f, 2048)
	for _, name := range []string{"pkcs8.pem", "pkcs1.pem", "cert.pem", "trusted.pem"} {
		f.Add(fx[name])
	}
	f.Add(gen.KeyPEM)
	f.Add(gen.CertPEM)
	f.Add(append(append([]byte{}, gen.CertPEM...), gen.KeyPEM...))
	for _, tc := range badKeyInputs(f) {
		f.Add(tc.data)
	}
	for _, tc := range badCertInputs(f) {
		f.Add(tc.data)
	}
	key, cert := gen.KeyPEM, gen.CertPEM
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(what string, err error) {
			var ie *InputError
			if err != nil && !errors.As(err, &ie) {
				t.Fatalf("%s: error %v (%T) is not an *InputError", what, err, err)
			}
			if err != nil && (ie.Problem == "" || ie.Kind == "") {
				t.Fatalf("%s: empty problem or kind: %+v", what, ie)
			}
		}
		k, err := ParsePrivateKey(data)
		check("ParsePrivateKey", err)
		if err == nil && k.N.BitLen() < MinImportBits {
			t.Fatalf("accepted a %d-bit key", k.N.BitLen())
		}
		_, err = ParseCertificate(data)
		check("ParseCertificate", err)
		_, _, err = KeyOnly(data)
		check("KeyOnly", err)
		_, err = Load(data, cert)
		check("Load(data, cert)", err)
		_, err = Load(key, data)
		check("Load(key, data)", err)
		_, err = Load(data, data)
		check("Load(data, data)", err)
	})
}
