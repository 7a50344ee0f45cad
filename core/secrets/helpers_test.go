package secrets

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var (
	keyMu    sync.Mutex
	keyCache = map[int][]byte{}
)

// rsaKeyPEM returns a PKCS#8 PEM RSA key made by the openssl binary, once per
// size per test binary (RSA-4096 generation is slow).
func rsaKeyPEM(t testing.TB, bits int) []byte {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k, ok := keyCache[bits]; ok {
		return k
	}
	out, err := exec.Command("openssl", "genpkey", "-algorithm", "RSA",
		"-pkeyopt", "rsa_keygen_bits:"+strconv.Itoa(bits)).Output()
	if err != nil {
		t.Fatalf("openssl genpkey: %v", err)
	}
	if !strings.HasPrefix(string(out), "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("openssl did not write a PKCS#8 PEM key")
	}
	keyCache[bits] = out
	return out
}

// crashAfter makes every backend call from the nth on (1-based) fail, as if
// the process died there. With applied, the nth call takes effect before it
// fails: the keychain did the work but the answer was lost.
type crashAfter struct {
	mu      sync.Mutex
	b       *Memory
	n       int
	applied bool
	calls   int
}

var errCrash = errors.New("simulated crash")

func (c *crashAfter) step() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return c.calls, c.n > 0 && c.calls >= c.n
}

func (c *crashAfter) Set(s, u, v string) error {
	n, fail := c.step()
	if fail {
		if c.applied && n == c.n {
			_ = c.b.Set(s, u, v)
		}
		return errCrash
	}
	return c.b.Set(s, u, v)
}

func (c *crashAfter) Get(s, u string) (string, error) {
	if _, fail := c.step(); fail {
		return "", errCrash
	}
	return c.b.Get(s, u)
}

func (c *crashAfter) Delete(s, u string) error {
	n, fail := c.step()
	if fail {
		if c.applied && n == c.n {
			_ = c.b.Delete(s, u)
		}
		return errCrash
	}
	return c.b.Delete(s, u)
}

func mustPut(t *testing.T, v *Vault, profile string, p Purpose, secret []byte) {
	t.Helper()
	if err := v.Put(context.Background(), profile, p, secret); err != nil {
		t.Fatalf("Put %s/%s: %v", profile, p, err)
	}
}

func mustGet(t *testing.T, v *Vault, profile string, p Purpose) []byte {
	t.Helper()
	got, err := v.Get(context.Background(), profile, p)
	if err != nil {
		t.Fatalf("Get %s/%s: %v", profile, p, err)
	}
	return got
}

// assertNoSecret fails when msg quotes any 16-byte stretch of secret.
func assertNoSecret(t *testing.T, msg string, secret []byte) {
	t.Helper()
	s := string(secret)
	for i := 0; i+16 <= len(s); i += 8 {
		if strings.Contains(msg, s[i:i+16]) {
			t.Fatalf("error message quotes the secret: %q", msg)
		}
	}
}
