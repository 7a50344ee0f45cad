package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrorKind sorts keychain failures by what the admin has to do about them.
type ErrorKind int

// The kinds of keychain failure.
const (
	Other        ErrorKind = iota // anything not recognised; Err says what
	NotFound                      // nothing stored under that name (wraps ErrNotFound)
	Locked                        // the keychain is locked (or its unlock prompt was dismissed)
	Timeout                       // no answer within the Vault's timeout
	NoSessionBus                  // Linux: no D-Bus session bus to reach the Secret Service on
	NoService                     // Linux: a bus, but no Secret Service provider on it
	Refused                       // the user or the OS said no to a prompt
	TooBig                        // the OS refused an item's size
	Corrupt                       // stored items do not add up to the secret that was saved
	Canceled                      // the caller's context was cancelled
	NewerFormat                   // stored by a newer tnjwt, in a format this one does not know: left alone
)

func (k ErrorKind) String() string {
	names := [...]string{"other", "not found", "locked", "timeout", "no session bus",
		"no secret service", "refused", "too big", "corrupt", "cancelled", "newer format"}
	if int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// Error is a keychain failure with a message and a remedy written for an
// admin. It never holds a secret value.
type Error struct {
	Kind    ErrorKind
	Message string // what went wrong
	Remedy  string // what to do; may be empty
	Err     error  // the underlying error, if any
}

func (e *Error) Error() string {
	if e.Remedy == "" {
		return e.Message
	}
	return e.Message + " " + e.Remedy
}

func (e *Error) Unwrap() error { return e.Err }

// WhatToDo is the remedy, so a screen can show it the way it shows any
// refusal's (problem.Remedied); the method cannot share the field's name.
func (e *Error) WhatToDo() string { return e.Remedy }

// KindOf is the Kind of err when it is (or wraps) an *Error, else Other.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// classify reads a backend error. goos picks the platform's known texts so
// the mapping can be tested on any machine.
func classify(goos string, err error) ErrorKind {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.Is(err, ErrNotFound):
		return NotFound
	case errors.Is(err, ErrSetDataTooBig):
		return TooBig
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, context.Canceled):
		return Canceled
	}
	msg := err.Error()
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(strings.ToLower(msg), strings.ToLower(s)) {
				return true
			}
		}
		return false
	}
	switch goos {
	case "darwin":
		// /usr/bin/security exits with the low byte of the OSStatus:
		// 36 errSecInteractionNotAllowed, 51 errSecAuthFailed, 128 errSecUserCanceled.
		switch {
		case has("exit status 36", "interaction is not allowed"):
			return Locked
		case has("exit status 128", "exit status 51", "canceled", "cancelled"):
			return Refused
		}
	case "windows":
		if has("logon session does not exist") {
			return NoService
		}
		if has("access is denied") {
			return Refused
		}
	default:
		switch {
		// go-keyring ignores a prompt's "dismissed" flag, so a dismissed
		// unlock prompt also ends up here; the remedy covers both.
		case has("failed to unlock correct collection", "org.freedesktop.Secret.Error.IsLocked"):
			return Locked
		case has("org.freedesktop.secrets was not provided", "org.freedesktop.DBus.Error.ServiceUnknown",
			"org.freedesktop.DBus.Error.NameHasNoOwner"):
			return NoService
		case has("couldn't determine address of session bus"):
			return NoSessionBus
		case has("dismissed", "org.freedesktop.DBus.Error.AccessDenied", "access denied"):
			return Refused
		}
	}
	return Other
}

// describeFailure writes the message and remedy for a failed operation.
// op is "saving", "reading" or "deleting"; p is the secret's purpose (empty
// for several at once) and what reads like `the private key of profile "Acme"`.
func describeFailure(goos string, kind ErrorKind, op string, p Purpose, what string, timeout time.Duration, err error) *Error {
	loc := locationFor(goos)
	doing := op + " " + what
	e := &Error{Kind: kind, Err: err}
	switch kind {
	case NotFound:
		e.Message = fmt.Sprintf("Nothing is stored in the %s for %s.", loc, what)
		e.Remedy = storeAgainRemedy(p)
	case Locked:
		e.Message = fmt.Sprintf("The %s is locked, so tnjwt stopped while %s.", loc, doing)
		e.Remedy = lockedRemedy(goos)
	case Timeout:
		e.Message = fmt.Sprintf("The keychain did not answer within %s while tnjwt was %s: is it locked?", formatDuration(timeout), doing)
		e.Remedy = fmt.Sprintf("Unlock it (%s) and try again.", unlockHow(goos))
	case NoSessionBus:
		var inner *Error
		if errors.As(err, &inner) {
			return inner
		}
		e.Message = fmt.Sprintf("There is no D-Bus session bus, so tnjwt cannot reach the %s.", loc)
		e.Remedy = noBusRemedy
	case NoService:
		if goos == "windows" {
			e.Message = "Windows Credential Manager is not available in this logon session."
			e.Remedy = "Sign in to Windows interactively (not as a service) and run tnjwt again."
			break
		}
		e.Message = fmt.Sprintf("No Secret Service is running on this desktop, so tnjwt could not finish %s.", doing)
		e.Remedy = "Install and start GNOME Keyring (package gnome-keyring), or turn on the Secret Service in KWallet's settings, then try again."
	case Refused:
		e.Message = fmt.Sprintf("The %s refused access while tnjwt was %s (the prompt was cancelled or denied).", loc, doing)
		e.Remedy = "Try again and allow access when your system asks."
	case TooBig:
		e.Message = fmt.Sprintf("The %s refused an item as too large while tnjwt was %s.", loc, doing)
		e.Remedy = "This is a bug in tnjwt's chunked storage; please report it."
	case Canceled:
		e.Message = fmt.Sprintf("Cancelled while %s.", doing)
	default:
		e.Message = fmt.Sprintf("The %s reported an error while tnjwt was %s: %v.", loc, doing, err)
	}
	return e
}

func lockedRemedy(goos string) string {
	switch goos {
	case "darwin":
		return "Unlock your login keychain (open Keychain Access, or enter your password when asked) and try again."
	case "windows":
		return "Sign in to Windows again, then try again."
	}
	return "Unlock your login keyring (in Passwords and Keys / Seahorse, or KWalletManager) and try again; if an unlock prompt appeared, enter your password instead of cancelling it."
}

func unlockHow(goos string) string {
	switch goos {
	case "darwin":
		return "Keychain Access, or answer the password prompt"
	case "windows":
		return "answer the Windows Security prompt"
	}
	return "Passwords and Keys / Seahorse or KWalletManager, or answer the unlock prompt"
}

// storeAgainRemedy is what to do about a missing or damaged secret. A private
// key cannot be got back, so the admin needs a new pair and must upload its
// certificate; a consumer key can be copied from the app again. The words
// name no command-line flag: the same remedy shows in the wizard.
func storeAgainRemedy(p Purpose) string {
	const cli = "(or with `tnjwt profile import`, replacing this profile)"
	if p == ConsumerKey {
		return "Copy the consumer key from the External Client App again, paste it on the wizard's Consumer key step " +
			"and store it on the Keychain step " + cli + "."
	}
	return "Make a new key and certificate on the wizard's Key and certificate step (or with `tnjwt keygen`), " +
		"upload the new certificate to the External Client App, then store the new key on the wizard's Keychain step " + cli + "."
}

// noBusRemedy warns that the command waits: gnome-keyring-daemon --unlock
// reads the password from standard input without a prompt, which looks like
// a hang.
const noBusRemedy = "Run tnjwt inside a desktop session, or start a bus and keyring for it: " +
	"`dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; tnjwt …'`. " +
	"It waits for your login-keyring password on standard input: type it, then press Ctrl-D."

// formatDuration prints 30s as "30 s" and 50ms as "50 ms".
func formatDuration(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%g s", d.Round(100*time.Millisecond).Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}
