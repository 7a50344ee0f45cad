package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
)

const keygenSynopsis = "keygen --out DIR [--cn NAME] [--days N] [--bits 2048|3072|4096] [--force]\n\n" +
	"Writes DIR/" + certs.CertFileName + " (the certificate to upload to the External Client App, " + fsutil.PublicFileWords + ")\n" +
	"and DIR/" + certs.KeyFileName + " (the private key, PKCS#8, " + fsutil.PrivateFileWords + "). DIR is created (" + fsutil.FolderWords + ")\n" +
	"when missing. Existing files are kept unless --force is given. A folder that another user can change\n" +
	"(theirs, writable by a group or everyone, /tmp itself) or a symbolic link is refused unless --force is given."

// keygenForceHint follows a refusal to overwrite: the core packages name no
// flag, so the command says how to replace.
const keygenForceHint = " (use --force to replace, once the old key is no longer in use)"

// sharedFolderHint follows the refusal of a folder another user can change.
const sharedFolderHint = "; to write there anyway, add --force"

type keygenOptions struct {
	out, cn    string
	days, bits int
	force      bool
}

func parseKeygen(args []string, stdout io.Writer) (runner, error) {
	o := &keygenOptions{}
	fs := newFlagSet("keygen")
	fs.StringVar(&o.out, "out", "", "folder for the two files (required; created with "+fsutil.FolderWords+" if missing)")
	fs.StringVar(&o.cn, "cn", certs.DefaultCN, "certificate subject common name (CN)")
	fs.IntVar(&o.days, "days", certs.DefaultDays, fmt.Sprintf("days the certificate stays valid (%d-%d)", certs.MinDays, certs.MaxDays))
	fs.IntVar(&o.bits, "bits", certs.DefaultBits, "RSA key size: 2048, 3072 or 4096")
	fs.BoolVar(&o.force, "force", false, "replace existing "+certs.CertFileName+" and "+certs.KeyFileName+", and write into a folder other users can change")
	if err := parseFlags(fs, keygenSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

// run implements `tnjwt keygen`. Every check runs before the key is
// generated, so bad input never costs a slow 4096-bit key or writes anything.
func (o *keygenOptions) run(env *Env) error {
	if strings.TrimSpace(o.out) == "" {
		return usageErrorf("keygen: --out DIR is required: the folder to write %s and %s into", certs.CertFileName, certs.KeyFileName)
	}
	for _, err := range []error{certs.CheckCN(o.cn), certs.CheckDays(o.days), certs.CheckBits(o.bits)} {
		if err != nil {
			return usageErrorf("keygen: %v", err)
		}
	}
	dir := filepath.Clean(o.out)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // printed paths should work from anywhere
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usageErrorf("keygen: --out %s is a file, not a folder", dir)
	}
	if !o.force {
		if err := fsutil.CheckFolder(dir); err != nil {
			return folderError("keygen", err)
		}
		if err := certs.RefuseExisting(dir); err != nil {
			return usageErrorf("keygen: %v%s", err, keygenForceHint)
		}
	}
	if err := fsutil.MakeFolder(dir, o.force); err != nil {
		return folderError("keygen", err)
	}
	// Whole seconds, as in the certificate, so a new 365-day certificate
	// shows 365 days left rather than 364.
	now := env.now().Truncate(time.Second)
	b, err := certs.Generate(certs.Options{CN: o.cn, Days: o.days, Bits: o.bits, Now: now})
	if err != nil {
		var ie *certs.InputError
		if errors.As(err, &ie) {
			return usageErrorf("keygen: %v", err)
		}
		return fmt.Errorf("keygen: %v", err)
	}
	certPath, keyPath, err := certs.WriteFiles(dir, b, o.force)
	if errors.Is(err, fsutil.ErrExists) { // appeared while the key was made
		return usageErrorf("keygen: %v%s", err, keygenForceHint)
	}
	if err != nil {
		return folderError("keygen", err)
	}
	printKeygenResult(env, certPath, keyPath, certs.Describe(b.Cert, now))
	return nil
}

// folderError words a failure to use the --out folder: one another user
// can change is bad input, with the way to write there anyway; anything
// else is a local failure.
func folderError(cmd string, err error) error {
	if errors.Is(err, fsutil.ErrSharedFolder) {
		return usageErrorf("%s: %v%s", cmd, err, sharedFolderHint)
	}
	return fmt.Errorf("%s: %v", cmd, err)
}

func printKeygenResult(env *Env, certPath, keyPath string, info certs.Info) {
	w := env.Stdout
	fmt.Fprintf(w, "Certificate:         %s (%s)\n", certPath, fsutil.AccessWords(certs.CertFileMode))
	fmt.Fprintf(w, "Private key:         %s (%s)\n", keyPath, fsutil.AccessWords(certs.KeyFileMode))
	fmt.Fprintf(w, "Subject:             %s\n", info.Subject)
	fmt.Fprintf(w, "Key size:            RSA %d bits\n", info.KeyBits)
	fmt.Fprintf(w, "SHA-256 fingerprint: %s\n", info.Fingerprint)
	fmt.Fprintf(w, "Expires:             %s (in %d days)\n", info.NotAfter.UTC().Format("2006-01-02 15:04:05 MST"), info.DaysLeft)
	fmt.Fprintf(w, "\nNext: in Setup > External Client App Manager > your app > Edit Settings > OAuth Settings,\n")
	fmt.Fprintf(w, "enable the JWT Bearer Flow and upload %s.\n", filepath.Base(certPath))
	fmt.Fprintf(w, "Keep %s secret: never upload, email or commit it.\n", filepath.Base(keyPath))
}
