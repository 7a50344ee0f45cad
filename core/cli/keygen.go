package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/fsutil"
)

const keygenSynopsis = "keygen --out DIR [--cn NAME] [--days N] [--bits 2048|3072|4096] [--force]\n\n" +
	"Writes DIR/" + certs.CertFileName + " (the certificate to upload to the External Client App, mode 0644)\n" +
	"and DIR/" + certs.KeyFileName + " (the private key, PKCS#8, mode 0600). DIR is created (mode 0700)\n" +
	"when missing. Existing files are kept unless --force is given."

// keygenForceHint follows a refusal to overwrite: the core packages name no
// flag, so the command says how to replace.
const keygenForceHint = " (use --force to replace, once the old key is no longer in use)"

// runKeygen implements `tnjwt keygen`. Every check runs before the key is
// generated, so bad input never costs a slow 4096-bit key or writes anything.
func runKeygen(args []string, env *Env) int {
	fs := newFlagSet("keygen")
	out := fs.String("out", "", "folder for the two files (required; created with mode 0700 if missing)")
	cn := fs.String("cn", certs.DefaultCN, "certificate subject common name (CN)")
	days := fs.Int("days", certs.DefaultDays, fmt.Sprintf("days the certificate stays valid (%d-%d)", certs.MinDays, certs.MaxDays))
	bits := fs.Int("bits", certs.DefaultBits, "RSA key size: 2048, 3072 or 4096")
	force := fs.Bool("force", false, "replace existing "+certs.CertFileName+" and "+certs.KeyFileName)
	if code, done := parseFlags(fs, keygenSynopsis, args, env, false); done {
		return code
	}
	if strings.TrimSpace(*out) == "" {
		return usageErr(env, "keygen: --out DIR is required: the folder to write %s and %s into", certs.CertFileName, certs.KeyFileName)
	}
	for _, err := range []error{certs.CheckCN(*cn), certs.CheckDays(*days), certs.CheckBits(*bits)} {
		if err != nil {
			return usageErr(env, "keygen: %v", err)
		}
	}
	dir := filepath.Clean(*out)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs // printed paths should work from anywhere
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return usageErr(env, "keygen: --out %s is a file, not a folder", dir)
	}
	if !*force {
		if err := certs.RefuseExisting(dir); err != nil {
			return usageErr(env, "keygen: %v%s", err, keygenForceHint)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintf(env.Stderr, "tnjwt: keygen: cannot create the folder %s: %v\n", dir, err)
		return ExitFailure
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	// Whole seconds, as in the certificate, so a new 365-day certificate
	// shows 365 days left rather than 364.
	now = now.Truncate(time.Second)
	b, err := certs.Generate(certs.Options{CN: *cn, Days: *days, Bits: *bits, Now: now})
	if err != nil {
		var ie *certs.InputError
		if errors.As(err, &ie) {
			return usageErr(env, "keygen: %v", err)
		}
		fmt.Fprintf(env.Stderr, "tnjwt: keygen: %v\n", err)
		return ExitFailure
	}
	certPath, keyPath, err := certs.WriteFiles(dir, b, *force)
	if errors.Is(err, fsutil.ErrExists) { // appeared while the key was made
		return usageErr(env, "keygen: %v%s", err, keygenForceHint)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "tnjwt: keygen: %v\n", err)
		return ExitFailure
	}
	printKeygenResult(env, certPath, keyPath, certs.Describe(b.Cert, now))
	return ExitOK
}

func printKeygenResult(env *Env, certPath, keyPath string, info certs.Info) {
	w := env.Stdout
	fmt.Fprintf(w, "Certificate:         %s (mode 0644)\n", certPath)
	fmt.Fprintf(w, "Private key:         %s (mode 0600)\n", keyPath)
	fmt.Fprintf(w, "Subject:             %s\n", info.Subject)
	fmt.Fprintf(w, "Key size:            RSA %d bits\n", info.KeyBits)
	fmt.Fprintf(w, "SHA-256 fingerprint: %s\n", info.Fingerprint)
	fmt.Fprintf(w, "Expires:             %s (in %d days)\n", info.NotAfter.UTC().Format("2006-01-02 15:04:05 MST"), info.DaysLeft)
	fmt.Fprintf(w, "\nNext: in Setup > External Client App Manager > your app > Edit Settings > OAuth Settings,\n")
	fmt.Fprintf(w, "enable the JWT Bearer Flow and upload %s.\n", filepath.Base(certPath))
	fmt.Fprintf(w, "Keep %s secret: never upload, email or commit it.\n", filepath.Base(keyPath))
}
