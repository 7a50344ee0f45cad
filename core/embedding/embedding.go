// Package embedding is the last hop of the setup: a Tableau Next dashboard
// embedded in a web page with the Tableau Next Embedding SDK. It holds the
// page itself (index.html and app.mjs, which the Express export ships and
// the preview serves), the org settings embedding depends on, and the
// words for each way embedding ends, built once for the page, the window
// and the command line.
package embedding

import (
	"embed"
	"encoding/json"
	"fmt"
)

// SDKVersion is the Tableau Next Embedding SDK the page is written and
// tested against (@salesforce/analytics-embedding-sdk on npm).
const SDKVersion = "2.0.0"

// SDKBundle is the SDK's browser module inside its npm package.
const SDKBundle = "dist/sdk-bundle.module.js"

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

// Page is the page's files: index.html, app.mjs, embed.css and words.mjs
// (the words below, as a module app.mjs imports).
func Page() []PageFile {
	var files []PageFile
	for _, name := range []string{"index.html", "app.mjs", "embed.css"} {
		data, err := pageFiles.ReadFile("page/" + name)
		if err != nil {
			panic("embedding: " + name + " is not embedded: " + err.Error())
		}
		files = append(files, PageFile{name, data})
	}
	return append(files, PageFile{"words.mjs", wordsModule()})
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
