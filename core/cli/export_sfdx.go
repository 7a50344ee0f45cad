package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// runSFDX writes the Salesforce DX project of `export --format sfdx`. It
// needs the profile's certificate (public) and a consumer key: the one in
// the keychain, or a new one tnjwt makes and stores there first. The
// private key is never read.
func (o *exportOptions) runSFDX(env *Env) error {
	if o.pending {
		return usageErrorf("export: --format sfdx deploys the profile's current certificate: leave out --pending")
	}
	store, err := openProfiles(env)
	if err != nil {
		return usageErrorf("export: %v", err)
	}
	p, err := store.Get(o.profile)
	if err != nil {
		return usageErrorf("export: profile %q: %v", o.profile, err)
	}
	// Everything but the key is checked before the keychain is asked, so
	// bad input stores nothing.
	probe, err := export.SFDXFrom(p, sfdxProbeKey, env.now())
	if err == nil {
		probe.AppName = o.appName
		_, err = export.SFDXProject(probe)
	}
	if err != nil {
		return usageErrorf("export: profile %q can't be exported as a project: %v", o.profile, err)
	}
	if store.Vault() == nil {
		return failuref("export: no keychain to keep the consumer key in")
	}
	key, created, err := store.DeployConsumerKey(env.Ctx, p.Name, export.NewConsumerKey)
	if err != nil {
		var se *secrets.Error
		if errors.As(err, &se) {
			return failuref("export: profile %q: %v", o.profile, err)
		}
		return failuref("export: %v", err)
	}
	s, err := export.SFDXFrom(p, key, env.now())
	if err != nil {
		return usageErrorf("export: profile %q can't be exported as a project: %v", o.profile, err)
	}
	s.AppName = o.appName
	files, err := export.SFDXProject(s)
	if err != nil {
		return usageErrorf("export: profile %q can't be exported as a project: %v", o.profile, err)
	}
	paths, err := export.WriteSFDX(o.out, files, fsutil.Allow{Replace: o.force, SharedFolder: o.force})
	if errors.Is(err, fsutil.ErrExists) {
		return usageErrorf("export: %v (add --force to replace)", err)
	}
	if err != nil {
		return folderError("export", err)
	}
	for _, path := range paths {
		fmt.Fprintf(env.Stdout, "wrote %s\n", path)
	}
	if created {
		fmt.Fprintf(env.Stdout, "A new consumer key was made for the app and stored in the %s for profile %s.\n", secrets.Location(), p.Name)
	} else {
		fmt.Fprintf(env.Stdout, "The app keeps the consumer key stored in the %s for profile %s.\n", secrets.Location(), p.Name)
	}
	fmt.Fprintf(env.Stdout, "%s\n", export.SFDXWarning)
	fmt.Fprintf(env.Stdout, "Then, in %s:\n", o.out)
	for _, c := range s.SFDXCommands(s.SFDXAlias()) {
		fmt.Fprintf(env.Stdout, "  %s\n", c)
	}
	fmt.Fprintln(env.Stdout, "README.md says what stays manual.")
	return nil
}

// sfdxProbeKey stands in for the consumer key while the rest is checked.
var sfdxProbeKey = "3MVG9" + strings.Repeat("0", 80)
