// Package problem is the one shape of an error shown to people: what is
// wrong and what to do about it. It imports nothing from tnjwt, so every
// layer (the emulator included) may use it.
package problem

// Kind names the reason an input was refused, so callers (and tests) can
// tell the cases apart without matching on the wording. Packages define
// their own values (certs.KindEncrypted, ...).
type Kind string

// Input is a value or file an admin gave that cannot be used. Problem says
// what is wrong, Hint what to do; neither ever quotes a secret. Like any Go
// error, Problem is lower case without a full stop; Hint is a sentence.
type Input struct {
	Problem string // "the key file is an encrypted private key"
	Hint    string // a sentence or two: what to do; may be empty
	Kind    Kind   // may be empty where one reason is all there is
}

func (e *Input) Error() string {
	if e.Hint == "" {
		return e.Problem
	}
	return e.Problem + ". " + e.Hint
}

// WhatToDo is the hint.
func (e *Input) WhatToDo() string { return e.Hint }

// Remedied is an error that says, apart from what went wrong, what the
// person should do about it ("" when nothing is known). Error() still holds
// the whole message, remedy included; WhatToDo lets a screen show the
// remedy on its own line or under a button.
//
// The method is not called Remedy because secrets.Error already has a field
// of that name, which callers read.
type Remedied interface {
	WhatToDo() string
}
