package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// findCheck is the check box labelled text (from its start) in o.
func findCheck(o fyne.CanvasObject, text string) *widget.Check {
	switch x := o.(type) {
	case *widget.Check:
		if strings.HasPrefix(x.Text, text) {
			return x
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			if found := findCheck(c, text); found != nil {
				return found
			}
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			if found := findCheck(c, text); found != nil {
				return found
			}
		}
	}
	return nil
}

func TestDeployInsteadWritesTheProjectAndTicksWhatTheDeployDid(t *testing.T) {
	e := newEnv(t)
	e.toECA("acme")
	e.see("[Set up by deploying instead…]")

	// The button asks for a folder, then does this:
	p := newDeployPanel(e.checklist(wizard.StepECA))
	dir := filepath.Join(t.TempDir(), "project")
	p.write(dir, fsutil.Allow{})
	e.settle()

	key, err := e.vault.Get(context.Background(), "acme", secrets.ConsumerKey)
	if err != nil || !strings.HasPrefix(string(key), "3MVG9") {
		t.Fatalf("no consumer key in the keychain: %v", err)
	}
	e.see("sf project deploy start --source-dir force-app --target-org acme")
	e.see("sf org assign permset --name " + wizard.PermsetAPIName + " --on-behalf-of " + testUser + " --target-org acme")
	e.see("tnjwt made the app's consumer key and stored it in your keychain")
	e.notSee(string(key))
	if !e.s.wiz.State().Ticked(wizard.IDECAConsumerKey) {
		t.Error("the consumer key step is not done")
	}
	st, err := os.Stat(filepath.Join(dir, "force-app/main/default/extlClntAppGlobalOauthSets/TableauNext_acme_GlblOAuth.ecaGlblOauth-meta.xml"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v", err)
	}
	for _, id := range wizard.DeployCovers {
		if e.s.wiz.State().Ticked(id) {
			t.Fatalf("%s ticked before the admin said the deploy succeeded", id)
		}
	}

	d := e.topDialog()
	if d == nil || d.ok == nil || d.ok.Text != "The deploy succeeded" {
		t.Fatal("no dialog with the commands")
	}
	var assigned *widget.Check
	for _, o := range e.s.win.Canvas().Overlays().List() {
		if c := findCheck(o, "I also ran sf org assign permset"); c != nil {
			assigned = c
		}
	}
	if assigned == nil {
		t.Fatal("no check for the permission set assignment")
	}
	test.Tap(assigned)
	e.tap(&d.ok.Button)
	for _, id := range append(wizard.DeployCovers, wizard.IDPermsetAssign) {
		if !e.s.wiz.State().Ticked(id) {
			t.Errorf("%s not ticked after the deploy", id)
		}
	}
	if e.s.wiz.State().Ticked(wizard.IDPermsetAccess) {
		t.Error("Tableau Next access ticked: a deploy does not give it")
	}
	if !e.checklist(wizard.StepECA).checks[wizard.IDECAJWTEnable].Checked {
		t.Error("the screen's tick box did not follow")
	}

	// Again into the same folder: asked first, and kept when the admin says so.
	p.write(dir, fsutil.Allow{})
	e.settle()
	e.see("Replace files?")
	e.tap(&e.topDialog().cancel.Button)
	if !strings.Contains(p.note.Text, "Nothing was written") { // the panel's own note
		t.Errorf("after Keep them, the note says %q", p.note.Text)
	}
}

// TestDeployInsteadInPracticeModeSaysWhy: the practice org in the window
// takes no deploy from the Salesforce CLI; nothing is written or stored.
func TestDeployInsteadInPracticeModeSaysWhy(t *testing.T) {
	e := newEnv(t)
	e.tap(e.s.welcome.practice)
	if e.s.practice == nil {
		t.Fatal("practice mode did not start")
	}
	t.Cleanup(e.s.leavePractice)
	newDeployPanel(e.checklist(wizard.StepECA)).start()
	e.settle()
	e.see("The practice org in this window takes no deploy from the Salesforce CLI")
	if _, err := e.s.deps.Vault.Get(context.Background(), wizard.PracticeProfile, secrets.ConsumerKey); err == nil {
		t.Error("a consumer key was stored")
	}
}
