package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/core/secrets"
)

type showOptions struct {
	name string
	json bool
}

func parseShow(args []string, stdout io.Writer) (runner, error) {
	o := &showOptions{}
	fs := newFlagSet("profile show")
	fs.BoolVar(&o.json, "json", false, "print one JSON object")
	name, err := parseWithName(fs, "profile show NAME [--json]\n\n"+
		"Shows a saved profile, and whether its secrets are in the keychain (they are never printed).", args, stdout)
	if err != nil {
		return nil, err
	}
	o.name = name
	return o, nil
}

func (o *showOptions) run(env *Env) error {
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile show: %v", err)
	}
	p, err := store.Get(o.name)
	if err != nil {
		return storeError("profile show", err)
	}
	v := profileViewOf(p, env.now())
	v.Checklist = p.Checklist
	v.Keychain = checkKeychain(env, store.Vault(), p.Name)
	v.Setup = setupViewOf(p)
	if o.json {
		writeJSON(env.Stdout, v)
		return nil
	}
	printProfile(env.Stdout, v, store.Path())
	return nil
}

// checkKeychain reads each secret (checking its checksum) without printing it.
// The consumer and private keys are always listed; the rotation keys only
// when present.
func checkKeychain(env *Env, vault *secrets.Vault, name string) *keychainView {
	kv := &keychainView{Location: secrets.Location(), Items: map[string]string{}}
	for _, purpose := range secrets.Purposes() {
		if kv.Problem != nil {
			kv.Items[string(purpose)] = "unknown"
			continue
		}
		_, err := vault.Get(env.Ctx, name, purpose)
		state := "stored"
		switch {
		case err == nil:
		case secrets.KindOf(err) == secrets.NotFound:
			state = "missing"
		case secrets.KindOf(err) == secrets.Corrupt:
			state = "damaged"
		default:
			msg := err.Error()
			kv.Problem = &msg
			state = "unknown"
		}
		kv.Items[string(purpose)] = state
	}
	for _, optional := range []secrets.Purpose{secrets.PendingPrivateKey, secrets.PreviousPrivateKey} {
		if kv.Items[string(optional)] == "missing" {
			delete(kv.Items, string(optional))
		}
	}
	return kv
}

func printProfile(w io.Writer, v profileView, path string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("Profile", "%s", v.Name)
	row("Login URL", "%s", orDash(v.LoginURL))
	row("Sandbox", "%s", yesNo(v.Sandbox))
	if v.AudienceSet {
		row("Audience", "%s (set for this profile)", v.Audience)
	} else {
		row("Audience", "%s (from the login URL)", orDash(v.Audience))
	}
	row("Username", "%s", orDash(v.Username))
	if c := v.Certificate; c != nil {
		row("Certificate", "%s", c.summary())
		if c.Fingerprint != "" {
			row("", "SHA-256 %s", c.Fingerprint)
		}
	} else {
		row("Certificate", "none recorded (import with --cert-file to track its expiry)")
	}
	if v.Pending != nil {
		row("New key", "pending since %s, not confirmed yet; certificate SHA-256 %s", dateTime(v.Pending.Since), v.Pending.Fingerprint)
	}
	if v.Previous != nil {
		row("Previous key", "kept since %s; certificate SHA-256 %s", dateTime(v.Previous.Since), v.Previous.Fingerprint)
	}
	if k := v.Keychain; k != nil {
		var parts []string
		for _, p := range secrets.Purposes() {
			if st, ok := k.Items[string(p)]; ok {
				parts = append(parts, p.Describe()+" "+st)
			}
		}
		row("Keychain", "%s (%s)", strings.Join(parts, ", "), k.Location)
		if k.Problem != nil {
			row("", "%s", *k.Problem)
		}
	}
	var done []string
	for id, st := range v.Checklist {
		if st.Done {
			done = append(done, id)
		}
	}
	sort.Strings(done)
	if len(done) == 0 {
		row("Checklist", "no steps marked done")
	} else {
		row("Checklist", "%d done: %s", len(done), strings.Join(done, ", "))
	}
	row("Last test", "%s", v.LastTest.summary())
	if e := v.Embedding; e != nil {
		row("Embedding", "origins %s; preview dashboard %s", orDash(strings.Join(e.Origins(), ", ")), orDash(e.PreviewDashboard))
	}
	printSetup(row, v.Setup)
	row("Created", "%s", dateTime(v.Created))
	row("Updated", "%s", dateTime(v.Updated))
	row("Saved in", "%s", path)
	tw.Flush()
}

// printSetup lists the Setup pages the checklist's items are done on, with
// the items each serves.
func printSetup(row func(k, format string, a ...any), v *setupView) {
	if v == nil {
		return
	}
	if v.Host == nil {
		row("Open in Setup", "%s", v.NoneBecause)
		return
	}
	key := "Open in Setup"
	for _, page := range setupPageOrder {
		var ids []string
		for id, p := range salesforce.SetupPages {
			if p == page {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		row(key, "%s: %s%s (%s)", page.Name, *v.Host, page.Path, strings.Join(ids, ", "))
		key = ""
	}
}
