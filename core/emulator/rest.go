package emulator

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// REST API versions the practice org offers, newest last, as Salesforce
// lists them. Versions 30.0 and older are retired.
const (
	oldestVersion = 31
	newestVersion = 66 // Spring '26
)

// Compiled on first use, not at start-up (see safetext.ansi for why).
var versionPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v([0-9]+)\.0$`) })

// checkSession refuses, in the REST API's words, a bearer token that is no
// good, and (needAPI) one whose scopes do not reach the REST API: a token
// with only web and refresh_token opens the browser but not the API.
func (e *Emulator) checkSession(x *exchange, needAPI bool) bool {
	s, ok := e.lookupSession(x.r, x.now)
	if !ok {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return false
	}
	x.rec.User, x.sessionUser = s.name, s.user
	if needAPI && !hasScope(s.scopes, "api", "full") {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "This session is not valid for use with the REST API")
		return false
	}
	if x.r.Method != http.MethodGet && x.r.Method != http.MethodHead {
		x.w.Header().Set("Allow", "GET, HEAD")
		x.restError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are GET,HEAD", x.r.Method))
		return false
	}
	return true
}

// serveVersions is GET /services/data: the REST API versions.
func (e *Emulator) serveVersions(x *exchange) {
	if !e.checkSession(x, false) {
		return
	}
	type version struct {
		Label   string `json:"label"`
		URL     string `json:"url"`
		Version string `json:"version"`
	}
	var list []version
	for v := oldestVersion; v <= newestVersion; v++ {
		list = append(list, version{releaseName(v), fmt.Sprintf("/services/data/v%d.0", v), fmt.Sprintf("%d.0", v)})
	}
	x.writeJSON(http.StatusOK, list)
}

// releaseName maps an API version to its release: three a year, Spring '26
// being 66.0.
func releaseName(v int) string {
	back := newestVersion - v
	switch back % 3 {
	case 0:
		return fmt.Sprintf("Spring '%02d", 26-back/3)
	case 1:
		return fmt.Sprintf("Winter '%02d", 26-back/3)
	default:
		return fmt.Sprintf("Summer '%02d", 25-back/3)
	}
}

// serveVersion is GET /services/data/vNN.N: enough for a client that checks
// its session after logging in. Deeper paths are not part of the practice
// org and answer 404.
func (e *Emulator) serveVersion(x *exchange, rest string) {
	if !e.checkSession(x, true) {
		return
	}
	version, sub, _ := strings.Cut(rest, "/")
	m := versionPath().FindStringSubmatch(version)
	n := 0
	if m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if sub != "" || n < oldestVersion || n > newestVersion {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	x.writeJSON(http.StatusOK, map[string]string{
		"identity": e.baseURL(x.r) + "/id/" + id18(orgID15) + "/" + id18(x.sessionUser.id15),
	})
}
