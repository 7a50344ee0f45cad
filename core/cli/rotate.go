package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/rotation"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// The renewal and rotation commands. core/rotation does the work and keeps
// the working key safe through any interruption; these parse, write the
// certificate file and say what to do next.

const (
	renewSynopsis = "profile renew NAME --out DIR [--days N]\n\n" +
		"Issues a new certificate over the profile's key (the key never leaves the keychain and does not change), writes it as " +
		certs.CertFileName + " in DIR and makes it the profile's certificate. Upload it to the External Client App: the app's " +
		"servers keep working before, during and after the upload."
	rotateSynopsis = "profile rotate NAME --out DIR [--days N] [--bits N]\n\n" +
		"Makes a new key pair, writes its certificate as " + certs.CertFileName + " in DIR and stages the new key as pending " +
		"beside the current one, which stays in use. Upload the certificate, then run tnjwt test --profile NAME --wait 10m: " +
		"the test uses the new key and, once it passes, makes it current and keeps the old one as previous."
	rollbackSynopsis = "profile rollback NAME --out DIR\n\n" +
		"Makes the previous key current again (the key it replaces becomes previous) and writes its certificate as " +
		certs.CertFileName + " in DIR. Upload that certificate again: the External Client App holds only one."
	discardSynopsis = "profile discard-previous NAME\n\nRemoves the previous key and its certificate from the keychain and the profile."
	abandonSynopsis = "profile abandon NAME\n\nDrops a rotation in progress: the new (pending) key goes; the current key was never changed."
)

func newManager(store *profiles.Store, env *Env) *rotation.Manager {
	return &rotation.Manager{Profiles: store, Keys: store.Vault(), Now: env.Now}
}

// rotationError words an error of `profile VERB`: a state that does not
// allow the command, or a profile that does not exist, is bad input; the
// keychain or disk failing is a local failure.
func rotationError(verb string, err error) error {
	var se *rotation.StateError
	var ie *certs.InputError
	if errors.As(err, &se) || errors.As(err, &ie) {
		return usageErrorf("profile %s: %v", verb, err)
	}
	return storeError("profile "+verb, err)
}

type newCertFlags struct {
	out        string
	days, bits int
}

func (f *newCertFlags) register(fs *flag.FlagSet, bits bool) {
	fs.StringVar(&f.out, "out", "", "folder to write the new "+certs.CertFileName+" into (made with mode 0700 when missing; an existing file is never replaced)")
	fs.IntVar(&f.days, "days", certs.DefaultDays, "validity of the new certificate in days")
	if bits {
		fs.IntVar(&f.bits, "bits", 0, "size of the new RSA key: 2048, 3072 or 4096 (default: the current key's size)")
	}
}

// target is where the certificate goes; it is refused before anything
// changes when it exists already, or the folder is a file or one that
// another user can change. A missing folder is made when the certificate
// is written (saveTo), as keygen and export make theirs.
func (f *newCertFlags) target() (string, error) {
	if strings.TrimSpace(f.out) == "" {
		return "", errors.New("missing --out DIR (the folder to write " + certs.CertFileName + " into)")
	}
	if fi, err := os.Stat(f.out); err == nil && !fi.IsDir() {
		return "", fmt.Errorf("--out %s is a file, not a folder", f.out)
	}
	if err := fsutil.CheckFolder(f.out); err != nil {
		return "", err
	}
	path := filepath.Join(f.out, certs.CertFileName)
	if _, err := os.Lstat(path); err == nil {
		return "", fmt.Errorf("%s already exists: choose another --out folder, or move that file away first", path)
	}
	if err := certs.CheckDays(f.days); err != nil {
		return "", fmt.Errorf("--days: %v", err)
	}
	if f.bits != 0 {
		if err := certs.CheckBits(f.bits); err != nil {
			return "", fmt.Errorf("--bits: %v", err)
		}
	}
	return path, nil
}

func saveTo(path string) rotation.Save {
	return func(pem []byte) error { return writeNewCert(path, pem) }
}

// writeNewCert makes the --out folder (mode 0700) when it is missing and
// writes the certificate there, never over a file.
func writeNewCert(path string, pem []byte) error {
	if err := fsutil.MakeFolder(filepath.Dir(path), false); err != nil {
		return err
	}
	return certs.WriteCertificate(path, pem, false)
}

// renewOptions: the profile, and where its new certificate goes.
type renewOptions struct {
	name string
	newCertFlags
}

func parseRenew(args []string, stdout io.Writer) (runner, error) {
	o := &renewOptions{}
	fs := newFlagSet("profile renew")
	o.register(fs, false)
	name, err := parseWithName(fs, renewSynopsis, args, stdout)
	if err != nil {
		return nil, err
	}
	o.name = name
	return o, nil
}

func (o *renewOptions) run(env *Env) error {
	path, err := o.target()
	if err != nil {
		return usageErrorf("profile renew: %v", err)
	}
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile renew: %v", err)
	}
	kc, err := newManager(store, env).Renew(env.Ctx, o.name, o.days, saveTo(path))
	if err != nil {
		return rotationError("renew", err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "Renewed the certificate of %s: same key, new certificate.\n", o.name)
	printNewCert(w, path, kc, env)
	fmt.Fprintf(w, "\nNext:\n  1. Upload %s to the External Client App (Settings → OAuth Settings → Flow Enablement → JWT Bearer Flow → Upload Files).\n"+
		"     Servers keep working before, during and after the upload: the key did not change.\n"+
		"  2. Check: tnjwt test --profile %s\n", path, shellWord(o.name))
	return nil
}

// rotateOptions: as renewOptions, and the new key's --bits.
type rotateOptions struct {
	name string
	newCertFlags
}

func parseRotate(args []string, stdout io.Writer) (runner, error) {
	o := &rotateOptions{}
	fs := newFlagSet("profile rotate")
	o.register(fs, true)
	name, err := parseWithName(fs, rotateSynopsis, args, stdout)
	if err != nil {
		return nil, err
	}
	o.name = name
	return o, nil
}

func (o *rotateOptions) run(env *Env) error {
	path, err := o.target()
	if err != nil {
		return usageErrorf("profile rotate: %v", err)
	}
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile rotate: %v", err)
	}
	kc, err := newManager(store, env).Rotate(env.Ctx, o.name, o.days, o.bits, saveTo(path))
	if err != nil {
		if _, statErr := os.Stat(path); statErr == nil && !errors.Is(err, os.ErrExist) {
			_ = os.Remove(path) // the certificate of a key that was not staged
		}
		return rotationError("rotate", err)
	}
	w := env.Stdout
	fmt.Fprintf(w, "Staged a new key for %s as pending, beside the current key, which stays in use.\n", o.name)
	printNewCert(w, path, kc, env)
	sh := shellWord(o.name)
	fmt.Fprintf(w, "\n%s\n\nNext:\n"+
		"  1. Upload %s to the External Client App.\n"+
		"  2. Give the app's servers the new key: tnjwt export --profile %s --pending --format env --out DIR\n"+
		"  3. Test the new key: tnjwt test --profile %s --wait 10m\n"+
		"     When it passes, the new key becomes current and the old one is kept as previous.\n"+
		"  Changed your mind before uploading? tnjwt profile abandon %s\n", rotation.RotateExplained, path, sh, sh, sh)
	return nil
}

func printNewCert(w io.Writer, path string, kc profiles.KeyCert, env *Env) {
	fmt.Fprintf(w, "Certificate:  %s\n", path)
	fmt.Fprintf(w, "SHA-256:      %s\n", kc.Fingerprint)
	fmt.Fprintf(w, "Expires:      %s (%d days)\n", kc.NotAfter.UTC().Format("2006-01-02"), certs.DaysLeft(kc.NotAfter, env.now()))
}

// keyChangeOptions are those of discard-previous and abandon: a name, no
// flags, one Manager call.
type keyChangeOptions struct {
	verb, name string
}

func parseKeyChange(verb, synopsis string, args []string, stdout io.Writer) (runner, error) {
	fs := newFlagSet("profile " + verb)
	name, err := parseWithName(fs, synopsis, args, stdout)
	if err != nil {
		return nil, err
	}
	return &keyChangeOptions{verb: verb, name: name}, nil
}

func (o *keyChangeOptions) run(env *Env) error {
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile %s: %v", o.verb, err)
	}
	m := newManager(store, env)
	var before profiles.Profile
	if p, err := store.Get(o.name); err == nil {
		before = p
	}
	switch o.verb {
	case "discard-previous":
		err = m.DiscardPrevious(env.Ctx, o.name)
	case "abandon":
		err = m.Abandon(env.Ctx, o.name)
	}
	if err != nil {
		return rotationError(o.verb, err)
	}
	fmt.Fprintln(env.Stdout, keyChangeDone(o.verb, before))
	return nil
}

func keyChangeDone(verb string, p profiles.Profile) string {
	switch verb {
	case "discard-previous":
		return fmt.Sprintf("Removed the previous key of %s from the %s.", p.Name, secrets.Location())
	}
	return p.Name + ": " + rotation.Abandoned
}

type rollbackOptions struct {
	name, out string
}

func parseRollback(args []string, stdout io.Writer) (runner, error) {
	o := &rollbackOptions{}
	fs := newFlagSet("profile rollback")
	fs.StringVar(&o.out, "out", "", "folder to write the previous "+certs.CertFileName+" into, for its upload (made with mode 0700 when missing)")
	name, err := parseWithName(fs, rollbackSynopsis, args, stdout)
	if err != nil {
		return nil, err
	}
	o.name = name
	return o, nil
}

func (o *rollbackOptions) run(env *Env) error {
	// No certificate is made: newCertFlags only checks the folder.
	path, err := (&newCertFlags{out: o.out, days: certs.DefaultDays}).target()
	if err != nil {
		return usageErrorf("profile rollback: %v", err)
	}
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile rollback: %v", err)
	}
	if err := newManager(store, env).Rollback(env.Ctx, o.name); err != nil {
		return rotationError("rollback", err)
	}
	p, err := store.Get(o.name)
	if err != nil {
		return failuref("profile rollback: %v", err)
	}
	sh := shellWord(p.Name)
	fmt.Fprintf(env.Stdout, "%s: %s\n", p.Name, rotation.RolledBack)
	if err := writeNewCert(path, []byte(p.CertificatePEM)); err != nil {
		return failuref("profile rollback: the key is rolled back, but its certificate could not be written: %v", err)
	}
	printNewCert(env.Stdout, path, profiles.KeyCert{Fingerprint: p.Fingerprint, NotAfter: p.CertNotAfter}, env)
	fmt.Fprintf(env.Stdout, "\nNext: the External Client App holds only one certificate: upload %s again,\n"+
		"then check: tnjwt test --profile %s --wait 10m\n", path, sh)
	return nil
}
