// Command server serves the Tableau Next Embedding SDK's auth credential: a
// single-use frontdoor URL obtained server to server with the Salesforce
// OAuth 2.0 JWT bearer flow, and the page that embeds a dashboard with it.
//
//	go build -o bin/server . && bin/server     (reads ./.env when present)
//
// GET /auth-credential -> {"authCredential": "<frontdoor URL>", "orgUrl": "<Lightning URL>"}
//
// Settings come from the environment, or from .env in the folder it is
// started from (variables already set win): SF_LOGIN_URL, SF_AUDIENCE
// (empty: found as tnjwt finds it), SF_CLIENT_ID, SF_USERNAME,
// SF_PRIVATE_KEY (PEM; "\n" escapes are accepted), SF_ORG_URL (empty: worked
// out from instance_url), PORT (3000), HOST (127.0.0.1) and ALLOWED_HOSTS.
//
// Written by tnjwt; the same contract as its Express, Flask, Java and
// Sinatra servers (see README.md).
package main

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

const (
	callTimeout = 10 * time.Second // each Salesforce request, reply included
	maxReply    = 1 << 20          // Salesforce's replies are a few hundred bytes
	// The token reply does not say how long the session lasts: it is the
	// org's (or the app's) session timeout, which an admin can set as low as
	// 15 minutes. A token is reused for 14 minutes at most; a token refused
	// sooner (revoked, or a shorter timeout) is re-signed once at once.
	tokenReuse    = 14 * time.Minute
	backoff       = 5 * time.Second // no new login this long after a failed one
	assertionLife = 3 * time.Minute
	jwtBearer     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

func main() {
	log.SetFlags(0)
	if err := loadDotEnv(".env"); err != nil {
		fail(".env: " + err.Error())
	}
	cfg, err := readSettings()
	if err != nil {
		fail(err.Error())
	}
	files, err := loadStatic("static")
	if err != nil {
		fail(err.Error())
	}
	network := "tcp" // a name: whatever it resolves to
	if ip := net.ParseIP(cfg.host); ip != nil && ip.To4() != nil {
		network = "tcp4" // 0.0.0.0 is IPv4's every address, not IPv6's too
	} else if ip != nil {
		network = "tcp6"
	}
	ln, err := net.Listen(network, net.JoinHostPort(cfg.host, cfg.port))
	if err != nil {
		fail(fmt.Sprintf("HOST/PORT: cannot listen on %s: %v", net.JoinHostPort(cfg.host, cfg.port), err))
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := newServer(cfg, files, strconv.Itoa(addr.Port))
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	fmt.Printf("listening on http://%s\n", net.JoinHostPort(addr.IP.String(), strconv.Itoa(addr.Port)))
	log.Fatal(srv.Serve(ln))
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(1)
}

// loadDotEnv sets the variables of a .env file that the environment does
// not already hold: KEY=value lines, # comments, values in single quotes
// (as they are) or double quotes (\n, \" and \\ escapes).
func loadDotEnv(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return fmt.Errorf("line %d is not KEY=value", n)
		}
		value = strings.TrimSpace(value)
		switch {
		case len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"':
			value = strings.NewReplacer(`\n`, "\n", `\"`, `"`, `\\`, `\`).Replace(value[1 : len(value)-1])
		case len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'':
			value = value[1 : len(value)-1]
		default:
			if i := strings.Index(value, " #"); i >= 0 {
				value = strings.TrimSpace(value[:i])
			}
		}
		if _, set := os.LookupEnv(key); !set {
			os.Setenv(key, value)
		}
	}
	return sc.Err()
}

type settings struct {
	login              loginURL
	audience           string // "" until found
	clientID, username string
	key                *rsa.PrivateKey
	orgURL             string
	host, port         string
	allowedHosts       []string
}

func readSettings() (*settings, error) {
	env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
	need := func(name string) (string, error) {
		v := env(name)
		if v == "" {
			return "", fmt.Errorf("%s is missing: set it in the environment or in .env", name)
		}
		return v, nil
	}
	cfg := &settings{host: env("HOST"), port: env("PORT")}
	raw, err := need("SF_LOGIN_URL")
	if err != nil {
		return nil, err
	}
	if cfg.login, err = parseLoginURL(raw); err != nil {
		return nil, fmt.Errorf("SF_LOGIN_URL: %v", err)
	}
	if cfg.clientID, err = need("SF_CLIENT_ID"); err != nil {
		return nil, err
	}
	if strings.ContainsAny(cfg.clientID, " \t\r\n") {
		return nil, errors.New("SF_CLIENT_ID: the consumer key has a space or line break inside it")
	}
	if cfg.username, err = need("SF_USERNAME"); err != nil {
		return nil, err
	}
	if strings.ContainsAny(cfg.username, " \t\r\n") || !strings.Contains(cfg.username, "@") {
		return nil, errors.New("SF_USERNAME: a Salesforce username looks like an email address (embed@acme.com)")
	}
	pemText, err := need("SF_PRIVATE_KEY")
	if err != nil {
		return nil, err
	}
	if cfg.key, err = parseKey(pemText); err != nil {
		return nil, fmt.Errorf("SF_PRIVATE_KEY: %v", err)
	}
	if a := env("SF_AUDIENCE"); a != "" {
		if cfg.audience, err = checkWebAddress(a); err != nil {
			return nil, fmt.Errorf("SF_AUDIENCE: %v", err)
		}
	}
	if o := env("SF_ORG_URL"); o != "" {
		if cfg.orgURL, err = checkWebAddress(o); err != nil {
			return nil, fmt.Errorf("SF_ORG_URL: %v", err)
		}
	}
	if cfg.host == "" {
		cfg.host = "127.0.0.1"
	}
	cfg.host = strings.TrimSuffix(strings.TrimPrefix(cfg.host, "["), "]")
	if cfg.port == "" {
		cfg.port = "3000"
	}
	if p, err := strconv.Atoi(cfg.port); err != nil || p < 0 || p > 65535 {
		return nil, errors.New("PORT: not a port number (0 to 65535)")
	}
	if cfg.allowedHosts, err = parseAllowedHosts(env("ALLOWED_HOSTS")); err != nil {
		return nil, fmt.Errorf("ALLOWED_HOSTS: %v", err)
	}
	return cfg, nil
}

func parseKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(text, `\n`, "\n")))
	if block == nil {
		return nil, errors.New("not a PEM private key (-----BEGIN PRIVATE KEY-----)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, errors.New("not a private key but a " + strings.ToLower(block.Type))
	}
	if err != nil {
		return nil, errors.New("the private key does not parse (an encrypted key is not supported)")
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key: Salesforce signs with RS256 only")
	}
	if rsaKey.N.BitLen() < 2048 {
		return nil, fmt.Errorf("an RSA key of %d bits; Salesforce needs at least 2048", rsaKey.N.BitLen())
	}
	return rsaKey, nil
}

// checkWebAddress accepts an https URL (or http on this machine), without a
// trailing slash.
func checkWebAddress(raw string) (string, error) {
	s := strings.TrimRight(raw, "/")
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("not a plain https:// address")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", errors.New("not an https:// address")
	}
	return s, nil
}

// parseAllowedHosts reads comma-separated host names as a browser sends
// them in Host (app.acme.com, or app.acme.com:8443 for that port only).
func parseAllowedHosts(raw string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(raw, ",") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			continue
		}
		if strings.ContainsAny(h, "/@ \t?#*") || strings.HasPrefix(h, ":") {
			return nil, errors.New("give host names as in the Host header (app.acme.com), comma-separated, without https:// or a path")
		}
		out = append(out, h)
	}
	return out, nil
}

// ---- Salesforce's login hosts, checked as tnjwt checks them ----

type hostKind int

const (
	kindProduction hostKind = iota
	kindSandbox
	kindMyDomain
	kindMyDomainSandbox
	kindSite
	kindLoopback
)

type loginURL struct {
	url  string // scheme://host[:port][/site path], no trailing slash
	kind hostKind
}

// Salesforce's registrable domains: the only hosts the access token goes to.
var salesforceDomains = []string{
	"salesforce.com", "force.com", "site.com", "my-salesforce.com", "my-lightning.com",
	"salesforce-sites.com", "cloudforce.com", "visualforce.com", "salesforce-setup.com",
	"salesforce.mil", "crmforce.mil", "sfcrmproducts.cn", "sfcrmapps.cn",
}

// My Domain suffixes and their Lightning ones.
var myDomainSuffixes = [][2]string{
	{".my.salesforce.com", ".lightning.force.com"},
	{".my-salesforce.com", ".my-lightning.com"},
	{".my.salesforce.mil", ".lightning.crmforce.mil"},
	{".my.sfcrmproducts.cn", ".lightning.sfcrmapps.cn"},
}

func isSalesforceHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range salesforceDomains {
		if strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// isLoopback: the name localhost, 127.0.0.0/8 or ::1 (not names under
// .localhost, nor ::ffff:127.0.0.1).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if strings.Contains(host, ":") {
		return ip.Equal(net.IPv6loopback)
	}
	return ip.To4() != nil && ip.IsLoopback()
}

func validName(name string) bool {
	if name == "" {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func parseLoginURL(raw string) (loginURL, error) {
	s := strings.TrimSpace(raw)
	if strings.ContainsAny(s, " \t\r\n") {
		return loginURL{}, errors.New("the login URL contains spaces")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return loginURL{}, errors.New("not a web address")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return loginURL{}, errors.New("must start with https://")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	for _, r := range host {
		if r < 0x21 || r > 0x7e {
			return loginURL{}, errors.New("the host has a character that is not plain ASCII: it may be a look-alike of a Salesforce host")
		}
	}
	for _, label := range strings.Split(host, ".") {
		if strings.HasPrefix(label, "xn--") {
			return loginURL{}, errors.New("the host has an internationalised (xn--) name: it may be a look-alike of a Salesforce host")
		}
	}
	if strings.HasSuffix(host, ".localhost") || (strings.Contains(host, ":") && !isLoopback(host)) {
		return loginURL{}, errors.New("not a Salesforce login host (this machine is only localhost, 127.0.0.1 or [::1])")
	}
	if u.User != nil {
		return loginURL{}, errors.New("the login URL contains a user name or password")
	}
	loop := isLoopback(host)
	if !loop && (!validName(host) || !strings.Contains(host, ".")) {
		return loginURL{}, errors.New("not a web address")
	}
	hostPort := host
	if strings.Contains(host, ":") {
		hostPort = "[" + host + "]"
	}
	if port != "" {
		hostPort = net.JoinHostPort(host, port)
	}
	l := loginURL{}
	onPage := false
	if loop {
		p := u.EscapedPath()
		if i := strings.Index(strings.ToLower(p), "/services/oauth2"); i >= 0 {
			p = p[:i]
		}
		l.kind, l.url = kindLoopback, scheme+"://"+hostPort+strings.TrimRight(p, "/")
	} else {
		if onPage, err = classify(&l, host, u.EscapedPath()); err != nil {
			return loginURL{}, err
		}
		if port != "" && port != "443" {
			return loginURL{}, errors.New("Salesforce login URLs have no port number")
		}
	}
	if !onPage && (u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#")) {
		return loginURL{}, errors.New("the login URL has a query (?…) or fragment (#…) part")
	}
	if scheme == "http" && !loop {
		return loginURL{}, errors.New("plain http://: Salesforce only answers over https://")
	}
	return l, nil
}

func classify(l *loginURL, host, path string) (onPage bool, err error) {
	origin := "https://" + host
	switch host {
	case "login.salesforce.com":
		l.kind, l.url = kindProduction, origin
		return false, nil
	case "test.salesforce.com":
		l.kind, l.url = kindSandbox, origin
		return false, nil
	}
	for _, s := range myDomainSuffixes {
		if name, ok := strings.CutSuffix(host, s[1]); ok && validName(name) {
			return false, errors.New(host + " is a Lightning Experience address, not a login host: use https://" + name + s[0])
		}
	}
	for _, suffix := range []string{".my.salesforce-setup.com", ".vf.force.com", ".file.force.com", ".visual.force.com",
		".visualforce.com", ".salesforce-experience.com", ".content.force.com", ".container.force.com"} {
		if strings.HasSuffix(host, suffix) {
			return false, errors.New(host + " is not a login host: use the org's My Domain login URL")
		}
	}
	for _, s := range myDomainSuffixes {
		if name, ok := strings.CutSuffix(host, s[0]); ok && validName(name) {
			l.kind, l.url = kindMyDomain, origin
			if strings.HasSuffix(name, ".sandbox") || strings.HasSuffix(name, ".scratch") {
				l.kind = kindMyDomainSandbox
			}
			return false, nil
		}
	}
	for _, suffix := range []string{".my.site.com", ".force.com"} {
		if name, ok := strings.CutSuffix(host, suffix); ok && validName(name) {
			site, onPage := sitePath(path)
			l.kind, l.url = kindSite, origin+site
			return onPage, nil
		}
	}
	return false, errors.New(host + " is not a Salesforce login host: use https://login.salesforce.com, https://test.salesforce.com or the org's My Domain URL")
}

// sitePath keeps an Experience Cloud site's own path from an address copied
// while on one of its pages or endpoints.
func sitePath(p string) (site string, onPage bool) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	join := func(s []string) string {
		j := strings.Trim(strings.Join(s, "/"), "/")
		if j == "" {
			return ""
		}
		return "/" + j
	}
	for i, seg := range segs {
		switch strings.ToLower(seg) {
		case "s", "secur":
			return join(segs[:i]), true
		case "services":
			return join(segs[:i]), false
		}
	}
	if last := len(segs) - 1; strings.EqualFold(segs[last], "login") {
		return join(segs[:last]), true
	}
	return join(segs), false
}

// audiences is the order in which the JWT's aud is tried: a site's own URL;
// for a My Domain (or this machine) the login URL, then the legacy host;
// login or test.salesforce.com alone.
func (l loginURL) audiences() []string {
	legacy := "https://login.salesforce.com"
	if l.kind == kindSandbox || l.kind == kindMyDomainSandbox {
		legacy = "https://test.salesforce.com"
	}
	switch l.kind {
	case kindSite:
		return []string{l.url}
	case kindMyDomain, kindMyDomainSandbox, kindLoopback:
		return []string{l.url, legacy}
	}
	return []string{legacy}
}

// ---- The credential ----

// sfError is a refusal or failure of one Salesforce call, safe to show:
// Salesforce's own words (redacted), never the key, the assertion or a token.
type sfError struct {
	phase, code, description string
	status                   int
	tokenRefused             bool // singleaccess refused the access token itself
}

func (e *sfError) Error() string { return e.phase + " " + e.code + ": " + e.description }

type token struct {
	access   string
	instance *url.URL
	at       time.Time
}

type flight struct {
	done chan struct{}
	tok  *token
	err  error
}

type server struct {
	cfg    *settings
	files  map[string]staticFile
	port   string
	client *http.Client

	mu       sync.Mutex
	tok      *token
	inflight *flight
	failed   error
	retryAt  time.Time
}

func newServer(cfg *settings, files map[string]staticFile, port string) *server {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &server{cfg: cfg, files: files, port: port, client: client}
}

// accessToken is the cached token, or one login shared by every caller
// that asks while it runs. fresh says the token comes from that login.
func (s *server) accessToken() (tok *token, fresh bool, err error) {
	s.mu.Lock()
	if s.tok != nil && time.Since(s.tok.at) < tokenReuse {
		tok = s.tok
		s.mu.Unlock()
		return tok, false, nil
	}
	f := s.inflight
	if f == nil {
		if s.failed != nil && time.Now().Before(s.retryAt) {
			err = s.failed
			s.mu.Unlock()
			return nil, false, err
		}
		f = &flight{done: make(chan struct{})}
		s.inflight = f
		go s.login(f)
	}
	s.mu.Unlock()
	<-f.done
	return f.tok, true, f.err
}

func (s *server) login(f *flight) {
	tok, err := s.signIn()
	s.mu.Lock()
	f.tok, f.err = tok, err
	s.tok, s.inflight = tok, nil
	if err != nil {
		s.failed, s.retryAt = err, time.Now().Add(backoff)
	} else {
		s.failed = nil
	}
	s.mu.Unlock()
	close(f.done)
}

// forget drops tok when it is still the cached one; a token just issued
// and refused at once counts as a failed login (back off).
func (s *server) forget(tok *token, err error, fresh bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == tok {
		s.tok = nil
	}
	if fresh {
		s.failed, s.retryAt = err, time.Now().Add(backoff)
	}
}

// signIn runs the token request, finding the audience when SF_AUDIENCE is
// empty. Logins never overlap (one flight at a time), so audience needs no
// lock.
func (s *server) signIn() (*token, error) {
	auds := []string{s.cfg.audience}
	if s.cfg.audience == "" {
		auds = s.cfg.login.audiences()
	}
	for i, aud := range auds {
		tok, err := s.requestToken(aud)
		if err == nil {
			if s.cfg.audience == "" && len(auds) > 1 {
				log.Printf("SF_AUDIENCE: %s works for this org (set it in .env to skip finding it)", aud)
			}
			s.cfg.audience = aud
			return tok, nil
		}
		if i+1 < len(auds) && wrongAudience(err) {
			log.Printf("SF_AUDIENCE: %s was refused (%v); trying %s", aud, err, auds[i+1])
			continue
		}
		log.Printf("auth-credential: %v", err)
		return nil, err
	}
	return nil, errors.New("no audience to try")
}

func wrongAudience(err error) bool {
	var e *sfError
	if !errors.As(err, &e) || e.phase != "token" || e.status < 400 || e.status >= 500 {
		return false
	}
	return strings.EqualFold(e.code, "app_not_found") ||
		strings.EqualFold(e.code, "invalid_grant") && strings.Contains(strings.ToLower(e.description), "audience is invalid")
}

func (s *server) credential(ctx context.Context) (map[string]string, error) {
	tok, fresh, err := s.accessToken()
	if err != nil {
		return nil, err
	}
	c, err := s.frontdoor(ctx, tok)
	var e *sfError
	if err == nil || !errors.As(err, &e) || !e.tokenRefused {
		return c, err
	}
	s.forget(tok, err, fresh)
	if fresh {
		return nil, err
	}
	// Expired or revoked: sign in again, once.
	if tok, _, err = s.accessToken(); err != nil {
		return nil, err
	}
	c, err = s.frontdoor(ctx, tok)
	if errors.As(err, &e) && e.tokenRefused {
		s.forget(tok, err, true)
	}
	return c, err
}

// frontdoor is singleAccess, its failures logged (the URL never is).
func (s *server) frontdoor(ctx context.Context, tok *token) (map[string]string, error) {
	c, err := s.singleAccess(ctx, tok)
	if err != nil {
		log.Printf("auth-credential: %v", err)
	}
	return c, err
}

func (s *server) requestToken(aud string) (*token, error) {
	claims := jwt.MapClaims{"iss": s.cfg.clientID, "sub": s.cfg.username, "aud": aud, "exp": time.Now().Add(assertionLife).Unix()}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.cfg.key)
	if err != nil {
		return nil, err
	}
	secrets := []string{assertion, s.cfg.clientID}
	form := url.Values{"grant_type": {jwtBearer}, "assertion": {assertion}}
	status, body, err := s.post(context.Background(), "token", s.cfg.login.url+"/services/oauth2/token", form, "")
	if err != nil {
		return nil, err
	}
	var reply map[string]any
	isJSON := json.Unmarshal(body, &reply) == nil
	switch {
	case status >= 300 && status < 400:
		return nil, &sfError{phase: "token", code: "redirect", status: status,
			description: fmt.Sprintf("the token request was redirected (HTTP %d); check SF_LOGIN_URL", status)}
	case status >= 400 && status < 500:
		code, _ := reply["error"].(string)
		if !isJSON || code == "" {
			return nil, &sfError{phase: "token", code: "bad_reply", status: status,
				description: fmt.Sprintf("HTTP %d, not a Salesforce OAuth answer: check SF_LOGIN_URL", status)}
		}
		desc, _ := reply["error_description"].(string)
		return nil, &sfError{phase: "token", status: status, code: scrub(code, secrets...), description: scrub(desc, secrets...)}
	case status < 200 || status >= 300:
		return nil, serverError("token", status, reply, secrets...)
	case !isJSON:
		return nil, &sfError{phase: "token", code: "bad_reply", status: status, description: "the token reply is not JSON"}
	}
	access, _ := reply["access_token"].(string)
	instance, _ := reply["instance_url"].(string)
	if access == "" {
		return nil, &sfError{phase: "token", code: "bad_reply", status: status, description: "the token reply has no access_token"}
	}
	u, err := s.checkInstance(instance)
	if err != nil {
		return nil, err
	}
	return &token{access: access, instance: u, at: time.Now()}, nil
}

// checkInstance refuses an instance_url the access token must not go to:
// anything but https on a Salesforce host, except this machine when the
// login URL is this machine too.
func (s *server) checkInstance(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if raw == "" || err != nil || u.Host == "" {
		return nil, &sfError{phase: "token", code: "bad_reply", status: 200, description: "the token reply has no usable instance_url"}
	}
	unsafe := func(why string) error {
		return &sfError{phase: "token", code: "unsafe_host", status: 200,
			description: "the token reply's instance_url " + clean(u.Scheme+"://"+u.Host) + " " + why + ", so the access token will not be sent there"}
	}
	switch host := u.Hostname(); {
	case u.User != nil:
		return nil, unsafe("carries a user name")
	case s.cfg.login.kind == kindLoopback && isLoopback(host) && (u.Scheme == "http" || u.Scheme == "https"):
	case u.Scheme != "https":
		return nil, unsafe("is not https")
	case !isSalesforceHost(host):
		return nil, unsafe("is not a Salesforce host")
	}
	u.RawQuery, u.Fragment, u.Path, u.RawPath = "", "", strings.TrimRight(u.Path, "/"), ""
	return u, nil
}

func (s *server) singleAccess(ctx context.Context, tok *token) (map[string]string, error) {
	secrets := []string{tok.access, s.cfg.clientID}
	status, body, err := s.post(ctx, "singleaccess", tok.instance.String()+"/services/oauth2/singleaccess", url.Values{}, tok.access)
	if err != nil {
		return nil, err
	}
	var reply any
	isJSON := json.Unmarshal(body, &reply) == nil
	obj, _ := reply.(map[string]any)
	switch {
	case status >= 300 && status < 400:
		return nil, &sfError{phase: "singleaccess", code: "redirect", status: status,
			description: fmt.Sprintf("the singleaccess request was redirected (HTTP %d); it carries the access token, so it is not followed", status)}
	case status >= 400 && status < 500:
		return nil, singleAccessRefusal(status, body, reply, secrets...)
	case status < 200 || status >= 300:
		return nil, serverError("singleaccess", status, obj, secrets...)
	}
	fd, _ := obj["frontdoor_uri"].(string)
	if !isJSON || fd == "" {
		return nil, &sfError{phase: "singleaccess", code: "bad_reply", status: status, description: "the singleaccess reply has no frontdoor_uri"}
	}
	u, err := url.Parse(fd)
	if err != nil || u.Host == "" {
		return nil, &sfError{phase: "singleaccess", code: "bad_reply", status: status, description: "the frontdoor_uri is not a web address"}
	}
	if !strings.EqualFold(u.Host, tok.instance.Host) || u.Scheme != tok.instance.Scheme || u.User != nil {
		return nil, &sfError{phase: "singleaccess", code: "unsafe_host", status: status, description: "the frontdoor_uri points at " +
			clean(u.Scheme+"://"+u.Host) + ", not the org's " + clean(tok.instance.Scheme+"://"+tok.instance.Host) + ": refusing to use it"}
	}
	org := s.cfg.orgURL
	if org == "" {
		org = lightningURL(tok.instance)
	}
	return map[string]string{"authCredential": fd, "orgUrl": org}, nil
}

// singleAccessRefusal reads a 4xx from singleaccess: Salesforce answers
// bare text (Bad_OAuth_Token), the REST shape or the OAuth shape.
func singleAccessRefusal(status int, body []byte, reply any, secrets ...string) error {
	e := &sfError{phase: "singleaccess", status: status}
	if list, ok := reply.([]any); ok && len(list) > 0 {
		if first, ok := list[0].(map[string]any); ok {
			code, _ := first["errorCode"].(string)
			msg, _ := first["message"].(string)
			e.code, e.description = scrub(code, secrets...), scrub(msg, secrets...)
		}
	} else if obj, ok := reply.(map[string]any); ok {
		code, _ := obj["error"].(string)
		msg, _ := obj["error_description"].(string)
		e.code, e.description = scrub(code, secrets...), scrub(msg, secrets...)
	} else if !strings.HasPrefix(strings.TrimSpace(string(body)), "<") {
		e.description = scrub(string(body), secrets...)
	}
	for _, word := range []string{"Bad_OAuth_Token", "Invalid_Scope"} {
		if strings.Contains(string(body), word) {
			if e.description == word || e.description == e.code {
				e.description = ""
			}
			e.code = word
		}
	}
	e.tokenRefused = status == http.StatusUnauthorized || e.code == "Bad_OAuth_Token"
	if e.code == "" {
		if e.description == "" {
			return &sfError{phase: "singleaccess", code: "bad_reply", status: status,
				description: fmt.Sprintf("HTTP %d, not a Salesforce answer", status)}
		}
		e.code = "HTTP_" + strconv.Itoa(status)
	}
	return e
}

func serverError(phase string, status int, reply map[string]any, secrets ...string) error {
	words := ""
	if code, _ := reply["error"].(string); code != "" {
		desc, _ := reply["error_description"].(string)
		words = ": " + scrub(code+" "+desc, secrets...)
	}
	return &sfError{phase: phase, code: "server", status: status,
		description: fmt.Sprintf("Salesforce answered HTTP %d%s; try again in a few minutes", status, words)}
}

// post sends a form and reads the reply, within callTimeout and maxReply.
func (s *server) post(ctx context.Context, phase, endpoint string, form url.Values, bearer string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, &sfError{phase: phase, code: "connection", description: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return 0, nil, netError(ctx, phase, req.URL.Host, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxReply+1))
	if err != nil {
		return 0, nil, netError(ctx, phase, req.URL.Host, err)
	}
	if len(body) > maxReply {
		return 0, nil, &sfError{phase: phase, code: "too_large", status: res.StatusCode,
			description: clean(req.URL.Host) + " sent more than 1 MiB, which is not a Salesforce answer"}
	}
	return res.StatusCode, body, nil
}

func netError(ctx context.Context, phase, host string, err error) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &sfError{phase: phase, code: "timeout", description: fmt.Sprintf("no answer from %s within %d s", clean(host), int(callTimeout.Seconds()))}
	}
	return &sfError{phase: phase, code: "connection", description: "cannot reach " + clean(host)}
}

// lightningURL is the SDK's orgUrl for an instance: acme.my.salesforce.com
// -> acme.lightning.force.com; this machine stays itself.
func lightningURL(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if !isLoopback(host) {
		for _, s := range myDomainSuffixes {
			if name, ok := strings.CutSuffix(host, s[0]); ok {
				return "https://" + name + s[1]
			}
		}
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// clean makes text from a server safe for a reply or a log line: no
// control or bidirectional characters, one line, at most 500 characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	var b strings.Builder
	n, space := 0, false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
			r == 0x200e || r == 0x200f || r == 0x061c || r == ' ' || r == utf8.RuneError {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		space = false
		if n >= 500 {
			return strings.TrimRight(b.String(), " ") + "…"
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

// scrub cleans s and removes each secret from it: whole, URL-encoded, or
// any 12 or more characters of it, in case a server echoes what it got.
func scrub(s string, secrets ...string) string {
	const window, redacted = 12, "[redacted]"
	s = clean(s)
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			s = strings.ReplaceAll(s, form, redacted)
		}
		for i := 0; i+window <= len(secret); i++ {
			s = strings.ReplaceAll(s, secret[i:i+window], redacted)
		}
	}
	for strings.Contains(s, redacted+redacted) {
		s = strings.ReplaceAll(s, redacted+redacted, redacted)
	}
	return s
}

// ---- HTTP ----

type staticFile struct {
	contentType string
	data        []byte
}

// loadStatic reads the page: index.html, app.mjs, words.mjs, embed.css, and
// the SDK's browser module when a copy is kept in static/sdk/.
func loadStatic(dir string) (map[string]staticFile, error) {
	files := map[string]staticFile{}
	for name, ct := range map[string]string{
		"index.html": "text/html; charset=utf-8", "app.mjs": "text/javascript; charset=utf-8",
		"words.mjs": "text/javascript; charset=utf-8", "embed.css": "text/css; charset=utf-8",
		"sdk/sdk-bundle.module.js": "text/javascript; charset=utf-8",
	} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if errors.Is(err, os.ErrNotExist) && strings.HasPrefix(name, "sdk/") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("the page: cannot read %s (start the server in its project folder): %v", filepath.Join(dir, name), err)
		}
		path := "/" + name
		if name == "index.html" {
			path = "/"
		}
		files[path] = staticFile{ct, data}
	}
	return files, nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if !s.hostAllowed(r.Host) {
		http.Error(w, "Misdirected Request: this server does not answer for that host name (see ALLOWED_HOSTS)", http.StatusMisdirectedRequest)
		return
	}
	if r.URL.Path == "/auth-credential" {
		s.serveCredential(w, r)
		return
	}
	f, ok := s.files[r.URL.Path]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", f.contentType)
	w.Write(f.data)
}

// hostAllowed: localhost, 127.0.0.1 or [::1] and this port, or a name in
// ALLOWED_HOSTS (with any port, or the one it names). A web page whose name
// is made to point at this machine (DNS rebinding) gets nothing.
func (s *server) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	for _, local := range []string{"localhost", "127.0.0.1", "[::1]"} {
		if host == local+":"+s.port {
			return true
		}
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
		if strings.Contains(h, ":") {
			name = "[" + h + "]"
		}
	}
	for _, a := range s.cfg.allowedHosts {
		if a == host || a == name {
			return true
		}
	}
	return false
}

// sameOrigin: this app's own page (Sec-Fetch-Site: same-origin, or an
// Origin naming this host); a request with neither, such as curl, only
// from this machine.
func sameOrigin(r *http.Request) bool {
	site, origin := r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin")
	own := strings.EqualFold(origin, "http://"+r.Host) || strings.EqualFold(origin, "https://"+r.Host)
	switch {
	case site != "":
		return site == "same-origin" && (origin == "" || own)
	case origin != "":
		return own
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	return err == nil && net.ParseIP(ip) != nil && net.ParseIP(ip).IsLoopback()
}

// Protect this route as you protect the rest of your app (your own login
// goes here): whoever can call it is signed in to Salesforce as SF_USERNAME.
func (s *server) serveCredential(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	reply := func(status int, v any) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if r.Method != http.MethodGet {
		h.Set("Allow", "GET")
		reply(http.StatusMethodNotAllowed, map[string]string{"error": "method_not_allowed", "error_description": "use GET"})
		return
	}
	if !sameOrigin(r) {
		reply(http.StatusForbidden, map[string]string{"error": "forbidden", "error_description": "only this app's own page may ask for a credential"})
		return
	}
	c, err := s.credential(r.Context())
	var e *sfError
	switch {
	case err == nil:
		reply(http.StatusOK, c)
	case errors.As(err, &e):
		reply(http.StatusBadGateway, map[string]string{"error": e.code, "error_description": e.description, "phase": e.phase})
	default:
		log.Printf("auth-credential: internal error (%T)", err)
		reply(http.StatusInternalServerError, map[string]string{"error": "internal_error", "error_description": "the server could not get a credential; see its log"})
	}
}
