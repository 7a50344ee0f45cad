// Package cli runs tnjwt's headless subcommands (keygen, test, emulator,
// profile, export). It never imports Fyne, so scripts and CI can use the binary on a
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
	"syscall"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// Exit codes shared by every subcommand (docs/cli.md).
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
	// NewVault opens the keychain for the profile commands, `test --profile`
	// and `export`; nil is the OS keychain. CLI unit tests give an in-memory
	// one; the TestKeyring… tests (make keychain-test) use the real one.
	NewVault func() *secrets.Vault
	// NewClient makes the Salesforce client of `tnjwt test`; nil is
	// salesforce.NewClient. Tests give one whose waits are instant.
	NewClient func(timeout time.Duration) *salesforce.Client
	// OpenURL opens an address in the browser for `tnjwt preview`; nil is
	// the desktop's opener. Tests record what it was given.
	OpenURL func(url string) error
	// SDKStore keeps the preview's copy of the SDK; nil is
	// preview.DefaultSDKStore (the user's cache folder, from the CDN).
	SDKStore *preview.SDKStore
}

func (e *Env) sdkStore() preview.SDKStore {
	if e.SDKStore == nil {
		return preview.DefaultSDKStore()
	}
	return *e.SDKStore
}

// osKeychain is the vault of the OS keychain. A new one each time: a
// profiles.Store sets its own lock on the vault it is given.
func osKeychain() *secrets.Vault {
	return secrets.NewVault(secrets.NewKeyring(), secrets.DefaultTimeout)
}

// vault opens the keychain: NewVault's, or the OS keychain.
func (e *Env) vault() *secrets.Vault {
	if e.NewVault == nil {
		return osKeychain()
	}
	return e.NewVault()
}

// client makes the client of `tnjwt test`, on the Env's clock.
func (e *Env) client(timeout time.Duration) *salesforce.Client {
	newClient := e.NewClient
	if newClient == nil {
		newClient = salesforce.NewClient
	}
	c := newClient(timeout)
	if e.Now != nil {
		c.Now = e.Now
	}
	return c
}

// now is the Env's clock, or the real one.
func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// command is one subcommand. parse reads its flags into its options
// (printing --help on stdout); the options then run.
type command struct {
	name    string
	summary string
	parse   func(args []string, stdout io.Writer) (runner, error)
}

// runner is a command's options, once parsed.
type runner interface {
	run(env *Env) error
}

func commands() []command {
	return []command{
		{"keygen", "generate an RSA key and the certificate to upload to the External Client App", parseKeygen},
		{"test", "run the live JWT bearer exchange and get a frontdoor URL", parseTest},
		{"emulator", "run the local Salesforce emulator (practice org)", parseEmulator},
		{"profile", "saved org profiles: list, show, import, delete; renew, rotate, roll back their keys", parseProfile},
		{"export", "write the .env, Heroku config, a server (Node.js, Python, Go, Java, Ruby) or SDK snippet; or the app as a Salesforce DX project", parseExport},
		{"preview", "embed a dashboard in a page on this computer, before the app exists", parsePreview},
	}
}

// Run handles args (without the program name) when they name a subcommand.
// handled is false when the GUI should open instead (no arguments, or GUI-only
// flags), so main can pick one or the other without initialising Fyne here.
func Run(args []string, stdout, stderr io.Writer) (code int, handled bool) {
	if len(args) == 0 || isGUIFlag(args[0]) {
		return 0, false
	}
	ctx := context.Background()
	// Ctrl-C cancels a command's work; help and the version just print, and
	// setting up signal handling would only slow their start.
	if !printsOnly(args[0]) {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	env := &Env{Ctx: ctx, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr, Now: time.Now,
		NewVault: osKeychain, NewClient: salesforce.NewClient}
	return Dispatch(args, env), true
}

// isGUIFlag reports flags that belong to the window rather than a subcommand.
func isGUIFlag(a string) bool {
	return a == "--demo" || a == "-demo"
}

// Dispatch runs one subcommand with env; tests call it directly.
func Dispatch(args []string, env *Env) int {
	return finish(env, dispatch(args, env))
}

func dispatch(args []string, env *Env) error {
	switch {
	case isHelp(args[0]):
		printHelp(env.Stdout)
		return nil
	case isVersion(args[0]):
		fmt.Fprintf(env.Stdout, "tnjwt %s (%s build)\n", Build.Version, Build.Kind)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			o, err := c.parse(args[1:], env.Stdout)
			if err != nil {
				return err
			}
			return o.run(env)
		}
	}
	return usageErrorf("unknown command %q (try: tnjwt --help)", args[0])
}

func isHelp(a string) bool    { return a == "-h" || a == "-help" || a == "--help" || a == "help" }
func isVersion(a string) bool { return a == "-version" || a == "--version" || a == "version" }

// printsOnly reports the arguments that print and exit without other work.
func printsOnly(a string) bool { return isHelp(a) || isVersion(a) }

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "tnjwt sets up and tests the Salesforce OAuth 2.0 JWT bearer flow for Tableau Next embedding.")
	fmt.Fprintln(w, "\nUsage:\n  tnjwt                 open the setup wizard\n  tnjwt COMMAND [flags]  run a headless command")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'tnjwt COMMAND --help' for a command's flags.")
}

// newFlagSet makes a FlagSet whose own error printing is silenced: parse
// reports errors on one line, and --help goes to stdout.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args into fs, refusing positional arguments. After
// --help, which it prints on stdout, it returns flag.ErrHelp (exit 0).
func parseFlags(fs *flag.FlagSet, synopsis string, args []string, stdout io.Writer) error {
	if err := parseFlagsAndArgs(fs, synopsis, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// parseFlagsAndArgs is parseFlags for a command that takes arguments too.
func parseFlagsAndArgs(fs *flag.FlagSet, synopsis string, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(fs, synopsis, stdout)
		return err
	}
	if err != nil {
		return usageErrorf("%s: %v", fs.Name(), err)
	}
	return nil
}

func printUsage(fs *flag.FlagSet, synopsis string, w io.Writer) {
	fmt.Fprintf(w, "Usage: tnjwt %s\n\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// readPEMFlag reads the key or certificate file a flag names; certs words
// what is wrong with it ("PATH: no such file") and this adds the flag.
func readPEMFlag(flagName, path string) ([]byte, error) {
	data, err := certs.ReadPEMFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %w", flagName, err)
	}
	return data, nil
}
