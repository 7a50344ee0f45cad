// Package keyringtest is what the tests that use the real Secret Service
// share: the check that they run in the private keyring of
// scripts/with-keyring.sh, and a second, independent client (libsecret's
// secret-tool) to see what tnjwt left in it. Only tests import it.
//
// `make keychain-test` runs each package's test binary under its own
// with-keyring.sh, so every package has a keyring daemon and bus of its own:
// one package's deletes can never show up in another's listing.
package keyringtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// EnvSandbox names the temporary folder scripts/with-keyring.sh made (HOME,
// the XDG folders and TMPDIR are inside it).
const EnvSandbox = "TNJWT_KEYRING_SANDBOX"

// Require returns the sandbox folder. Outside with-keyring.sh the test is
// skipped (a plain `go test` has no keyring to use); inside it, a HOME that
// is not the sandbox's fails the test, so a developer's own keyring is
// never touched.
func Require(t testing.TB) string {
	t.Helper()
	root := os.Getenv(EnvSandbox)
	if root == "" {
		t.Skip("needs the real Secret Service: run `make keychain-test` (scripts/with-keyring.sh)")
	}
	if !strings.HasPrefix(os.Getenv("HOME"), root) || !strings.HasPrefix(os.TempDir(), root) {
		t.Fatalf("%s is set, but HOME (%s) or TMPDIR (%s) is outside it: these tests refuse to touch your own keyring",
			EnvSandbox, os.Getenv("HOME"), os.TempDir())
	}
	return root
}

// Items lists, through secret-tool, the account names ("profile/…") stored
// under service for profile. Any failure of secret-tool fails the test:
// a partial listing must never pass for an empty one.
func Items(t testing.TB, service, profile string) []string {
	t.Helper()
	items, err := items(service, profile)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func items(service, profile string) ([]string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("secret-tool", "search", "--all", "--unlock", "service", service)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	// secret-tool exits 1 with nothing on either stream when nothing matches.
	if errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() == 0 && stderr.Len() == 0 {
		return nil, nil
	}
	// It prints each item's attributes on stderr, and its own complaints
	// there too, as "secret-tool: …" (an item deleted between its search
	// and its read, for one).
	if err != nil || strings.Contains("\n"+stderr.String(), "\nsecret-tool:") {
		return nil, &searchError{err: err, stderr: stderr.String()}
	}
	var out []string
	for _, line := range strings.Split(stdout.String()+"\n"+stderr.String(), "\n") {
		if u, ok := strings.CutPrefix(line, "attribute.username = "); ok && strings.HasPrefix(u, profile+"/") {
			out = append(out, u)
		}
	}
	return out, nil
}

type searchError struct {
	err    error
	stderr string
}

func (e *searchError) Error() string {
	msg := "secret-tool search failed"
	if e.err != nil {
		msg += ": " + e.err.Error()
	}
	if s := strings.TrimSpace(e.stderr); s != "" {
		msg += ": " + s
	}
	return msg
}
