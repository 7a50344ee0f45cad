package wizard

import (
	"context"
	"errors"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// "Set up by deploying instead" on the External Client App step: the app,
// its policies and the permission set as a Salesforce DX project that the
// admin deploys with the Salesforce CLI (export --format sfdx), in place of
// the clicks in Setup.

// DeployCovers are the checklist items a deploy of the project does. The
// consumer key step is done when the project is written (tnjwt makes the key
// and stores it in the keychain); permset-assign once the admin has also run
// `sf org assign permset`. Giving the permission set Tableau Next access,
// the viewers and the embedding settings stay manual.
var DeployCovers = []string{IDECAScopes, IDECAJWTEnable, IDECACertUpload, IDPermsetCreate, IDECAPermittedUsers, IDECAAppPolicies}

// DeployManual says what a deploy leaves to the admin, in the order to do it.
var DeployManual = []string{
	"Before the deploy: let the Metadata API take External Client App OAuth credentials (Setup → Quick Find “External Client App Settings”), or the deploy fails on the app's global OAuth settings.",
	"After it: give the permission set “" + PermsetLabel + "” the Tableau Next access your org requires (Setup → Permission Sets), and assign it to the users who view the embedded assets.",
	"The Embedding settings step (CORS, Trusted Domains for Inline Frames, first-party cookies) is still yours to do.",
}

// Deployment is a written project: where, the commands in order, and
// whether the consumer key was made for it.
type Deployment struct {
	Dir      string
	Paths    []string
	Commands []string
	Secret   string // the one file holding the consumer key (mode 0600)
	NewKey   bool   // the consumer key was made for this project
	key      string
}

// DeployJob writes the project off the UI goroutine (Run) and takes the
// consumer key into the session (Record), like a KeychainJob.
type DeployJob struct {
	Run    func(ctx context.Context) (*Deployment, error)
	Record func(d *Deployment, err error)
}

// ErrDeployNeedsCertificate: the project deploys the profile's certificate.
var ErrDeployNeedsCertificate = errors.New("the project deploys your certificate: make or import one on the Key and certificate step first")

// WriteDeployment is the job behind "Set up by deploying instead": the
// consumer key is this session's, or the keychain's, or a new one made and
// stored in the keychain before anything holds it; then the project is
// written into dir (export.WriteSFDX: files already there replaced, or a
// folder another user can change written into, only as allow says).
// Record ticks the consumer key step.
func (w *Wizard) WriteDeployment(v Vault, dir string, allow fsutil.Allow) DeployJob {
	p := w.st.Profile.Clone()
	pasted := w.st.ConsumerKey
	now := w.now()
	return DeployJob{
		Run: func(ctx context.Context) (*Deployment, error) {
			if p.CertificatePEM == "" {
				return nil, ErrDeployNeedsCertificate
			}
			// Everything but the key is checked first: bad input stores nothing.
			if _, err := export.SFDXFrom(p, probeKey, now); err != nil {
				return nil, err
			}
			d := &Deployment{Dir: dir, key: pasted}
			if d.key == "" {
				stored, err := v.Get(ctx, p.Name, secrets.ConsumerKey)
				switch {
				case err == nil:
					d.key = string(stored)
				case notFound(err):
					if d.key, err = export.NewConsumerKey(); err != nil {
						return nil, err
					}
					d.NewKey = true
				default:
					return nil, err
				}
			}
			if d.NewKey || pasted != "" {
				if err := v.Put(ctx, p.Name, secrets.ConsumerKey, []byte(d.key)); err != nil {
					return nil, err
				}
			}
			s, err := export.SFDXFrom(p, d.key, now)
			if err != nil {
				return nil, err
			}
			files, err := export.SFDXProject(s)
			if err != nil {
				return nil, err
			}
			if d.Paths, err = export.WriteSFDX(dir, files, allow); err != nil {
				return d, err // the key is stored: Record still takes it
			}
			d.Commands = s.SFDXCommands(s.SFDXAlias())
			d.Secret = s.GlobalOauthFile()
			return d, nil
		},
		Record: func(d *Deployment, err error) {
			if d == nil || d.key == "" || w.st.Profile.Name != p.Name {
				return
			}
			// The key is in the keychain: the Consumer key step is done.
			w.st.ConsumerKey = d.key
			w.st.ConsumerKeyStored = true
			w.tick(IDECAConsumerKey)
			w.save()
		},
	}
}

// MarkDeployed ticks what a deploy of the project did, once the admin says
// it succeeded; assigned: they also ran `sf org assign permset`.
func (w *Wizard) MarkDeployed(assigned bool) {
	for _, id := range DeployCovers {
		w.tick(id)
	}
	if assigned {
		w.tick(IDPermsetAssign)
	}
	w.save()
}

// probeKey stands in for the consumer key while the rest is checked.
const probeKey = "3MVG9probe.key.that.only.stands.in.while.the.profile.is.checked.0123456789"
