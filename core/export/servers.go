package export

import (
	"bytes"
	"embed"
	"fmt"
	"strings"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/report"
)

// The server formats besides FormatExpress: the same small server in the
// languages the Salesforce guide names.
const (
	FormatFlask   = "flask"
	FormatGo      = "go"
	FormatJava    = "java"
	FormatSinatra = "sinatra"
)

// Pinned versions of what the exported servers use. Python's and Ruby's are
// the ones Debian 12 ships (python3-flask, python3-jwt, python3-requests,
// ruby-sinatra, ruby-jwt, …), so the registry and apt-get both install them.
const (
	JWTGoVersion = "v5.3.1" // github.com/golang-jwt/jwt/v5, as tnjwt itself uses
	FlaskVersion = "2.2.2"
	PyJWTVersion = "2.6.0"
	// RequestsVersion is python3-requests'.
	RequestsVersion = "2.28.1"
	SinatraVersion  = "3.0.5"
	RubyJWTVersion  = "2.5.0"
	PumaVersion     = "5.6.5"
)

// The contract every exported server keeps (README.md of each says so).
const (
	ServerTimeoutSeconds = 10 // each Salesforce request
	ServerBackoffSeconds = 5  // no new login this long after a failed one
	ServerReuseMinutes   = 14 // an access token is reused this long at most
)

// Stack is one language's server: how its README installs and starts it,
// and the files of its project.
type Stack struct {
	Format string
	Name   string   // e.g. "Python 3 + Flask"
	Needs  string   // the runtime, for the README
	Debian string   // the Debian 12 packages that run it
	Setup  []string // shell commands, in the project folder, before Run
	Run    string   // starts it on http://127.0.0.1:3000
	// Procfile is the web: line: the platform's router connects from
	// outside, so it listens on 0.0.0.0 (HOST) and PORT.
	Procfile string
	// Installed is what Setup adds to the folder (kept out of git).
	Installed []string
	Static    string // the page's folder
	Proxy     string // how it reaches Salesforce through an HTTPS proxy
	Route     string // where in the server the app's own login goes
	ignore    []string
	files     func(o Org) ([]File, error)
}

// Stacks lists every server export, in the order help text shows them.
var Stacks = []Stack{{
	Format: FormatExpress, Name: "Node.js + Express", Needs: "Node.js 20.12 or later and npm", Debian: "nodejs npm",
	Setup: []string{"npm ci"}, Run: "node server.js", Procfile: "HOST=0.0.0.0 node server.js",
	Installed: []string{"node_modules"}, Static: "public",
	Proxy: "Node.js's own HTTP client takes no proxy settings: from behind an HTTPS proxy, give it an agent that tunnels " +
		"through the proxy (`agents` in `server.js`)",
	Route:  "`server.js`, in `app.get('/auth-credential', …)`: check your own session before `frontdoor()`",
	ignore: []string{"node_modules/"}, files: expressProject,
}, {
	Format: FormatFlask, Name: "Python 3 + Flask", Needs: "Python 3.11, as Debian 12 has it (the pins are Debian 12's versions)",
	Debian: "python3-flask python3-jwt python3-cryptography python3-requests python3-dotenv gunicorn",
	Setup:  []string{"python3 -m venv .venv && . .venv/bin/activate", "pip install -r requirements.txt"},
	Run:    "python3 app.py", Procfile: "gunicorn --workers 1 --threads 16 --bind 0.0.0.0:$PORT app:app",
	Static: "static", Proxy: "`HTTPS_PROXY` and `NO_PROXY` are honoured (read once per Salesforce host)",
	Route:  "`app.py`, in `auth_credential()`: check your own session (Flask-Login, say) before `credential()`",
	ignore: []string{"__pycache__/", ".venv/"}, files: flaskFiles,
}, {
	Format: FormatGo, Name: "Go (net/http + golang-jwt)", Needs: "Go 1.22 or later", Debian: "golang (1.22 or later)",
	Setup: []string{"go build -o bin/server ."}, Run: "bin/server", Procfile: "HOST=0.0.0.0 bin/server",
	Installed: []string{"bin"}, Static: "static", Proxy: "`HTTPS_PROXY` and `NO_PROXY` are honoured",
	Route:  "`main.go`, in `serveCredential`: check your own session before `s.credential`",
	ignore: []string{"bin/"}, files: goFiles,
}, {
	Format: FormatJava, Name: "Java 17 (the JDK alone)", Needs: "a JDK 17 or later (no build tool, no other JAR)",
	Debian: "openjdk-17-jdk-headless", Run: "java Server.java",
	// IPv4 alone: without the flag Java makes 0.0.0.0 a dual-stack socket (it says [::]).
	Procfile: "HOST=0.0.0.0 java -Djava.net.preferIPv4Stack=true Server.java",
	Static:   "static",
	Proxy:    "Java takes its proxy from `-Dhttps.proxyHost=… -Dhttps.proxyPort=…` (and `-Dhttp.nonProxyHosts=…`), not from `HTTPS_PROXY`",
	Route:    "`Server.java`, in `serveCredential`: check your own session before `credential()`",
	ignore:   []string{"*.class"}, files: javaFiles,
}, {
	Format: FormatSinatra, Name: "Ruby + Sinatra", Needs: "Ruby 3.1 or later and Bundler",
	Debian: "ruby ruby-sinatra ruby-jwt ruby-dotenv puma bundler",
	Setup:  []string{"bundle install"}, Run: "bundle exec ruby app.rb", Procfile: "HOST=0.0.0.0 bundle exec ruby app.rb",
	Static: "public", Proxy: "`https_proxy` and `no_proxy` are honoured (Net::HTTP)",
	Route:  "`app.rb`, in `get '/auth-credential'`: check your own session before `CREDENTIALS.get`",
	ignore: []string{".bundle/", "vendor/"}, files: sinatraFiles,
}}

// StackFor finds a server format.
func StackFor(format string) (Stack, bool) {
	for _, s := range Stacks {
		if s.Format == format {
			return s, true
		}
	}
	return Stack{}, false
}

// ServerFormats are the formats that write a server project.
func ServerFormats() []string {
	out := make([]string, len(Stacks))
	for i, s := range Stacks {
		out[i] = s.Format
	}
	return out
}

//go:embed express/server.js express/package-lock.json flask gosrv/main.go java sinatra
var serverTemplates embed.FS

func template(name string) []byte {
	data, err := serverTemplates.ReadFile(name)
	if err != nil {
		panic("export: " + name + " is not embedded: " + err.Error())
	}
	return data
}

// Server is the whole project of a server format: the server, its
// dependencies pinned, the page, .env, .gitignore, Procfile and README.
func Server(format string, o Org) ([]File, error) {
	s, ok := StackFor(format)
	if !ok {
		return nil, fmt.Errorf("no server in the format %q", format)
	}
	files, err := s.files(o)
	if err != nil {
		return nil, err
	}
	opts := embedding.PageOptions{}
	if format != FormatExpress {
		// npm is not part of these stacks: the SDK comes from the CDN, pinned.
		opts = embedding.PageOptions{SDKURL: embedding.SDKCDN, Integrity: embedding.SDKIntegrity}
	}
	for _, f := range embedding.Page(opts) {
		files = append(files, File{s.Static + "/" + f.Name, f.Data})
	}
	ignore := append([]string{".env", "*.pem"}, s.ignore...)
	return append(files,
		File{EnvFileName, serverEnv(o)},
		File{".gitignore", []byte(strings.Join(ignore, "\n") + "\n")},
		File{"Procfile", []byte("web: " + s.Procfile + "\n")},
		File{"README.md", serverReadme(s, o)},
	), nil
}

// serverEnv is the .env every server reads: each variable with what it
// means. An audience no test confirmed is left empty (the server finds
// it), and so is an org URL tnjwt does not know.
func serverEnv(o Org) []byte {
	var b strings.Builder
	b.WriteString(o.header("#", "Salesforce JWT bearer settings"))
	b.WriteString("# SECRET. " + Warning + "\n")
	b.WriteString("# Read at start-up; a variable already set in the environment wins.\n\n")
	org := o.OrgURL
	if org == report.PlaceholderOrgURL {
		org = ""
	}
	aud := o.Audience
	if o.DiscoverAudience {
		aud = ""
	}
	for _, v := range []struct{ comment, name, value string }{
		{"The org's login URL: the token request goes there (a Salesforce host over https).", "SF_LOGIN_URL", o.LoginURL},
		{"The JWT's aud. Empty: the server finds it (the login URL, then the legacy login host) and logs which.", "SF_AUDIENCE", aud},
		{"The External Client App's consumer key (the JWT's iss).", "SF_CLIENT_ID", o.ClientID},
		{"The JWT user (the JWT's sub): whoever can call /auth-credential is signed in as this user.", "SF_USERNAME", o.Username},
		{"The org's Lightning URL, the SDK's orgUrl. Empty: worked out from the token reply's instance_url.", "SF_ORG_URL", org},
	} {
		fmt.Fprintf(&b, "# %s\n%s=%s\n", v.comment, v.name, v.value)
	}
	b.WriteString("# Where it listens: this computer only unless HOST says otherwise (0.0.0.0 on a platform such as Heroku).\n")
	b.WriteString("# HOST=127.0.0.1\n# PORT=3000\n")
	b.WriteString("# The host names it answers besides localhost and 127.0.0.1 (production), comma-separated.\n")
	b.WriteString("# ALLOWED_HOSTS=app.example.com\n")
	b.WriteString("# The private key that signs the JWT (PEM, its newlines written as \\n). SECRET.\n")
	key := strings.ReplaceAll(strings.TrimRight(string(o.KeyPEM), "\n"), "\n", `\n`)
	fmt.Fprintf(&b, "SF_PRIVATE_KEY=\"%s\\n\"\n", key)
	return []byte(b.String())
}

func serverReadme(s Stack, o Org) []byte {
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("# Tableau Next auth credential for %s (%s)\n\n", o.Profile, s.Name)
	if o.Practice {
		p("**Practice org:** these settings point at tnjwt's built-in practice org, not at Salesforce. "+
			"It holds the dashboard `%s`: open `http://localhost:3000/?dashboard=%s` while tnjwt runs.\n\n", PracticeDashboard, PracticeDashboard)
	}
	p("A small %s server that signs in to Salesforce with the OAuth 2.0 JWT bearer flow and hands the Tableau Next "+
		"Embedding SDK a fresh frontdoor URL, and a page that embeds a dashboard with it. Written by tnjwt.\n\n", s.Name)
	p("## Run it\n\nNeeds %s. On Debian 12: `apt-get install %s`.\n\n```sh\n", s.Needs, s.Debian)
	for _, c := range s.Setup {
		p("%s\n", c)
	}
	p("%s    # listening on http://127.0.0.1:3000\n```\n\n", s.Run)
	if s.Format == FormatFlask {
		p("With Debian 12's packages instead of a virtualenv, skip the first two lines. `python3 app.py` runs Werkzeug's " +
			"server, for development; the `Procfile` runs gunicorn.\n\n")
	}
	p("Then open `http://localhost:3000/?dashboard=API_NAME` (a Tableau Next dashboard's API name). The page says at the "+
		"top which origin it runs on: the org must trust that origin for embedding (Setup → CORS, and Session Settings → "+
		"Trusted Domains for Inline Frames with the iFrame Type Lightning Out) and must not require first-party use of "+
		"Salesforce cookies (My Domain → Routing and Policies). When embedding fails, the page names the setting to change "+
		"instead of staying blank. `%s/` holds the page: `index.html`, `app.mjs` (the SDK calls), `words.mjs` and `embed.css`.\n\n", s.Static)
	if s.Format == FormatExpress {
		p("The SDK (`%s@%s`) is installed by npm and served from `node_modules` at `%s`.\n\n", report.SDKPackage, SDKVersion, embedding.LocalSDK)
	} else {
		p("The page loads the SDK (`%s@%s`) from %s, pinned by its Subresource Integrity hash. To serve it yourself, "+
			"`npm pack %s@%s`, copy `package/%s` to `%s/sdk/sdk-bundle.module.js`, and in `%s/index.html` map the SDK to "+
			"`%s` (and drop the `integrity` entry); the server serves that file when it is there.\n\n",
			report.SDKPackage, SDKVersion, embedding.SDKCDN, report.SDKPackage, SDKVersion, embedding.SDKBundle, s.Static, s.Static, embedding.LocalSDK)
	}
	p("## What it serves\n\n" +
		"- `GET /auth-credential` → 200 `{\"authCredential\": \"<frontdoor URL>\", \"orgUrl\": \"<Lightning URL>\"}` with " +
		"`Cache-Control: no-store`. A frontdoor URL works once and for a short time: the page asks for one per load; " +
		"never cache it, log it or put it in an address.\n" +
		"- When Salesforce refuses or fails: 502 `{\"error\", \"error_description\", \"phase\"}`, with Salesforce's own words " +
		"(`phase` is `token` or `singleaccess`; `error` is Salesforce's code, or one of `timeout`, `connection`, `server`, " +
		"`bad_reply`, `too_large`, `redirect`, `unsafe_host`). Anything else: 500 with a fixed message. Never the key, the " +
		"signed JWT, the access token or the consumer key, in a reply or in the log.\n" +
		"- `/` and the page's files; nothing else.\n\n")
	p("## Settings\n\nFrom the environment, or from `.env` beside the server (a variable already set wins). A missing or " +
		"malformed one stops the server at start with one line naming it.\n\n| variable | meaning |\n|---|---|\n")
	for _, row := range [][2]string{
		{"SF_LOGIN_URL", "the org's login URL: `https://login.salesforce.com`, `https://test.salesforce.com`, the My Domain or an Experience Cloud site. Checked at start as tnjwt checks it: a Salesforce host over https (this computer only for tnjwt's practice org)"},
		{"SF_AUDIENCE", "the JWT's `aud`. Empty: the server tries the login URL, then `https://login.salesforce.com` (or `test` for a sandbox) when Salesforce answers `audience is invalid` or `app_not_found`, logs which one worked and keeps it"},
		{"SF_CLIENT_ID", "the External Client App's consumer key"},
		{"SF_USERNAME", "the JWT user (" + o.Username + ")"},
		{"SF_PRIVATE_KEY", "the private key whose certificate the app holds, PEM (`\\n` for its newlines)"},
		{"SF_ORG_URL", "the Lightning URL the SDK wants as `orgUrl`; empty: worked out from the token reply"},
		{"PORT", "default 3000"},
		{"HOST", "default `127.0.0.1`: this computer only. Set `0.0.0.0` on a platform whose router connects from outside (the `Procfile` does)"},
		{"ALLOWED_HOSTS", "the host names the app is reached by in production (`app.example.com`, comma-separated; `name:port` for one port only), besides `localhost` and `127.0.0.1` on PORT"},
	} {
		p("| `%s` | %s |\n", row[0], row[1])
	}
	p("\n## Protect the route\n\nWhoever can call `/auth-credential` is signed in to Salesforce as %s. Put it behind "+
		"your app's own login: %s. The server already answers only requests addressed to a host it serves (`localhost` or "+
		"`127.0.0.1` on its port, and `ALLOWED_HOSTS`: a web page whose name is made to point at this computer gets "+
		"HTTP 421), and `/auth-credential` only this app's own page (`Sec-Fetch-Site: same-origin`, or an `Origin` naming "+
		"this host: HTTP 403 otherwise); a request with neither header, such as `curl`, only from this computer. By "+
		"default it listens on 127.0.0.1, so nothing else on the network reaches it.\n\n", o.Username, s.Route)
	p("## How it talks to Salesforce\n\n"+
		"- The access token is kept and reused for %d minutes at most: Salesforce's token reply does not say how long the "+
		"session lasts (the org's or the app's session timeout, which can be as short as 15 minutes). A token Salesforce "+
		"refuses sooner (HTTP 401, or `Bad_OAuth_Token`: revoked or expired) is signed for again once, at once.\n"+
		"- Any number of requests that find no token wait for one token request, and share its answer or its failure. "+
		"After a failed login no new one is tried for %d seconds: requests in that window get the same answer.\n"+
		"- Every Salesforce request has a %d-second limit and reads at most 1 MiB; redirects are not followed. The token "+
		"goes only to an `instance_url` on a Salesforce host over https, and the frontdoor URL must be on that host.\n"+
		"- Salesforce's words are cleaned of control characters and of anything it echoed of the signed JWT, the access "+
		"token or the consumer key (whole, URL-encoded or in part) before they reach a reply or the log.\n"+
		"- %s.\n\n",
		ServerReuseMinutes, ServerBackoffSeconds, ServerTimeoutSeconds, s.Proxy)
	p("## Deploy\n\nThe `Procfile` starts it on a platform such as Heroku once `%s` has run: `web: %s`. Set the variables "+
		"in the platform's config instead of shipping `.env` (`tnjwt export --format heroku` prints the command), with "+
		"`HOST=0.0.0.0` (the platform's router connects from outside) and `ALLOWED_HOSTS` set to the app's host name. "+
		"Dependencies are pinned (%s).\n\n", setupOrNothing(s), s.Procfile, lockNote(s))
	switch s.Format {
	case FormatJava:
		p("`-Djava.net.preferIPv4Stack=true`: without it Java makes `0.0.0.0` a socket on IPv6's every address too.\n\n")
	case FormatFlask:
		p("gunicorn runs one worker process with 16 threads: one process keeps one token for all of them (each more worker " +
			"would sign in on its own).\n\n")
	}
	p("## The same server in other languages\n\n`tnjwt export --format express|flask|go|java|sinatra` writes this server " +
		"for Node.js, Python, Go, Java or Ruby; all of them pass the same conformance tests against tnjwt's practice org. " +
		".NET is named by Salesforce's guide too, but tnjwt has no .NET SDK to test one with, so it does not ship one.\n\n")
	p("%s\n", Warning)
	return b.Bytes()
}

func setupOrNothing(s Stack) string {
	if len(s.Setup) == 0 {
		return "nothing (no install step)"
	}
	return s.Setup[len(s.Setup)-1]
}

func lockNote(s Stack) string {
	switch s.Format {
	case FormatExpress:
		return "`package-lock.json`: `npm ci` installs exactly those"
	case FormatFlask:
		return "`requirements.txt`, every package at the version Debian 12 ships; cryptography's own build dependencies are left to pip"
	case FormatGo:
		return "`go.mod` and `go.sum`"
	case FormatJava:
		return "none: the JDK alone"
	}
	return "`Gemfile.lock`"
}

func expressProject(o Org) ([]File, error) {
	return []File{
		{"package.json", packageJSON(o)},
		{"package-lock.json", template("express/package-lock.json")},
		{"server.js", append([]byte(o.header("//", "Auth-credential server")), template("express/server.js")...)},
	}, nil
}

func flaskFiles(o Org) ([]File, error) {
	return []File{
		{"app.py", append([]byte(o.header("#", "Auth-credential server")), template("flask/app.py")...)},
		{"requirements.txt", template("flask/requirements.txt")},
	}, nil
}

func goFiles(o Org) ([]File, error) {
	return []File{
		{"main.go", append([]byte(o.header("//", "Auth-credential server")+"\n"), template("gosrv/main.go")...)},
		{"go.mod", fmt.Appendf(nil, "module tableau-next-auth-credential\n\ngo 1.22\n\nrequire github.com/golang-jwt/jwt/v5 %s\n", JWTGoVersion)},
		{"go.sum", fmt.Appendf(nil, "github.com/golang-jwt/jwt/v5 %s %s\ngithub.com/golang-jwt/jwt/v5 %s/go.mod %s\n",
			JWTGoVersion, jwtGoSum, JWTGoVersion, jwtGoModSum)},
	}, nil
}

// The golang-jwt/jwt/v5 hashes, as in tnjwt's own go.sum (a test checks).
const (
	jwtGoSum    = "h1:kYf81DTWFe7t+1VvL7eS+jKFVWaUnK9cB1qbwn63YCY="
	jwtGoModSum = "h1:fxCRLWMO43lRc8nhHWY6LGqRcf+1gQWArsqaEUEa5bE="
)

func javaFiles(o Org) ([]File, error) {
	return []File{
		{"Server.java", append([]byte(o.header("//", "Auth-credential server")), template("java/Server.java")...)},
	}, nil
}

func sinatraFiles(o Org) ([]File, error) {
	return []File{
		{"app.rb", append([]byte(o.header("#", "Auth-credential server")), template("sinatra/app.rb")...)},
		{"Gemfile", template("sinatra/Gemfile")},
		{"Gemfile.lock", template("sinatra/Gemfile.lock")},
	}, nil
}

// envAudience is SF_AUDIENCE as the exports write it: empty when the
// servers are to find it.
func (o Org) envAudience() string {
	if o.DiscoverAudience {
		return ""
	}
	return o.Audience
}

// herokuListen is what the Heroku config adds for the exported servers:
// the router connects from outside the dyno, by the app's host name.
var herokuListen = [][2]string{{"HOST", "0.0.0.0"}, {"ALLOWED_HOSTS", HerokuApp + ".herokuapp.com"}}
