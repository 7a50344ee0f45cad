package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseAssertion: any text in the assertion field is parsed without a
// panic, and only a three-part compact JWS of two JSON objects is taken.
func FuzzParseAssertion(f *testing.F) {
	for _, s := range []string{"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", "a.b.c", "....", "-----BEGIN PRIVATE KEY-----", "", "e30.e30.", "e30=.e30==.AA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseAssertion(s)
		if ok && (a == nil || strings.Count(s, ".") != 2 || a.header == nil || a.claims == nil) {
			t.Fatalf("%q taken as %+v", s, a)
		}
	})
}

// FuzzHandler: any request the emulator gets is answered, with a status
// and without a panic, and a refusal never echoes a control character.
func FuzzHandler(f *testing.F) {
	f.Add("POST", "/services/oauth2/token", "application/x-www-form-urlencoded", []byte("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c"))
	f.Add("POST", "/services/oauth2/singleaccess", "", []byte(""))
	f.Add("GET", "/secur/frontdoor.jsp?otp=x", "", []byte(""))
	f.Add("GET", "/home", "", []byte(""))
	f.Add("GET", "/services/data/v66.0", "", []byte(""))
	f.Add("PUT", "/\x1b[31m", "text/plain", []byte("\x00\xff"))
	e := New(&Config{Apps: []AppConfig{{Name: "App", ConsumerKey: "3MVG9" + strings.Repeat("k", 80), Scopes: []string{"web", "refresh_token"}}}},
		Options{})
	f.Fuzz(func(t *testing.T, method, target, contentType string, body []byte) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(method, " \t\r\n\x00") || method == "" {
			return // not a request line net/http would hand over
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("%s %q answered %d", method, target, w.Code)
		}
		for _, r := range e.Requests() {
			if strings.ContainsAny(r.String(), "\x1b\x00") {
				t.Fatalf("the log line holds a control character: %q", r.String())
			}
		}
	})
}
