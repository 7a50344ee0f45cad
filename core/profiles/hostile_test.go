package profiles

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tnjwt/tnjwt/core/safetext"
)

// hostileText holds what a server (or a local error that quotes one) may
// bring: CSI and OSC sequences, NUL, BEL, the 8-bit CSI, a bidi override and
// a line break before a fake header.
const hostileText = "user \x1b[31mhasn't\x1b[0m approved\x00 this\u202e consumer\x1b]0;pwned\x07 \u009b2J\r\nInjected: yes"

// noHostile fails when s holds a control character or bidi override, raw
// or as JSON writes it. Line breaks and tabs are allowed (the file is
// indented JSON).
func noHostile(t *testing.T, what, s string) {
	t.Helper()
	if pos, r, ok := safetext.FirstControl(strings.NewReplacer("\n", " ", "\t", " ").Replace(s)); ok {
		t.Errorf("%s holds %U at position %d:\n%q", what, r, pos, s)
	}
	for _, esc := range []string{`\u001b`, `\u0000`, `\u0007`, `\u009b`, `\u202e`, `\u202E`, `\r`} {
		if strings.Contains(s, esc) {
			t.Errorf("%s holds %s:\n%s", what, esc, s)
		}
	}
}

// RecordTest cleans the server text itself, whatever produced the result:
// a test result built by hand, or one from an error that is no Salesforce
// reply (whose text core/salesforce never cleaned). Neither the profile in
// memory nor profiles.json holds a control character afterwards.
func TestRecordTestKeepsControlCharactersOutOfProfilesJSON(t *testing.T) {
	s, _ := newStore(t)
	if err := s.Save(sample("acme")); err != nil {
		t.Fatal(err)
	}
	err := s.Update("acme", func(p *Profile) error {
		p.RecordTest(TestResult{When: fixedNow, Error: "invalid_grant\x1b[2J", Description: hostileText})
		noHostile(t, "recorded error", p.LastTest.Error)
		noHostile(t, "recorded description", p.LastTest.Description)
		p.Pending = &KeyCert{CertificatePEM: "x", Fingerprint: "AB", NotAfter: fixedNow, Since: fixedNow}
		p.Pending.RecordFailure(TestResultOf(fixedNow, nil, errors.New("local: "+hostileText), nil))
		noHostile(t, "pending key's recorded description", p.Pending.LastTest.Description)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	noHostile(t, "profiles.json", string(raw))
	p, err := s.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	// The words survive, and the fake header is folded into the same line.
	for _, got := range []string{p.LastTest.Description, p.Pending.LastTest.Description} {
		if strings.ContainsAny(got, "\r\n") || !strings.Contains(got, "approved") || !strings.HasSuffix(got, "Injected: yes") {
			t.Errorf("cleaned description %q lost its words", got)
		}
	}
	if p.LastTest.Error != "invalid_grant" {
		t.Errorf("cleaned error %q", p.LastTest.Error)
	}
}
