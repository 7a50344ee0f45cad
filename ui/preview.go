package ui

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/wizard"
)

// previewPanel is Preview embedding on the Done screen: the dashboard
// embedded in the person's browser before the app exists (core/preview),
// and how each attempt ended, with the item to fix one click away.
type previewPanel struct {
	s         *shell
	dashboard *navEntry
	dashMsg   *message
	sdk       *widget.Label
	sdkPick   *focusButton
	sdkClear  *focusButton
	run       *focusButton // Preview embedding, or Stop preview
	state     *message     // what the preview is doing
	outcome   *fyne.Container
	srv       *preview.Server
	starting  bool
	closing   sync.WaitGroup // previews being stopped
	sdkFile   string         // a local copy of the SDK; "" loads it from the CDN
	root      fyne.CanvasObject
}

func newPreviewPanel(s *shell) *previewPanel {
	p := &previewPanel{s: s, dashMsg: newMessage(), state: newMessage(), outcome: container.NewVBox(), sdk: subtle("")}
	p.dashboard = s.newEntry(specDashboard)
	p.dashboard.SetPlaceHolder("Sales_Overview")
	p.dashboard.OnSubmitted = func(string) { p.toggle() }
	p.run = newFocusButton(s, "Preview embedding", theme.MediaPlayIcon(), p.toggle)
	p.run.Importance = widget.HighImportance
	p.sdkPick = newFocusButton(s, "Use a local copy of the SDK…", theme.FolderOpenIcon(), p.pickSDK)
	p.sdkClear = newFocusButton(s, "Use the CDN", theme.ContentUndoIcon(), func() { p.setSDK("") })
	form := container.New(layout.NewFormLayout(), bold("Dashboard API name"), container.NewVBox(p.dashboard, p.dashMsg))
	p.root = container.NewVBox(
		bold("Preview embedding"),
		wrapped("See the dashboard embedded in your browser before your app exists: tnjwt serves a page on this "+
			"computer (your development address) that signs in as the JWT user for every load, as your app's server "+
			"will, and embeds the dashboard with the Tableau Next Embedding SDK. If it fails, it says which setting to change."),
		form,
		container.NewHBox(p.run),
		p.state,
		p.outcome,
		p.sdk,
		container.NewHBox(p.sdkPick, p.sdkClear),
	)
	return p
}

// show fills the dashboard from the profile (the practice org's, when
// rehearsing) and shows where the SDK comes from.
func (p *previewPanel) show() {
	st := p.s.wiz.State()
	name := ""
	if e := st.Profile.Embedding; e != nil {
		name = e.PreviewDashboard
	}
	if name == "" && p.s.practice != nil {
		name = wizard.PracticeDashboard
	}
	if p.dashboard.Text == "" {
		p.dashboard.SetText(name)
	}
	p.showSDK()
	p.showRunning()
}

// showSDK says where the SDK will come from; once the preview starts,
// where it does (preview.SDKStore.Choose's words).
func (p *previewPanel) showSDK() {
	if p.sdkFile != "" {
		p.sdk.SetText("The SDK comes from " + p.sdkFile + ".")
		p.sdkClear.Show()
		return
	}
	p.sdkClear.Hide()
	st := p.s.deps.sdkStore()
	if _, err := os.Stat(st.Path()); err == nil {
		p.sdk.SetText("The SDK " + embedding.SDKVersion + " comes from tnjwt's copy (" + st.Path() + "), checked against its pinned hash each time.")
		return
	}
	p.sdk.SetText("The SDK " + embedding.SDKVersion + " is fetched once from " + st.URL + " when the preview starts, checked " +
		"against its pinned hash and kept, so later previews work without the network. " + preview.LocalSDKHint)
}

func (p *previewPanel) setSDK(path string) {
	p.sdkFile = path
	p.showSDK()
	if p.srv != nil {
		p.state.info("The preview uses the new SDK from its next start: stop it and start it again.")
	}
}

func (p *previewPanel) pickSDK() {
	dlg := dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
		if err != nil {
			p.state.set("Couldn't open the file: "+inputText(err), "")
			return
		}
		if f == nil {
			return
		}
		f.Close()
		p.setSDK(f.URI().Path())
	}, p.s.win)
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".js"}))
	dlg.SetTitleText("Choose the SDK's " + embedding.SDKBundle)
	dlg.Resize(dialogSize(p.s.win))
	dlg.Show()
}

func (p *previewPanel) toggle() {
	if p.srv != nil {
		p.stop()
		return
	}
	p.start()
}

// start checks the dashboard's name, then starts the preview off the UI
// goroutine and opens it in the browser.
func (p *previewPanel) start() {
	if p.starting {
		return
	}
	if err := p.s.wiz.SetPreviewDashboard(p.dashboard.Text); err != nil {
		p.dashMsg.set(inputText(err), "")
		p.s.win.Canvas().Focus(p.dashboard)
		return
	}
	p.dashMsg.set("", "")
	prof := p.s.wiz.State().Profile
	dev := ""
	if prof.Embedding != nil {
		dev = prof.Embedding.DevelopmentOrigin
	}
	port := preview.PortFor(dev)
	if p.s.deps.anyPort {
		port = 0
	}
	opts := preview.Options{
		Port:         port,
		Dashboard:    strings.TrimSpace(p.dashboard.Text),
		FrameSources: preview.FrameSources(prof.LoginURL, prof.InstanceURL, prof.LightningURL),
		Credential:   p.credential(),
		OnEvent:      func(e preview.Event) { p.s.jobs.post(func() { p.event(e) }) },
	}
	p.starting = true
	p.outcome.RemoveAll()
	p.state.info("Starting the preview (the first one fetches the SDK)…")
	type started struct {
		srv *preview.Server
		sdk preview.SDKSource
		err error
	}
	store, file := p.s.deps.sdkStore(), p.sdkFile
	background(p.s.jobs, func() started {
		sdk := store.Choose(context.Background(), file)
		opts.SDKFile = sdk.File
		srv, err := preview.Start(opts)
		return started{srv, sdk, err}
	}, func(r started) {
		p.starting = false
		p.sdk.SetText(r.sdk.Words)
		if r.err != nil {
			p.state.set("Couldn't start the preview: "+startError(r.err), "")
			return
		}
		p.srv = r.srv
		p.showRunning()
		p.open()
	})
}

func startError(err error) string {
	var inUse *preview.PortInUseError
	if errors.As(err, &inUse) {
		return wizard.Sentence(err.Error()) + " The preview uses the port of your development address on the Embedding settings step."
	}
	return inputText(err)
}

// credential signs in for one page load: the key from the keychain, as
// the app's server will. The frontdoor URL goes to the page alone.
func (p *previewPanel) credential() func(context.Context) (preview.Credential, error) {
	prof, vault := p.s.wiz.State().Profile, p.s.deps.Vault
	client := p.s.deps.client
	return func(ctx context.Context) (preview.Credential, error) {
		req, err := wizard.PreviewRequest(ctx, vault, prof)
		if err != nil {
			return preview.Credential{}, err
		}
		c := salesforce.NewClient(wizard.PreviewTimeout)
		if client != nil {
			c = client()
		}
		res, err := c.Exchange(ctx, req)
		if err != nil {
			return preview.Credential{}, err
		}
		return preview.Credential{AuthCredential: res.FrontdoorURI, OrgURL: cmp.Or(res.LightningURL, res.InstanceURL)}, nil
	}
}

func (p *previewPanel) open() {
	u, err := url.Parse(p.srv.URL)
	if err != nil {
		p.state.set(openFailed(err, p.srv.URL), "")
		return
	}
	p.s.open(u, func(err error) {
		if err != nil && p.srv != nil {
			p.state.set(openFailed(err, p.srv.URL), "")
		}
	})
}

func (p *previewPanel) showRunning() {
	if p.srv == nil {
		p.run.SetText("Preview embedding")
		p.run.SetIcon(theme.MediaPlayIcon())
		return
	}
	p.run.SetText("Stop preview")
	p.run.SetIcon(theme.MediaStopIcon())
	p.state.info("The preview runs at " + p.srv.URL + " (opened in your browser). Each load signs in afresh as " +
		p.s.wiz.State().Profile.Username + ". It stops when you leave this screen.")
}

// stop ends the preview; a page still open can no longer sign in.
func (p *previewPanel) stop() {
	srv := p.srv
	if srv == nil {
		return
	}
	p.srv = nil
	p.showRunning()
	p.state.info("Preview stopped.")
	p.closing.Add(1)
	go func() {
		defer p.closing.Done()
		srv.Close()
	}()
}

// event shows what the preview saw: a load, a sign-in, how the page ended.
func (p *previewPanel) event(e preview.Event) {
	if p.srv == nil {
		return // stopped since
	}
	switch e.Kind {
	case preview.PageLoaded:
		p.outcome.RemoveAll()
		p.state.info("The page is loading in your browser at " + p.srv.URL + "…")
	case preview.SignedIn:
		p.state.info("Signed in as " + p.s.wiz.State().Profile.Username + ": the page is opening the Salesforce session…")
	case preview.SignInFailed:
		p.showSignInFailure(e.Err)
	case preview.Reported:
		p.showOutcome(e)
	case preview.Refused:
		p.state.set("", "The preview refused "+e.Words+".")
	}
	p.s.relayout()
}

// showSignInFailure says why the page got no frontdoor URL, with the
// checklist item a diagnosis names.
func (p *previewPanel) showSignInFailure(err error) {
	p.outcome.RemoveAll()
	title := wrappedBold("The sign-in failed, so the page has no frontdoor URL.")
	title.Importance = widget.DangerImportance
	p.outcome.Add(title)
	p.outcome.Add(wrapped(errorText(err)))
	if d := salesforce.Diagnose(err); d != nil {
		p.outcome.Add(wrapped(d.Title + ". " + d.Fix))
		if b := p.goToButton(d.Step); b != nil {
			p.outcome.Add(container.NewHBox(b))
		}
	}
}

// showOutcome shows the page's outcome in the page's own words. In
// practice mode the practice org says which setting it was; a real org
// leaves the page a list to check.
func (p *previewPanel) showOutcome(e preview.Event) {
	a := embedding.Advices[e.Outcome]
	prof := p.s.wiz.State().Profile
	values := map[string]string{"origin": strings.TrimSuffix(p.srv.URL, "/"), "dashboard": e.Dashboard,
		"orgUrl": cmp.Or(prof.LightningURL, prof.LoginURL), "redirect": e.Words, "words": e.Words,
		"seconds": strconv.Itoa(embedding.SDKTimeout + embedding.PageGrace), "sdk": cmp.Or(p.sdkFile, embedding.SDKCDN)}
	p.outcome.RemoveAll()
	title := wrappedBold(embedding.Fill(a.Title, values))
	title.Importance = widget.SuccessImportance
	if a.Failed {
		title.Importance = widget.DangerImportance
	}
	p.outcome.Add(title)
	if e.Words != "" && a.Said != "" {
		p.outcome.Add(wrapped(embedding.Fill(a.Said, values)))
	}
	if !a.Failed {
		p.state.info("The preview runs at " + p.srv.URL + ". Stop it when you are done.")
		return
	}
	p.state.info("The preview still runs at " + p.srv.URL + ": after a change in Setup, reload the page there (each load signs in afresh).")
	p.outcome.Add(wrapped(embedding.Fill(a.Explain, values)))
	checks := a.Checks
	if p.s.practice != nil {
		if cause := p.s.practice.org.EmbeddingCause(); cause != "" {
			checks = []embedding.Setting{settingFor(cause)}
			p.outcome.Add(subtle("Practice org: it says this is the setting that stopped the session."))
		}
	}
	for _, c := range checks {
		p.outcome.Add(bold(c.Name))
		p.outcome.Add(indent(container.NewVBox(subtle(c.Where), wrapped(embedding.Fill(c.Fix, values)), p.checkButtons(c.Step))))
	}
	if a.Tip != "" {
		p.outcome.Add(subtle(embedding.Fill(a.Tip, values)))
	}
}

func settingFor(step string) embedding.Setting {
	for _, s := range []embedding.Setting{embedding.Frames, embedding.Cookies, embedding.MFA, embedding.CORS, embedding.Access} {
		if s.Step == step {
			return s
		}
	}
	return embedding.Setting{Step: step, Name: step}
}

// checkButtons are Go to step and Open in Setup for one setting.
func (p *previewPanel) checkButtons(step string) fyne.CanvasObject {
	row := container.NewHBox()
	if b := p.goToButton(step); b != nil {
		row.Add(b)
	}
	host, _ := wizard.SetupHost(p.s.wiz.State().Profile)
	if link := wizard.SetupLink(host, step); link != "" {
		row.Add(newFocusButton(p.s, "Open in Setup", theme.ComputerIcon(), func() {
			if u, err := url.Parse(link); err == nil {
				p.s.open(u, func(err error) {
					if err != nil {
						p.s.setStatus(openFailed(err, link))
					}
				})
			}
		}))
	}
	return row
}

// goToButton opens the screen holding checklist item step, scrolled to it.
func (p *previewPanel) goToButton(step string) *focusButton {
	screen, ok := wizard.ScreenFor(p.s.steps, step)
	if !ok {
		return nil
	}
	return newFocusButton(p.s, "Go to step", theme.NavigateNextIcon(), func() { p.s.goToItem(screen, step) })
}
