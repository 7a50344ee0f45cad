package emulator

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The Metadata API's side of a deploy: the zip `sf project deploy start`
// sends, read with archive/zip and encoding/xml within fixed bounds, its
// package.xml and the five External Client App types and PermissionSet
// (salesforce-jwt-spec.md §10.5), checked as a whole and applied to the
// practice org's apps, permission sets and policies, or refused with one
// componentFailure per problem and nothing changed (rollbackOnError).

// Bounds on what a deploy may hold: the project tnjwt writes is a few KB.
const (
	maxZipBytes      = 4 << 20   // the zip, decoded
	maxZipEntries    = 200       // files and folders in it
	maxEntryBytes    = 512 << 10 // one file, uncompressed
	maxZipTotalBytes = 8 << 20   // every file, uncompressed
	maxDeploysKept   = 50        // deploy results checkDeployStatus can still find
	// The versions the practice org's metadata types exist from.
	ecaSinceVersion    = 59
	ecaCertSince       = 60
	metadataNS         = "http://soap.sforce.com/2006/04/metadata"
	defaultPolicyLabel = "_oauthPlcy" // the name Salesforce gives the policies it makes with an app [UNCONFIRMED]
)

// Kinds of element values.
const (
	textValue   = iota
	boolValue   // true or false
	nestedValue // elements inside, which the practice org keeps no track of
)

// element is one element a type may hold, and the API versions it exists in.
type element struct {
	kind         int
	since, until int // 0: no bound
}

// mdType is one metadata type the practice org deploys.
type mdType struct {
	name, dir, suffix string
	since             int
	elements          map[string]element
	required          []string
}

func text() element   { return element{kind: textValue} }
func flag() element   { return element{kind: boolValue} }
func nested() element { return element{kind: nestedValue} }

// mdTypes are the types the practice org takes, with every element the
// Metadata API documents for them (a retrieved app's too, but orgScoped-
// ExternalApp and oauthLink, which tie it to the org it came from).
func mdTypes() []mdType {
	return []mdType{{
		name: "ExternalClientApplication", dir: "externalClientApps", suffix: "eca", since: ecaSinceVersion,
		elements: map[string]element{"contactEmail": text(), "contactPhone": text(), "description": text(),
			"distributionState": text(), "iconUrl": text(), "infoUrl": text(), "isProtected": flag(), "label": text(),
			"logoUrl": text()},
		required: []string{"contactEmail", "distributionState", "label"},
	}, {
		name: "ExtlClntAppOauthSettings", dir: "extlClntAppOauthSettings", suffix: "ecaOauth", since: ecaSinceVersion,
		elements: map[string]element{"commaSeparatedOauthScopes": text(), "customAttributes": nested(),
			"externalClientApplication": text(), "label": text(), "singleLogoutUrl": text()},
		required: []string{"externalClientApplication", "label"},
	}, {
		name: "ExtlClntAppGlobalOauthSettings", dir: "extlClntAppGlobalOauthSets", suffix: "ecaGlblOauth", since: ecaSinceVersion,
		elements: map[string]element{"callbackUrl": text(), "certificate": {kind: textValue, since: ecaCertSince},
			"consumerKey": text(), "consumerSecret": text(), "externalClientApplication": text(), "idTokenConfig": nested(),
			"isClientCredentialsFlowEnabled": flag(), "isCodeCredFlowEnabled": flag(), "isCodeCredPostOnly": flag(),
			"isConsumerSecretOptional": flag(), "isDeviceFlowEnabled": flag(), "isIntrospectAllTokens": flag(),
			"isNamedUserJwtEnabled": flag(), "isPkceRequired": flag(), "isRefreshTokenRotationEnabled": flag(),
			"isSecretRequiredForRefreshToken": flag(), "isSecretRequiredForTokenExchange": flag(),
			"isTokenExchangeEnabled": flag(), "label": text(), "shouldRotateConsumerKey": flag(),
			"shouldRotateConsumerSecret": flag()},
		required: []string{"callbackUrl", "externalClientApplication", "label"},
	}, {
		name: "ExtlClntAppOauthConfigurablePolicies", dir: "extlClntAppOauthPolicies", suffix: "ecaOauthPlcy", since: ecaSinceVersion,
		elements: map[string]element{"clientCredentialsFlowUser": text(), "commaSeparatedCustomScopes": text(),
			"commaSeparatedPermissionSet": text(), "commaSeparatedProfile": text(), "externalClientApplication": text(),
			"ipRelaxationPolicyType": text(), "isClientCredentialsFlowEnabled": flag(), "isGuestCodeCredFlowEnabled": flag(),
			"isNamedUserJwtEnabled": {kind: boolValue, since: 61, until: 63}, "isTokenExchangeFlowEnabled": flag(),
			"label": text(), "permittedUsersPolicyType": text(), "policyAction": text(), "refreshTokenPolicyType": text(),
			"refreshTokenValidityPeriod": text(), "refreshTokenValidityUnit": text(), "requiredSessionLevel": text(),
			"sessionTimeoutInMinutes": text(), "singleLogoutUrl": text()},
		required: []string{"externalClientApplication", "label", "permittedUsersPolicyType"},
	}, {
		name: "ExtlClntAppConfigurablePolicies", dir: "extlClntAppPolicies", suffix: "ecaPlcy", since: ecaCertSince,
		elements: map[string]element{"externalClientApplication": text(), "isEnabled": flag(), "isOauthPluginEnabled": flag(),
			"label": text(), "startPage": text()},
		required: []string{"externalClientApplication", "isEnabled", "label"},
	}, {
		name: "PermissionSet", dir: "permissionsets", suffix: "permissionset", since: 1,
		elements: map[string]element{"agentAccesses": nested(), "applicationVisibilities": nested(), "classAccesses": nested(),
			"customMetadataTypeAccesses": nested(), "customPermissions": nested(), "customSettingAccesses": nested(),
			"description": text(), "emailRoutingAddressAccesses": nested(), "externalCredentialPrincipalAccesses": nested(),
			"externalDataSourceAccesses": nested(), "fieldPermissions": nested(), "flowAccesses": nested(),
			"hasActivationRequired": flag(), "label": text(), "license": text(), "objectPermissions": nested(),
			"pageAccesses": nested(), "recordTypeVisibilities": nested(), "tabSettings": nested(), "userPermissions": nested()},
		required: []string{"label"},
	}}
}

func mdTypeNamed(name string) (mdType, bool) {
	for _, t := range mdTypes() {
		if t.name == name {
			return t, true
		}
	}
	return mdType{}, false
}

// metadataState is what the practice org keeps of deployed metadata and of
// its deploys. It is guarded by the Emulator's mutex.
type metadataState struct {
	deploys  map[string]*deployResult
	order    []string          // deploy ids, oldest first
	labels   map[string]string // permission set labels, by API name
	policies map[string]string // app name → the name of its OAuth policies' record
	next     int
}

func (m *metadataState) permSetLabel(name string) string {
	if l, ok := m.labels[name]; ok {
		return l
	}
	return name
}

// deployResult is one deploy, as checkDeployStatus reports it.
type deployResult struct {
	id                  string
	by                  string
	checkOnly           bool
	created, completed  time.Time
	successes, failures []componentResult
	status              string // Succeeded, Failed
	errorMessage        string // a problem with the whole zip
	errorCode           string
}

// componentResult is one componentSuccesses or componentFailures row.
type componentResult struct {
	typ, fullName, fileName string
	id                      string
	created, changed        bool
	problem                 string // empty for a success
}

// component is one metadata file read from the zip.
type component struct {
	t        mdType
	fullName string
	fileName string
	fields   map[string]string // simple elements' text
	problem  string            // why it cannot be read
}

func (c component) app() string { return c.fields["externalClientApplication"] }

func (c component) fail(problem string) componentResult {
	return componentResult{typ: c.t.name, fullName: c.fullName, fileName: c.fileName, problem: problem}
}

// decodeZip turns the deploy's base64 into the zip's files, within the
// bounds above. A problem is said in the Metadata API's words.
func decodeZip(b64 string) (map[string][]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, errors.New("the zipFile is not valid base64")
	}
	if len(raw) > maxZipBytes {
		return nil, fmt.Errorf("the zip file is larger than the practice org takes (%d MB)", maxZipBytes>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, errors.New("the zipFile is not a valid zip file")
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("the zip file holds more than %d entries", maxZipEntries)
	}
	files := map[string][]byte{}
	total := 0
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		name := path.Clean(strings.ReplaceAll(f.Name, `\`, "/"))
		if strings.HasPrefix(name, "../") || strings.HasPrefix(name, "/") || name == ".." {
			return nil, fmt.Errorf("the zip file names a file outside it: %q", clip(f.Name, 100))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("cannot read %q in the zip file", clip(name, 100))
		}
		// The header's sizes are not trusted: read at most one byte more.
		data, err := io.ReadAll(io.LimitReader(rc, maxEntryBytes+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("cannot read %q in the zip file", clip(name, 100))
		}
		if len(data) > maxEntryBytes {
			return nil, fmt.Errorf("%q is larger than the practice org takes (%d KB)", clip(name, 100), maxEntryBytes>>10)
		}
		if total += len(data); total > maxZipTotalBytes {
			return nil, fmt.Errorf("the zip file's contents are larger than the practice org takes (%d MB)", maxZipTotalBytes>>20)
		}
		files[name] = data
	}
	return files, nil
}

// manifest is package.xml.
type manifest struct {
	XMLName xml.Name `xml:"Package"`
	Types   []struct {
		Members []string `xml:"members"`
		Name    string   `xml:"name"`
	} `xml:"types"`
	Version string `xml:"version"`
}

// readPackage finds package.xml (at the root, or in the zip's one folder
// when singlePackage is false) and returns it with the folder prefix.
func readPackage(files map[string][]byte) (manifest, string, error) {
	var m manifest
	prefix := ""
	data, ok := files["package.xml"]
	if !ok {
		for name, d := range files {
			if dir, base := path.Split(name); base == "package.xml" && strings.Count(dir, "/") == 1 {
				data, prefix, ok = d, dir, true
			}
		}
	}
	if !ok {
		return m, "", errors.New("No package.xml found")
	}
	if err := xml.Unmarshal(data, &m); err != nil {
		return m, "", fmt.Errorf("package.xml: Error parsing file: %s", clip(err.Error(), 200))
	}
	return m, prefix, nil
}

// apiVersion turns "65.0" into 65; 0 for something else.
func apiVersion(v string) int {
	whole, frac, _ := strings.Cut(strings.TrimSpace(v), ".")
	n, err := strconv.Atoi(whole)
	if err != nil || (frac != "" && frac != "0") {
		return 0
	}
	return n
}

// readComponents reads every component package.xml lists, in its order.
// The failures are what cannot even be read (unknown types, missing files).
func readComponents(files map[string][]byte, m manifest, prefix string, version int) ([]component, []componentResult) {
	var comps []component
	var fails []componentResult
	for _, t := range m.Types {
		mt, ok := mdTypeNamed(strings.TrimSpace(t.Name))
		if !ok || version < mt.since {
			problem := fmt.Sprintf("Unknown type name '%s' specified in package.xml", t.Name)
			if ok {
				problem += fmt.Sprintf(" (it exists from API %d.0; package.xml says %s)", mt.since, m.Version)
			} else if _, known := knownElsewhere[t.Name]; known {
				problem = fmt.Sprintf("The practice org does not deploy %s: it takes the External Client App types and PermissionSet only", t.Name)
			}
			fails = append(fails, componentResult{typ: t.Name, fullName: strings.Join(t.Members, ","), fileName: "package.xml", problem: problem})
			continue
		}
		members := t.Members
		if slices.Contains(members, "*") {
			members = nil
			for name := range files {
				if dir, base := path.Split(name); dir == prefix+mt.dir+"/" && strings.HasSuffix(base, "."+mt.suffix) {
					members = append(members, strings.TrimSuffix(base, "."+mt.suffix))
				}
			}
			sort.Strings(members)
		}
		for _, member := range members {
			member = strings.TrimSpace(member)
			fileName := mt.dir + "/" + member + "." + mt.suffix
			data, ok := files[prefix+fileName]
			if !ok {
				fails = append(fails, componentResult{typ: mt.name, fullName: member, fileName: "package.xml",
					problem: fmt.Sprintf("An object '%s' of type %s was named in package.xml, but was not found in zipped directory", member, mt.name)})
				continue
			}
			comps = append(comps, parseComponent(mt, member, fileName, data, version))
		}
	}
	return comps, fails
}

// knownElsewhere are Metadata API types an admin may well put beside these,
// which the practice org does not model.
var knownElsewhere = map[string]bool{"ConnectedApp": true, "Profile": true, "CustomObject": true, "ApexClass": true,
	"PermissionSetGroup": true, "CorsWhitelistOrigin": true, "CspTrustedSite": true, "Settings": true}

// parseComponent reads one metadata file: its root must be the type in the
// metadata namespace, and each child an element the type has at this API
// version, simple ones holding text only.
func parseComponent(t mdType, fullName, fileName string, data []byte, version int) component {
	c := component{t: t, fullName: fullName, fileName: fileName, fields: map[string]string{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root, err := nextStart(dec)
	if err != nil {
		c.problem = "Error parsing file: " + clip(err.Error(), 200)
		return c
	}
	if root.Name.Local != t.name || root.Name.Space != metadataNS {
		c.problem = fmt.Sprintf("Error parsing file: the root element is {%s}%s; a %s file holds <%s xmlns=\"%s\">",
			clip(root.Name.Space, 100), clip(root.Name.Local, 100), t.name, t.name, metadataNS)
		return c
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			c.problem = "Error parsing file: " + clip(err.Error(), 200)
			return c
		}
		switch v := tok.(type) {
		case xml.EndElement:
			if problem := checkFields(c); problem != "" {
				c.problem = problem
			}
			return c
		case xml.CharData:
			if len(bytes.TrimSpace(v)) > 0 {
				c.problem = fmt.Sprintf("Error parsing file: text outside any element in type %s", t.name)
				return c
			}
		case xml.StartElement:
			if problem := readElement(dec, v, &c, version); problem != "" {
				c.problem = problem
				return c
			}
		}
	}
}

func nextStart(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, nil
		}
	}
}

// readElement reads one child of the root into c.fields.
func readElement(dec *xml.Decoder, se xml.StartElement, c *component, version int) string {
	name := se.Name.Local
	el, ok := c.t.elements[name]
	if !ok || se.Name.Space != metadataNS || (el.since > 0 && version < el.since) || (el.until > 0 && version > el.until) {
		problem := fmt.Sprintf("Error parsing file: Element {%s}%s invalid at this location in type %s", clip(se.Name.Space, 100), clip(name, 100), c.t.name)
		switch {
		case name == "orgScopedExternalApp" || name == "oauthLink":
			problem += " (it ties a retrieved app to the org it came from: remove it before deploying elsewhere)"
		case ok && el.since > 0 && version < el.since:
			problem += fmt.Sprintf(" (it exists from API %d.0)", el.since)
		case ok && el.until > 0:
			problem += fmt.Sprintf(" (it exists in API %d.0 to %d.0 only)", el.since, el.until)
		}
		return problem
	}
	if el.kind == nestedValue {
		if err := dec.Skip(); err != nil {
			return "Error parsing file: " + clip(err.Error(), 200)
		}
		c.fields[name] = "(nested)"
		return ""
	}
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return "Error parsing file: " + clip(err.Error(), 200)
		}
		switch v := tok.(type) {
		case xml.CharData:
			b.Write(v)
		case xml.StartElement:
			return fmt.Sprintf("Error parsing file: Element {%s}%s invalid at this location in type %s", clip(v.Name.Space, 100), clip(v.Name.Local, 100), c.t.name)
		case xml.EndElement:
			if _, dup := c.fields[name]; dup {
				return fmt.Sprintf("Error parsing file: Element {%s}%s is duplicated at this location in type %s", metadataNS, name, c.t.name)
			}
			value := strings.TrimSpace(b.String())
			if el.kind == boolValue && value != "true" && value != "false" {
				return fmt.Sprintf("Error parsing file: '%s' is not a valid value for the type xsd:boolean (element %s)", clip(value, 50), name)
			}
			c.fields[name] = value
			return ""
		}
	}
}

func checkFields(c component) string {
	for _, r := range c.t.required {
		if strings.TrimSpace(c.fields[r]) == "" {
			return "Required field is missing: " + r
		}
	}
	return ""
}

// ecaScopes maps the Metadata API's scope names to the OAuth scopes a token
// carries (salesforce-jwt-spec.md §10.5).
var ecaScopes = map[string]string{"Api": "api", "Web": "web", "RefreshToken": "refresh_token", "OfflineAccess": "refresh_token",
	"Full": "full", "OpenID": "openid", "Basic": "id", "Visualforce": "visualforce", "Chatter": "chatter_api",
	"ChatterApi": "chatter_api", "CustomPermissions": "custom_permissions", "Wave": "wave_api", "Lightning": "lightning",
	"Content": "content", "Address": "address", "Email": "email", "Phone": "phone", "Profile": "profile",
	"CDPApi": "cdp_api", "Sfap": "sfap_api"}

// deployPlan is what a deploy would change, checked as a whole first.
type deployPlan struct {
	permSets []component
	apps     []component
	byType   map[string][]component
}

// deploy checks files as one deploy by u and, when every component is
// good and it is not a validation (checkOnly), applies them. The caller
// holds e.mu.
func (e *Emulator) deploy(files map[string][]byte, u *user, checkOnly bool, now time.Time) *deployResult {
	res := &deployResult{id: e.meta.newDeployID(), by: u.username, checkOnly: checkOnly, created: now, completed: now}
	m, prefix, err := readPackage(files)
	if err != nil {
		res.fail(err.Error(), "")
		return res
	}
	version := apiVersion(m.Version)
	if version == 0 || version > newestVersion {
		res.fail(fmt.Sprintf("package.xml: version %q is not an API version this org has (%d.0 to %d.0)", clip(m.Version, 20), oldestVersion, newestVersion), "")
		return res
	}
	comps, fails := readComponents(files, m, prefix, version)
	plan := deployPlan{byType: map[string][]component{}}
	for _, c := range comps {
		if c.problem != "" {
			fails = append(fails, c.fail(c.problem))
			continue
		}
		plan.byType[c.t.name] = append(plan.byType[c.t.name], c)
	}
	plan.permSets, plan.apps = plan.byType["PermissionSet"], plan.byType["ExternalClientApplication"]
	fails = append(fails, e.checkPlan(plan)...)
	if len(fails) > 0 {
		res.failures, res.status = fails, "Failed"
		return res
	}
	res.status = "Succeeded"
	res.successes = e.applyPlan(plan, comps, checkOnly, now)
	return res
}

func (r *deployResult) fail(msg, code string) {
	r.status, r.errorMessage, r.errorCode = "Failed", msg, code
}

// checkPlan finds every problem of the deploy against the org as it is
// plus the deploy itself. The caller holds e.mu.
func (e *Emulator) checkPlan(p deployPlan) []componentResult {
	var fails []componentResult
	newApps := map[string]bool{}
	for _, c := range p.apps {
		switch ds := c.fields["distributionState"]; ds {
		case "Local", "Packageable":
		default:
			fails = append(fails, c.fail(fmt.Sprintf("distributionState: bad value for restricted picklist field: %s", clip(ds, 50))))
		}
		if e.findApp(c.fullName) == nil {
			newApps[c.fullName] = true
		}
	}
	appKnown := func(name string) bool { return newApps[name] || e.findApp(name) != nil }
	newSets := map[string]bool{}
	for _, c := range p.permSets {
		newSets[c.fullName] = true
	}
	keys := map[string]string{} // consumer key → the app this deploy gives it
	for _, typ := range []string{"ExtlClntAppOauthSettings", "ExtlClntAppGlobalOauthSettings", "ExtlClntAppOauthConfigurablePolicies", "ExtlClntAppConfigurablePolicies"} {
		perApp := map[string]string{}
		for _, c := range p.byType[typ] {
			app := c.app()
			if !appKnown(app) {
				fails = append(fails, c.fail(fmt.Sprintf("In field: externalClientApplication - no ExternalClientApplication named %s found", clip(app, 100))))
				continue
			}
			if other, dup := perApp[app]; dup {
				fails = append(fails, c.fail(fmt.Sprintf("duplicate value found: %s already holds the %s of %s in this deploy", other, typ, clip(app, 100))))
				continue
			}
			perApp[app] = c.fullName
			if problem := e.checkComponent(c, newApps[app], newSets, keys); problem != "" {
				fails = append(fails, c.fail(problem))
			}
		}
	}
	return fails
}

// checkComponent checks one of the app's four parts. The caller holds e.mu.
func (e *Emulator) checkComponent(c component, newApp bool, newSets map[string]bool, keys map[string]string) string {
	f := c.fields
	switch c.t.name {
	case "ExtlClntAppOauthSettings":
		if _, err := parseECAScopes(f["commaSeparatedOauthScopes"]); err != nil {
			return err.Error()
		}
	case "ExtlClntAppGlobalOauthSettings":
		if cert := f["certificate"]; cert != "" {
			if _, _, err := ParseCertificate(certificatePEM(cert)); err != nil {
				return "certificate: " + clip(err.Error(), 300)
			}
		}
		key := f["consumerKey"]
		if key == "" {
			return ""
		}
		if err := checkConsumerKey(key); err != nil {
			return "consumerKey: " + err.Error()
		}
		if other := e.appByKey(key); other != nil && other.name != c.app() {
			// The key is a secret: the message names the app, never the value.
			return "consumerKey: this consumer key is already in use by another External Client App; choose a different one"
		}
		if other, dup := keys[key]; dup && other != c.app() {
			return "consumerKey: this deploy gives the same consumer key to two apps"
		}
		keys[key] = c.app()
	case "ExtlClntAppOauthConfigurablePolicies":
		switch f["permittedUsersPolicyType"] {
		case "AdminApprovedPreAuthorized", "AllSelfAuthorized":
		default:
			return fmt.Sprintf("permittedUsersPolicyType: bad value for restricted picklist field: %s", clip(f["permittedUsersPolicyType"], 50))
		}
		if f["commaSeparatedProfile"] != "" {
			return "commaSeparatedProfile: the practice org has no profiles; pre-authorize users through a permission set (commaSeparatedPermissionSet)"
		}
		for _, ps := range splitList(f["commaSeparatedPermissionSet"]) {
			if !newSets[ps] && !slices.Contains(e.permSets, ps) {
				return fmt.Sprintf("In field: commaSeparatedPermissionSet - no PermissionSet named %s found", clip(ps, 100))
			}
		}
		if !newApp {
			if have := e.meta.policyName(c.app()); have != c.fullName {
				return fmt.Sprintf("DUPLICATE_VALUE: duplicate value found: ExtlClntAppOauthSettingsId duplicates value on record with id: %s "+
					"(the app already has its OAuth policies, named %s: deploy them under that name)", policyID(have), have)
			}
		}
	case "ExtlClntAppConfigurablePolicies":
		if f["isEnabled"] != "true" || f["isOauthPluginEnabled"] == "false" {
			return "isEnabled: the practice org rehearses enabled apps only (isEnabled and isOauthPluginEnabled true)"
		}
	}
	return ""
}

// certificatePEM accepts the certificate as sfdx-hardis writes it (PEM with
// its BEGIN and END lines) and as an app made in Setup retrieves it (bare
// base64).
func certificatePEM(s string) []byte {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		return []byte(s + "\n")
	}
	body := strings.Join(strings.Fields(s), "")
	var b strings.Builder
	b.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(body) > 64 {
		b.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	b.WriteString(body + "\n-----END CERTIFICATE-----\n")
	return []byte(b.String())
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func parseECAScopes(s string) ([]string, error) {
	var scopes []string
	for _, name := range splitList(s) {
		scope, ok := ecaScopes[name]
		if !ok {
			return nil, fmt.Errorf("commaSeparatedOauthScopes: invalid scope: %s (the practice org knows %s)", clip(name, 50), strings.Join(sortedKeys(ecaScopes), ", "))
		}
		scopes = appendUnique(scopes, scope)
	}
	return scopes, nil
}

func (m *metadataState) policyName(app string) string {
	if n, ok := m.policies[app]; ok {
		return n
	}
	return app + defaultPolicyLabel
}

func policyID(name string) string {
	n := 0
	for _, c := range name {
		n = (n*31 + int(c)) % 99999
	}
	return id18(fmt.Sprintf("0Hx5g00000%05d", n))
}

func (m *metadataState) newDeployID() string {
	m.next++
	return id18(fmt.Sprintf("0Af5g0000%06d", m.next))
}

func (m *metadataState) keep(r *deployResult) {
	if m.deploys == nil {
		m.deploys = map[string]*deployResult{}
	}
	m.deploys[r.id] = r
	m.order = append(m.order, r.id)
	if len(m.order) > maxDeploysKept {
		delete(m.deploys, m.order[0])
		m.order = m.order[1:]
	}
}

// applyPlan makes the org hold what the deploy brings and returns one
// componentSuccesses row per component. A validation (checkOnly) changes
// nothing. The caller holds e.mu.
func (e *Emulator) applyPlan(p deployPlan, comps []component, checkOnly bool, now time.Time) []componentResult {
	var rows []componentResult
	existed := map[string]bool{}
	for _, c := range comps {
		switch c.t.name {
		case "PermissionSet":
			existed[c.t.name+"/"+c.fullName] = slices.Contains(e.permSets, c.fullName)
		case "ExternalClientApplication":
			existed[c.t.name+"/"+c.fullName] = e.findApp(c.fullName) != nil
		default:
			existed[c.t.name+"/"+c.fullName] = e.findApp(c.app()) != nil
		}
	}
	if !checkOnly {
		for _, c := range p.permSets {
			e.addPermSet(c.fullName)
			if e.meta.labels == nil {
				e.meta.labels = map[string]string{}
			}
			e.meta.labels[c.fullName] = c.fields["label"]
		}
		for _, c := range p.apps {
			if e.findApp(c.fullName) == nil {
				e.apps = append(e.apps, &app{name: c.fullName, consumerKey: "3MVG9" + randomToken(63), permitted: AllSelfAuthorize, changed: now})
			}
		}
		for _, typ := range []string{"ExtlClntAppOauthSettings", "ExtlClntAppGlobalOauthSettings", "ExtlClntAppOauthConfigurablePolicies"} {
			for _, c := range p.byType[typ] {
				e.applyComponent(c, now)
			}
		}
	}
	for _, c := range comps {
		created := !existed[c.t.name+"/"+c.fullName]
		rows = append(rows, componentResult{typ: c.t.name, fullName: c.fullName, fileName: c.fileName,
			id: policyID(c.t.name + "/" + c.fullName), created: created, changed: !created})
	}
	return append(rows, componentResult{fullName: "package.xml", fileName: "package.xml", changed: true})
}

// applyComponent sets the app's scopes, certificate and key, or policies;
// the app's propagation window starts again. The caller holds e.mu.
func (e *Emulator) applyComponent(c component, now time.Time) {
	a := e.findApp(c.app())
	f := c.fields
	switch c.t.name {
	case "ExtlClntAppOauthSettings":
		a.scopes, _ = parseECAScopes(f["commaSeparatedOauthScopes"])
	case "ExtlClntAppGlobalOauthSettings":
		if key := f["consumerKey"]; key != "" {
			a.consumerKey = key
		}
		a.certPEM, a.pub, a.oldPub, a.jwtEnabled = "", nil, nil, false
		if cert := f["certificate"]; cert != "" {
			pemText := certificatePEM(cert)
			if _, pub, err := ParseCertificate(pemText); err == nil {
				// The certificate turns the JWT bearer flow on (Metadata
				// API reference: "When provided, it enables the JWT Bearer
				// flow").
				a.certPEM, a.pub, a.jwtEnabled = string(pemText), pub, true
			}
		}
	case "ExtlClntAppOauthConfigurablePolicies":
		a.permitted = AllSelfAuthorize
		if f["permittedUsersPolicyType"] == "AdminApprovedPreAuthorized" {
			a.permitted = AdminApproved
		}
		a.permSets = splitList(f["commaSeparatedPermissionSet"])
		if e.meta.policies == nil {
			e.meta.policies = map[string]string{}
		}
		e.meta.policies[a.name] = c.fullName
	}
	a.changed = now
}
