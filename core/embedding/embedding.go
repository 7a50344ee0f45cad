// Package embedding is the last hop of the setup: a Tableau Next dashboard
// embedded in a web page with the Tableau Next Embedding SDK. It holds the
// page itself (index.html and app.mjs, which the Express export ships and
// the preview serves), the org settings embedding depends on, and the
// words for each way embedding ends, built once for the page, the window
// and the command line.
package embedding

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
)

// SDKVersion is the Tableau Next Embedding SDK the page is written and
// tested against (@salesforce/analytics-embedding-sdk on npm).
const SDKVersion = "2.0.0"

// SDKPackage is the SDK's npm package.
const SDKPackage = "@salesforce/analytics-embedding-sdk"

// SDKBundle is the SDK's browser module inside its npm package.
const SDKBundle = "dist/sdk-bundle.module.js"

// SDKCDN is the SDK's browser module on the public CDN that mirrors npm.
const SDKCDN = "https://cdn.jsdelivr.net/npm/" + SDKPackage + "@" + SDKVersion + "/" + SDKBundle

// SDKIntegrity is the SHA-384 of that file as npm serves it, for
// Subresource Integrity (a test checks it against the npm package).
const SDKIntegrity = "sha384-xGrMAsY5u3cNBjqbOYqZRC9TEf8Q3glS3oqgrXSh7yWzFcsv+brflWZmgg2SqjmP"

// SDKTimeout is how long the SDK waits for the org's Lightning Out page
// before it reports INITIALIZATION_ERROR (a constant inside the SDK).
const SDKTimeout = 60

// PageGrace is how much longer than SDKTimeout the page waits before it
// says the org did not answer: the SDK's clock starts only when its hidden
// frame has loaded, and a server that never answers never starts it.
const PageGrace = 15

//go:embed page/index.html page/app.mjs page/embed.css
var pageFiles embed.FS

// PageFile is one file of the page, by its path in the site.
type PageFile struct {
	Name string // slash-separated, e.g. app.mjs
	Data []byte
}

// PageOptions say where the page finds what it needs.
type PageOptions struct {
	SDKURL        string // the SDK's browser module; default /sdk/sdk-bundle.module.js
	Integrity     string // its Subresource Integrity hash ("sha384-…"); "" for none
	CredentialURL string // answers { authCredential, orgUrl }; default /auth-credential
	ReportURL     string // where the page posts how it ended; "" for nowhere
	Dashboard     string // embedded when the page's address names none
}

// LocalSDK is where a server that ships the SDK beside the page serves it.
const LocalSDK = "/sdk/sdk-bundle.module.js"

// Page is the page's files: index.html (for o), app.mjs, embed.css and
// words.mjs (the words below, as a module app.mjs imports).
func Page(o PageOptions) []PageFile {
	files := []PageFile{{"index.html", index(o)}}
	for _, name := range []string{"app.mjs", "embed.css"} {
		files = append(files, PageFile{name, pageFile(name)})
	}
	return append(files, PageFile{"words.mjs", wordsModule()})
}

func pageFile(name string) []byte {
	data, err := pageFiles.ReadFile("page/" + name)
	if err != nil {
		panic("embedding: " + name + " is not embedded: " + err.Error())
	}
	return data
}

// ImportMap is the page's import map: it maps the SDK's package name to
// o.SDKURL, with its integrity hash when o has one. A page with a
// Content-Security-Policy allows this inline script by its hash.
func ImportMap(o PageOptions) string {
	url := cmp.Or(o.SDKURL, LocalSDK)
	m := map[string]any{"imports": map[string]string{SDKPackage: url}}
	if o.Integrity != "" {
		m["integrity"] = map[string]string{url: o.Integrity}
	}
	data, err := json.Marshal(m) // escapes <, > and &: safe inside <script>
	if err != nil {
		panic("embedding: the import map does not encode: " + err.Error())
	}
	return string(data)
}

func index(o PageOptions) []byte {
	data := map[string]string{"credential-url": cmp.Or(o.CredentialURL, "/auth-credential"), "sdk-url": cmp.Or(o.SDKURL, LocalSDK)}
	if o.ReportURL != "" {
		data["report-url"] = o.ReportURL
	}
	if o.Dashboard != "" {
		data["dashboard"] = o.Dashboard
	}
	var attrs strings.Builder
	for _, k := range slices.Sorted(maps.Keys(data)) {
		fmt.Fprintf(&attrs, ` data-%s="%s"`, k, html.EscapeString(data[k]))
	}
	page := strings.Replace(string(pageFile("index.html")), "{{importmap}}", ImportMap(o), 1)
	return []byte(strings.Replace(page, "{{data}}", attrs.String(), 1))
}

// wordsModule is words.mjs: every sentence app.mjs shows, from Go, so the
// window and the command line say the same.
func wordsModule() []byte {
	data, err := json.MarshalIndent(pageWords(), "", "  ")
	if err != nil {
		panic("embedding: the page's words do not encode: " + err.Error())
	}
	return fmt.Appendf(nil, "// The words the page shows, written by tnjwt from its own (core/embedding).\n"+
		"// Placeholders in braces are filled in by app.mjs.\nexport const words = %s;\n\n"+
		"// How long the page waits: the SDK's own limit, then a grace period.\n"+
		"export const limits = { sdkSeconds: %d, graceSeconds: %d };\n", data, SDKTimeout, PageGrace)
}
