package wizard

import (
	"context"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// The Embedding settings step: the app's web origins, and what the org must
// allow a page on them (salesforce-jwt-spec.md §10.3). The words come from
// core/embedding, which the page and `tnjwt preview` use too.
const (
	IDEmbedOrigins = embedding.StepOrigins
	IDEmbedCORS    = embedding.StepCORS
	IDEmbedFrames  = embedding.StepFrames
	IDEmbedCookies = embedding.StepCookies
	IDEmbedMFA     = embedding.StepMFA
)

// eachOrigin stands for {origin} in the checklist, where the values below
// the instruction list them.
const eachOrigin = "each address below"

func fix(s embedding.Setting) string {
	return embedding.Fill(s.Fix, map[string]string{"origin": eachOrigin})
}

var embedItems = []Item{{
	ID:    IDEmbedOrigins,
	Label: "Your app's web addresses",
	Instruction: "Type the address your app's pages are served from (the production one, https://…), and the one " +
		"developers use on their computers. The org trusts exactly these.",
	Why:  "The org lets only the addresses it trusts show Salesforce in a frame; any other page gets a blank frame.",
	Auto: true,
}, {
	ID:          IDEmbedCORS,
	Label:       embedding.CORS.Name,
	Path:        embedding.CORS.Where,
	Instruction: fix(embedding.CORS),
	Values:      []Value{{Name: "Origin URL Pattern", From: FromProductionOrigin}, {Name: "Origin URL Pattern", From: FromDevelopmentOrigin}},
	Why:         embedding.CORS.Why,
}, {
	ID:          IDEmbedFrames,
	Label:       embedding.Frames.Name + " (Lightning Out)",
	Path:        embedding.Frames.Where,
	Instruction: fix(embedding.Frames),
	Values: []Value{{Name: "Domain", From: FromProductionOrigin}, {Name: "Domain", From: FromDevelopmentOrigin},
		{Name: "iFrame Type", Text: "Lightning Out"}},
	Why: embedding.Frames.Why,
}, {
	ID:          IDEmbedCookies,
	Label:       embedding.Cookies.Name + ": off",
	Path:        embedding.Cookies.Where,
	Instruction: fix(embedding.Cookies),
	Values:      []Value{{Name: "Require first-party use of Salesforce cookies", Text: "Off (unticked)"}},
	Why:         embedding.Cookies.Why,
}, {
	ID:          IDEmbedMFA,
	Label:       embedding.MFA.Name + " (if your org requires MFA)",
	Path:        embedding.MFA.Where,
	Instruction: fix(embedding.MFA),
	Values: []Value{{Name: "System permission", Text: "Waive Multi-Factor Authentication for Exempt Users"},
		{Name: "Username", From: FromUsername}},
	Why:      embedding.MFA.Why,
	Optional: true,
}}

// Origins is the Embedding settings screen as typed, and what is wrong
// with it.
type Origins struct {
	Production, Development       string // as typed
	ProductionErr, DevelopmentErr error  // *problem.Input, or nil
}

// OK reports origins that can be saved: each valid or empty, one at least.
func (o Origins) OK() bool {
	return o.ProductionErr == nil && o.DevelopmentErr == nil && (o.Production != "" || o.Development != "")
}

// Problem is the first thing wrong, as a sentence; "" when nothing is.
func (o Origins) Problem() string {
	switch {
	case o.ProductionErr != nil:
		return "Production address: " + Sentence(o.ProductionErr.Error())
	case o.DevelopmentErr != nil:
		return "Development address: " + Sentence(o.DevelopmentErr.Error())
	case o.Production == "" && o.Development == "":
		return "Type at least one web address your app runs on, such as " + embedding.DevelopmentOrigin + "."
	}
	return ""
}

// CheckOrigins checks both addresses as typed: each a web origin, https
// except on localhost, and not the same twice.
func CheckOrigins(production, development string) Origins {
	o := Origins{Production: strings.TrimSpace(production), Development: strings.TrimSpace(development)}
	var prod, dev string
	if o.Production != "" {
		prod, o.ProductionErr = embedding.ParseOrigin(o.Production)
	}
	if o.Development != "" {
		dev, o.DevelopmentErr = embedding.ParseOrigin(o.Development)
	}
	if o.ProductionErr == nil && o.DevelopmentErr == nil && prod != "" && prod == dev {
		o.DevelopmentErr = &Blocked{Text: "it is the same as the production address; leave it empty, or give the one developers use"}
	}
	return o
}

// originsOf is what the screen shows for a profile: its saved origins, or
// the development default for one that has none yet.
func originsOf(p profiles.Profile) Origins {
	if p.Embedding == nil || len(p.Embedding.Origins()) == 0 {
		return CheckOrigins("", embedding.DevelopmentOrigin)
	}
	return CheckOrigins(p.Embedding.ProductionOrigin, p.Embedding.DevelopmentOrigin)
}

// SetOrigins takes the addresses as typed; valid ones are saved at once,
// written as browsers write them.
func (w *Wizard) SetOrigins(production, development string) Origins {
	o := CheckOrigins(production, development)
	w.st.Origins = o
	if !o.OK() {
		return o
	}
	e := w.embedding()
	e.ProductionOrigin, _ = parsedOrigin(o.Production)
	e.DevelopmentOrigin, _ = parsedOrigin(o.Development)
	w.tick(IDEmbedOrigins)
	w.save()
	return o
}

func parsedOrigin(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	return embedding.ParseOrigin(s)
}

// embedding is the profile's embedding settings, made when missing.
func (w *Wizard) embedding() *profiles.Embedding {
	if w.st.Profile.Embedding == nil {
		w.st.Profile.Embedding = &profiles.Embedding{}
	}
	return w.st.Profile.Embedding
}

// SetPreviewDashboard remembers the dashboard the preview embeds.
func (w *Wizard) SetPreviewDashboard(name string) error {
	name, err := embedding.CheckAPIName(name)
	if err != nil {
		return err
	}
	if e := w.embedding(); e.PreviewDashboard != name {
		e.PreviewDashboard = name
		w.save()
	}
	return nil
}

func checkEmbedStep(s *State) string { return s.Origins.Problem() }

// PreviewRequest is the exchange the preview runs for each page load: the
// profile's current key, as the app's servers use it, even while a
// rotation's new key waits to be confirmed.
func PreviewRequest(ctx context.Context, v Vault, p profiles.Profile) (salesforce.Request, error) {
	p.Pending = nil
	return TestRequest(ctx, v, p, 0)
}

// PreviewTimeout bounds one sign-in of the preview.
const PreviewTimeout = 30 * time.Second

// EmbeddingStep is the checklist item to go to for a preview's outcome:
// the first setting its advice names, or "" when it names none.
func EmbeddingStep(o embedding.Outcome) string {
	if a := embedding.Advices[o]; len(a.Checks) > 0 {
		return a.Checks[0].Step
	}
	return ""
}

// SetupHost is where p's org opens Setup, or "" and why not: the Open in
// Setup buttons use it.
func SetupHost(p profiles.Profile) (host, why string) {
	host, err := salesforce.SetupHost(p.LoginURL, p.InstanceURL)
	if err != nil {
		return "", Sentence(err.Error())
	}
	return host, ""
}

// SetupLink is item id's page on host, or "" when it has none.
func SetupLink(host, id string) string { return salesforce.SetupLink(host, id) }

// HasSetupPage reports an item done on a page of Setup with a stable address.
func HasSetupPage(id string) bool {
	_, ok := salesforce.SetupPages[id]
	return ok
}
