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
	k      *keyScreen
	dir    string
	folder *widget.Label
	name   *navEntry
	msg    *message
	dlg    *dialog.CustomDialog
}

func (k *keyScreen) askSave() {
	d := &saveCertDialog{k: k, dir: k.saveFolder(), msg: newMessage()}
	d.folder = wrapped(d.dir)
	d.name = newNavEntry(nil)
	d.name.SetText(certs.CertFileName)
	d.name.OnSubmitted = func(string) { d.submit() }
	d.name.OnChanged = func(string) { d.msg.set("", "") }
	choose := widget.NewButtonWithIcon("Choose folder…", theme.FolderOpenIcon(), d.chooseFolder)
	form := widget.NewForm(
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, d.folder)),
		widget.NewFormItem("File name", d.name),
	)
	body := container.NewVBox(
		wrapped("The certificate is public: save it where you can find it for the upload to the External Client App."),
		form, d.msg)
	save := widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), d.submit)
	save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), d.close)
	d.dlg = dialog.NewCustomWithoutButtons("Save the certificate", body, k.s.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, save})
	d.dlg.Resize(fyne.NewSize(560, 0))
	k.s.show(d.dlg)
	k.s.win.Canvas().Focus(d.name)
}

// saveFolder is where the certificate was saved last, else the home folder.
func (k *keyScreen) saveFolder() string {
	if p := k.s.wiz.State().CertPath; p != "" {
		if fi, err := os.Stat(filepath.Dir(p)); err == nil && fi.IsDir() {
			return filepath.Dir(p)
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
	}, d.k.s.win)
	fd.SetTitleText("Choose the folder for the certificate")
	if l, err := storage.ListerForURI(storage.NewFileURI(d.dir)); err == nil {
		fd.SetLocation(l)
	}
	fd.Resize(dialogSize(d.k.s.win))
	fd.Show()
}

func (d *saveCertDialog) submit() {
	path, err := certs.SavePath(d.dir, d.name.Text)
	if err != nil {
		d.msg.set(inputText(err), "")
		return
	}
	if _, err := os.Lstat(path); err == nil {
		dialog.ShowConfirm("Replace "+filepath.Base(path)+"?",
			"A file of that name is already in this folder. Replace it with this certificate?",
			func(ok bool) {
				if ok {
					d.close()
					d.k.saveTo(path)
				}
			}, d.k.s.win)
		return
	}
	d.close()
	d.k.saveTo(path)
}

func (d *saveCertDialog) close() {
	d.k.s.dialog = nil
	d.dlg.Hide()
}
