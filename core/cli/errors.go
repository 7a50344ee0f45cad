package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/tnjwt/tnjwt/core/salesforce"
)

// A command returns nil or an error, and finish turns that into what the
// person sees on stderr and the exit code. The kinds of error:
//
//   - *usageError: bad flags or input, exit 2 (usageErrorf);
//   - the salesforce package's RefusalError (3), TransportError (4) and
//     InputError (2), from `tnjwt test`;
//   - *silentError: the outcome was shown already; the error it wraps
//     decides the code;
//   - flag.ErrHelp: --help was printed, exit 0;
//   - anything else: a local failure that is not bad input, exit 1
//     (failuref, or an error as the OS words it).

// usageError is bad flags or input: nothing was written or sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErrorf words a usageError on one line (see errorLine).
func usageErrorf(format string, a ...any) error {
	return &usageError{errorLine(format, a...)}
}

// failuref words a local failure (keychain, disk) on one line.
func failuref(format string, a ...any) error {
	return errors.New(errorLine(format, a...))
}

// silentError is an outcome the command has shown already, on stdout:
// test's report of a refusal, or `profile list --expiring` finding
// certificates to renew. Nothing more is printed.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }
func (e *silentError) Unwrap() error { return e.err }

// errExpiring is what `profile list --expiring` exits 1 with.
var errExpiring = errors.New("certificates expire within the days asked")

// exitCode is the one place an outcome becomes an exit code (docs/cli.md).
func exitCode(err error) int {
	var (
		usage     *usageError
		refused   *salesforce.RefusalError
		transport *salesforce.TransportError
		input     *salesforce.InputError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &refused):
		return ExitRefused
	case errors.As(err, &transport):
		return ExitTransport
	case errors.As(err, &input):
		return ExitUsage
	}
	return ExitFailure
}

// finish prints a command's error as docs/cli.md's one line,
// "tnjwt: MESSAGE", unless it was shown already, and returns its exit code.
func finish(env *Env, err error) int {
	var silent *silentError
	if err != nil && !errors.Is(err, flag.ErrHelp) && !errors.As(err, &silent) {
		fmt.Fprintf(env.Stderr, "tnjwt: %s\n", err)
	}
	return exitCode(err)
}

// errorLine formats a message and keeps it to one line. usageErrorf and
// failuref word their errors with it; the few failures that pass on an OS
// error as it is (a folder that cannot be made) have always been printed
// without it, and still are.
func errorLine(format string, a ...any) string {
	msg := fmt.Sprintf(format, a...)
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
	return joinClauses(msg)
}

// joinClauses drops the full stop an error's last sentence brings along
// ("…to the External Client App.") when the caller goes on after it with
// "; nothing was stored". Every usage error and failuref passes through
// errorLine, so this one place covers every such join.
func joinClauses(msg string) string {
	return strings.ReplaceAll(msg, ".; ", "; ")
}
