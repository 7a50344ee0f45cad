package ui

import (
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/wizard"
)

// toEmbed gets a new org to the Embedding settings screen.
func (e *env) toEmbed(name string) *embedScreen {
	e.t.Helper()
	e.toECA(name)
	e.tickAll(wizard.StepECA)
	e.next()
	e.tickAll(wizard.StepPermset)
	e.next()
	if e.at() != wizard.StepEmbed {
		e.t.Fatalf("at %s, want the Embedding settings screen", e.at())
	}
	return e.s.screen(wizard.StepEmbed).(*embedScreen)
}

// typeOrigins replaces what the two fields hold.
func (e *env) typeOrigins(es *embedScreen, production, development string) {
	es.prod.SetText("")
	es.dev.SetText("")
	test.Type(es.prod, production)
	test.Type(es.dev, development)
	e.settle()
}

func TestEmbeddingScreenChecksTheOriginsAsTyped(t *testing.T) {
	e := newEnv(t)
	es := e.toEmbed("acme")
	if es.dev.Text != "http://localhost:3000" || es.prod.Text != "" {
		t.Errorf("offered %q and %q, want the development default alone", es.prod.Text, es.dev.Text)
	}
	for _, c := range []struct{ prod, dev, field, want string }{
		{"app.acme.com", "", "prod", "has no https:// in front. Type https://app.acme.com."},
		{"http://app.acme.com", "", "prod", "uses http://, which Salesforce trusts only for localhost"},
		{"https://app.acme.com/embed", "", "prod", "Type https://app.acme.com (without /embed)"},
		{"https://app.acme.com", "ftp://localhost:3000", "dev", "starts with ftp://"},
		{"https://app.acme.com", "https://APP.acme.com:443", "dev", "the same as the production address"},
	} {
		e.typeOrigins(es, c.prod, c.dev)
		msg := es.prodMsg
		if c.field == "dev" {
			msg = es.devMsg
		}
		if !msg.Visible() || !strings.Contains(msg.Text, c.want) {
			t.Errorf("%q / %q: the %s field says %q, want %q", c.prod, c.dev, c.field, msg.Text, c.want)
		}
		if !e.s.next.Disabled() {
			t.Errorf("%q / %q: Next is enabled", c.prod, c.dev)
		}
	}
	e.typeOrigins(es, "", "")
	e.see("Type at least one web address your app runs on")

	e.typeOrigins(es, " HTTPS://App.Acme.com/ ", "http://localhost:3000")
	if es.prodMsg.Visible() || es.devMsg.Visible() || e.s.next.Disabled() {
		t.Fatalf("good origins refused: %q %q", es.prodMsg.Text, es.devMsg.Text)
	}
	p, err := e.store.Get("acme")
	if err != nil {
		t.Fatal(err)
	}
	if p.Embedding == nil || p.Embedding.ProductionOrigin != "https://app.acme.com" || p.Embedding.DevelopmentOrigin != "http://localhost:3000" ||
		!p.Checklist[wizard.IDEmbedOrigins].Done {
		t.Errorf("saved %+v, origins ticked %v", p.Embedding, p.Checklist[wizard.IDEmbedOrigins].Done)
	}
	for _, want := range []string{"CORS allowlist", "Trusted Domains for Inline Frames (Lightning Out)", "Lightning Out",
		"Require first-party use of Salesforce cookies: off", "MFA waiver for the JWT user (if your org requires MFA)",
		"Waive Multi-Factor Authentication for Exempt Users", "https://app.acme.com", "Click New and add each address below"} {
		e.see(want)
	}
}

// openedBy taps item id's Open in Setup and returns what the browser got.
func (e *env) openedBy(c *checklistScreen, id string) string {
	e.t.Helper()
	var opened string
	e.s.deps.openURL = func(u *url.URL) error { opened = u.String(); return nil }
	b := c.setup[id]
	if b == nil {
		e.t.Fatalf("%s has no Open in Setup button", id)
	}
	e.tap(&b.Button)
	return opened
}

func TestOpenInSetupBuildsTheLinkFromTheMyDomain(t *testing.T) {
	for _, c := range []struct{ login, host string }{
		{"https://acme.my.salesforce.com", "https://acme.my.salesforce-setup.com"},
		{"https://acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce-setup.com"},
		{"https://acme.my.salesforce.mil", "https://acme.lightning.crmforce.mil"},
		{"https://acme.my.sfcrmproducts.cn", "https://acme.lightning.sfcrmapps.cn"},
	} {
		e := newEnv(t)
		e.toEmbed("acme")
		if err := e.store.Update("acme", func(p *profiles.Profile) error { p.LoginURL = c.login; return nil }); err != nil {
			t.Fatal(err)
		}
		p, _ := e.store.Get("acme")
		e.s.openAt(p, wizard.StepEmbed)
		e.settle()
		es := e.s.screen(wizard.StepEmbed).(*embedScreen)
		for id, path := range map[string]string{wizard.IDEmbedCORS: "/lightning/setup/CorsWhitelistEntries/home",
			wizard.IDEmbedFrames: "/lightning/setup/SecuritySession/home", wizard.IDEmbedCookies: "/lightning/setup/OrgDomain/home"} {
			if got := e.openedBy(es.list, id); got != c.host+path {
				t.Errorf("%s: Open in Setup on %s opened %q, want %q", c.login, id, got, c.host+path)
			}
		}
		e.jump(wizard.StepECA)
		if got := e.openedBy(e.checklist(wizard.StepECA), wizard.IDECAJWTEnable); got != c.host+"/lightning/setup/ManageExternalClientApplication/home" {
			t.Errorf("%s: the ECA item opened %q", c.login, got)
		}
		e.notSee("Open in Setup isn't offered")
	}
}

func TestNoOpenInSetupForALoginHostEveryOrgShares(t *testing.T) {
	e := newEnv(t)
	e.toEmbed("acme")
	if err := e.store.Update("acme", func(p *profiles.Profile) error { p.LoginURL = "https://login.salesforce.com"; return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ := e.store.Get("acme")
	e.s.openAt(p, wizard.StepEmbed)
	e.settle()
	es := e.s.screen(wizard.StepEmbed).(*embedScreen)
	for id, b := range es.list.setup {
		if b.Visible() {
			t.Errorf("%s offers Open in Setup for login.salesforce.com", id)
		}
	}
	e.see("Open in Setup isn't offered: No Setup links: login.salesforce.com is shared by every Salesforce org")
	// Items with no Setup page of their own never get the button.
	if _, ok := es.list.setup[wizard.IDEmbedOrigins]; ok {
		t.Error("the origins item has an Open in Setup button")
	}
}
