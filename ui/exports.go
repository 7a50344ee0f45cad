package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/wizard"
)

// exporter writes the exports for an org's servers: the Done screen's,
// with the current key, and a rotation's, with its new key. The secrets are
// read off the UI goroutine; files already there are replaced only once
// the admin says so.
type exporter struct {
	s       *shell
	msg     *message                // what the last export wrote, or why it failed
	profile func() profiles.Profile // the org, as it stands when an export is asked for
	stored  string                  // else the profile of this name, read from the store off the UI goroutine
	pending bool                    // the new key of a rotation in progress, not the current one
	changed func()                  // lays the surroundings out again after msg changed; may be nil
	wrote   func(paths []string)    // what the export just asked for does once its files are written; may be nil
}

// load reads what the exports need for the profile as it stands.
func (x *exporter) load(ctx context.Context, p profiles.Profile, now time.Time) (export.Org, error) {
	if x.pending {
		return wizard.ExportPendingOrg(ctx, x.s.deps.Vault, p, now)
	}
	return wizard.ExportOrg(ctx, x.s.deps.Vault, p, now)
}

func (x *exporter) say(imp widget.Importance, text string) {
	x.msg.apply(imp, text)
	if x.changed != nil {
		x.changed()
	}
}

// withOrg reads the secrets off the UI goroutine, then runs use with them.
func (x *exporter) withOrg(use func(export.Org)) {
	var p profiles.Profile
	if x.profile != nil {
		p = x.profile()
	}
	store, name, vault, now := x.s.deps.Store, x.stored, x.s.deps.Vault, x.s.deps.Now()
	x.say(widget.MediumImportance, "Reading the secrets from the "+x.s.keychainName()+"…")
	type got struct {
		org export.Org
		err error
	}
	background(x.s.jobs, func() got {
		ctx, cancel := context.WithTimeout(context.Background(), 2*vault.Timeout())
		defer cancel()
		if name != "" {
			var err error
			if p, err = store.Get(name); err != nil {
				return got{err: err}
			}
		}
		org, err := x.load(ctx, p, now)
		return got{org, err}
	}, func(g got) {
		if g.err != nil {
			x.say(widget.DangerImportance, "Couldn't export: "+exportErrorText(g.err))
			return
		}
		x.say(widget.MediumImportance, "")
		use(g.org)
	})
}

func exportErrorText(err error) string {
	var nr *wizard.NotReadyError
	if errors.As(err, &nr) {
		return nr.Problem
	}
	return errorText(err)
}

// pickFolder asks where to write an export.
func (x *exporter) pickFolder(format string) {
	dlg := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			x.say(widget.DangerImportance, "Couldn't open the folder: "+inputText(err))
			return
		}
		if dir != nil {
			x.exportTo(format, dir.Path())
		}
	}, x.s.win)
	dlg.SetTitleText(exportTitle(format))
	dlg.Resize(dialogSize(x.s.win))
	dlg.Show()
}

func exportTitle(format string) string {
	switch format {
	case export.FormatKey:
		return "Choose the folder for sf_private_key.pem"
	case export.FormatHeroku:
		return "Choose the folder for " + export.HerokuConfigFileName
	}
	if st, ok := export.StackFor(format); ok {
		return "Choose an empty folder for the " + st.Name + " server"
	}
	return "Choose the folder for the .env file"
}

// stackNames are the servers the Done screen's picker offers, in
// export.Stacks' order.
func stackNames() []string {
	names := make([]string, len(export.Stacks))
	for i, st := range export.Stacks {
		names[i] = st.Name
	}
	return names
}

// dialogSize is a file dialog that uses most of the window.
func dialogSize(w fyne.Window) fyne.Size {
	s := w.Canvas().Size()
	return fyne.NewSize(max(s.Width-80, 400), max(s.Height-60, 300))
}

// exportTo writes an export into dir.
func (x *exporter) exportTo(format, dir string) {
	x.withOrg(func(org export.Org) {
		files, err := exportFiles(format, org)
		if err != nil {
			x.say(widget.DangerImportance, "Couldn't export: "+inputText(err))
			return
		}
		x.wrote = nil
		if format == export.FormatHeroku {
			x.wrote = func(paths []string) { x.s.showHerokuAPI(org, paths[0]) }
		}
		x.write(dir, files, fsutil.Allow{})
	})
}

func exportFiles(format string, org export.Org) ([]export.File, error) {
	if _, ok := export.StackFor(format); ok {
		return export.Server(format, org)
	}
	switch format {
	case export.FormatKey:
		return []export.File{export.KeyFile(org)}, nil
	case export.FormatHeroku:
		return []export.File{export.HerokuFile(org)}, nil
	}
	return []export.File{{Name: export.EnvFileName, Data: export.Env(org)}}, nil
}

func (x *exporter) write(dir string, files []export.File, allow fsutil.Allow) {
	x.say(widget.MediumImportance, "Writing…")
	type wrote struct {
		paths []string
		err   error
	}
	background(x.s.jobs, func() wrote {
		paths, err := export.WriteAllowing(dir, files, allow)
		return wrote{paths, err}
	}, func(w wrote) {
		var ee *export.ExistsError
		switch {
		case errors.As(w.err, &ee):
			x.say(widget.MediumImportance, "")
			x.confirmReplace(dir, files, ee.Paths, allow)
		case x.s.askSharedFolder(w.err, func() { allow.SharedFolder = true; x.write(dir, files, allow) }, x.nothingWritten(w.err)):
			x.say(widget.MediumImportance, "")
		case w.err != nil:
			x.say(widget.DangerImportance, "Couldn't write the export: "+inputText(w.err))
		default:
			what := ""
			if x.pending {
				what = " They hold the new key of the rotation."
			}
			x.say(widget.SuccessImportance, "Wrote "+strings.Join(w.paths, ", ")+"."+what+" "+export.Warning)
			if x.wrote != nil {
				x.wrote(w.paths)
			}
		}
	})
}

// confirmReplace asks before files already there are replaced; Keep them
// is the default.
func (x *exporter) confirmReplace(dir string, files []export.File, paths []string, allow fsutil.Allow) {
	msg := wrapped("These files are already there:\n" + strings.Join(paths, "\n") + "\n\nReplace them?")
	x.s.ask(ask{Title: "Replace files?", Body: msg, Cancel: "Keep them", OK: "Replace", OKImp: widget.WarningImportance, Width: 560,
		OnOK:     func() bool { allow.Replace = true; x.write(dir, files, allow); return true },
		OnCancel: x.nothingWritten(fsutil.ErrExists)})
}

// nothingWritten says so, and why.
func (x *exporter) nothingWritten(why error) func() {
	return func() { x.say(widget.MediumImportance, "Nothing was written: "+inputText(why)) }
}
