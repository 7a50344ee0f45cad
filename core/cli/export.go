package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
)

const exportSynopsis = "export --profile NAME --format env|heroku|express|flask|go|java|sinatra|sdk|key [--out DIR] [--force] [--pending]"

const exportHelp = `Writes what the app's servers need, with the consumer key and private key
from the keychain. Every export is made only when asked for; keep it out of
source control. Files are written with mode 0600 and never replace a file
unless --force is given.

  env      DIR/.env for Node.js (SF_LOGIN_URL, SF_AUDIENCE, SF_CLIENT_ID,
           SF_USERNAME, SF_ORG_URL, SF_PRIVATE_KEY)
  heroku   prints the 'heroku config:set' command; it reads the key from a
           file when run (write it with --format key)
  express  a small Node.js + Express server in DIR that serves
           GET /auth-credential -> { authCredential, orgUrl } and a page
           that embeds a dashboard with it, with its .env, README, Procfile
  flask    the same server in Python (Flask, PyJWT, requests)
  go       the same server in Go (net/http, golang-jwt)
  java     the same server in Java 17 (the JDK alone: java Server.java)
  sinatra  the same server in Ruby (Sinatra, ruby-jwt)
  sdk      prints the Tableau Next Embedding SDK snippet (a JavaScript module)
  key      DIR/sf_private_key.pem
`

type exportOptions struct {
	profile, format, out string
	force, pending       bool
}

func parseExport(args []string, stdout io.Writer) (runner, error) {
	o := &exportOptions{}
	fs := newFlagSet("export")
	fs.StringVar(&o.profile, "profile", "", "saved org profile to export (secrets come from the OS keychain)")
	fs.StringVar(&o.format, "format", "", "what to export: "+strings.Join(export.Formats, ", "))
	fs.StringVar(&o.out, "out", "", "folder to write into (env, a server, key); made with mode 0700 when missing")
	fs.BoolVar(&o.force, "force", false, "replace files that are already there")
	fs.BoolVar(&o.pending, "pending", false, "export the new key of a rotation in progress (tnjwt profile rotate) instead of the current one")
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
	switch o.format {
	case export.FormatEnv, export.FormatKey, export.FormatExpress, export.FormatFlask, export.FormatGo, export.FormatJava, export.FormatSinatra:
		if strings.TrimSpace(o.out) == "" {
			return usageErrorf("export: --format %s writes files: add --out DIR", o.format)
		}
	case export.FormatHeroku, export.FormatSDK:
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
		fmt.Fprint(env.Stdout, export.Heroku(org, "sf_private_key.pem"))
		return nil
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
	paths, err := export.Write(o.out, files, o.force)
	if errors.Is(err, fsutil.ErrExists) {
		return usageErrorf("export: %v (add --force to replace)", err)
	}
	if err != nil {
		return fmt.Errorf("export: %v", err)
	}
	for _, p := range paths {
		fmt.Fprintf(env.Stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(env.Stdout, "%s\n", export.Warning)
	if st, ok := export.StackFor(o.format); ok {
		fmt.Fprintf(env.Stdout, "Run it: cd %s && %s\n", o.out, strings.Join(append(st.Setup, st.Run), " && "))
	}
	return nil
}
