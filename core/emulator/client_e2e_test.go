package emulator_test

// End to end with the project's own client (core/salesforce): what the
// emulator answers must lead the client to the checklist step docs/cli.md
// names for that answer.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

func projectClient(o *org) *salesforce.Client {
	c := salesforce.NewClient(10 * time.Second)
	c.Now = o.clock.Now     // the assertion's exp follows the org's clock
	c.Sleep = o.clock.Sleep // waiting for propagation moves the org's clock instead of sleeping
	return c
}

// projectRequest is a request to o, an older org (goodConfig keeps the
// legacy login hosts) whose audience is login.salesforce.com: tnjwt sends
// that audience to a loopback login URL only when given on purpose.
func projectRequest(o *org) salesforce.Request {
	return salesforce.Request{LoginURL: o.url, ClientID: consumerKey, Username: username, Key: rightKey, RedirectPath: "/lightning/page/home",
		Audience: salesforce.ProductionAudience}
}

func TestProjectClientLogsIn(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	res, err := projectClient(o).Exchange(context.Background(), projectRequest(o))
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := o.e.UserID(username)
	if res.OrgID != o.e.OrgID() || res.UserID != uid || res.InstanceURL != o.url || res.Scope != "web refresh_token" ||
		!strings.HasPrefix(res.FrontdoorURI, o.url+"/secur/frontdoor.jsp?otp=") || !strings.Contains(res.FrontdoorURI, "&startURL=%2Flightning%2Fpage%2Fhome") {
		t.Fatalf("result %+v", res)
	}
	for i, want := range []int{200, 400} {
		resp, err := o.http.Get(res.FrontdoorURI)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("visit %d: %d", i+1, resp.StatusCode)
		}
	}
}

func TestProjectClientWaitsOutPropagation(t *testing.T) {
	cfg := goodConfig(t)
	cfg.Apps[0].PropagationSeconds = 120
	o := startOrg(t, cfg)
	req := projectRequest(o)
	req.Wait = 10 * time.Minute
	res, err := projectClient(o).Exchange(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts < 2 {
		t.Fatalf("got through in %d attempt(s) while the app was propagating", res.Attempts)
	}
}

func TestProjectClientDiagnosesEachRefusal(t *testing.T) {
	cases := []struct {
		name   string
		config func(c *emulator.Config)
		step   string
	}{
		{"wrong certificate", func(c *emulator.Config) { c.Apps[0].Certificate = string(otherCertPEM) }, "eca-cert-upload"},
		{"flow off", func(c *emulator.Config) { c.Apps[0].JWTBearerEnabled = false }, "eca-cert-upload"},
		{"sandbox org, production audience", func(c *emulator.Config) { c.Sandbox = true }, "org-login-url"},
		{"self-authorize", func(c *emulator.Config) { c.Apps[0].PermittedUsers = emulator.AllSelfAuthorize }, "eca-permitted-users"},
		{"inactive user", func(c *emulator.Config) {
			off := false
			c.Users[0].Active = &off
		}, "jwt-user"},
		{"API-only user", func(c *emulator.Config) { c.Users[0].APIOnly = true }, "jwt-user"},
		{"no web scope", func(c *emulator.Config) { c.Apps[0].Scopes = []string{"api", "refresh_token"} }, "eca-scopes"},
		{"unknown consumer key", func(c *emulator.Config) { c.Apps[0].ConsumerKey = "3MVG9another" }, "eca-consumer-key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := startEdited(t, tc.config)
			_, err := projectClient(o).Exchange(context.Background(), projectRequest(o))
			var refusal *salesforce.RefusalError
			if !errors.As(err, &refusal) {
				t.Fatalf("not a refusal: %v", err)
			}
			// The client reads the org's Date header; both use the same clock.
			if refusal.ClockSkew < -time.Second || refusal.ClockSkew > time.Second {
				t.Errorf("clock skew %v between identical clocks", refusal.ClockSkew)
			}
			d := salesforce.Diagnose(err)
			if d == nil || d.Step != tc.step {
				t.Fatalf("diagnosis %+v for %v, want step %s", d, err, tc.step)
			}
		})
	}
}

// The two kinds of org: an older one wants login.salesforce.com as aud; a
// Spring '26 one refuses it with app_not_found and wants its own URL. On
// loopback the project's client sends its own URL alone unless told
// otherwise: the Spring '26 org passes, the older one is refused with a
// diagnosis that offers login.salesforce.com, and passes when it is given.
func TestProjectClientOnBothKindsOfOrg(t *testing.T) {
	for _, legacy := range []bool{true, false} {
		cfg := goodConfig(t)
		cfg.LegacyLoginHosts = &legacy
		o := startOrg(t, cfg)
		c := projectClient(o)
		discover := projectRequest(o)
		discover.Audience = ""
		res, err := c.Exchange(context.Background(), discover)
		if !legacy && (err != nil || res.Audience != o.url || len(res.AudiencesTried) != 1) {
			t.Fatalf("Spring '26: %v, audience %s after %v", err, res.Audience, res.AudiencesTried)
		}
		if legacy {
			d := salesforce.Diagnose(err)
			if d == nil || d.Audience != salesforce.ProductionAudience || len(res.AudiencesTried) != 1 || len(o.e.Requests()) != 1 {
				t.Fatalf("older org, no audience: %v, diagnosis %+v, tried %v", err, d, res.AudiencesTried)
			}
			on := projectRequest(o) // login.salesforce.com, on purpose
			if res, err := c.Exchange(context.Background(), on); err != nil || res.Audience != salesforce.ProductionAudience {
				t.Fatalf("older org, --audience %s: %v", on.Audience, err)
			}
		}
		// Asked for the other audience directly, each says what Salesforce says.
		req := projectRequest(o)
		req.Audience = map[bool]string{true: o.url, false: salesforce.ProductionAudience}[legacy]
		_, err = c.Exchange(context.Background(), req)
		var re *salesforce.RefusalError
		wantCode, wantDesc := "invalid_grant", "audience is invalid"
		if !legacy {
			wantCode, wantDesc = "app_not_found", "External client app is not installed in this org"
		}
		if !errors.As(err, &re) || re.Code != wantCode || re.Description != wantDesc {
			t.Errorf("legacy %v, aud %s: %v", legacy, req.Audience, err)
		}
	}
}
