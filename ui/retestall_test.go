package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/wizard"
)

func TestRetestAllShowsEachRowAndKeepsGoToStep(t *testing.T) {
	e := newEnv(t)
	good, broken := startPracticeOrg(t), startPracticeOrg(t)
	if err := broken.E.RemoveCertificate(emulatortest.AppName); err != nil {
		t.Fatal(err)
	}
	e.savedOrg("acme-prod", good.URL, true)
	e.savedOrg("acme-uat", broken.URL, true)
	e.savedOrg("acme-dev", good.URL, false) // nothing stored: not offered
	e.tap(e.row("acme-prod").open)          // the wizard holds acme-prod…
	e.jump(wizard.StepWelcome)              // …and the admin comes back
	r := e.s.welcome.retest
	if !r.button.Visible() {
		t.Fatal("no Re-test all with two set-up orgs")
	}
	e.tap(r.button)
	e.see("1 org of 2 passed. Each row below says what failed; Go to step opens the item to fix.")
	if name := e.s.wiz.State().Profile.Name; name != "" {
		t.Errorf("the wizard still holds %s, whose next save would write over its result", name)
	}
	rows := e.s.welcome.rows
	if got := rows["acme-prod"].state.Text; !strings.Contains(got, "Passed just now") {
		t.Errorf("acme-prod says %q", got)
	}
	if got := rows["acme-uat"].state.Text; !strings.HasPrefix(got, "Failed: ") {
		t.Errorf("acme-uat says %q", got)
	}
	if rows["acme-dev"].state.Visible() {
		t.Errorf("an org with nothing stored was tested: %q", rows["acme-dev"].state.Text)
	}
	for name, ok := range map[string]bool{"acme-prod": true, "acme-uat": false} {
		p, err := e.store.Get(name)
		if err != nil || p.LastTest == nil || p.LastTest.OK != ok {
			t.Errorf("%s recorded %+v (%v)", name, p.LastTest, err)
		}
	}
	goStep := rows["acme-uat"].goStep
	if !goStep.Visible() || rows["acme-prod"].goStep.Visible() {
		t.Fatal("Go to step is not on the failed row alone")
	}
	e.tap(goStep)
	if e.at() != wizard.StepECA || !e.checklist(wizard.StepECA).highlighted(wizard.IDECACertUpload) {
		t.Errorf("Go to step opened %s without the certificate item highlighted", e.at())
	}
}

func TestRetestAllCanBeCancelled(t *testing.T) {
	e := newEnv(t)
	arrived, gaveUp, over := make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // read all: only then does the server notice the client leave
		arrived <- struct{}{}
		select { // never answers
		case <-r.Context().Done():
			gaveUp <- struct{}{}
		case <-over:
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(over) }) // runs first: a handler still waiting ends
	good := startPracticeOrg(t)
	e.savedOrg("a-good", good.URL, true)
	e.savedOrg("b-hanging", hanging.URL, true)
	r := e.s.welcome.retest
	test.Tap(r.button) // not e.tap: the run stays under way until cancelled
	<-arrived          // b-hanging's token request is under way
	e.settleUntil(func() bool { return strings.HasPrefix(e.s.welcome.rows["a-good"].state.Text, "Passed") })
	if r.button.Text != "Cancel" {
		t.Fatalf("the button says %q while the run is under way", r.button.Text)
	}
	if row := e.s.welcome.rows["b-hanging"]; !row.open.Disabled() || !row.del.Disabled() {
		t.Error("an org under test can be opened or deleted (its save would write over the result)")
	}
	e.tap(r.button)
	<-gaveUp // Cancel closed the hanging org's request (else the test times out here)
	if got := e.s.welcome.rows["b-hanging"].state.Text; !strings.Contains(got, "Stopped before it finished") {
		t.Errorf("the cancelled org says %q", got)
	}
	if p, _ := e.store.Get("b-hanging"); p.LastTest != nil {
		t.Errorf("the cancelled org recorded %+v", p.LastTest)
	}
	if p, _ := e.store.Get("a-good"); p.LastTest == nil || !p.LastTest.OK {
		t.Errorf("the org that finished recorded %+v", p.LastTest)
	}
	if r.button.Text != "Re-test all" {
		t.Errorf("after the run the button says %q", r.button.Text)
	}
	if row := e.s.welcome.rows["b-hanging"]; row.open.Disabled() || row.del.Disabled() {
		t.Error("after the run the org's row is still held")
	}
}
