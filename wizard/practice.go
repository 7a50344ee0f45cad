package wizard

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/profiles"
)

// The built-in practice org: what its app and user are called.
const (
	PracticeApp      = "Tableau Next Embedding"
	PracticeUser     = "embed@practice.tnjwt.example"
	PracticeProfile  = "practice"
	PracticeDelay    = 20 * time.Second // how long an edited practice app takes to "propagate"
	practiceKeyChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"
)

// Practice is the built-in practice org: tnjwt's emulator on a free
// loopback port, set up like a fresh org whose admin has created the
// External Client App and nothing else (JWT flow off, no certificate,
// self-authorize policy, no permission set). Ticking a checklist item
// applies that setting to it, unticking undoes it, so a step skipped on
// purpose makes the live test refuse as Salesforce would.
type Practice struct {
	Org         *emulator.Emulator
	srv         *emulator.Server
	ConsumerKey string
}

// StartPractice starts the practice org; Close stops it.
func StartPractice() (*Practice, error) {
	key := practiceConsumerKey()
	springOrg := false // a Spring '26 org: the aud is the org's own URL
	cfg := &emulator.Config{
		LegacyLoginHosts: &springOrg,
		PermissionSets:   []string{},
		// As a new production org: no origin trusted, first-party cookies
		// required, MFA required for direct UI logins.
		Embedding: &emulator.EmbeddingConfig{CORSOrigins: []string{}, FrameOrigins: []string{},
			FirstPartyCookiesRequired: true, MFAForUILogins: true},
		Apps: []emulator.AppConfig{{
			Name: PracticeApp, ConsumerKey: key, Scopes: []string{"api", "refresh_token"},
			PermittedUsers: emulator.AllSelfAuthorize, PropagationSeconds: int(PracticeDelay / time.Second),
		}},
		Users: []emulator.UserConfig{{Username: PracticeUser}},
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	org := emulator.New(cfg, emulator.Options{})
	org.SkipPropagation(PracticeApp) // the app itself exists already, as in a real org
	// By the name localhost, as the app's page (http://localhost:3000) is:
	// the org's session cookie reaches embedded frames only on one site.
	srv, err := emulator.Start("localhost:0", org)
	if err != nil {
		return nil, fmt.Errorf("cannot start the practice org: %w", err)
	}
	return &Practice{Org: org, srv: srv, ConsumerKey: key}, nil
}

func practiceConsumerKey() string {
	b := make([]byte, 80)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	key := []byte("3MVG9")
	for _, c := range b {
		key = append(key, practiceKeyChars[int(c)%len(practiceKeyChars)])
	}
	return string(key)
}

// URL is the practice org's My Domain: its address on loopback.
func (p *Practice) URL() string { return p.srv.URL }

// Close stops the practice org.
func (p *Practice) Close() error { return p.srv.Close() }

// SkipPropagation makes the app's latest changes live at once.
func (p *Practice) SkipPropagation() { p.Org.SkipPropagation(PracticeApp) }

// Draft is the Org screen filled in for the practice org.
func (p *Practice) Draft() OrgDraft {
	return OrgDraft{Name: PracticeProfile, Type: OrgMyDomain, URL: p.URL(), Username: PracticeUser}
}

// NoEffect says, for the checklist items Salesforce does not check when it
// issues a JWT token, why skipping them changes nothing in the live test
// (and for the embedding items, where skipping them shows instead).
var NoEffect = map[string]string{
	IDEmbedCORS: "Practice org: the live test and the preview work without it (the SDK 2.0.0 makes no cross-origin " +
		"request); the practice org's log notes the missing entry.",
	IDEmbedFrames:  "Practice org: the live test works without it; the preview on the Done screen then ends with INITIALIZATION_ERROR.",
	IDEmbedCookies: "Practice org: it starts with first-party cookies required, as new orgs do; the preview fails until you tick this.",
	IDEmbedMFA: "Practice org: it requires MFA for direct UI logins, as production orgs do, so the preview ends at " +
		"identity verification until you tick this.",
	IDECARefreshSecret: "Practice org: this option changes nothing in the live test, because the JWT bearer flow sends no consumer secret.",
	IDPermsetAccess:    "Practice org: Salesforce doesn't check these permissions when it issues the token, so the live test passes without them; embedded Tableau Next assets would not load.",
	IDViewerAssign:     "Practice org: the live test signs in only the JWT subject, so this doesn't change it; your viewers need it to see embedded assets.",
}

// Apply makes the practice org match checklist item id being ticked (on)
// or unticked, for profile p (whose certificate is the one "uploaded").
func (p *Practice) Apply(id string, on bool, prof profiles.Profile) error {
	o := p.Org
	switch id {
	case IDECAScopes:
		scopes := []string{"api", "refresh_token"} // no web: no browser session
		if on {
			scopes = []string{"web", "refresh_token"}
		}
		return o.SetScopes(PracticeApp, scopes)
	case IDECAJWTEnable:
		return o.SetJWTEnabled(PracticeApp, on)
	case IDECACertUpload:
		if on && prof.CertificatePEM != "" {
			return o.UploadCertificate(PracticeApp, []byte(prof.CertificatePEM))
		}
		return o.RemoveCertificate(PracticeApp)
	case IDECAPermittedUsers:
		policy := emulator.AllSelfAuthorize
		if on {
			policy = emulator.AdminApproved
		}
		return o.SetPermittedUsers(PracticeApp, policy)
	case IDPermsetCreate:
		if !on {
			// A set never made (a new walk, unticked from the start) is
			// as deleted as it gets.
			if err := o.DeletePermissionSet(PermsetAPIName); err != nil && !errors.Is(err, emulator.ErrUnknownPermissionSet) {
				return err
			}
			return nil
		}
		if err := o.CreatePermissionSet(PermsetAPIName); err != nil {
			return err
		}
		// What depends on the set comes back with it.
		for _, dep := range []string{IDPermsetAssign, IDECAAppPolicies} {
			if prof.Checklist[dep].Done {
				if err := p.Apply(dep, true, prof); err != nil {
					return err
				}
			}
		}
	case IDPermsetAssign:
		if !on {
			return o.UnassignPermissionSet(PracticeUser, PermsetAPIName)
		}
		if prof.Checklist[IDPermsetCreate].Done {
			return o.AssignPermissionSet(PracticeUser, PermsetAPIName)
		}
	case IDECAAppPolicies:
		if !on {
			return o.RemoveAppPermissionSet(PracticeApp, PermsetAPIName)
		}
		if prof.Checklist[IDPermsetCreate].Done {
			return o.AddAppPermissionSet(PracticeApp, PermsetAPIName)
		}
	default:
		return p.applyEmbedding(id, on, prof)
	}
	return nil
}

// applyEmbedding makes the practice org follow an Embedding settings item:
// the origins it trusts, first-party cookies, the JWT user's MFA waiver.
func (p *Practice) applyEmbedding(id string, on bool, prof profiles.Profile) error {
	o := p.Org
	origins := []string{}
	if on {
		origins = append(origins, prof.Embedding.Origins()...)
	}
	switch id {
	case IDEmbedCORS:
		return o.SetCORSOrigins(origins)
	case IDEmbedFrames:
		return o.SetFrameOrigins(origins)
	case IDEmbedCookies:
		o.SetFirstPartyCookiesRequired(!on)
	case IDEmbedMFA:
		return o.SetMFAWaiver(PracticeUser, on)
	}
	return nil
}

// embedIDs are the Embedding settings items the practice org follows.
var embedIDs = []string{IDEmbedCORS, IDEmbedFrames, IDEmbedCookies, IDEmbedMFA}

// SyncEmbedding applies the Embedding settings items of prof alone: their
// origins may change without anything else changing.
func (p *Practice) SyncEmbedding(prof profiles.Profile) error {
	return p.applyAll(embedIDs, prof)
}

// Sync applies every checklist item of prof, e.g. after a new certificate.
// An item the org refuses does not stop the others: each is applied, and
// the refusals are returned together.
func (p *Practice) Sync(prof profiles.Profile) error {
	return errors.Join(p.applyAll([]string{IDPermsetCreate, IDECAScopes, IDECAJWTEnable, IDECACertUpload, IDECAPermittedUsers,
		IDPermsetAssign, IDECAAppPolicies}, prof), p.SyncEmbedding(prof))
}

func (p *Practice) applyAll(ids []string, prof profiles.Profile) error {
	var errs []error
	for _, id := range ids {
		if err := p.Apply(id, prof.Checklist[id].Done, prof); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Upload puts a certificate on the practice app, as the upload in Setup
// does (a renewal's or a rotation's); it then propagates like any change.
func (p *Practice) Upload(certPEM string) error {
	return p.Org.UploadCertificate(PracticeApp, []byte(certPEM))
}

// PracticeDashboard is the dashboard the practice org holds, offered in
// the preview.
const PracticeDashboard = "Sales_Overview"

// EmbeddingCause is the Embedding settings item the practice org blames for
// the last attempt to open a session in a frame; "" when it blames none of
// them (a used link, say). A real org says nothing of the kind, so there
// the page's advice lists every candidate.
func (p *Practice) EmbeddingCause() string {
	switch p.Org.LastEmbedResult() {
	case emulator.EmbedFrameRefused:
		return IDEmbedFrames
	case emulator.EmbedCookieKept:
		return IDEmbedCookies
	case emulator.EmbedMFA:
		return IDEmbedMFA
	}
	return ""
}
