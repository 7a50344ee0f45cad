package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/retest"
	"github.com/tnjwt/tnjwt/core/rotation"
)

const listSynopsis = "profile list [--json] [--expiring DAYS] [--prometheus FILE]\n\n" +
	"Lists the saved org profiles. With --expiring DAYS, only those whose certificate expires within DAYS days (or has " +
	"expired), and exit 1 when there is any: a scheduled reminder (cron, Task Scheduler, launchd). --prometheus FILE also " +
	"writes each org's certificate days left and last test as a Prometheus textfile-collector file."

type listOptions struct {
	json       bool
	expiring   string
	prometheus string
}

func parseList(args []string, stdout io.Writer) (runner, error) {
	o := &listOptions{}
	fs := newFlagSet("profile list")
	fs.BoolVar(&o.json, "json", false, "print one JSON object instead of a table")
	fs.StringVar(&o.expiring, "expiring", "", "only profiles whose certificate expires within this many days; exit 1 when there is any")
	fs.StringVar(&o.prometheus, "prometheus", "", "also write a Prometheus textfile-collector FILE (written atomically)")
	if err := parseFlags(fs, listSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

// run lists the profiles. With --expiring, finding any is an exit 1 (a
// silentError: the list has said which), so a scheduled job can alert.
func (o *listOptions) run(env *Env) error {
	within, err := o.within()
	if err != nil {
		return err
	}
	store, err := openProfiles(env)
	if err != nil {
		return failuref("profile list: %v", err)
	}
	list, err := store.List()
	if err != nil {
		return failuref("profile list: %v", err)
	}
	at := env.now()
	if o.prometheus != "" {
		if err := fsutil.WriteFile(o.prometheus, retest.Metrics(list, at), 0o644, true); err != nil {
			return failuref("profile list: --prometheus: %v", err)
		}
	}
	views := make([]profileView, 0, len(list))
	for _, p := range list {
		v := profileViewOf(p, at)
		if within >= 0 && (v.Certificate == nil || v.Certificate.DaysLeft > within) {
			continue
		}
		views = append(views, v)
	}
	if o.json {
		writeJSON(env.Stdout, struct {
			Folder   string        `json:"folder"`
			Profiles []profileView `json:"profiles"`
		}{store.Dir(), views})
	} else {
		printList(env.Stdout, store.Dir(), views, len(list), within)
	}
	if within >= 0 && len(views) > 0 {
		return &silentError{errExpiring}
	}
	return nil
}

// within is --expiring's number of days; -1 when it is not given.
func (o *listOptions) within() (int, error) {
	if o.expiring == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(o.expiring))
	if err != nil || n < 0 {
		return 0, usageErrorf("profile list: --expiring wants a whole number of days, 0 or more (e.g. 30), not %q", o.expiring)
	}
	return n, nil
}

// printList prints the views as a table, or says why there are none;
// total is how many profiles there are in all.
func printList(w io.Writer, dir string, views []profileView, total, within int) {
	switch {
	case within >= 0 && len(views) == 0:
		fmt.Fprintf(w, "No saved profile has a certificate that expires within %d days.\n", within)
		return
	case len(views) == 0:
		fmt.Fprintf(w, "No saved profiles in %s.\nSave one from the wizard or with `tnjwt profile import`.\n", dir)
		return
	}
	printProfileTable(w, views)
	if within >= 0 {
		fmt.Fprintf(w, "\n%d of %d profiles have a certificate that expires within %d days. %s\n"+
			"Renew one (same key, no downtime): tnjwt profile renew NAME --out DIR\n", len(views), total, within, rotation.DeadlineNote)
	}
}

func printProfileTable(w io.Writer, views []profileView) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLOGIN URL\tUSERNAME\tCERTIFICATE\tLAST TEST")
	for _, v := range views {
		cert := "none recorded"
		if v.Certificate != nil {
			cert = v.Certificate.summary()
		}
		if v.Pending != nil {
			cert += "; rotation pending"
		}
		name := v.Name
		if v.Practice {
			name += " (practice org)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, orDash(v.LoginURL), orDash(v.Username), cert, v.LastTest.summary())
	}
	tw.Flush()
}
