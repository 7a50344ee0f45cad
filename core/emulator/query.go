package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The REST calls the Salesforce CLI makes around a login and a deploy
// (salesforce-jwt-spec.md §10.5), and those of `sf org assign permset`: a
// few SOQL queries, answered from the org model, and the creation of a
// PermissionSetAssignment. Anything else answers as Salesforce does for an
// object or query it cannot take.

// cleanPath drops the extra leading slashes of //services/...: the CLI
// keeps the instance URL with a trailing slash and joins paths to it.
func cleanPath(p string) string {
	for strings.HasPrefix(p, "//") {
		p = p[1:]
	}
	return p
}

// Compiled on first use, not at start-up (see safetext.ansi for why).
var (
	dataAPIPath = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^/services/data/v([0-9]+)\.0/(query|tooling/query|sobjects/PermissionSetAssignment)/?$`)
	})
	soqlShape = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+.+?)?(?:\s+LIMIT\s+([0-9]+))?\s*$`)
	})
	soqlAnd       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\s+AND\s+`) })
	soqlCondition = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)^([A-Za-z_]+)\s*=\s*'((?:[^'\\]|\\.)*)'$`)
	})
)

func isDataAPI(p string) bool { return dataAPIPath().MatchString(p) }

// serveDataAPI answers /services/data/vNN.0/{query, tooling/query,
// sobjects/PermissionSetAssignment}.
func (e *Emulator) serveDataAPI(x *exchange, p string) {
	m := dataAPIPath().FindStringSubmatch(p)
	if n, _ := strconv.Atoi(m[1]); n < oldestVersion || n > newestVersion {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	if m[2] == "sobjects/PermissionSetAssignment" {
		e.serveAssignment(x)
		return
	}
	if !e.checkSession(x, true) {
		return
	}
	q := x.r.URL.Query().Get("q")
	if m[2] == "tooling/query" {
		e.serveToolingQuery(x, q)
		return
	}
	e.serveQuery(x, q)
}

// soql is a query taken apart: the practice org answers only the simple
// shapes the Salesforce CLI sends.
type soql struct {
	fields []string
	object string
	where  map[string]string // Field = 'value', joined by AND
	limit  int
}

func parseSOQL(q string) (soql, bool) {
	m := soqlShape().FindStringSubmatch(q)
	if m == nil {
		return soql{}, false
	}
	s := soql{object: m[2], where: map[string]string{}, limit: -1}
	for _, f := range strings.Split(m[1], ",") {
		s.fields = append(s.fields, strings.TrimSpace(f))
	}
	if m[3] != "" {
		for _, cond := range soqlAnd().Split(m[3], -1) {
			c := soqlCondition().FindStringSubmatch(strings.TrimSpace(cond))
			if c == nil {
				return soql{}, false
			}
			s.where[strings.ToLower(c[1])] = strings.ReplaceAll(c[2], `\'`, `'`)
		}
	}
	if m[4] != "" {
		s.limit, _ = strconv.Atoi(m[4])
	}
	return s, true
}

// record is one row: its fields in the order the query named them.
type record struct {
	object string
	id     string
	values map[string]any // by field name in lower case
}

// queryResult writes Salesforce's query answer for rows, with the fields
// the query asked for, spelt as it spelt them.
func (x *exchange) queryResult(s soql, rows []record) {
	if s.limit >= 0 && len(rows) > s.limit {
		rows = rows[:s.limit]
	}
	out := make([]json.RawMessage, 0, len(rows))
	for _, r := range rows {
		var b strings.Builder
		fmt.Fprintf(&b, `{"attributes":{"type":%q,"url":%q}`, r.object, "/services/data/v"+strconv.Itoa(newestVersion)+".0/sobjects/"+r.object+"/"+r.id)
		for _, f := range s.fields {
			v, ok := r.values[strings.ToLower(f)]
			if !ok {
				continue
			}
			data, _ := json.Marshal(v)
			fmt.Fprintf(&b, ",%q:%s", f, data)
		}
		b.WriteString("}")
		out = append(out, json.RawMessage(b.String()))
	}
	x.note(fmt.Sprintf("%d %s record(s)", len(out), s.object))
	x.writeJSON(http.StatusOK, struct {
		TotalSize int               `json:"totalSize"`
		Done      bool              `json:"done"`
		Records   []json.RawMessage `json:"records"`
	}{len(out), true, out})
}

func (e *Emulator) serveQuery(x *exchange, q string) {
	s, ok := parseSOQL(q)
	if !ok {
		x.restError(http.StatusBadRequest, "MALFORMED_QUERY", "The practice org answers only the simple queries the Salesforce CLI sends: "+clip(q, 200))
		return
	}
	for _, f := range s.fields {
		if !slices.Contains(knownFields[strings.ToLower(s.object)], strings.ToLower(f)) && knownFields[strings.ToLower(s.object)] != nil {
			x.restError(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("\n%s\n^\nERROR at Row:1:Column:8\nNo such column '%s' on entity '%s'.", clip(q, 200), f, s.object))
			return
		}
	}
	switch strings.ToLower(s.object) {
	case "organization":
		x.queryResult(s, []record{e.organization()})
	case "user":
		x.queryResult(s, e.userRecords(s.where))
	case "permissionset":
		x.queryResult(s, e.permSetRecords(s.where))
	default:
		// ScratchOrgInfo among others: the practice org is no Dev Hub.
		x.restError(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("\n%s\n^\nERROR at Row:1:Column:1\nsObject type '%s' is not supported. "+
			"If you are attempting to use a custom object, be sure to append the '__c' after the entity name. "+
			"Please reference your WSDL or the describe call for the appropriate names.", clip(q, 200), s.object))
	}
}

// knownFields are the fields the practice org keeps of each object.
var knownFields = map[string][]string{
	"organization":  {"id", "name", "instancename", "issandbox", "trialexpirationdate", "namespaceprefix", "organizationtype"},
	"user":          {"id", "username", "name", "alias", "email", "emailencodingkey", "languagelocalekey", "localesidkey", "profileid", "timezonesidkey", "isactive"},
	"permissionset": {"id", "name", "label", "namespaceprefix"},
}

// serveToolingQuery answers the Tooling API's queries. The CLI asks after
// a login whether the org is a sandbox being made (SandboxProcess, which a
// production org has, here with no rows); the practice org keeps no other
// Tooling object (no source tracking, no scratch org).
func (e *Emulator) serveToolingQuery(x *exchange, q string) {
	s, ok := parseSOQL(q)
	if !ok {
		x.restError(http.StatusBadRequest, "MALFORMED_QUERY", "The practice org answers only the simple queries the Salesforce CLI sends: "+clip(q, 200))
		return
	}
	if strings.EqualFold(s.object, "SandboxProcess") {
		x.queryResult(s, nil)
		return
	}
	x.restError(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("\n%s\n^\nERROR at Row:1:Column:1\nsObject type '%s' is not supported.", clip(q, 200), s.object))
}

func (e *Emulator) organization() record {
	e.mu.Lock()
	defer e.mu.Unlock()
	orgType := "Enterprise Edition"
	return record{object: "Organization", id: id18(orgID15), values: map[string]any{
		"id": id18(orgID15), "name": "tnjwt practice org", "instancename": "PRACTICE", "issandbox": e.sandbox,
		"trialexpirationdate": nil, "namespaceprefix": nil, "organizationtype": orgType,
	}}
}

func (e *Emulator) userRecords(where map[string]string) []record {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rows []record
	for _, u := range e.users {
		if name, ok := where["username"]; ok && !strings.EqualFold(name, u.username) {
			continue
		}
		if id, ok := where["id"]; ok && id != id18(u.id15) && id != u.id15 {
			continue
		}
		local, _, _ := strings.Cut(u.username, "@")
		rows = append(rows, record{object: "User", id: id18(u.id15), values: map[string]any{
			"id": id18(u.id15), "username": u.username, "name": local, "alias": clip(local, 8), "email": u.username,
			"emailencodingkey": "UTF-8", "languagelocalekey": "en_US", "localesidkey": "en_US", "timezonesidkey": "GMT",
			"profileid": profileID(u.admin), "isactive": u.active,
		}})
	}
	return rows
}

func (e *Emulator) permSetRecords(where map[string]string) []record {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rows []record
	for i, ps := range e.permSets {
		if name, ok := where["name"]; ok && name != ps {
			continue
		}
		if ns, ok := where["namespaceprefix"]; ok && ns != "" {
			continue // the practice org has no managed packages
		}
		id := permSetID(i)
		if id0, ok := where["id"]; ok && id0 != id {
			continue
		}
		rows = append(rows, record{object: "PermissionSet", id: id, values: map[string]any{
			"id": id, "name": ps, "label": e.meta.permSetLabel(ps), "namespaceprefix": nil,
		}})
	}
	return rows
}

// permSetID is the i-th permission set's 18-character id (prefix 0PS).
func permSetID(i int) string { return id18(fmt.Sprintf("0PS5g00000%05d", i+1)) }

// profileID is the user's profile: System Administrator or Standard User.
func profileID(admin bool) string {
	if admin {
		return id18("00e5g00000ADMIN")
	}
	return id18("00e5g00000STAND")
}

// serveAssignment is POST sobjects/PermissionSetAssignment: the admin gives
// a user a permission set (`sf org assign permset`).
func (e *Emulator) serveAssignment(x *exchange) {
	s, ok := e.lookupSession(x.r, x.now)
	if !ok {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	x.rec.User, x.sessionUser = s.name, s.user
	if !hasScope(s.scopes, "api", "full") {
		x.restError(http.StatusUnauthorized, "INVALID_SESSION_ID", "This session is not valid for use with the REST API")
		return
	}
	if x.r.Method != http.MethodPost {
		x.w.Header().Set("Allow", "POST")
		x.restError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", fmt.Sprintf("HTTP Method '%s' not allowed. Allowed are POST", x.r.Method))
		return
	}
	var body map[string]any
	dec := json.NewDecoder(io.LimitReader(x.r.Body, maxBody))
	if err := dec.Decode(&body); err != nil {
		x.restError(http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body is not a JSON object")
		return
	}
	assignee, _ := fieldCI(body, "AssigneeId").(string)
	psID, _ := fieldCI(body, "PermissionSetId").(string)
	id, code, msg := e.assign(s.user, assignee, psID)
	if code != "" {
		x.rec.Error = code
		x.note(msg)
		x.writeJSON(http.StatusBadRequest, []struct {
			Message   string   `json:"message"`
			ErrorCode string   `json:"errorCode"`
			Fields    []string `json:"fields"`
		}{{msg, code, []string{}}})
		return
	}
	x.writeJSON(http.StatusCreated, struct {
		ID      string   `json:"id"`
		Success bool     `json:"success"`
		Errors  []string `json:"errors"`
	}{id, true, []string{}})
}

// fieldCI is body[name], the name matched without regard to case.
func fieldCI(body map[string]any, name string) any {
	for k, v := range body {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// assign gives the user with id assignee the permission set with id psID,
// as by by (who must be an admin). code and msg are Salesforce's words when
// it refuses.
func (e *Emulator) assign(by *user, assignee, psID string) (id, code, msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !by.admin {
		return "", "INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id: the practice org lets only admin users (config users[].admin) assign permission sets"
	}
	var u *user
	for _, c := range e.users {
		if id18(c.id15) == assignee || c.id15 == assignee {
			u = c
		}
	}
	ps := ""
	for i, name := range e.permSets {
		if permSetID(i) == psID {
			ps = name
		}
	}
	switch {
	case u == nil:
		return "", "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"
	case ps == "":
		return "", "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"
	case slices.Contains(u.permSets, ps):
		return "", "DUPLICATE_VALUE", "Duplicate PermissionSetAssignment. Assignee: " + id18(u.id15) + "; Permission Set: " + psID
	}
	u.permSets = append(u.permSets, ps)
	return id18(fmt.Sprintf("0Pa5g0000%06d", len(u.permSets))), "", ""
}

// clip shortens s to n bytes (on a character boundary) for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
