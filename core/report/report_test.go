package report

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

func TestServerWordsLeaveOutAnEmptyDescription(t *testing.T) {
	for err, want := range map[error]string{
		&salesforce.RefusalError{Code: "invalid_client_id", Description: "client identifier invalid"}: "Salesforce answered invalid_client_id (client identifier invalid)",
		&salesforce.RefusalError{Code: "invalid_client_id"}:                                           "Salesforce answered invalid_client_id",
		&salesforce.RefusalError{Description: "no code"}:                                              "Salesforce answered — (no code)",
		errors.New("cannot connect"):                                                                  "cannot connect",
	} {
		if got := ServerWords(err); got != want {
			t.Errorf("ServerWords(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestRetryingAndCountdownReadAsPeopleSpeak(t *testing.T) {
	a := salesforce.Attempt{N: 3, Err: &salesforce.RefusalError{Code: "invalid_client_id"}, Next: 2 * time.Second}
	if got := Retrying(a, 10*time.Minute); !strings.Contains(got, "Attempt 3: Salesforce answered invalid_client_id. ") ||
		!strings.Contains(got, "tries again in 2 seconds (for up to 10 minutes in all).") {
		t.Errorf("Retrying = %q", got)
	}
	// invalid_client_id also means a wrong consumer key, which no wait cures;
	// a new certificate's "invalid assertion" does not.
	if got := Retrying(a, 10*time.Minute); !strings.HasSuffix(got, " "+WrongKeyToo) {
		t.Errorf("Retrying invalid_client_id does not name a wrong key: %q", got)
	}
	assertion := salesforce.Attempt{N: 2, Err: &salesforce.RefusalError{Code: "invalid_grant", Description: "invalid assertion"}, Next: 2 * time.Second}
	if got := Retrying(assertion, 10*time.Minute); strings.Contains(got, "consumer key") {
		t.Errorf("Retrying invalid assertion speaks of the consumer key: %q", got)
	}
	for _, c := range []struct {
		left  time.Duration
		tries int
		want  string
	}{
		{10 * time.Minute, 1, "10:00 left, 1 try so far."},
		{9*time.Minute + 58400*time.Millisecond, 2, "9:58 left, 2 tries so far."},
		{-time.Second, 300, "0:00 left, 300 tries so far."},
	} {
		if got := Countdown(c.left, c.tries); !strings.HasSuffix(got, c.want) {
			t.Errorf("Countdown(%v, %d) = %q, want …%q", c.left, c.tries, got, c.want)
		}
	}
}

func TestMaskShowsNoMoreThanHalf(t *testing.T) {
	if got := Mask("3MVG9pe2TCoA1Pf5xUPT", IssuerKeep); got != "3MVG9pe2••••••" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("abcd", IssuerKeep); got != "ab••••••" {
		t.Errorf("short secret masked as %q", got)
	}
	fd := "https://acme.my.salesforce.com/secur/frontdoor.jsp?otp=SECRETSECRETSECRET"
	if got := MaskFrontdoor(fd); strings.Contains(got, "otp=S") || !strings.HasPrefix(got, "https://acme.my.salesforce.com") {
		t.Errorf("MaskFrontdoor = %q", got)
	}
}

func TestWhatWasSentMasksTheConsumerKey(t *testing.T) {
	s := &salesforce.Sent{Alg: "RS256", Typ: "JWT", Iss: "3MVG9pe2TCoA1Pf5xUPT0D1fN", Sub: "embed@acme.com",
		Aud: "https://login.salesforce.com", Exp: time.Unix(1800000000, 0), TokenEndpoint: "https://login.salesforce.com/services/oauth2/token"}
	var all []string
	for _, f := range WhatWasSent(s) {
		all = append(all, f.Label+"="+f.Value)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{"iss (consumer key)=3MVG9pe2••••••", "sub (username)=embed@acme.com",
		"aud (audience)=https://login.salesforce.com", `JWT header={"alg": "RS256", "typ": "JWT"}`, "exp=2027-01-15T08:00:00Z"} {
		if !strings.Contains(text, want) {
			t.Errorf("what was sent lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, s.Iss) || WhatWasSent(nil) != nil {
		t.Error("the whole consumer key is shown, or a nil Sent lists something")
	}
}
