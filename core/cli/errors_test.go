package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"testing"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

// finish is the one place an outcome becomes an exit code and a line on
// stderr: each kind of error, what it prints and the code it means.
func TestFinishPrintsAndPicksTheExitCode(t *testing.T) {
	refused := &salesforce.RefusalError{Code: "invalid_grant"}
	for _, c := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, ExitOK, ""},
		{"help shown", flag.ErrHelp, ExitOK, ""},
		{"usage", usageErrorf("keygen: --days: %v", errors.New("too many\ndays ")), ExitUsage, "tnjwt: keygen: --days: too many days\n"},
		{"failure", failuref("profile list: %v", errors.New("disk full")), ExitFailure, "tnjwt: profile list: disk full\n"},
		// An OS error passed on as it is keeps its own wording.
		{"as worded", fmt.Errorf("export: %v", errors.New("open a.; b/.env: denied")), ExitFailure, "tnjwt: export: open a.; b/.env: denied\n"},
		{"refused, reported", &silentError{fmt.Errorf("token: %w", refused)}, ExitRefused, ""},
		{"transport, reported", &silentError{&salesforce.TransportError{Kind: "timeout"}}, ExitTransport, ""},
		{"bad input, reported", &silentError{&salesforce.InputError{Problem: "no"}}, ExitUsage, ""},
		{"other, reported", &silentError{errors.New("context canceled")}, ExitFailure, ""},
		{"expiring", &silentError{errExpiring}, ExitFailure, ""},
	} {
		var errb bytes.Buffer
		if code := finish(&Env{Stderr: &errb}, c.err); code != c.code || errb.String() != c.stderr {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", c.name, code, errb.String(), c.code, c.stderr)
		}
	}
}
