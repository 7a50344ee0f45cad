package wizard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/problem"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Every error that says what to do says it through the same method.
var (
	_ problem.Remedied = (*certs.InputError)(nil)
	_ problem.Remedied = (*salesforce.InputError)(nil)
	_ problem.Remedied = (*secrets.Error)(nil)
	_ problem.Remedied = (*NotReadyError)(nil)
)

func TestInputErrorsAreOneType(t *testing.T) {
	_, err := salesforce.ParseLoginURL("")
	var ce *certs.InputError
	if !errors.As(err, &ce) || ce.WhatToDo() != ce.Hint || ce.Hint == "" {
		t.Fatalf("ParseLoginURL(\"\") = %#v, want an input error with a hint", err)
	}
	var r problem.Remedied
	if !errors.As(err, &r) || r.WhatToDo() != ce.Hint {
		t.Errorf("as Remedied: %v", err)
	}
}

func TestSecretsErrorWhatToDoIsItsRemedy(t *testing.T) {
	e := &secrets.Error{Kind: secrets.Locked, Message: "The keychain is locked.", Remedy: "Unlock it."}
	if e.WhatToDo() != e.Remedy || e.Error() != "The keychain is locked. Unlock it." {
		t.Errorf("WhatToDo = %q, Error = %q", e.WhatToDo(), e.Error())
	}
}

func TestNotReadyWhatToDoEndsTheProblem(t *testing.T) {
	b, b2 := testBundles(t)
	ctx := context.Background()
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	p := testProfile()
	check := func(what string) {
		t.Helper()
		_, err := TestRequest(ctx, v, p, 0)
		var nr *NotReadyError
		if !errors.As(err, &nr) {
			t.Fatalf("%s: %v, want a NotReadyError", what, err)
		}
		todo := nr.WhatToDo()
		if todo == "" || strings.ToUpper(todo[:1]) != todo[:1] || !strings.HasSuffix(nr.Problem, todo[1:]) {
			t.Errorf("%s: WhatToDo %q is not the end of %q as a sentence", what, todo, nr.Problem)
		}
	}
	check("no secrets")
	_ = v.Put(ctx, "acme", secrets.ConsumerKey, []byte(goodConsumerKey))
	_ = v.Put(ctx, "acme", secrets.PrivateKey, b.KeyPEM)
	p.CertificatePEM = string(b2.CertPEM)
	check("old key")
	p.LoginURL = "https://acme.lightning.force.com"
	check("Lightning URL")
	if (&NotReadyError{Problem: "Made elsewhere."}).WhatToDo() != "" {
		t.Error("a NotReadyError made without a remedy has one")
	}
}

func TestBlockerIsWhatTheStepNeeds(t *testing.T) {
	w := pastOrg(t, newStore(t))
	need := w.Needs(w.Current())
	if need != "Generate a key and certificate, or import the pair you already use." {
		t.Fatalf("Needs = %q", need)
	}
	var b *Blocked
	if err := w.Blocker(w.Current()); !errors.As(err, &b) || b.Text != need || err.Error() != need {
		t.Errorf("Blocker = %#v, want a *Blocked saying %q", err, need)
	}
	if m := w.Next(); !errors.As(m.Blocked, &b) || b.Text != need {
		t.Errorf("Next = %+v, want blocked by %q", m, need)
	}
	if w.Needs(w.Index(StepECA)) != "" || w.Blocker(w.Index(StepECA)) != nil {
		t.Error("a step without a check blocks")
	}
}
