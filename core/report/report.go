// Package report holds the words of a live test, built once for both front
// ends: the Live test screen (ui/) and `tnjwt test` (core/cli) show the same
// phases, waits, server answers, credentials and SDK snippet.
package report

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

// Phase is one step of the exchange as the admin sees it.
type Phase struct {
	ID    string // salesforce.PhaseSign, PhaseToken or PhaseSingleAccess
	Label string
}

// Phases are the exchange's steps, in order.
var Phases = []Phase{
	{salesforce.PhaseSign, "Sign the JWT"},
	{salesforce.PhaseToken, "Token request"},
	{salesforce.PhaseSingleAccess, "Frontdoor request (singleaccess)"},
}

// FailedPhase names the phase an error came from; "" for none.
func FailedPhase(err error) string {
	var (
		re *salesforce.RefusalError
		te *salesforce.TransportError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &re):
		return re.Phase
	case errors.As(err, &te):
		return te.Phase
	}
	return salesforce.PhaseSign
}

// PhaseName is a phase as the subject of a sentence.
func PhaseName(phase string) string {
	switch phase {
	case salesforce.PhaseSingleAccess:
		return "The frontdoor (singleaccess) request"
	case salesforce.PhaseSign:
		return "Signing the JWT"
	}
	return "The token request"
}

// Took is a phase's time: "12.3 ms".
func Took(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// Timings is the phases' times in one line, for a summary.
func Timings(res *salesforce.Result) string {
	if res == nil {
		return ""
	}
	var parts []string
	for _, p := range []struct {
		d    time.Duration
		name string
	}{{res.Timings.Sign, "signing"}, {res.Timings.Token, "token"}, {res.Timings.SingleAccess, "frontdoor"}} {
		if p.d > 0 {
			parts = append(parts, p.name+" "+Took(p.d))
		}
	}
	parts = append(parts, "total "+Took(res.Timings.Total))
	text := strings.Join(parts, " · ")
	if res.Attempts > 1 {
		text += fmt.Sprintf(" (%d attempts)", res.Attempts)
	}
	return text
}

// ServerWords is what the server said, or what went wrong on the way:
// "Salesforce answered invalid_client_id (client identifier invalid)".
func ServerWords(err error) string {
	var re *salesforce.RefusalError
	if errors.As(err, &re) {
		words := "Salesforce answered " + OrDash(re.Code)
		if re.Description != "" {
			words += " (" + re.Description + ")"
		}
		return words
	}
	return err.Error()
}

// Retrying explains a failed attempt that will be tried again, and for how
// long tnjwt keeps trying.
func Retrying(a salesforce.Attempt, budget time.Duration) string {
	text := fmt.Sprintf("Attempt %d: %s. A new or edited External Client App can take up to 10 minutes to reach "+
		"every Salesforce server, so tnjwt tries again in %s (for up to %s in all).",
		a.N, ServerWords(a.Err), salesforce.PlainDuration(a.Next), salesforce.PlainDuration(budget))
	var re *salesforce.RefusalError
	if errors.As(a.Err, &re) && strings.EqualFold(re.Code, "invalid_client_id") {
		text += " " + WrongKeyToo
	}
	return text
}

// WrongKeyToo names the other cause of invalid_client_id while tnjwt waits
// for an app to propagate: no wait cures a wrong consumer key.
const WrongKeyToo = "The other cause is a wrong consumer key (cut off, or the consumer secret pasted in its place), " +
	"which no wait cures: compare it with the app's Consumer Key in Setup."

// Discovering explains the second audience tried at once after the first
// was refused as the wrong one.
func Discovering(a salesforce.Attempt) string {
	return fmt.Sprintf("Attempt %d: %s. Orgs differ in the audience they want (since Spring '26 many External "+
		"Client Apps want the My Domain URL, older orgs want login or test.salesforce.com), so tnjwt tries "+
		"aud = %s at once.", a.N, ServerWords(a.Err), a.Audience)
}

// AudiencesTried says which audience worked after which, or "" when only
// one was tried.
func AudiencesTried(res *salesforce.Result) string {
	if res == nil || len(res.AudiencesTried) < 2 {
		return ""
	}
	return "tnjwt tried aud = " + strings.Join(res.AudiencesTried[:len(res.AudiencesTried)-1], ", ") +
		" first; the final answer came with aud = " + res.Audience + "."
}

// Countdown is the propagation wait as it runs: how long is left of the
// budget and how many tries so far.
func Countdown(left time.Duration, attempts int) string {
	left = max(left.Round(time.Second), 0)
	tries := "1 try"
	if attempts != 1 {
		tries = fmt.Sprintf("%d tries", attempts)
	}
	return fmt.Sprintf("Waiting for the app to go live: %s left, %s so far.", clock(left), tries)
}

// clock writes a wait as m:ss.
func clock(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// TransportAdvice follows a failure that is not a refusal: what it says
// about the setup, and what to do.
func TransportAdvice(te *salesforce.TransportError) string {
	if te.Kind == salesforce.KindCancelled {
		// Ctrl-C, or a SIGTERM from a scheduler's time limit: either way it
		// was stopped from outside, not by the network.
		return "The test was stopped before it finished (Ctrl-C, or the job running it was stopped), so it " +
			"says nothing yet about your setup, and nothing was recorded. Test again when you are ready."
	}
	return "The request didn't get a usable answer, so this doesn't necessarily mean anything is " +
		"wrong with your setup. Check this computer's network connection (and HTTPS_PROXY, if you go " +
		"through a proxy), then test again."
}

// Transport says in an admin's words what failed on the way.
func Transport(te *salesforce.TransportError) string {
	what := map[string]string{
		salesforce.KindTimeout:    "Salesforce did not answer in time.",
		salesforce.KindConnect:    "tnjwt could not reach the server (name lookup, connection or proxy).",
		salesforce.KindTLS:        "The secure connection failed: the server's certificate or the TLS handshake was refused.",
		salesforce.KindServer:     "The server had a problem of its own (an HTTP 5xx or unexpected answer).",
		salesforce.KindBadReply:   "The answer was not what Salesforce sends.",
		salesforce.KindTooLarge:   "The answer was far larger than Salesforce sends.",
		salesforce.KindRedirect:   "The login URL sends requests somewhere else.",
		salesforce.KindUnsafeHost: "The answer pointed at a server that is not Salesforce.",
	}[te.Kind]
	if te.Kind == salesforce.KindRedirect && te.Phase == salesforce.PhaseSingleAccess {
		what = "The org sent the frontdoor request somewhere else instead of answering it."
	}
	// After the colon the problem keeps its own case: "The token request: cannot connect to …".
	detail := PhaseName(te.Phase) + ": " + strings.TrimSuffix(strings.TrimSpace(te.Problem), ".") + "."
	if what == "" {
		return detail
	}
	return what + " " + detail
}

// UnknownRefusal stands where a diagnosis would.
const UnknownRefusal = "tnjwt doesn't know this answer, so there is no diagnosis: the server's words above are all there is."

// Sentence makes a Go error message ("cannot read x") read as a sentence
// ("Cannot read x."); a message that starts with a host name, URL or
// identifier keeps its case.
func Sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	first, _, _ := strings.Cut(msg, " ")
	if !strings.ContainsAny(first, "./:@_") {
		r, n := utf8.DecodeRuneInString(msg)
		msg = string(unicode.ToUpper(r)) + msg[n:]
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") && !strings.HasSuffix(msg, "!") {
		msg += "."
	}
	return msg
}

// OrDash shows an empty value as a dash.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
