package ui

import (
	"errors"
	"strings"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// Errors as people read them, on every screen.

// inputText is an error as people should read it: certs and salesforce
// input errors give a problem and what to do.
func inputText(err error) string {
	var ce *certs.InputError
	if errors.As(err, &ce) {
		return wizard.Sentence(ce.Problem) + " " + wizard.Sentence(ce.Hint)
	}
	return wizard.Sentence(err.Error())
}

// errorText is a keychain error as its message and remedy.
func errorText(err error) string {
	var se *secrets.Error
	if errors.As(err, &se) {
		return strings.TrimSpace(se.Message + " " + se.Remedy)
	}
	return inputText(err)
}
