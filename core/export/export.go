// Package export writes what an app's servers need to run the JWT bearer
// flow on their own: a .env for Node.js, the Heroku config (a Platform API
// body, or the config:set command), a small Express server that serves the
// Tableau Next SDK's auth credential, the SDK snippet, and the private key
// file. The GUI's Done screen and `tnjwt export` both build them here.
package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
var Formats = []string{FormatEnv, FormatHeroku, FormatExpress, FormatFlask, FormatGo, FormatJava, FormatSinatra, FormatSDK, FormatKey, FormatSFDX}

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

// HerokuConfigFileName is the file that holds the Heroku config vars as the
// body of a Platform API request.
const HerokuConfigFileName = "heroku-config-vars.json"

// HerokuApp stands for the Heroku app's name in the commands.
const HerokuApp = "YOUR-HEROKU-APP"

// herokuArgvWarning says what the `heroku config:set` way exposes.
const herokuArgvWarning = "heroku config:set takes the values as arguments, so while it runs the consumer key and " +
	"the private key are on its command line: any user of this computer can read them in the process list " +
	"(ps, /proc/PID/cmdline), and command-line auditing (auditd, an EDR agent) records them"

// HerokuWarning is said wherever the `heroku config:set` command is
// shown, with the way that exposes nothing.
const HerokuWarning = "Warning: " + herokuArgvWarning + ". Safer: tnjwt export --format heroku --out DIR writes them " +
	"to a file for Heroku's Platform API (curl reads the file, so no secret is on a command line), or paste them " +
	"into the Heroku Dashboard (your app → Settings → Config Vars)."

// HerokuConfigVars is the body of the Heroku Platform API's config-vars
// update (PATCH /apps/APP/config-vars): a JSON object of the same
// variables as the .env, the private key with its real line breaks.
func HerokuConfigVars(o Org) []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	vars := append(o.settings(), [2]string{"SF_PRIVATE_KEY", string(o.KeyPEM)})
	vars = append(vars, herokuListen...)
	for i, kv := range vars {
		value, _ := json.Marshal(kv[1]) // a string always encodes
		fmt.Fprintf(&b, "  %q: %s", kv[0], value)
		if i < len(vars)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// HerokuFile is HerokuConfigVars as the file an export writes.
func HerokuFile(o Org) File {
	return File{Name: HerokuConfigFileName, Data: HerokuConfigVars(o)}
}

// HerokuAPI is how to set the config vars from bodyFile (HerokuFile,
// written): curl sends it to the Heroku Platform API, reading the body
// from the file and the API token from ~/.netrc (where `heroku login`
// keeps it), so no secret is on a command line. --data-binary keeps the
// file as it is (--data would drop its line breaks). The Dashboard is the
// other way.
func HerokuAPI(o Org, bodyFile string) string {
	var b strings.Builder
	b.WriteString(o.header("#", "Heroku config for the Salesforce JWT bearer flow"))
	fmt.Fprintf(&b, "# %s holds SF_LOGIN_URL, SF_AUDIENCE, SF_CLIENT_ID, SF_USERNAME, SF_ORG_URL and SF_PRIVATE_KEY. %s\n",
		bodyFile, Warning)
	fmt.Fprintf(&b, "# It also sets HOST=0.0.0.0 (Heroku's router connects from outside) and ALLOWED_HOSTS=%s.herokuapp.com\n", HerokuApp)
	b.WriteString("# (the server answers only the host names it knows): put the app's real host name there.\n")
	b.WriteString("# Send it to the Heroku Platform API (curl -n reads the token that heroku login keeps in ~/.netrc;\n")
	b.WriteString("# no secret is on a command line). Replace " + HerokuApp + " with the app's name:\n")
	fmt.Fprintf(&b, "curl -n -X PATCH https://api.heroku.com/apps/%s/config-vars \\\n", HerokuApp)
	b.WriteString("  -H 'Accept: application/vnd.heroku+json; version=3' \\\n")
	b.WriteString("  -H 'Content-Type: application/json' \\\n")
	fmt.Fprintf(&b, "  --data-binary @%s\n", shellQuote(bodyFile))
	b.WriteString("# Then delete the file, which holds the private key:\n")
	fmt.Fprintf(&b, "rm %s\n", shellQuote(bodyFile))
	b.WriteString("# Or, without curl: Heroku Dashboard → your app → Settings → Config Vars → Reveal Config Vars,\n")
	b.WriteString("# and add each variable with its value from the file.\n")
	return b.String()
}

// Heroku is the `heroku config:set` command for the same variables. The key
// is read from keyFile when the command runs, so it never enters the shell's
// history; but config:set takes it as an argument, so the command starts
// with HerokuWarning: HerokuAPI is the way that puts no secret on a command
// line.
func Heroku(o Org, keyFile string) string {
	var b strings.Builder
	b.WriteString(o.header("#", "Heroku config for the Salesforce JWT bearer flow"))
	for _, line := range wrapWords(HerokuWarning, 100) {
		b.WriteString("# " + line + "\n")
	}
	fmt.Fprintf(&b, "# Needs the private key in %s (tnjwt export --format key). %s\n", keyFile, Warning)
	b.WriteString("heroku config:set \\\n")
	for _, kv := range o.settings() {
		fmt.Fprintf(&b, "  %s=%s \\\n", kv[0], shellQuote(kv[1]))
	}
	fmt.Fprintf(&b, "  SF_PRIVATE_KEY=\"$(cat %s)\" \\\n", shellQuote(keyFile))
	for _, kv := range herokuListen {
		fmt.Fprintf(&b, "  %s=%s \\\n", kv[0], shellQuote(kv[1]))
	}
	b.WriteString("  --app " + HerokuApp + "\n")
	return b.String()
}

// wrapWords breaks text into lines of at most width bytes, between words.
func wrapWords(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
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
// export before anything is written. So does a dir, or a subfolder the
// export makes (public/), that another user could change (an error
// wrapping fsutil.ErrSharedFolder, see fsutil.CheckFolder), whatever
// replace says: whoever could swap server.js there would run it with the
// key. WriteAllowing can allow it.
func Write(dir string, files []File, replace bool) ([]string, error) {
	return WriteAllowing(dir, files, fsutil.Allow{Replace: replace})
}

// WriteAllowing is Write with each override asked for apart.
func WriteAllowing(dir string, files []File, allow fsutil.Allow) ([]string, error) {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, filepath.FromSlash(f.Name))
	}
	folders := foldersOf(dir, paths)
	if !allow.SharedFolder {
		for _, d := range folders {
			if err := fsutil.CheckFolder(d); err != nil {
				return nil, err
			}
		}
	}
	if err := refuseExisting(paths, allow.Replace); err != nil {
		return nil, err
	}
	for _, d := range folders {
		if err := fsutil.MakeFolder(d, allow.SharedFolder); err != nil {
			return nil, err
		}
	}
	for i, f := range files {
		if err := fsutil.WriteFile(paths[i], f.Data, 0o600, allow.Replace); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// foldersOf is dir and every folder below it that paths are in, each once,
// parents first.
func foldersOf(dir string, paths []string) []string {
	folders := []string{dir}
	for _, p := range paths {
		if d := filepath.Dir(p); !slices.Contains(folders, d) {
			folders = append(folders, d)
		}
	}
	slices.SortStableFunc(folders, func(a, b string) int { return len(a) - len(b) })
	return folders
}

// refuseExisting stops an export, unless replace, at the files already there.
func refuseExisting(paths []string, replace bool) error {
	var existing []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot check %s: %w", p, err)
		}
	}
	if len(existing) > 0 && !replace {
		return &ExistsError{Paths: existing}
	}
	return nil
}
