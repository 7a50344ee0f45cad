package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The org's side of embedding: which web origins it trusts, whether its
// session cookie works inside another site's frame, whether a browser
// session must pass MFA, and the Tableau Next assets it holds. The
// Lightning Out pages (lightningout.go) apply these as the browser feels
// them: a refused frame, a missing cookie, a redirect to identity
// verification, an unknown dashboard.

// The assets a practice org holds when its config names none.
var (
	DefaultDashboards     = []string{"Sales_Overview", "Service_Performance"}
	DefaultMetrics        = []string{"Total_Revenue"}
	DefaultVisualizations = []string{"Pipeline_By_Stage"}
)

// maxAssetName bounds an asset's API name, as Salesforce bounds API names.
const maxAssetName = 80

// embedding is the org's embedding settings. anyOrigin: the config had no
// "embedding" object, so every origin is trusted for CORS and frames.
type embedding struct {
	anyOrigin         bool
	corsOrigins       []string
	frameOrigins      []string
	firstPartyCookies bool
	mfaForUILogins    bool
}

func newEmbedding(c *EmbeddingConfig) embedding {
	if c == nil {
		return embedding{anyOrigin: true}
	}
	return embedding{
		corsOrigins:       normalizeOrigins(c.CORSOrigins),
		frameOrigins:      normalizeOrigins(c.FrameOrigins),
		firstPartyCookies: c.FirstPartyCookiesRequired,
		mfaForUILogins:    c.MFAForUILogins,
	}
}

// config is the settings as a Config shows them; nil for a permissive org.
func (m embedding) config() *EmbeddingConfig {
	if m.anyOrigin && !m.firstPartyCookies && !m.mfaForUILogins {
		return nil
	}
	return &EmbeddingConfig{
		CORSOrigins: slices.Clone(m.corsOrigins), FrameOrigins: slices.Clone(m.frameOrigins),
		FirstPartyCookiesRequired: m.firstPartyCookies, MFAForUILogins: m.mfaForUILogins,
	}
}

func (m embedding) corsTrusts(origin string) bool {
	return m.anyOrigin || slices.Contains(m.corsOrigins, origin)
}

func (m embedding) frameTrusts(origin string) bool {
	return m.anyOrigin || slices.Contains(m.frameOrigins, origin)
}

// validate checks the origins, naming the field of the one that is wrong.
func (c *EmbeddingConfig) validate() error {
	if c == nil {
		return nil
	}
	return checkLists([]namedList{{"embedding.cors_origins", c.CORSOrigins}, {"embedding.frame_origins", c.FrameOrigins}},
		func(o string) error { _, err := parseOrigin(o); return err })
}

// parseOrigin accepts a web origin: http or https, a host, an optional
// port, nothing after. It returns the origin as a browser writes it (lower
// case, no default port), which is what CSP and CORS compare.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "", errors.New("empty: give an origin such as https://app.acme.com")
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("%q is not a web origin: write it as https://app.acme.com or http://localhost:3000", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q: an origin starts with https:// (or http://)", s)
	case u.User != nil:
		return "", fmt.Errorf("%q: an origin has no user name or password", s)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", fmt.Errorf("%q: an origin is only scheme, host and port, with no path, ? or #", s)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// normalizeOrigins writes each (valid) origin as browsers do.
func normalizeOrigins(list []string) []string {
	out := []string{}
	for _, o := range list {
		if n, err := parseOrigin(o); err == nil {
			out = appendUnique(out, n)
		}
	}
	return out
}

// validateAssets checks the asset lists: API names, one line each.
func (c *Config) validateAssets() error {
	return checkLists([]namedList{{"dashboards", c.Dashboards}, {"metrics", c.Metrics}, {"visualizations", c.Visualizations}}, checkAssetName)
}

type namedList struct {
	field string
	items []string
}

// checkLists runs check on every item, in order, and names the first one
// that fails by its field and index.
func checkLists(lists []namedList, check func(string) error) error {
	for _, l := range lists {
		for i, item := range l.items {
			if err := check(item); err != nil {
				return fieldErr(fmt.Sprintf("%s[%d]", l.field, i), "%v", err)
			}
		}
	}
	return nil
}

func checkAssetName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("empty: give the asset's API name, such as Sales_Overview")
	case len(name) > maxAssetName:
		return fmt.Errorf("longer than %d characters", maxAssetName)
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '/' || r == '\\' }):
		return fmt.Errorf("%q: an API name has no spaces, slashes or control characters", name)
	}
	return nil
}

// assets are the org's Tableau Next assets by the SDK component that shows
// them (dashboard3p, metric3p, visualization3p).
type assets map[string][]string

func newAssets(c *Config) assets {
	pick := func(list, def []string) []string {
		if list == nil {
			return slices.Clone(def)
		}
		return slices.Clone(list)
	}
	return assets{
		componentDashboard:     pick(c.Dashboards, DefaultDashboards),
		componentMetric:        pick(c.Metrics, DefaultMetrics),
		componentVisualization: pick(c.Visualizations, DefaultVisualizations),
	}
}

// SetCORSOrigins replaces the CORS allowlist (Setup → CORS). The org stops
// trusting every origin, for frames too, once any list is set.
func (e *Emulator) SetCORSOrigins(origins []string) error {
	return e.setOrigins(origins, func(m *embedding, list []string) { m.corsOrigins = list })
}

// SetFrameOrigins replaces the Trusted Domains for Inline Frames of type
// Lightning Out (Setup → Session Settings).
func (e *Emulator) SetFrameOrigins(origins []string) error {
	return e.setOrigins(origins, func(m *embedding, list []string) { m.frameOrigins = list })
}

func (e *Emulator) setOrigins(origins []string, set func(*embedding, []string)) error {
	list := []string{}
	for _, o := range origins {
		n, err := parseOrigin(o)
		if err != nil {
			return err
		}
		list = appendUnique(list, n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.leaveAnyOrigin()
	set(&e.embed, list)
	return nil
}

// leaveAnyOrigin turns a permissive org into one with explicit lists,
// empty at first. e.mu must be held.
func (e *Emulator) leaveAnyOrigin() {
	if e.embed.anyOrigin {
		e.embed.anyOrigin = false
		e.embed.corsOrigins, e.embed.frameOrigins = []string{}, []string{}
	}
}

// SetFirstPartyCookiesRequired sets "Require first-party use of Salesforce
// cookies" (Setup → My Domain → Routing and Policies).
func (e *Emulator) SetFirstPartyCookiesRequired(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.embed.firstPartyCookies = on
}

// SetMFAForUILogins sets "Require multi-factor authentication (MFA) for all
// direct UI logins to your Salesforce org" (Setup → Identity Verification).
func (e *Emulator) SetMFAForUILogins(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.embed.mfaForUILogins = on
}

// SetMFAWaiver gives or takes the user's "Waive Multi-Factor Authentication
// for Exempt Users" permission.
func (e *Emulator) SetMFAWaiver(username string, waived bool) error {
	return e.withUser(username, func(u *user) error {
		u.mfaWaiver = waived
		return nil
	})
}

// EmbedResult is what the org saw of the last attempt to open a session
// inside another site's frame: where a real org leaves the page to guess
// among its settings, the practice org can say which one it was.
type EmbedResult string

// The results, as LastEmbedResult reports them.
const (
	EmbedNone         EmbedResult = ""               // no attempt yet
	EmbedOpened       EmbedResult = "opened"         // the auth page said lo.loaded to a trusted frame
	EmbedLinkUnusable EmbedResult = "link-unusable"  // the frontdoor link was used, expired or never issued
	EmbedFrameRefused EmbedResult = "frame-refused"  // the page's origin is not trusted for frames
	EmbedCookieKept   EmbedResult = "cookie-blocked" // first-party cookies kept the session out of the frame
	EmbedMFA          EmbedResult = "mfa"            // the session was sent to identity verification
)

// LastEmbedResult is the result of the latest attempt the Lightning Out
// auth page (or a frontdoor link sent on to it) saw.
func (e *Emulator) LastEmbedResult() EmbedResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastEmbed
}

func (e *Emulator) setEmbedResult(r EmbedResult) {
	e.mu.Lock()
	e.lastEmbed = r
	e.mu.Unlock()
}
