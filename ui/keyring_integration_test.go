package ui

import (
	"context"
	"testing"

	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/core/secrets/keyringtest"
	"github.com/tnjwt/tnjwt/wizard"
)

// The whole walk against the real OS keychain (run under
// scripts/with-keyring.sh on Linux: a private bus and an unlocked keyring).
func TestKeyringWalkStoresInTheRealKeychain(t *testing.T) {
	keyringtest.Require(t)
	e := newEnvWith(t, secrets.NewKeyring())
	const name = "tnjwt-ui-integration"
	t.Cleanup(func() { _ = e.vault.DeleteProfile(context.Background(), name) })
	e.toKeychain(name)
	e.tap(e.keychain().store)
	e.see("Stored in your " + secrets.Location())
	got, err := e.vault.Get(context.Background(), name, secrets.PrivateKey)
	if err != nil || string(got) != string(testBundle(t).KeyPEM) {
		t.Fatalf("private key in the keychain: %v", err)
	}
	if got, err := e.vault.Get(context.Background(), name, secrets.ConsumerKey); err != nil || string(got) != testKey {
		t.Fatalf("consumer key in the keychain: %v", err)
	}
	if e.at() != wizard.StepKeychain || e.s.next.Disabled() {
		t.Error("Finish not offered after storing")
	}
}

// The live test reads its secrets from the real keychain and passes against
// the practice org.
func TestKeyringRetestReadsTheRealKeychain(t *testing.T) {
	keyringtest.Require(t)
	e := newEnvWith(t, secrets.NewKeyring())
	const name = "tnjwt-ui-retest-integration"
	t.Cleanup(func() { _ = e.vault.DeleteProfile(context.Background(), name) })
	org := startPracticeOrg(t)
	e.savedOrg(name, org.URL, true)
	r := e.retest(name)
	e.see("The JWT bearer flow works for " + name + ".")
	if r.frontdoor == "" {
		t.Error("no frontdoor URL")
	}
	if p, err := e.store.Get(name); err != nil || p.LastTest == nil || !p.LastTest.OK {
		t.Errorf("not recorded: %v", err)
	}
}
