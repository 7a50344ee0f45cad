package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/preview"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

const previewSynopsis = "preview --profile NAME --dashboard API_NAME [--port 3000] [--sdk FILE] [--no-open]\n\n" +
	"Shows the dashboard embedded before your app exists. It serves a page on http://localhost:PORT/ (this computer\n" +
	"only) that loads the Tableau Next Embedding SDK, signs in as the profile's JWT user with the key in the keychain\n" +
	"(a fresh frontdoor URL for every load, as your app's server will) and embeds the dashboard. The first line is\n" +
	"\"Preview: http://localhost:PORT/\"; then a line for each load and each outcome the page reports, with the Setup\n" +
	"item to change when it fails. The org must trust http://localhost:PORT for embedding (CORS, and Trusted Domains\n" +
	"for Inline Frames with type Lightning Out). Stop with Ctrl-C."

type previewOptions struct {
	profile, dashboard, sdk string
	port                    int
	noOpen                  bool
}

func parsePreview(args []string, stdout io.Writer) (runner, error) {
	o := &previewOptions{}
	fs := newFlagSet("preview")
	fs.StringVar(&o.profile, "profile", "", "the saved org profile to sign in with (required)")
	fs.StringVar(&o.dashboard, "dashboard", "", "the Tableau Next dashboard's API name, e.g. Sales_Overview (required)")
	fs.IntVar(&o.port, "port", preview.DefaultPort, "the port on localhost; the org must trust http://localhost:PORT")
	fs.StringVar(&o.sdk, "sdk", "", "a local copy of the SDK's "+embedding.SDKBundle+" (offline machines; tnjwt keeps a copy of the pinned one)")
	fs.BoolVar(&o.noOpen, "no-open", false, "do not open the page in the browser; only print its address")
	if err := parseFlags(fs, previewSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *previewOptions) run(env *Env) error {
	if strings.TrimSpace(o.profile) == "" {
		return usageErrorf("preview: --profile NAME is required: the saved org to sign in with (tnjwt profile list)")
	}
	dashboard, err := embedding.CheckAPIName(o.dashboard)
	if err != nil {
		return usageErrorf("preview: --dashboard: %v", err)
	}
	if o.port < 0 || o.port > 65535 {
		return usageErrorf("preview: --port must be from 1 to 65535 (0 picks a free one)")
	}
	t, err := openTarget(env, o.profile, false)
	if err != nil {
		return targetError("preview", o.profile, err)
	}
	req, err := previewRequest(t)
	if err != nil {
		return usageErrorf("preview: profile %q: %v", o.profile, err)
	}
	store := env.sdkStore()
	if o.sdk == "" && !store.Has() {
		fmt.Fprintf(env.Stderr, "Fetching the SDK %s from %s (once: tnjwt keeps a copy)…\n", embedding.SDKVersion, store.URL)
	}
	sdk := store.Choose(env.Ctx, o.sdk)
	out := &lineWriter{w: env.Stdout}
	p := &previewRun{env: env, out: out, dashboard: dashboard, req: req, username: t.Username,
		setupHost: setupHostOf(t.Profile.LoginURL, t.Profile.InstanceURL)}
	srv, err := preview.Start(preview.Options{
		Port: o.port, Dashboard: dashboard, SDKFile: sdk.File,
		FrameSources: preview.FrameSources(t.LoginURL, t.Profile.InstanceURL, t.Profile.LightningURL),
		Credential:   p.credential, OnEvent: p.event,
	})
	var inUse *preview.PortInUseError
	switch {
	case errors.As(err, &inUse):
		return failuref("preview: %v (--port N)", err)
	case err != nil:
		return usageErrorf("preview: %v", err)
	}
	p.origin = strings.TrimSuffix(srv.URL, "/")
	out.line("Preview: %s", srv.URL)
	out.line("Embedding %s as %s; the org must trust %s. Stop with Ctrl-C.", dashboard, t.Username, p.origin)
	out.line("%s", sdk.Words)
	if !o.noOpen {
		open := env.OpenURL
		if open == nil {
			open = preview.OpenBrowser
		}
		if err := open(srv.URL); err != nil {
			out.line("Couldn't open the browser: %s. Open %s by hand.", oneLine(err), srv.URL)
		}
	}
	<-env.Ctx.Done()
	if err := srv.Close(); err != nil {
		out.line("Preview stopped (%s).", oneLine(err))
		return nil
	}
	out.line("Preview stopped.")
	return nil
}

// previewRequest is the exchange a page load runs: the current key, as the
// app's servers use it, never a rotation's pending one.
func previewRequest(t testTarget) (salesforce.Request, error) {
	login, err := salesforce.ParseLoginURL(t.LoginURL)
	if err != nil {
		return salesforce.Request{}, err
	}
	clientID, _, err := salesforce.CheckConsumerKey(t.ClientID)
	if err != nil {
		return salesforce.Request{}, err
	}
	key, err := certs.ParsePrivateKey(t.KeyPEM)
	if err != nil {
		return salesforce.Request{}, err
	}
	return salesforce.Request{LoginURL: login.URL, ClientID: clientID, Username: t.Username, Audience: t.Audience,
		Remembered: t.Remembered, Sandbox: t.Sandbox || login.Sandbox, Key: key}, nil
}

func setupHostOf(loginURL, instanceURL string) string {
	host, err := salesforce.SetupHost(loginURL, instanceURL)
	if err != nil {
		return ""
	}
	return host
}

// previewRun prints what happens while the preview runs.
type previewRun struct {
	env                 *Env
	out                 *lineWriter
	req                 salesforce.Request
	dashboard, username string
	origin, setupHost   string

	mu     sync.Mutex
	orgURL string // the Lightning URL the last sign-in gave the page
}

// credential signs in for one page load. The frontdoor URL goes to the page
// and nowhere else.
func (p *previewRun) credential(ctx context.Context) (preview.Credential, error) {
	res, err := p.env.client(30*time.Second).Exchange(ctx, p.req)
	if err != nil {
		return preview.Credential{}, err
	}
	orgURL := cmp.Or(res.LightningURL, res.InstanceURL)
	p.mu.Lock()
	p.orgURL = orgURL
	p.mu.Unlock()
	return preview.Credential{AuthCredential: res.FrontdoorURI, OrgURL: orgURL}, nil
}

func (p *previewRun) event(e preview.Event) {
	at := p.env.now().Format("15:04:05")
	switch e.Kind {
	case preview.PageLoaded:
		p.out.line("%s page loaded", at)
	case preview.SignedIn:
		p.out.line("%s signed in as %s: a fresh frontdoor URL went to the page (not shown: it is a one-time sign-in)", at, p.username)
	case preview.SignInFailed:
		p.out.line("%s sign-in failed: %s", at, oneLine(e.Err))
		if d := salesforce.Diagnose(e.Err); d != nil {
			p.out.line("         %s (checklist step %s). %s", d.Title, d.Step, d.Fix)
		}
	case preview.Refused:
		p.out.line("%s refused %s", at, e.Words)
	case preview.Reported:
		p.outcome(at, e)
	}
}

// outcome prints the page's outcome in the page's own words, with each
// Setup item to check and its address in Setup.
func (p *previewRun) outcome(at string, e preview.Event) {
	a := embedding.Advices[e.Outcome]
	p.mu.Lock()
	orgURL := cmp.Or(p.orgURL, p.req.LoginURL)
	p.mu.Unlock()
	values := map[string]string{"origin": p.origin, "dashboard": e.Dashboard, "orgUrl": orgURL,
		"redirect": e.Words, "seconds": fmt.Sprint(embedding.SDKTimeout + embedding.PageGrace), "words": e.Words}
	lines := []string{embedding.Fill(a.Title, values)}
	if e.Words != "" && a.Said != "" {
		lines = append(lines, embedding.Fill(a.Said, values))
	}
	if a.Failed {
		lines = append(lines, embedding.Fill(a.Explain, values))
	}
	for _, c := range a.Checks {
		lines = append(lines, fmt.Sprintf("- %s (checklist step %s): %s. %s", c.Name, c.Step, c.Where, embedding.Fill(c.Fix, values)))
		if link := salesforce.SetupLink(p.setupHost, c.Step); link != "" {
			lines = append(lines, "  Open in Setup: "+link)
		}
	}
	if a.Failed && a.Tip != "" {
		lines = append(lines, embedding.Fill(a.Tip, values))
	}
	p.out.line("%s %s", at, lines[0])
	for _, l := range lines[1:] {
		p.out.line("         %s", l)
	}
}
