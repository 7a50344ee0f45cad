package ui

import (
	"errors"
	"strings"

	"github.com/tnjwt/tnjwt/core/problem"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// Errors as people read them, on every screen.

// inputText is an error as people should read it: an input error (from
// certs or salesforce, one type) gives its problem, then what to do when
// it says.
func inputText(err error) string {
	var in *problem.Input
	if errors.As(err, &in) {
		if in.WhatToDo() == "" {
			return wizard.Sentence(in.Problem)
		}
		return wizard.Sentence(in.Problem) + " " + wizard.Sentence(in.WhatToDo())
	}
	return wizard.Sentence(err.Error())
}

// errorText is a keychain error as its message and what to do.
func errorText(err error) string {
	var se *secrets.Error
	if errors.As(err, &se) {
		return strings.TrimSpace(se.Message + " " + se.WhatToDo())
	}
	return inputText(err)
}
