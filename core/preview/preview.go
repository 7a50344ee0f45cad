// Package preview shows the admin their dashboard embedded before the app
// exists: it serves, on this computer only, the page the Express export
// ships (core/embedding), with tnjwt's own endpoint handing it a fresh
// frontdoor URL on every load, and it passes on how each attempt ended.
// The window's Done screen and `tnjwt preview` both run it.
package preview

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/safetext"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// DefaultPort is where the exported app serves its page too, so the
// development origin the org already trusts (http://localhost:3000) fits.
const DefaultPort = 3000

// maxSDKFile bounds a local copy of the SDK (the real one is about 100 KB).
const maxSDKFile = 8 << 20

// maxReport bounds what the page posts about an attempt.
const maxReport = 8 << 10

// credentialTimeout bounds one sign-in: a JWT, a token and a frontdoor URL.
const credentialTimeout = 45 * time.Second

// Credential is what the SDK starts with. AuthCredential is a frontdoor
// URL: a one-time sign-in, never logged or printed.
type Credential struct {
	AuthCredential string
	OrgURL         string
}

// Options configure a preview.
type Options struct {
	Port      int    // on localhost; 0 picks a free one
	Dashboard string // the API name the page embeds
	// SDKFile is a local copy of the SDK's browser module
	// (dist/sdk-bundle.module.js), for machines that cannot reach the CDN;
	// "" loads it from the CDN, pinned by its integrity hash.
	SDKFile string
	// FrameSources are the org's origins the SDK's frames may load (the
	// frontdoor's host and the Lightning host), as CSP sources.
	FrameSources []string
	// Credential signs in afresh: one frontdoor URL per page load.
	Credential func(ctx context.Context) (Credential, error)
	// OnEvent hears of each load, sign-in and outcome; it may be called
	// from several goroutines at once.
	OnEvent func(Event)
}

// EventKind says what an Event is about.
type EventKind int

// The kinds of Event.
const (
	PageLoaded   EventKind = iota // the page was served
	SignedIn                      // a frontdoor URL went to the page
	SignInFailed                  // the sign-in failed: Err says why
	Reported                      // the page said how it ended: Outcome
	Refused                       // a request from elsewhere was refused: Words says why
)

// Event is one thing that happened, for the window or the terminal. It
// never holds the frontdoor URL or a token.
type Event struct {
	Kind      EventKind
	Outcome   embedding.Outcome
	Dashboard string // as the page reported it, cleaned
	Words     string // what Salesforce or the SDK said, cleaned and bounded
	Err       error
}

// Server is a running preview.
type Server struct {
	URL string // http://localhost:PORT/

	opts    Options
	port    string
	page    map[string][]byte
	sdk     []byte
	csp     string
	servers []*http.Server
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// PortInUseError is a port something else on this computer already holds.
type PortInUseError struct{ Port int }

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d is already in use on this computer (perhaps by your app): stop what uses it, "+
		"or pick another port; the org must then trust http://localhost:%d as well", e.Port, e.Port)
}

// Start serves the preview until Close.
func Start(opts Options) (*Server, error) {
	if opts.Credential == nil {
		return nil, errors.New("preview: no way to sign in")
	}
	s := &Server{opts: opts}
	if err := s.loadSDK(); err != nil {
		return nil, err
	}
	listeners, err := listen(opts.Port)
	if err != nil {
		return nil, err
	}
	_, s.port, _ = net.SplitHostPort(listeners[0].Addr().String())
	s.URL = "http://localhost:" + s.port + "/"
	s.build()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, ln := range listeners {
		srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
			WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 32 << 10}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			srv.Serve(ln)
		}()
	}
	return s, nil
}

// listen holds the port on 127.0.0.1 and, where this computer has it, on
// ::1: a browser may try localhost's ::1 first, and must not reach another
// program there.
func listen(port int) ([]net.Listener, error) {
	v4, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, listenError(port, err)
	}
	_, bound, _ := net.SplitHostPort(v4.Addr().String())
	v6, err := net.Listen("tcp6", "[::1]:"+bound)
	switch {
	case err == nil:
		return []net.Listener{v4, v6}, nil
	case inUse(err):
		v4.Close()
		p, _ := strconv.Atoi(bound)
		return nil, &PortInUseError{Port: p}
	}
	return []net.Listener{v4}, nil // no IPv6 loopback here: nothing else can hold it
}

// inUse: the port is taken (Windows words it its own way).
func inUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "Only one usage of each socket address")
}

func listenError(port int, err error) error {
	if inUse(err) {
		return &PortInUseError{Port: port}
	}
	return fmt.Errorf("cannot listen on localhost:%d: %w", port, err)
}

// loadSDK reads the local copy of the SDK, when one is given.
func (s *Server) loadSDK() error {
	if s.opts.SDKFile == "" {
		return nil
	}
	f, err := os.Open(s.opts.SDKFile)
	if err != nil {
		return fmt.Errorf("cannot read the SDK file %s: %w", s.opts.SDKFile, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSDKFile+1))
	switch {
	case err != nil:
		return fmt.Errorf("cannot read the SDK file %s: %w", s.opts.SDKFile, err)
	case len(data) > maxSDKFile:
		return fmt.Errorf("%s is larger than %d MB: give the SDK's %s", s.opts.SDKFile, maxSDKFile>>20, embedding.SDKBundle)
	case !strings.Contains(string(data), "initializeAnalyticsSdk"):
		return fmt.Errorf("%s is not the Tableau Next Embedding SDK's browser module: give node_modules/%s/%s",
			s.opts.SDKFile, embedding.SDKPackage, embedding.SDKBundle)
	}
	s.sdk = data
	return nil
}

// build makes the page and its Content-Security-Policy: scripts from this
// page and the one SDK file alone, frames from the org alone.
func (s *Server) build() {
	o := embedding.PageOptions{SDKURL: embedding.SDKCDN, Integrity: embedding.SDKIntegrity,
		ReportURL: "/report", Dashboard: s.opts.Dashboard}
	sdkSource := embedding.SDKCDN
	if s.sdk != nil {
		sum := sha512.Sum384(s.sdk)
		o.SDKURL, o.Integrity = embedding.LocalSDK, "sha384-"+base64.StdEncoding.EncodeToString(sum[:])
		sdkSource = "'self'"
	}
	s.page = map[string][]byte{}
	for _, f := range embedding.Page(o) {
		s.page["/"+f.Name] = f.Data
	}
	mapHash := sha256.Sum256([]byte(embedding.ImportMap(o)))
	frames := strings.Join(s.opts.FrameSources, " ")
	if frames == "" {
		frames = "'none'"
	}
	s.csp = "default-src 'none'; script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(mapHash[:]) + "' " + sdkSource +
		"; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src " + frames +
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// Close stops the preview; a page still open can no longer sign in.
func (s *Server) Close() error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

func (s *Server) event(e Event) {
	if s.opts.OnEvent != nil {
		s.opts.OnEvent(e) // called before the request's answer goes out
	}
}

// ServeHTTP answers only requests addressed to this preview by name
// (localhost:PORT or 127.0.0.1:PORT), so a web page whose name is made to
// point at this computer (DNS rebinding) cannot reach it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if host := strings.ToLower(r.Host); host != "localhost:"+s.port && host != "127.0.0.1:"+s.port {
		s.refuse(w, http.StatusMisdirectedRequest, "a request for "+safetext.Clean(r.Host)+" (this preview answers only localhost:"+s.port+")")
		return
	}
	switch r.URL.Path {
	case "/":
		s.servePage(w, r)
	case "/auth-credential":
		s.serveCredential(w, r)
	case "/report":
		s.serveReport(w, r)
	case embedding.LocalSDK:
		s.serveSDK(w, r)
	case "/favicon.ico":
		w.WriteHeader(http.StatusNoContent)
	default:
		s.serveFile(w, r)
	}
}

func (s *Server) refuse(w http.ResponseWriter, status int, why string) {
	s.event(Event{Kind: Refused, Words: why})
	http.Error(w, http.StatusText(status), status)
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("Content-Type", "text/html; charset=utf-8")
	s.event(Event{Kind: PageLoaded}) // before the answer: whoever waits for it hears of the load first
	w.Write(s.page["/index.html"])
}

var fileTypes = map[string]string{".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	data, ok := s.page[r.URL.Path]
	dot := strings.LastIndexByte(r.URL.Path, '.')
	if !ok || r.URL.Path == "/index.html" || dot < 0 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", fileTypes[r.URL.Path[dot:]])
	w.Write(data)
}

func (s *Server) serveSDK(w http.ResponseWriter, r *http.Request) {
	if s.sdk == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(s.sdk)
}

// fromPage accepts only the preview's own page (sameOrigin) asking with
// the endpoint's method.
func (s *Server) fromPage(w http.ResponseWriter, r *http.Request, method string) bool {
	if !s.sameOrigin(w, r) {
		return false
	}
	if r.Method != method {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return false
	}
	return true
}

// sameOrigin accepts only the preview's own page: what a browser says of
// a fetch from it (Sec-Fetch-Site, and Origin when sent).
func (s *Server) sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if r.Header.Get("Sec-Fetch-Site") != "same-origin" || (origin != "" && origin != "http://"+r.Host) {
		s.refuse(w, http.StatusForbidden, "a request from another site or program to "+r.URL.Path)
		return false
	}
	return true
}

func (s *Server) serveCredential(w http.ResponseWriter, r *http.Request) {
	if !s.fromPage(w, r, http.MethodGet) {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, credentialTimeout)
	defer cancel()
	c, err := s.opts.Credential(ctx)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		s.event(Event{Kind: SignInFailed, Err: err})
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "sign_in_failed", "error_description": clip(safetext.Clean(err.Error()))})
		return
	}
	s.event(Event{Kind: SignedIn})
	_ = json.NewEncoder(w).Encode(map[string]string{"authCredential": c.AuthCredential, "orgUrl": c.OrgURL})
}

// report is what the page posts when an attempt ends.
type report struct {
	Outcome   string `json:"outcome"`
	Dashboard string `json:"dashboard"`
	Words     string `json:"words"`
}

func (s *Server) serveReport(w http.ResponseWriter, r *http.Request) {
	if !s.fromPage(w, r, http.MethodPost) {
		return
	}
	var rep report
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReport)).Decode(&rep)
	outcome := embedding.Outcome(rep.Outcome)
	if _, known := embedding.Advices[outcome]; err != nil || !known {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	s.event(Event{Kind: Reported, Outcome: outcome, Dashboard: clip(safetext.Clean(rep.Dashboard)), Words: clip(safetext.Clean(rep.Words))})
	w.WriteHeader(http.StatusNoContent)
}

// clip bounds text from the page or a server for the terminal and window.
func clip(s string) string {
	const max = 500
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// FrameSources are the org's addresses the SDK's frames may load: its own
// (login, instance and Lightning URLs), and for a Salesforce org every
// Salesforce domain, where the frontdoor and Lightning Out send the browser
// on to.
func FrameSources(loginURL, instanceURL, lightningURL string) []string {
	var out []string
	for _, u := range []string{loginURL, instanceURL, lightningURL} {
		if p, err := url.Parse(u); err == nil && p.Host != "" && (p.Scheme == "https" || p.Scheme == "http") {
			if o := p.Scheme + "://" + p.Host; !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	if login, err := salesforce.ParseLoginURL(loginURL); err == nil && login.Kind != salesforce.Loopback {
		out = append(out, salesforce.DomainSources()...)
	}
	return out
}

// PortFor is the port for a development origin on localhost (so the org
// already trusts the preview's page), else DefaultPort.
func PortFor(origin string) int {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "http" || u.Hostname() != "localhost" {
		return DefaultPort
	}
	if p, err := strconv.Atoi(u.Port()); err == nil && p > 0 {
		return p
	}
	return DefaultPort
}
