package emulator

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Metadata API's SOAP endpoint, /services/Soap/m/NN.0, as the
// Salesforce CLI uses it for `sf project deploy start` (jsforce,
// salesforce-jwt-spec.md §10.5): deploy takes a base64 zip and answers an
// id at once; checkDeployStatus answers the result with one
// componentSuccesses or componentFailures row per component.

const (
	soapMetadataPrefix = "/services/Soap/m/"
	soapEnvelopeNS     = "http://schemas.xmlsoap.org/soap/envelope/"
	xmlType            = "text/xml;charset=UTF-8"
	// maxSOAPBody bounds a request: the zip in base64 and its envelope.
	maxSOAPBody = maxZipBytes*4/3 + 64<<10
)

// soapRequest is the envelope the CLI sends: the session in the header, one
// call in the body.
type soapRequest struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Header  struct {
		SessionID string `xml:"SessionHeader>sessionId"`
	} `xml:"Header"`
	Body struct {
		Call struct {
			XMLName xml.Name
			// deploy
			ZipFile       string `xml:"ZipFile"`
			DeployOptions struct {
				CheckOnly      string `xml:"checkOnly"`
				SinglePackage  string `xml:"singlePackage"`
				RollbackOnErr  string `xml:"rollbackOnError"`
				TestLevel      string `xml:"testLevel"`
				IgnoreWarnings string `xml:"ignoreWarnings"`
			} `xml:"DeployOptions"`
			// checkDeployStatus, cancelDeploy
			AsyncProcessID string `xml:"asyncProcessId"`
			String         string `xml:"String"`
			IncludeDetails string `xml:"includeDetails"`
		} `xml:",any"`
	} `xml:"Body"`
}

// serveMetadataSOAP answers one Metadata API call.
func (e *Emulator) serveMetadataSOAP(x *exchange, p string) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, soapMetadataPrefix), ".0"))
	if err != nil || !strings.HasSuffix(p, ".0") || n < oldestVersion || n > newestVersion {
		x.restError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	if x.r.Method != http.MethodPost {
		x.methodNotAllowed(http.MethodPost)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, maxSOAPBody))
	if err != nil {
		if tooLarge(err) {
			x.soapFault(http.StatusRequestEntityTooLarge, "sf:INVALID_REQUEST", "the request is larger than the practice org takes")
			return
		}
		x.soapFault(http.StatusBadRequest, "soapenv:Client", "cannot read the request")
		return
	}
	var req soapRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		x.soapFault(http.StatusInternalServerError, "soapenv:Client", "Unable to parse the SOAP request: "+clip(err.Error(), 200))
		return
	}
	u, ok := e.soapSession(x, req.Header.SessionID)
	if !ok {
		return
	}
	switch call := req.Body.Call; call.XMLName.Local {
	case "deploy":
		e.soapDeploy(x, u, call.ZipFile, call.DeployOptions.CheckOnly == "true")
	case "checkDeployStatus":
		e.soapCheckDeployStatus(x, call.AsyncProcessID)
	case "cancelDeploy":
		e.soapCancelDeploy(x, call.String)
	default:
		x.soapFault(http.StatusInternalServerError, "sf:INVALID_OPERATION",
			fmt.Sprintf("No operation available for request {%s}%s: the practice org answers deploy, checkDeployStatus and cancelDeploy",
				clip(call.XMLName.Space, 100), clip(call.XMLName.Local, 100)))
	}
}

// soapSession finds the session of the SessionHeader: a live token with
// the api scope, of a user who may use the Metadata API.
func (e *Emulator) soapSession(x *exchange, sid string) (*user, bool) {
	// lookupSession reads the bearer token of a request: give it one.
	r := x.r.Clone(x.r.Context())
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(sid))
	s, ok := e.lookupSession(r, x.now)
	if !ok {
		x.soapFault(http.StatusInternalServerError, "sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session")
		return nil, false
	}
	x.rec.User, x.sessionUser = s.name, s.user
	if !hasScope(s.scopes, "api", "full") {
		x.soapFault(http.StatusInternalServerError, "sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: This session is not valid for use with the API")
		return nil, false
	}
	e.mu.Lock()
	admin := s.user.admin
	e.mu.Unlock()
	if !admin {
		x.soapFault(http.StatusInternalServerError, "sf:INSUFFICIENT_ACCESS",
			"INSUFFICIENT_ACCESS: use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions")
		return nil, false
	}
	return s.user, true
}

func (e *Emulator) soapDeploy(x *exchange, u *user, zipB64 string, checkOnly bool) {
	files, err := decodeZip(zipB64)
	e.mu.Lock()
	var res *deployResult
	if err != nil {
		res = &deployResult{id: e.meta.newDeployID(), by: u.username, created: x.now, completed: x.now}
		res.fail(err.Error(), "INVALID_ZIP")
	} else {
		res = e.deploy(files, u, checkOnly, x.now)
	}
	e.meta.keep(res)
	e.mu.Unlock()
	x.note(fmt.Sprintf("deploy %s: %s, %d problem(s)", res.id, res.status, res.problems()))
	var b bytes.Buffer
	b.WriteString("<deployResponse><result><done>false</done>")
	el(&b, "id", res.id)
	b.WriteString("<state>Queued</state></result></deployResponse>")
	x.soapReply(b.String())
}

func (e *Emulator) soapCheckDeployStatus(x *exchange, id string) {
	e.mu.Lock()
	res, ok := e.meta.deploys[strings.TrimSpace(id)]
	var body string
	if ok {
		body = res.xml()
	}
	e.mu.Unlock()
	if !ok {
		x.soapFault(http.StatusInternalServerError, "sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid deploy id: "+clip(id, 40))
		return
	}
	x.note("deploy " + res.id + ": " + res.status)
	x.soapReply("<checkDeployStatusResponse>" + body + "</checkDeployStatusResponse>")
}

// soapCancelDeploy: every practice deploy is over by the time it is asked
// about, so there is nothing left to cancel.
func (e *Emulator) soapCancelDeploy(x *exchange, id string) {
	e.mu.Lock()
	_, ok := e.meta.deploys[strings.TrimSpace(id)]
	e.mu.Unlock()
	if !ok {
		x.soapFault(http.StatusInternalServerError, "sf:INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid deploy id: "+clip(id, 40))
		return
	}
	var b bytes.Buffer
	b.WriteString("<cancelDeployResponse><result><done>true</done>")
	el(&b, "id", id)
	b.WriteString("</result></cancelDeployResponse>")
	x.soapReply(b.String())
}

// problems counts what went wrong: component failures, or the zip itself.
func (r *deployResult) problems() int {
	if r.errorMessage != "" {
		return len(r.failures) + 1
	}
	return len(r.failures)
}

// xml is the DeployResult. The caller holds e.mu.
func (r *deployResult) xml() string {
	var b bytes.Buffer
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	success := r.status == "Succeeded"
	b.WriteString("<result>")
	el(&b, "checkOnly", strconv.FormatBool(r.checkOnly))
	el(&b, "completedDate", stamp(r.completed))
	el(&b, "createdBy", "0055g00000ADMIN")
	el(&b, "createdByName", r.by)
	el(&b, "createdDate", stamp(r.created))
	b.WriteString("<details>")
	for _, c := range r.successes {
		c.xml(&b, "componentSuccesses", stamp(r.completed))
	}
	for _, c := range r.failures {
		c.xml(&b, "componentFailures", stamp(r.completed))
	}
	b.WriteString("<runTestResult><numFailures>0</numFailures><numTestsRun>0</numTestsRun><totalTime>0.0</totalTime></runTestResult>")
	b.WriteString("</details>")
	el(&b, "done", "true")
	if r.errorMessage != "" {
		el(&b, "errorMessage", r.errorMessage)
		el(&b, "errorStatusCode", r.errorCode)
	}
	el(&b, "id", r.id)
	el(&b, "ignoreWarnings", "false")
	el(&b, "lastModifiedDate", stamp(r.completed))
	el(&b, "numberComponentErrors", strconv.Itoa(len(r.failures)))
	deployed := 0
	if success {
		deployed = len(r.successes) - 1 // package.xml is not a component
	}
	el(&b, "numberComponentsDeployed", strconv.Itoa(deployed))
	el(&b, "numberComponentsTotal", strconv.Itoa(max(deployed, 0)+len(r.failures)))
	el(&b, "numberTestErrors", "0")
	el(&b, "numberTestsCompleted", "0")
	el(&b, "numberTestsTotal", "0")
	el(&b, "rollbackOnError", "true")
	el(&b, "runTestsEnabled", "false")
	el(&b, "startDate", stamp(r.created))
	el(&b, "status", r.status)
	el(&b, "success", strconv.FormatBool(success))
	b.WriteString("</result>")
	return b.String()
}

func (c componentResult) xml(b *bytes.Buffer, tag, date string) {
	fmt.Fprintf(b, "<%s>", tag)
	el(b, "changed", strconv.FormatBool(c.changed))
	el(b, "componentType", c.typ)
	el(b, "created", strconv.FormatBool(c.created))
	el(b, "createdDate", date)
	el(b, "deleted", "false")
	el(b, "fileName", c.fileName)
	el(b, "fullName", c.fullName)
	if c.id != "" {
		el(b, "id", c.id)
	}
	if c.problem != "" {
		el(b, "problem", c.problem)
		el(b, "problemType", "Error")
	}
	el(b, "success", strconv.FormatBool(c.problem == ""))
	fmt.Fprintf(b, "</%s>", tag)
}

// el writes <name>text</name>, the text escaped.
func el(b *bytes.Buffer, name, text string) {
	fmt.Fprintf(b, "<%s>", name)
	_ = xml.EscapeText(b, []byte(text)) // a bytes.Buffer does not fail
	fmt.Fprintf(b, "</%s>", name)
}

// soapReply wraps a call's answer in the envelope. The elements carry a
// namespace prefix: jsforce finds the envelope by its name's ":Envelope".
func (x *exchange) soapReply(inner string) {
	x.write(http.StatusOK, xmlType, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenv="`+soapEnvelopeNS+`" xmlns="`+metadataNS+`">`+
		`<soapenv:Body>`+inner+`</soapenv:Body></soapenv:Envelope>`)
}

// soapFault is SOAP's error: HTTP 500 (or the status given) with a Fault.
func (x *exchange) soapFault(status int, code, msg string) {
	x.rec.Error = code
	x.note(msg)
	var b bytes.Buffer
	b.WriteString("<soapenv:Fault>")
	el(&b, "faultcode", code)
	el(&b, "faultstring", msg)
	b.WriteString("</soapenv:Fault>")
	x.write(status, xmlType, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenv="`+soapEnvelopeNS+`" xmlns:sf="urn:fault.partner.soap.sforce.com">`+
		`<soapenv:Body>`+b.String()+`</soapenv:Body></soapenv:Envelope>`)
}
