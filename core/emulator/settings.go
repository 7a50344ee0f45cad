package emulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The in-process settings API: what the wizard's practice mode and the tests
// call to flip one Setup setting at a time.

// withApp runs fn on the named app under the lock and, when fn succeeds,
// restarts the app's propagation window: Salesforce takes minutes to spread
// any app change, and answers as if the app were unknown meanwhile.
func (e *Emulator) withApp(name string, fn func(a *app) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.findApp(name)
	if a == nil {
		return fmt.Errorf("%w: %q", ErrUnknownApp, name)
	}
	if err := fn(a); err != nil {
		return err
	}
	a.changed = e.now()
	return nil
}

func (e *Emulator) withUser(username string, fn func(u *user) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUser(username)
	if u == nil {
		return fmt.Errorf("%w: %q", ErrUnknownUser, username)
	}
	return fn(u)
}

// AddApp creates an External Client App; its propagation window starts now.
// Certificate is the PEM text (CertificateFile is not read here), and the
// permission sets must already exist in the org.
func (e *Emulator) AddApp(ac AppConfig) error {
	if ac.CertificateFile != "" {
		return errors.New("give the certificate's PEM text in Certificate; AddApp does not read files")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	probe := Config{PermissionSets: append([]string{}, e.permSets...), Apps: []AppConfig{ac}}
	if err := probe.Validate(); err != nil {
		return err
	}
	if e.findApp(ac.Name) != nil {
		return fmt.Errorf("an app named %q %w", ac.Name, ErrExists)
	}
	if e.appByKey(ac.ConsumerKey) != nil {
		return fmt.Errorf("another app already has this consumer key: %w", ErrExists)
	}
	e.load(&Config{Sandbox: e.sandbox, Apps: probe.Apps})
	return nil
}

// UploadCertificate replaces the app's certificate (Flow Enablement →
// JWT Bearer Flow → upload). An unusable certificate changes nothing. Unlike
// other edits, the app stays known meanwhile: JWTs are checked against the
// old certificate until the change propagates, then against the new one
// (so a key rotation fails the old key only then, as on Salesforce).
func (e *Emulator) UploadCertificate(appName string, certPEM []byte) error {
	_, pub, err := ParseCertificate(certPEM)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.findApp(appName)
	if a == nil {
		return fmt.Errorf("%w: %q", ErrUnknownApp, appName)
	}
	now := e.now()
	if old := a.livePub(now); old != nil {
		a.oldPub, a.certChanged = old, now
	} else {
		a.changed = now // the first certificate: the app itself changes
	}
	a.certPEM, a.pub = string(certPEM), pub
	return nil
}

// RemoveCertificate clears the app's certificate.
func (e *Emulator) RemoveCertificate(appName string) error {
	return e.withApp(appName, func(a *app) error {
		a.certPEM, a.pub, a.oldPub = "", nil, nil
		return nil
	})
}

// SetJWTEnabled turns the app's JWT Bearer Flow on or off.
func (e *Emulator) SetJWTEnabled(appName string, on bool) error {
	return e.withApp(appName, func(a *app) error {
		a.jwtEnabled = on
		return nil
	})
}

// SetScopes replaces the app's OAuth scopes.
func (e *Emulator) SetScopes(appName string, scopes []string) error {
	for _, s := range scopes {
		if err := checkScope(s); err != nil {
			return err
		}
	}
	return e.withApp(appName, func(a *app) error {
		a.scopes = slices.Clone(scopes)
		return nil
	})
}

// SetPermittedUsers sets the app's policy: AdminApproved or AllSelfAuthorize.
func (e *Emulator) SetPermittedUsers(appName, policy string) error {
	if policy != AdminApproved && policy != AllSelfAuthorize {
		return fmt.Errorf("%q is not a permitted-users policy: use %q or %q", policy, AdminApproved, AllSelfAuthorize)
	}
	return e.withApp(appName, func(a *app) error {
		a.permitted = policy
		return nil
	})
}

// SkipPropagation makes the app's latest changes live at once, without
// counting as a change itself.
func (e *Emulator) SkipPropagation(appName string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.findApp(appName); a != nil {
		a.changed, a.oldPub = time.Time{}, nil
	}
}

// SetPropagation sets how long the app's changes take to reach the org.
func (e *Emulator) SetPropagation(appName string, d time.Duration) error {
	if d < 0 {
		return errors.New("the propagation delay cannot be negative")
	}
	return e.withApp(appName, func(a *app) error {
		a.propagation = d
		return nil
	})
}

// CreatePermissionSet adds a permission set to the org (no-op if it exists).
func (e *Emulator) CreatePermissionSet(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("a permission set needs a name")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.addPermSet(name)
	return nil
}

// DeletePermissionSet removes a permission set from the org, from every app
// that lists it and from every user who holds it.
func (e *Emulator) DeletePermissionSet(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Contains(e.permSets, name) {
		return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, name)
	}
	e.permSets = remove(e.permSets, name)
	now := e.now()
	for _, a := range e.apps {
		if slices.Contains(a.permSets, name) {
			a.permSets = remove(a.permSets, name)
			a.changed = now
		}
	}
	for _, u := range e.users {
		u.permSets = remove(u.permSets, name)
	}
	return nil
}

func remove(list []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
}

// AddAppPermissionSet adds an existing permission set to the app's policies
// (App Policies → Select Permission Sets).
func (e *Emulator) AddAppPermissionSet(appName, ps string) error {
	return e.withApp(appName, func(a *app) error {
		if !slices.Contains(e.permSets, ps) {
			return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, ps)
		}
		a.permSets = appendUnique(a.permSets, ps)
		return nil
	})
}

// RemoveAppPermissionSet takes a permission set off the app's policies.
func (e *Emulator) RemoveAppPermissionSet(appName, ps string) error {
	return e.withApp(appName, func(a *app) error {
		a.permSets = remove(a.permSets, ps)
		return nil
	})
}

// AssignPermissionSet assigns an existing permission set to a user.
func (e *Emulator) AssignPermissionSet(username, ps string) error {
	return e.withUser(username, func(u *user) error {
		if !slices.Contains(e.permSets, ps) {
			return fmt.Errorf("%w: %q", ErrUnknownPermissionSet, ps)
		}
		u.permSets = appendUnique(u.permSets, ps)
		return nil
	})
}

// UnassignPermissionSet removes a permission set from a user.
func (e *Emulator) UnassignPermissionSet(username, ps string) error {
	return e.withUser(username, func(u *user) error {
		u.permSets = remove(u.permSets, ps)
		return nil
	})
}

// CreateUser adds an active, not API-only user.
func (e *Emulator) CreateUser(username string) error {
	if err := checkUsername(username); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.findUser(username) != nil {
		return fmt.Errorf("a user named %q %w", username, ErrExists)
	}
	e.newUser(username)
	return nil
}

// SetUserActive activates or deactivates a user. A deactivated user's access
// tokens stop working at once.
func (e *Emulator) SetUserActive(username string, active bool) error {
	return e.withUser(username, func(u *user) error {
		u.active = active
		return nil
	})
}

// SetAPIOnly sets the user's API Only User permission, which blocks browser
// sessions (singleaccess answers Bad_OAuth_Token).
func (e *Emulator) SetAPIOnly(username string, apiOnly bool) error {
	return e.withUser(username, func(u *user) error {
		u.apiOnly = apiOnly
		return nil
	})
}

// SetLegacyLoginHosts chooses the kind of org: true, the aud must be
// login/test.salesforce.com; false (Spring '26 External Client Apps), those
// hosts get app_not_found and the aud must be the org's own URL.
func (e *Emulator) SetLegacyLoginHosts(legacy bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.legacy = legacy
}

// SetSandbox makes the org a sandbox (audience test.salesforce.com) or not.
func (e *Emulator) SetSandbox(sandbox bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sandbox = sandbox
}
