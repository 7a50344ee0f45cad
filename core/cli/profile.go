package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
)

// The `profile` command: its subcommands (list, show, import and the key
// changes have files of their own) and what they share.

const profileHelp = `Usage:
  tnjwt profile list [--json] [--expiring DAYS]
  tnjwt profile show NAME [--json]
  tnjwt profile delete NAME
  tnjwt profile import --name NAME --login-url URL --username USER --client-id KEY|- | --client-id-file FILE --key-file FILE
                       [--cert-file FILE] [--sandbox] [--audience URL] [--replace]
  tnjwt profile renew NAME --out DIR [--days N]             new certificate, same key
  tnjwt profile rotate NAME --out DIR [--days N] [--bits N] new key, staged as pending
  tnjwt profile rollback NAME --out DIR                     back to the previous key
  tnjwt profile discard-previous NAME
  tnjwt profile abandon NAME                                drop a pending rotation

A profile remembers one org: login URL, run-as username, certificate and its
expiry, checklist progress and the last test. The consumer key and the private
key are kept in the %s, never in the profile file.
Test a saved profile with: tnjwt test --profile NAME

Profiles are saved in %s
(set %s to use another folder).
Run 'tnjwt profile COMMAND --help' for a command's flags.
`

func parseProfile(args []string, stdout io.Writer) (runner, error) {
	if len(args) == 0 {
		return nil, usageErrorf("profile: say what to do: list, show NAME, delete NAME, import, renew NAME, rotate NAME, " +
			"rollback NAME, discard-previous NAME or abandon NAME (see tnjwt profile --help)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		dir, err := profiles.DefaultDir()
		if err != nil {
			dir = "(unknown: " + err.Error() + ")"
		}
		fmt.Fprintf(stdout, profileHelp, secrets.Location(), dir, profiles.EnvDir)
		return nil, flag.ErrHelp
	case "list":
		return parseList(args[1:], stdout)
	case "show":
		return parseShow(args[1:], stdout)
	case "delete":
		return parseDelete(args[1:], stdout)
	case "import":
		return parseImport(args[1:], stdout)
	case "renew":
		return parseRenew(args[1:], stdout)
	case "rotate":
		return parseRotate(args[1:], stdout)
	case "rollback":
		return parseRollback(args[1:], stdout)
	case "discard-previous":
		return parseKeyChange("discard-previous", discardSynopsis, args[1:], stdout)
	case "abandon":
		return parseKeyChange("abandon", abandonSynopsis, args[1:], stdout)
	}
	return nil, usageErrorf("profile: unknown command %q (use list, show, delete, import, renew, rotate, rollback, "+
		"discard-previous or abandon)", args[0])
}

func openProfiles(env *Env) (*profiles.Store, error) {
	dir, err := profiles.DefaultDir()
	if err != nil {
		return nil, err
	}
	s := profiles.Open(dir, env.vault())
	if env.Now != nil {
		s.Now = env.Now
	}
	return s, nil
}

// storeError words an error of the profile store or keychain for cmd
// ("profile show"): a profile that does not exist, exists already or is
// incomplete is bad input; anything else is a local failure.
func storeError(cmd string, err error) error {
	if errors.Is(err, profiles.ErrNotFound) || errors.Is(err, profiles.ErrExists) || errors.Is(err, errIncomplete) {
		return usageErrorf("%s: %v", cmd, err)
	}
	return failuref("%s: %v", cmd, err)
}

// parseWithName parses flags that may come before or after one positional
// profile name (`show NAME --json` as well as `show --json NAME`).
func parseWithName(fs *flag.FlagSet, synopsis string, args []string, stdout io.Writer) (name string, err error) {
	var names []string
	for {
		if err := parseFlagsAndArgs(fs, synopsis, args, stdout); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		names = append(names, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(names) {
	case 0:
		return "", usageErrorf("%s: which profile? Give its name (see tnjwt profile list)", fs.Name())
	case 1:
		return names[0], nil
	}
	return "", usageErrorf("%s: unexpected argument %q (put a name with spaces in quotes)", fs.Name(), names[1])
}

type deleteOptions struct {
	name string
}

func parseDelete(args []string, stdout io.Writer) (runner, error) {
	fs := newFlagSet("profile delete")
	name, err := parseWithName(fs, "profile delete NAME\n\n"+
		"Deletes a saved profile and its secrets in the keychain. Key files you exported stay where they are.", args, stdout)
	if err != nil {
		return nil, err
	}
	return &deleteOptions{name: name}, nil
}

func (o *deleteOptions) run(env *Env) error {
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile delete: %v", err)
	}
	p, err := store.Get(o.name)
	if err == nil {
		err = store.Delete(env.Ctx, p.Name)
	}
	if err != nil {
		return storeError("profile delete", err)
	}
	fmt.Fprintf(env.Stdout, "Deleted profile %q and its secrets in the %s.\n", p.Name, secrets.Location())
	return nil
}
