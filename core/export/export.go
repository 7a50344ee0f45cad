// Package export writes what an app's servers need to run the JWT bearer
// flow on their own: a .env for Node.js, the Heroku config command, a small
// Express server that serves the Tableau Next SDK's auth credential, the SDK
// snippet, and the private key file. The GUI's Done screen and
// `tnjwt export` both build them here.
package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/report"
)

// Formats, as `tnjwt export --format` names them.
const (
	FormatEnv     = "env"
	FormatHeroku  = "heroku"
	FormatExpress = "express"
	FormatSDK     = "sdk"
	FormatKey     = "key"
)

// Formats lists every format in the order help text shows them.
var Formats = []string{FormatEnv, FormatHeroku, FormatExpress, FormatFlask, FormatGo, FormatJava, FormatSinatra, FormatSDK, FormatKey}

// Pinned versions of what the exported server installs.
const (
	ExpressVersion = "5.2.1"
	SDKVersion     = embedding.SDKVersion
	// TypeScriptVersion checks the exported scripts in the tests.
	TypeScriptVersion = "5.9.3"
)

// PracticeDashboard is a dashboard every practice org holds (the
// emulator's default list).
const PracticeDashboard = "Sales_Overview"

// EnvFileName is the settings file the Express server reads.
const EnvFileName = ".env"

// Org is what an export needs to know about a set-up org.
type Org struct {
	Profile  string
	LoginURL string // token host
	Audience string // JWT aud
	ClientID string // consumer key
	Username string
	KeyPEM   []byte // PKCS#8 private key
	OrgURL   string // the Lightning URL for the SDK's orgUrl; report.PlaceholderOrgURL when unknown
	Practice bool   // a practice (emulated) org: every export says so
	// DiscoverAudience: no test confirmed Audience, so the exports leave
	// SF_AUDIENCE empty and the servers find it themselves.
	DiscoverAudience bool
	Now              time.Time
}

// File is one file of an export. Every file is written with mode 0600:
// each one either holds the key or sits beside files that do.
type File struct {
	Name string // slash-separated, relative to the output folder
	Data []byte
}

// Warning is said with every export.
const Warning = "Keep it out of source control: it holds the private key, which signs in to Salesforce as the JWT user."

// header is the comment every export starts with, in the comment syntax
// of its file ("#" or "//").
func (o Org) header(mark, what string) string {
	lines := []string{
		fmt.Sprintf("%s for the org %q, written by tnjwt on %s.", what, o.Profile, o.Now.UTC().Format("2006-01-02")),
	}
	if o.Practice {
		lines = append(lines, "PRACTICE ORG: these settings point at tnjwt's built-in practice org, not at Salesforce.")
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(mark + " " + l + "\n")
	}
	return b.String()
}

// settings are the variables every server export carries, in order.
func (o Org) settings() [][2]string {
	return [][2]string{
		{"SF_LOGIN_URL", o.LoginURL},
		{"SF_AUDIENCE", o.envAudience()},
		{"SF_CLIENT_ID", o.ClientID},
		{"SF_USERNAME", o.Username},
		{"SF_ORG_URL", o.OrgURL},
	}
}

// Env is the .env file for Node.js (process.loadEnvFile, dotenv): the
// private key on one line, its newlines written as \n inside double quotes.
func Env(o Org) []byte {
	var b strings.Builder
	b.WriteString(o.header("#", "Salesforce JWT bearer settings"))
	b.WriteString("# SECRET. " + Warning + "\n\n")
	for _, kv := range o.settings() {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	key := strings.ReplaceAll(strings.TrimRight(string(o.KeyPEM), "\n"), "\n", `\n`)
	fmt.Fprintf(&b, "SF_PRIVATE_KEY=\"%s\\n\"\n", key)
	return []byte(b.String())
}

// Heroku is the `heroku config:set` command for the same variables. The key
// is read from keyFile when the command runs, so it never enters the shell's
// history.
func Heroku(o Org, keyFile string) string {
	var b strings.Builder
	b.WriteString(o.header("#", "Heroku config for the Salesforce JWT bearer flow"))
	fmt.Fprintf(&b, "# Needs the private key in %s (tnjwt export --format key). %s\n", keyFile, Warning)
	b.WriteString("heroku config:set \\\n")
	for _, kv := range o.settings() {
		fmt.Fprintf(&b, "  %s=%s \\\n", kv[0], shellQuote(kv[1]))
	}
	fmt.Fprintf(&b, "  SF_PRIVATE_KEY=\"$(cat %s)\" \\\n", shellQuote(keyFile))
	b.WriteString(herokuListen)
	b.WriteString("  --app YOUR-HEROKU-APP\n")
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SDK is the snippet that starts the Tableau Next Embedding SDK with a
// frontdoor URL from the app's server, as a JavaScript module.
func SDK(o Org) string {
	var b strings.Builder
	b.WriteString(o.header("//", "Tableau Next Embedding SDK start-up"))
	fmt.Fprintf(&b, "// npm install %s@%s\n", report.SDKPackage, SDKVersion)
	b.WriteString("// authCredential: a fresh frontdoor URL from your server (GET /auth-credential in the\n")
	b.WriteString("// exported Express server). It is single use: fetch a new one for every page load.\n")
	fmt.Fprintf(&b, "import { initializeAnalyticsSdk } from '%s';\n\n", report.SDKPackage)
	b.WriteString("// The org's Lightning URL, not its my.salesforce.com address.\n")
	fmt.Fprintf(&b, "export const orgUrl = %q;\n\n", o.OrgURL)
	b.WriteString("/** @param {string} authCredential */\n")
	b.WriteString("export async function startTableauNext(authCredential) {\n")
	b.WriteString("  await initializeAnalyticsSdk({ authCredential, orgUrl });\n")
	b.WriteString("}\n")
	return b.String()
}

// KeyFile is the private key as a PEM file.
func KeyFile(o Org) File {
	return File{Name: certs.KeyFileName, Data: o.KeyPEM}
}

// Express is the small Node.js server project (servers.go): package.json
// and its lock file, server.js, the page that embeds Tableau Next, its
// .env, .gitignore, Procfile and README.
func Express(o Org) ([]File, error) {
	return Server(FormatExpress, o)
}

func packageJSON(o Org) []byte {
	desc := "Serves the Tableau Next Embedding SDK's auth credential through the Salesforce JWT bearer flow (made by tnjwt)"
	if o.Practice {
		desc += ", for tnjwt's practice org"
	}
	return fmt.Appendf(nil, `{
  "name": "tableau-next-auth-credential",
  "version": "1.0.0",
  "private": true,
  "description": %q,
  "type": "commonjs",
  "main": "server.js",
  "engines": { "node": ">=20.12" },
  "scripts": { "start": "node server.js" },
  "dependencies": {
    "%s": "%s",
    "express": "%s"
  }
}
`, desc, report.SDKPackage, SDKVersion, ExpressVersion)
}

// ExistsError names the files an export would replace; nothing was written.
type ExistsError struct {
	Paths []string
}

func (e *ExistsError) Error() string {
	return "already there, nothing was written: " + strings.Join(e.Paths, ", ")
}

// Is lets callers test for fsutil.ErrExists.
func (e *ExistsError) Is(target error) bool { return target == fsutil.ErrExists }

// Write puts files into dir (made with mode 0700 when missing), each
// atomically with mode 0600. Without replace, an existing file stops the
// export before anything is written.
func Write(dir string, files []File, replace bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot make the folder %s: %w", dir, err)
	}
	var paths, existing []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		paths = append(paths, p)
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot check %s: %w", p, err)
		}
	}
	if len(existing) > 0 && !replace {
		return nil, &ExistsError{Paths: existing}
	}
	for i, f := range files {
		if err := os.MkdirAll(filepath.Dir(paths[i]), 0o700); err != nil {
			return nil, fmt.Errorf("cannot make the folder %s: %w", filepath.Dir(paths[i]), err)
		}
		if err := fsutil.WriteFile(paths[i], f.Data, 0o600, replace); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
