package emulator

import (
	"net/http"
	"strings"
)

// cors applies the org's CORS allowlist (Setup → CORS) to a web page's
// cross-origin request to the REST and OAuth endpoints, as a browser will
// feel it: a trusted origin gets the Access-Control headers, any other
// gets none (the browser then keeps the answer from the page) and its
// preflight is refused. It reports whether the request still needs its
// answer.
func (e *Emulator) cors(x *exchange) bool {
	origin := x.r.Header.Get("Origin")
	if origin == "" || !strings.HasPrefix(x.r.URL.Path, "/services/") {
		return true
	}
	o, err := parseOrigin(origin)
	if err != nil || o == e.origin(x.r) {
		return true
	}
	e.mu.Lock()
	trusted := e.embed.corsTrusts(o)
	e.mu.Unlock()
	h := x.w.Header()
	h.Add("Vary", "Origin")
	preflight := x.r.Method == http.MethodOptions && x.r.Header.Get("Access-Control-Request-Method") != ""
	if !trusted {
		x.note("CORS: " + o + " is not in the CORS allowlist, so the browser keeps this answer from the page")
		if preflight {
			x.write(http.StatusForbidden, textType, "CORS request from an origin that is not in the CORS allowlist")
			return false
		}
		return true
	}
	h.Set("Access-Control-Allow-Origin", o)
	if !preflight {
		return true
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, HEAD")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, X-Requested-With")
	h.Set("Access-Control-Max-Age", "3600")
	x.write(http.StatusNoContent, textType, "")
	return false
}
