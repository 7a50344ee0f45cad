package ui

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/certs"
)

// saveCertDialog asks where to save the certificate. Fyne's own save dialog
// opens, and so empties, the chosen file (through a symlink too) before it
// hands the file over: a write that then failed would leave an empty
// certificate. This dialog only chooses a path; tnjwt's atomic writer
// replaces the file whole or not at all.
type saveCertDialog struct {
	s      *shell
	save   func(path string) // writes the certificate there, off the UI goroutine
	dir    string
	folder *widget.Label
	name   *navEntry
	msg    *message
	dlg    *keyDialog
}

func (k *keyScreen) askSave() { k.s.askSaveCert(k.saveFolder(), k.saveTo) }

// askSaveCert asks for a path in dir, then hands it to save.
func (s *shell) askSaveCert(dir string, save func(path string)) {
	d := &saveCertDialog{s: s, save: save, dir: dir, msg: newMessage()}
	d.folder = wrapped(d.dir)
	d.name = s.newEntry(specFileName)
	d.name.nav = nil // in a dialog, Alt+←/→ are no steps
	d.name.cut = func(msg string) { d.msg.set("", msg) }
	d.name.SetText(certs.CertFileName)
	d.name.OnSubmitted = func(string) { d.dlg.confirm() }
	d.name.OnChanged = func(string) { d.msg.set("", "") }
	choose := newFocusButton(s, "Choose folder…", theme.FolderOpenIcon(), d.chooseFolder)
	form := widget.NewForm(
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, d.folder)),
		widget.NewFormItem("File name", d.name),
	)
	body := container.NewVBox(
		wrapped("The certificate is public: save it where you can find it for the upload to the External Client App."),
		form, d.msg)
	d.dlg = s.ask(ask{Title: "Save the certificate", Body: body, OK: "Save", Width: 560, OnOK: d.submit})
	d.name.escape = d.dlg.dismiss
	s.win.Canvas().Focus(d.name)
}

// saveFolder is where the certificate was saved last, else the home folder.
func (k *keyScreen) saveFolder() string { return folderOf(k.s.wiz.State().CertPath) }

// folderOf is the folder of path when it exists, else the home folder.
func folderOf(path string) string {
	if path != "" {
		if fi, err := os.Stat(filepath.Dir(path)); err == nil && fi.IsDir() {
			return filepath.Dir(path)
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	return "."
}

func (d *saveCertDialog) chooseFolder() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		d.dir = u.Path()
		d.folder.SetText(d.dir)
	}, d.s.win)
	fd.SetTitleText("Choose the folder for the certificate")
	if l, err := storage.ListerForURI(storage.NewFileURI(d.dir)); err == nil {
		fd.SetLocation(l)
	}
	fd.Resize(dialogSize(d.s.win))
	fd.Show()
}

// submit saves, or asks first when the file is there; it reports whether
// the dialog may close.
func (d *saveCertDialog) submit() bool {
	path, err := certs.SavePath(d.dir, d.name.Text)
	if err != nil {
		d.msg.set(inputText(err), "")
		return false
	}
	if _, err := os.Lstat(path); err == nil {
		d.s.confirm("Replace "+filepath.Base(path)+"?",
			"A file of that name is already in this folder. Replace it with this certificate?",
			"Replace", widget.WarningImportance, func() {
				d.dlg.close()
				d.save(path)
			})
		return false
	}
	d.save(path)
	return true
}
