package emulator_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tnjwt/tnjwt/core/emulator"
)

// What real clients send beyond the minimum must not get in the way.
func TestAcceptsWhatRealClientsSend(t *testing.T) {
	cases := []struct {
		name string
		edit func(o *org, c jwt.MapClaims)
	}{
		{"iat jti nbf and extra claims", func(o *org, c jwt.MapClaims) {
			now := o.clock.Now()
			c["iat"], c["nbf"], c["jti"] = now.Unix(), now.Unix(), "d5b6e1f0-3c1e-4d2b-9a57-1f9e8b7c6d5a"
			c["scope"], c["custom"] = "web", map[string]any{"nested": []int{1, 2}}
		}},
		{"exp as a string (Salesforce's own example)", func(o *org, c jwt.MapClaims) {
			c["exp"] = strconv.FormatInt(o.clock.Now().Add(3*time.Minute).Unix(), 10)
		}},
		{"exp in milliseconds (Salesforce CLI)", func(o *org, c jwt.MapClaims) {
			c["exp"] = o.clock.Now().UnixMilli() + 300
		}},
		{"exp with a fraction", func(o *org, c jwt.MapClaims) {
			c["exp"] = float64(o.clock.Now().Unix()) + 0.5
		}},
		{"prn wins over sub", func(o *org, c jwt.MapClaims) {
			c["prn"], c["sub"] = username, "someone.else@acme.com"
		}},
		{"username in another case", func(o *org, c jwt.MapClaims) {
			c["sub"] = strings.ToUpper(username)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := startOrg(t, goodConfig(t))
			c := o.claims()
			tc.edit(o, c)
			if r := o.postToken(sign(t, rightKey, c)); r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	t.Run("legacy prn naming an unknown user loses even with a good sub", func(t *testing.T) {
		o := startOrg(t, goodConfig(t))
		c := o.claims()
		c["prn"] = "nobody@acme.com"
		if r := o.postToken(sign(t, rightKey, c)); r.body != notApproved {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func TestAcceptsRealClientRequestShapes(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	assertion := sign(t, rightKey, o.claims())
	form := url.Values{"grant_type": {jwtGrant}, "assertion": {assertion}, "format": {"json"}}
	t.Run("Accept header, format param, charset, extra query", func(t *testing.T) {
		r := o.request("POST", "/services/oauth2/token?device_id=abc", "application/x-www-form-urlencoded; charset=UTF-8", form.Encode(),
			map[string]string{"Accept": "application/json"})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("chunked body", func(t *testing.T) {
		req, err := http.NewRequest("POST", o.url+"/services/oauth2/token", io.MultiReader(strings.NewReader(form.Encode())))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.ContentLength = -1 // unknown length: Go sends Transfer-Encoding: chunked
		if r := o.do(req); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("padded base64url segments", func(t *testing.T) {
		parts := strings.Split(assertion, ".")
		for i := range parts {
			for len(parts[i])%4 != 0 {
				parts[i] += "="
			}
		}
		if r := o.postToken(strings.Join(parts, ".")); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("body over 1 MiB is refused without reading it all", func(t *testing.T) {
		big := "grant_type=" + url.QueryEscape(jwtGrant) + "&junk=" + strings.Repeat("a", 2<<20)
		r := o.request("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", big, nil)
		if r.status != 413 || r.body != oauthBody("invalid_request", "request body too large") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func TestInstanceURLFollowsHostOrOverride(t *testing.T) {
	c := newClock()
	o := startOrgWith(t, goodConfig(t), emulator.Options{Now: c.Now, BaseURL: "https://acme.my.salesforce.com/"}, c)
	r := o.postToken(sign(t, rightKey, o.claims()))
	var tr tokenReply
	json.Unmarshal([]byte(r.body), &tr)
	if tr.InstanceURL != "https://acme.my.salesforce.com" || !strings.HasPrefix(tr.ID, "https://acme.my.salesforce.com/id/") {
		t.Fatalf("override not used: %s", r.body)
	}
	fd := o.singleAccess(tr.AccessToken, "")
	if !strings.Contains(fd.body, `"frontdoor_uri":"https://acme.my.salesforce.com/secur/frontdoor.jsp?otp=`) {
		t.Fatalf("frontdoor not on the override: %s", fd.body)
	}

	o2 := startOrg(t, goodConfig(t))
	port := o2.url[strings.LastIndex(o2.url, ":")+1:]
	req, _ := http.NewRequest("POST", o2.url+"/services/oauth2/token",
		strings.NewReader(url.Values{"grant_type": {jwtGrant}, "assertion": {sign(t, rightKey, o2.claims())}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "localhost:" + port
	json.Unmarshal([]byte(o2.do(req).body), &tr)
	if tr.InstanceURL != "http://localhost:"+port {
		t.Fatalf("instance_url %q does not follow the Host the client used", tr.InstanceURL)
	}
}

func TestFrontdoorLinkWorksOnce(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	link := o.frontdoorPath(o.singleAccess(o.login(), "?redirect_uri=%2Flightning%2Fpage%2Fhome"))
	first := o.request("GET", link, "", "", nil)
	if first.status != 200 || !strings.Contains(first.body, "signed in to the practice org as <b>embed@acme.com</b>") ||
		!strings.Contains(first.body, "/lightning/page/home") {
		t.Fatalf("first visit: %d %s", first.status, first.body)
	}
	if ct := first.header.Get("Content-Type"); ct != "text/html;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	second := o.request("GET", link, "", "", nil)
	if second.status != 400 || !strings.Contains(second.body, "not valid") {
		t.Fatalf("second visit: %d %s", second.status, second.body)
	}
	// The signed-in page wants the session cookie the link set.
	res, err := http.Get(o.url + "/home")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("/home without the session cookie: %d", res.StatusCode)
	}
}

func TestFrontdoorSetsAnHttpOnlySessionCookie(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	link := o.url + o.frontdoorPath(o.singleAccess(o.login(), ""))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookies := res.Cookies()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/home" || len(cookies) != 1 ||
		cookies[0].Name != "sid" || !cookies[0].HttpOnly || len(cookies[0].Value) < 40 {
		t.Fatalf("frontdoor answered %d to %q with cookies %v", res.StatusCode, res.Header.Get("Location"), cookies)
	}
}

func TestFrontdoorLinkExpires(t *testing.T) {
	c := newClock()
	o := startOrgWith(t, goodConfig(t), emulator.Options{Now: c.Now, OTPTTL: time.Minute}, c)
	token := o.login()
	fresh := o.frontdoorPath(o.singleAccess(token, ""))
	stale := o.frontdoorPath(o.singleAccess(token, ""))
	o.clock.Add(59 * time.Second)
	if r := o.request("GET", fresh, "", "", nil); r.status != 200 {
		t.Fatalf("within the TTL: %d", r.status)
	}
	o.clock.Add(time.Second)
	if r := o.request("GET", stale, "", "", nil); r.status != 400 {
		t.Fatalf("after the TTL: %d", r.status)
	}
}

func TestTokenTTLOption(t *testing.T) {
	c := newClock()
	o := startOrgWith(t, goodConfig(t), emulator.Options{Now: c.Now, TokenTTL: 10 * time.Minute}, c)
	token := o.login()
	o.clock.Add(10*time.Minute - time.Second)
	if r := o.singleAccess(token, ""); r.status != 200 {
		t.Fatalf("before expiry: %d %s", r.status, r.body)
	}
	o.clock.Add(time.Second)
	if r := o.singleAccess(token, ""); r.body != "Bad_OAuth_Token" {
		t.Fatalf("after expiry: %d %s", r.status, r.body)
	}
}

// The server's Date is the org's clock, so a client can see skew.
func TestDateHeaderIsTheOrgClock(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	r := o.request("GET", "/nothing", "", "", nil)
	if got, want := r.header.Get("Date"), o.clock.Now().Format(http.TimeFormat); got != want {
		t.Fatalf("Date %q, want %q", got, want)
	}
}

// 100 clients log in and open a frontdoor link at once.
func TestConcurrentExchanges(t *testing.T) {
	o := startOrg(t, goodConfig(t))
	const n = 100
	assertions := make([]string, n)
	for i := range assertions {
		c := o.claims()
		c["jti"] = fmt.Sprint(i)
		assertions[i] = sign(t, rightKey, c)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	tokens := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- exchangeOnce(o, assertions[i], &tokens[i])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	seen := map[string]bool{}
	for _, tok := range tokens {
		if seen[tok] {
			t.Fatal("two exchanges got the same access token")
		}
		seen[tok] = true
	}
	if got := len(o.e.Requests()); got != 200 {
		t.Errorf("request log holds %d records, want its 200 limit", got)
	}
}

// exchangeOnce is one client's whole flow with plain HTTP; it reports
// instead of failing so it can run in a goroutine.
func exchangeOnce(o *org, assertion string, token *string) error {
	form := url.Values{"grant_type": {jwtGrant}, "assertion": {assertion}}
	resp, err := o.http.PostForm(o.url+"/services/oauth2/token", form)
	if err != nil {
		return err
	}
	var tr tokenReply
	err = json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("token: %d %v", resp.StatusCode, err)
	}
	*token = tr.AccessToken
	req, _ := http.NewRequest("POST", tr.InstanceURL+"/services/oauth2/singleaccess", nil)
	req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
	resp, err = o.http.Do(req)
	if err != nil {
		return err
	}
	var fd struct {
		FrontdoorURI string `json:"frontdoor_uri"`
	}
	err = json.NewDecoder(resp.Body).Decode(&fd)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("singleaccess: %d %v", resp.StatusCode, err)
	}
	resp, err = o.http.Get(fd.FrontdoorURI)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("frontdoor: %d", resp.StatusCode)
	}
	return nil
}

// A key and certificate made by the openssl binary, and a JWT signed by it,
// work end to end: the emulator agrees with real crypto, not only with
// itself.
func TestOpenSSLKeyAndSignature(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	keyFile, certFile := filepath.Join(dir, "sf_private_key.pem"), filepath.Join(dir, "sf_public_cert.crt")
	run(t, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "365",
		"-subj", "/CN=tableau-next-eca", "-keyout", keyFile, "-out", certFile)
	cfgJSON := fmt.Sprintf(`{"apps":[{"name":%q,"consumer_key":%q,"certificate_file":"sf_public_cert.crt",
		"jwt_bearer_enabled":true,"scopes":["web","refresh_token"],"permitted_users":"admin_approved",
		"permission_sets":[%q]}],"users":[{"username":%q,"permission_sets":[%q]}]}`, appName, consumerKey, permSet, username, permSet)
	cfgPath := filepath.Join(dir, "org.json")
	os.WriteFile(cfgPath, []byte(cfgJSON), 0o600)
	cfg, err := emulator.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	o := startOrg(t, cfg)
	claims, _ := json.Marshal(o.claims())
	input := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + base64.RawURLEncoding.EncodeToString(claims)
	cmd := exec.Command("openssl", "dgst", "-sha256", "-sign", keyFile)
	cmd.Stdin = strings.NewReader(input)
	sig, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if r := o.postToken(input + "." + base64.RawURLEncoding.EncodeToString(sig)); r.status != 200 {
		t.Fatalf("openssl-signed assertion refused: %d %s", r.status, r.body)
	}
	// And the same key loaded into Go signs assertions the emulator accepts.
	keyPEM, _ := os.ReadFile(keyFile)
	block, _ := pem.Decode(keyPEM)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if r := o.postToken(sign(t, k.(*rsa.PrivateKey), o.claims())); r.status != 200 {
		t.Fatalf("Go-signed assertion with the openssl key refused: %d %s", r.status, r.body)
	}
	if r := o.postToken(sign(t, rightKey, o.claims())); r.body != badAssertion {
		t.Fatalf("another key was accepted: %d %s", r.status, r.body)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, stderr.String())
	}
}

// The request log shows what arrived and what was answered, and never the
// assertion, its signature, an access token, a one-time link or the full
// consumer key.
func TestRequestLogKeepsNoSecrets(t *testing.T) {
	var lines []string
	var mu sync.Mutex
	c := newClock()
	o := startOrgWith(t, goodConfig(t), emulator.Options{Now: c.Now, OnRequest: func(r emulator.RequestRecord) {
		mu.Lock()
		lines = append(lines, r.String())
		mu.Unlock()
	}}, c)
	claims := o.claims()
	claims["jti"] = "abc-123"
	assertion := sign(t, rightKey, claims)
	r := o.postToken(assertion)
	var tr tokenReply
	json.Unmarshal([]byte(r.body), &tr)
	link := o.frontdoorPath(o.singleAccess(tr.AccessToken, ""))
	o.request("GET", link, "", "", nil)
	bad := o.claims()
	bad["sub"] = "nobody@acme.com"
	o.postToken(sign(t, rightKey, bad))

	recs := o.e.Requests()
	if len(recs) != 5 { // token, singleaccess, frontdoor, its redirect to /home, the refusal
		t.Fatalf("%d records", len(recs))
	}
	first := recs[0]
	if first.Path != "/services/oauth2/token" || first.Status != 200 || first.User != username ||
		first.Header["alg"] != "RS256" || first.Header["typ"] != "JWT" || first.Claims["jti"] != "abc-123" ||
		first.Claims["aud"] != emulator.LoginAudience {
		t.Errorf("first record: %+v", first)
	}
	if iss, _ := first.Claims["iss"].(string); !strings.HasPrefix(iss, "3MVG9…") || !strings.Contains(iss, fmt.Sprintf("(%d characters)", len(consumerKey))) {
		t.Errorf("iss shown as %q", iss)
	}
	if recs[4].Error != "invalid_grant" || recs[4].Description != "user hasn't approved this consumer" || recs[4].User != "nobody@acme.com" {
		t.Errorf("refusal record: %+v", recs[4])
	}
	if recs[3].Path != "/home" || recs[3].Status != 200 || recs[3].User != username {
		t.Errorf("signed-in page record: %+v", recs[3])
	}
	if recs[2].Path != "/secur/frontdoor.jsp" || recs[2].Status != 302 {
		t.Errorf("frontdoor record: %+v", recs[2])
	}
	otpValue := strings.TrimPrefix(strings.Split(link, "&")[0], "/secur/frontdoor.jsp?otp=")
	everything := fmt.Sprintf("%#v\n%s", recs, strings.Join(lines, "\n"))
	for name, secret := range map[string]string{
		"signature": strings.Split(assertion, ".")[2], "payload": strings.Split(assertion, ".")[1],
		"access token": tr.AccessToken, "token secret part": strings.Split(tr.AccessToken, "!")[1],
		"one-time link": otpValue, "consumer key": consumerKey,
	} {
		if strings.Contains(everything, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
	if len(lines) != 5 || lines[4] != `POST /services/oauth2/token 400 invalid_grant "user hasn't approved this consumer" user=nobody@acme.com` {
		t.Errorf("log lines: %q", lines)
	}
}
