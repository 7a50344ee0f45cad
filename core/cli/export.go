package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
)

const exportSynopsis = "export --profile NAME --format env|heroku|express|flask|go|java|sinatra|sdk|key|sfdx [--out DIR] [--force] [--pending] [--app-name NAME]"

const exportHelp = `Writes what the app's servers need, with the consumer key and private key
from the keychain. Every export is made only when asked for; keep it out of
source control. Files are written with ` + fsutil.PrivateFileWords + ` (sfdx: readable
by everyone but the one that holds the consumer key) and never replace a file
unless --force is given, nor go into a folder that another user can change
(theirs, writable by a group or everyone, /tmp itself, a symbolic link).

  env      DIR/.env for Node.js (SF_LOGIN_URL, SF_AUDIENCE, SF_CLIENT_ID,
           SF_USERNAME, SF_ORG_URL, SF_PRIVATE_KEY)
  heroku   with --out DIR: DIR/heroku-config-vars.json, the body of a Heroku
           Platform API request, and the curl command that sends it, which
           puts no secret on a command line (recommended). Without --out:
           prints the 'heroku config:set' command, which reads the key from
           sf_private_key.pem (--format key) but, while it runs, shows the
           consumer key and the private key to every user of this computer
           (ps) and to command-line auditing
  express  a small Node.js + Express server in DIR that serves
           GET /auth-credential -> { authCredential, orgUrl } and a page
           that embeds a dashboard with it, with its .env, README, Procfile
  flask    the same server in Python (Flask, PyJWT, requests)
  go       the same server in Go (net/http, golang-jwt)
  java     the same server in Java 17 (the JDK alone: java Server.java)
  sinatra  the same server in Ruby (Sinatra, ruby-jwt)
  sdk      prints the Tableau Next Embedding SDK snippet (a JavaScript module)
  key      DIR/sf_private_key.pem
  sfdx     a Salesforce DX project in DIR: the External Client App (JWT
           bearer flow, the profile's certificate, a consumer key tnjwt
           makes and stores in the keychain), its policies and the
           permission set, for 'sf project deploy start'. Files are 0644
           but the one holding the consumer key (0600); no private key.
`

type exportOptions struct {
	profile, format, out string
	force, pending       bool
	appName              string // sfdx: the External Client App's API name
}

func parseExport(args []string, stdout io.Writer) (runner, error) {
	o := &exportOptions{}
	fs := newFlagSet("export")
	fs.StringVar(&o.profile, "profile", "", "saved org profile to export (secrets come from the OS keychain)")
	fs.StringVar(&o.format, "format", "", "what to export: "+strings.Join(export.Formats, ", "))
	fs.StringVar(&o.out, "out", "", "folder to write into (env, heroku, a server, key, sfdx); made with "+fsutil.FolderWords+" when missing")
	fs.BoolVar(&o.force, "force", false, "replace files that are already there, and write into a folder other users can change")
	fs.BoolVar(&o.pending, "pending", false, "export the new key of a rotation in progress (tnjwt profile rotate) instead of the current one")
	fs.StringVar(&o.appName, "app-name", "", "sfdx: the External Client App's API name (default TableauNext_ and the profile name)")
	if wantsHelp(args) {
		fmt.Fprint(stdout, exportHelp+"\n")
	}
	if err := parseFlags(fs, exportSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *exportOptions) run(env *Env) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.format == export.FormatSFDX {
		return o.runSFDX(env)
	}
	get := func(env *Env, name string) (export.Org, error) { return exportTarget(env, name, o.pending) }
	if o.format == export.FormatSDK {
		get = exportSettings // the snippet holds no secret: the keychain is not asked
	}
	org, err := get(env, o.profile)
	if err != nil {
		return err
	}
	return o.write(env, org)
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			return true
		}
	}
	return false
}

// check refuses bad flags before the keychain is read.
func (o *exportOptions) check() error {
	if strings.TrimSpace(o.profile) == "" {
		return usageErrorf("export: missing --profile NAME (see tnjwt profile list)")
	}
	if o.appName != "" && o.format != export.FormatSFDX {
		return usageErrorf("export: --app-name is for --format sfdx")
	}
	switch o.format {
	case export.FormatEnv, export.FormatKey, export.FormatSFDX, export.FormatExpress, export.FormatFlask, export.FormatGo, export.FormatJava, export.FormatSinatra:
		if strings.TrimSpace(o.out) == "" {
			return usageErrorf("export: --format %s writes files: add --out DIR", o.format)
		}
	case export.FormatHeroku:
		if o.force && strings.TrimSpace(o.out) == "" {
			return usageErrorf("export: --force replaces files: with --format heroku it needs --out DIR")
		}
	case export.FormatSDK:
		if o.out != "" || o.force {
			return usageErrorf("export: --format %s prints to standard output; leave out --out and --force", o.format)
		}
	case "":
		return usageErrorf("export: missing --format (%s)", strings.Join(export.Formats, ", "))
	default:
		return usageErrorf("export: unknown --format %q (use one of: %s)", o.format, strings.Join(export.Formats, ", "))
	}
	return nil
}

// exportTarget reads the profile and its secrets.
func exportTarget(env *Env, name string, pending bool) (export.Org, error) {
	t, err := openTarget(env, name, pending)
	if err == nil && pending && !t.Pending {
		return export.Org{}, usageErrorf("export: profile %q has no rotation in progress: leave out --pending", name)
	}
	if err == nil && !pending && t.Profile.Pending != nil {
		fmt.Fprintf(env.Stderr, "tnjwt: %s has a rotation in progress: this exports the current key; add --pending for the new one\n", name)
	}
	if err != nil {
		return export.Org{}, targetError("export", name, err)
	}
	org, err := export.FromProfile(*t.Profile, t.ClientID, t.KeyPEM, env.now())
	if err != nil {
		return export.Org{}, usageErrorf("export: profile %q can't be exported: %v", name, err)
	}
	return org, nil
}

// exportSettings reads the profile alone.
func exportSettings(env *Env, name string) (export.Org, error) {
	store, err := openProfiles(env)
	if err != nil {
		return export.Org{}, usageErrorf("export: %v", err)
	}
	p, err := store.Get(name)
	if err != nil {
		return export.Org{}, usageErrorf("export: profile %q: %v", name, err)
	}
	org, err := export.Settings(p, env.now())
	if err != nil {
		return export.Org{}, usageErrorf("export: profile %q can't be exported: %v", name, err)
	}
	return org, nil
}

func (o *exportOptions) write(env *Env, org export.Org) error {
	var files []export.File
	switch o.format {
	case export.FormatHeroku:
		if o.out == "" {
			fmt.Fprintf(env.Stderr, "tnjwt: warning: %s\n", herokuArgvWarning)
			fmt.Fprint(env.Stdout, export.Heroku(org, certs.KeyFileName))
			return nil
		}
		files = []export.File{export.HerokuFile(org)}
	case export.FormatSDK:
		fmt.Fprint(env.Stdout, export.SDK(org))
		return nil
	case export.FormatEnv:
		files = []export.File{{Name: export.EnvFileName, Data: export.Env(org)}}
	case export.FormatKey:
		files = []export.File{export.KeyFile(org)}
	default: // a server
		var err error
		if files, err = export.Server(o.format, org); err != nil {
			return fmt.Errorf("export: %v", err)
		}
	}
	paths, err := export.WriteAllowing(o.out, files, fsutil.Allow{Replace: o.force, SharedFolder: o.force})
	if errors.Is(err, fsutil.ErrExists) {
		return usageErrorf("export: %v (add --force to replace)", err)
	}
	if err != nil {
		return folderError("export", err)
	}
	for _, p := range paths {
		fmt.Fprintf(env.Stdout, "wrote %s\n", p)
	}
	if o.format == export.FormatHeroku {
		body := paths[0]
		if abs, err := filepath.Abs(body); err == nil {
			body = abs // the commands should work from any folder
		}
		fmt.Fprintf(env.Stdout, "\n%s", export.HerokuAPI(org, body)) // it says export.Warning
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s\n", export.Warning)
	if st, ok := export.StackFor(o.format); ok {
		fmt.Fprintf(env.Stdout, "Run it: cd %s && %s\n", o.out, strings.Join(append(st.Setup, st.Run), " && "))
	}
	return nil
}

// herokuArgvWarning is the one line `export --format heroku` without --out
// says on stderr.
const herokuArgvWarning = "heroku config:set shows the consumer key and the private key on its command line while it " +
	"runs, to every user of this computer (ps) and to command-line auditing: tnjwt export --format heroku --out DIR " +
	"writes them to a file for Heroku's Platform API instead"
