package ui

import (
	"errors"

	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/fsutil"
)

// askSharedFolder asks, when err refuses a folder another user can change,
// whether to write there anyway (as --force does on the command line); it
// reports whether it asked. Choose another folder is the default.
func (s *shell) askSharedFolder(err error, anyway func(), not func()) bool {
	var fe *fsutil.FolderError
	if !errors.As(err, &fe) {
		return false
	}
	body := wrapped(fe.Error() + "\n\n" + sharedFolderRisk)
	s.ask(ask{Title: "Write into a folder others can change?", Body: body, Width: 560,
		Cancel: "Choose another folder", OK: "Write here anyway", OKImp: widget.WarningImportance,
		OnOK: func() bool { anyway(); return true }, OnCancel: not})
	return true
}

// sharedFolderRisk follows fsutil's why and fix, which say who could
// replace the files: what that would cost.
const sharedFolderRisk = "What tnjwt writes is what Salesforce and your servers will trust: the certificate you " +
	"upload, or the server's code that runs with your key. Write here anyway only if you trust everyone who can " +
	"change this folder."
