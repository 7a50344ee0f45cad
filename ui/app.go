// Package ui renders the tnjwt wizard with Fyne. It builds widgets and forwards
// what the person asks for to wizard/ and core/; it holds no logic of its own.
// Work done off the UI goroutine meets the widgets only in bridge.go.
package ui

import (
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/assets"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// AppName is the window title and the name people see.
const AppName = "tnjwt"

// Options are what the command line may ask of the window.
type Options struct {
	Demo bool // connect to the built-in practice org
}

// OptionsFromArgs reads the GUI flags that core/cli left to the window.
func OptionsFromArgs(args []string) Options {
	var o Options
	for _, a := range args {
		if a == "--demo" || a == "-demo" {
			o.Demo = true
		}
	}
	return o
}

// Icon is the app icon as a Fyne resource.
func Icon() fyne.Resource {
	return fyne.NewStaticResource("Icon.png", assets.Icon)
}

// Deps are the outside things the window uses; tests pass a Store in a
// temporary folder and a Vault over secrets.Memory.
type Deps struct {
	Store *profiles.Store
	Vault *secrets.Vault
	Now   func() time.Time

	onUI    func(func())                // tests: where background results go instead of fyne.Do
	client  func() *salesforce.Client   // tests: a client with a controllable Sleep; nil: salesforce.NewClient
	after   func(time.Duration, func()) // tests: a timer they fire themselves; nil: time.AfterFunc
	openURL func(*url.URL) error        // tests: records what the browser was given; nil: the desktop's opener (opener.go)
	anyPort bool                        // tests: the preview takes a free port, not the development address's
	sdk     *preview.SDKStore           // tests: where the preview keeps the SDK; nil: preview.DefaultSDKStore
}

func (d Deps) sdkStore() preview.SDKStore {
	if d.sdk == nil {
		return preview.DefaultSDKStore()
	}
	return *d.sdk
}

// defaultDeps opens the real profile folder and the OS keychain.
func defaultDeps() (Deps, error) {
	dir, err := profiles.DefaultDir()
	if err != nil {
		return Deps{}, err
	}
	vault := secrets.NewVault(secrets.NewKeyring(), secrets.DefaultTimeout)
	return Deps{Store: profiles.Open(dir, vault), Vault: vault, Now: time.Now}, nil
}

// Run opens the main window and blocks until it closes.
func Run(a fyne.App, opts Options) {
	a.Settings().SetTheme(newTheme())
	a.SetIcon(Icon())
	w := a.NewWindow(AppName)
	w.SetIcon(Icon())
	w.Resize(fyne.NewSize(900, 600))
	deps, err := defaultDeps()
	if err != nil {
		msg := wrapped("tnjwt cannot find a folder for its settings: " + err.Error() +
			"\nSet HOME (or XDG_CONFIG_HOME) and start tnjwt again.")
		w.SetContent(container.NewPadded(container.NewVBox(heading("tnjwt can't start"), msg, widget.NewButton("Quit", a.Quit))))
		w.ShowAndRun()
		return
	}
	// The window comes up first and the screens are built once the event
	// loop runs: laying out the first screen measures its text, which loads
	// the fonts, and that took longer than opening the window itself.
	var s *shell
	go fyne.Do(func() {
		s = newShell(a, w, deps)
		if opts.Demo {
			s.enterPractice()
		}
	})
	w.ShowAndRun()
	if s != nil {
		s.close()
	}
}
