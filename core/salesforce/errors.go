package salesforce

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The two calls of the exchange, as named in errors and timings.
const (
	PhaseSign         = "sign"
	PhaseToken        = "token"
	PhaseSingleAccess = "singleaccess"
)

// RefusalError is Salesforce (or the emulator) saying no: a 4xx answer with
// its error code and description. It is a configuration problem, and
// Diagnose maps it to the checklist step that fixes it.
type RefusalError struct {
	Phase       string // PhaseToken or PhaseSingleAccess
	Status      int
	Code        string // the server's "error", or Bad_OAuth_Token / Invalid_Scope
	Description string // the server's "error_description" (or body text)
	// ClockSkew is the server's clock minus ours, from the reply's Date header
	// (positive: our clock is behind). Zero when the server sent no Date.
	ClockSkew time.Duration
	LoginURL  string // where the token request went
	Audience  string // the aud that was sent
	Sandbox   bool   // the test was for a sandbox (its legacy audience is test.salesforce.com)
	Attempts  int    // how many times the exchange was tried
	Waited    time.Duration
}

// Summary says who refused what, without the server's words:
// "Salesforce refused the token request (HTTP 400)".
func (e *RefusalError) Summary() string {
	who := "the token request"
	if e.Phase == PhaseSingleAccess {
		who = "the frontdoor (singleaccess) request"
	}
	return fmt.Sprintf("Salesforce refused %s (HTTP %d)", who, e.Status)
}

func (e *RefusalError) Error() string {
	msg := e.Summary()
	switch {
	case e.Code != "" && e.Description != "":
		return msg + ": " + e.Code + ": " + e.Description
	case e.Code != "":
		return msg + ": " + e.Code
	case e.Description != "":
		return msg + ": " + e.Description
	}
	return msg
}

// Kinds of TransportError, for scripts and tests.
const (
	KindTimeout    = "timeout"     // no answer in time
	KindCancelled  = "cancelled"   // the caller gave up (Ctrl-C)
	KindConnect    = "connection"  // DNS, refused connection, proxy
	KindTLS        = "tls"         // certificate or handshake failure
	KindServer     = "server"      // 5xx, or an unexpected status
	KindBadReply   = "bad_reply"   // not the JSON Salesforce sends, or a field is wrong
	KindTooLarge   = "too_large"   // reply over the 1 MiB limit
	KindRedirect   = "redirect"    // the token or singleaccess URL redirects elsewhere (never followed)
	KindUnsafeHost = "unsafe_host" // instance_url or frontdoor_uri points somewhere it must not
)

// Cancelled reports an exchange the caller stopped (Ctrl-C, Cancel), which
// says nothing about the org's setup.
func Cancelled(err error) bool {
	var te *TransportError
	return errors.As(err, &te) && te.Kind == KindCancelled
}

// TransportError is any failure that is not a refusal: the network, TLS, a
// server error, or a reply that is not what Salesforce sends.
type TransportError struct {
	Phase    string // PhaseToken or PhaseSingleAccess
	Kind     string // one of the Kind constants
	Problem  string // for people: what went wrong, and what to do when known
	Err      error  // the underlying error, if any
	Location string // for KindRedirect: where the server points
}

func (e *TransportError) Error() string {
	msg := e.Phase + " request: " + e.Problem
	if e.Err != nil && !strings.Contains(e.Problem, e.Err.Error()) {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// OtherError is the error code ErrorFields gives a failure that is neither a
// refusal nor a transport fault.
const OtherError = "error"

// ErrorFields are the error and error_description that tnjwt reports and
// records for err: the server's own words for a refusal, the fault's kind and
// message for a transport failure. Both are empty for a nil err.
func ErrorFields(err error) (code, description string) {
	var (
		re *RefusalError
		te *TransportError
	)
	switch {
	case err == nil:
		return "", ""
	case errors.As(err, &re):
		return re.Code, re.Description
	case errors.As(err, &te):
		return te.Kind, te.Error()
	}
	return OtherError, err.Error()
}
