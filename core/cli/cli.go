// Package cli runs tnjwt's headless subcommands (keygen, test, emulator,
// profile). It never imports Fyne, so scripts and CI can use the binary on a
// machine with no display.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tnjwt/tnjwt/core/profiles"
)

// Exit codes shared by every subcommand (contract.md).
const (
	ExitOK        = 0
	ExitFailure   = 1 // a local failure that is not bad input: keychain, disk
	ExitUsage     = 2 // bad flags or input; nothing was written or sent
	ExitRefused   = 3 // Salesforce (or the emulator) refused: diagnosed
	ExitTransport = 4 // timeout, refused connection, TLS, 5xx, unparseable reply
)

// BuildInfo says which tnjwt this is, for --version.
type BuildInfo struct {
	Version string // FyneApp.toml's Version and `git describe`, set by the Makefile
	Kind    string // Desktop or Headless
}

// The kinds of build.
const (
	Desktop  = "desktop"  // the wizard and every command (Fyne, cgo)
	Headless = "headless" // every command, no wizard (no Fyne, no cgo: one static file)
)

// DesktopBuildHint says where the wizard comes from.
const DesktopBuildHint = "the tnjwt-VERSION-linux-amd64.tar.xz or tnjwt-VERSION-windows-amd64.exe download, " +
	"or `make run` in a clone of the repository"

// Build is set by main before Run.
var Build = BuildInfo{Version: "dev", Kind: Desktop}

// Env is what a subcommand may touch of the outside world; tests swap it.
type Env struct {
	Ctx    context.Context
	Stdin  io.Reader // --client-id -; nil when there is none
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
}

type command struct {
	name    string
	summary string
	run     func(args []string, env *Env) int
}

func commands() []command {
	return []command{
		{"keygen", "generate an RSA key and the certificate to upload to the External Client App", runKeygen},
		{"test", "run the live JWT bearer exchange and get a frontdoor URL", runTest},
		{"emulator", "run the local Salesforce emulator (practice org)", runEmulator},
		{"profile", "list, show, delete or import saved org profiles", runProfile},
		{"export", "write the .env, Heroku config, Express server or SDK snippet for the app's servers", runExport},
	}
}

// Run handles args (without the program name) when they name a subcommand.
// handled is false when the GUI should open instead (no arguments, or GUI-only
// flags), so main can pick one or the other without initialising Fyne here.
func Run(args []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) == 0 || isGUIFlag(args[0]) {
		return 0, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Ctx: ctx, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Now: time.Now}
	return Dispatch(args, env), true
}

// isGUIFlag reports flags that belong to the window rather than a subcommand.
func isGUIFlag(a string) bool {
	return a == "--demo" || a == "-demo"
}

// Dispatch runs one subcommand with env; tests call it directly.
func Dispatch(args []string, env *Env) int {
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printHelp(env.Stdout)
		return ExitOK
	case "-version", "--version", "version":
		fmt.Fprintf(env.Stdout, "tnjwt %s (%s build)\n", Build.Version, Build.Kind)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], env)
		}
	}
	return usageErr(env, "unknown command %q (try: tnjwt --help)", args[0])
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "tnjwt sets up and tests the Salesforce OAuth 2.0 JWT bearer flow for Tableau Next embedding.")
	fmt.Fprintln(w, "\nUsage:\n  tnjwt                 open the setup wizard\n  tnjwt COMMAND [flags]  run a headless command")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'tnjwt COMMAND --help' for a command's flags.")
}

// usageErr prints the one-line error the contract asks for and returns exit 2.
func usageErr(env *Env, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", " ")
	fmt.Fprintf(env.Stderr, "tnjwt: %s\n", joinClauses(msg))
	return ExitUsage
}

// joinClauses drops the full stop an error's last sentence brings along
// ("…to the External Client App.") when the caller goes on after it with
// "; nothing was stored". Every one-line error passes through usageErr, so
// this one place covers every such join.
func joinClauses(msg string) string {
	return strings.ReplaceAll(msg, ".; ", "; ")
}

// newFlagSet makes a FlagSet whose own error printing is silenced: parse
// reports errors on one line, and --help goes to stdout.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs. done is true when the caller must return code
// at once: after --help (exit 0) or a bad flag (exit 2). Positional arguments
// are refused unless allowArgs.
func parseFlags(fs *flag.FlagSet, synopsis string, args []string, env *Env, allowArgs bool) (code int, done bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(fs, synopsis, env.Stdout)
		return ExitOK, true
	}
	if err != nil {
		return usageErr(env, "%s: %v", fs.Name(), err), true
	}
	if !allowArgs && fs.NArg() > 0 {
		return usageErr(env, "%s: unexpected argument %q", fs.Name(), fs.Arg(0)), true
	}
	return 0, false
}

func printUsage(fs *flag.FlagSet, synopsis string, w io.Writer) {
	fmt.Fprintf(w, "Usage: tnjwt %s\n\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// testTarget is what `tnjwt test` needs, whether it came from flags or from a
// saved profile (profile.go). KeyPEM is the private key and must never be
// printed or logged.
type testTarget struct {
	LoginURL string
	ClientID string
	Username string
	Audience string // override; empty: discovered (salesforce.Audiences)
	// Remembered is the audience that last worked for a profile.
	Remembered string
	Sandbox    bool
	KeyPEM     []byte
	// Profile is the saved profile the target came from (--profile), if any.
	Profile *profiles.Profile
	// Pending: KeyPEM is the new key of a rotation in progress.
	Pending bool
}

// sandboxAtProductionWarning is what `test` and `profile import` say for
// --sandbox with the production login URL: the test.salesforce.com audience
// it brings rarely suits that login.
const sandboxAtProductionWarning = "--sandbox with https://login.salesforce.com: " +
	"sandboxes usually log in at https://test.salesforce.com or their My Domain URL"
