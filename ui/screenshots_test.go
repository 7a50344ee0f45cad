package ui

import (
	"context"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// EnvScreenshots names the folder `make screenshots` renders every screen
// into; without it the test is skipped.
const EnvScreenshots = "TNJWT_SCREENSHOTS"

// TestScreenshots renders each screen with Fyne's software renderer at the
// window's default size, in the real (light) theme, as PNG files.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(EnvScreenshots)
	if dir == "" {
		t.Skip("make screenshots renders the screens")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.appRef.Settings().SetTheme(lightTheme{newTheme()})
	org := startPracticeOrg(t)
	capture := func(name string) {
		t.Helper()
		layoutAll(e.s.win.Canvas().Content())
		img := e.s.win.Canvas().Capture()
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
	shot := func(name string) {
		t.Helper()
		e.settle()
		capture(name)
	}

	e.savedOrg("acme-prod", org.URL, true)
	e.savedOrg("acme-uat", "https://acme--uat.sandbox.my.salesforce.com", false)
	shot("01-welcome")
	e.s.win.Resize(fyne.NewSize(700, 500))
	shot("01-welcome-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.fillOrg("globex")
	shot("02-org")
	e.next()
	shot("03-key")
	e.key().adopt(e.s.wiz, testBundle(t))
	e.settle()
	e.s.changed()
	shot("03-key-generated")
	e.tap(e.key().saveCert)
	shot("03-key-save-certificate")
	e.tap(findButton(e.s.win.Canvas().Overlays().Top(), "Cancel"))
	e.key().saveTo(filepath.Join(sharedFolder(t), "sf_public_cert.crt"))
	shot("03-key-shared-folder")
	e.press("Choose another folder")
	e.s.win.Resize(fyne.NewSize(700, 500))
	shot("03-key-generated-700x500")
	e.key().optionsSec.open(true)
	e.key().importSec.open(true)
	e.settle()
	scrollToObject(e.s.scrolls[wizard.StepKey], e.key().optionsSec.root)
	shot("03-key-options-700x500")
	e.key().optionsSec.open(false)
	e.key().importSec.open(false)
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.next()
	shot("04-eca")
	e.s.win.Resize(fyne.NewSize(700, 500))
	shot("04-eca-700x500")
	for _, v := range e.checklist(wizard.StepECA).values {
		if v.v.From == wizard.FromFingerprint {
			e.settle()
			scrollToObject(e.s.scrolls[wizard.StepECA], v.label)
		}
	}
	shot("04-eca-fingerprint-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.tickAll(wizard.StepECA)
	e.next()
	shot("05-permset")
	e.tickAll(wizard.StepPermset)
	e.next()
	es := e.s.screen(wizard.StepEmbed).(*embedScreen)
	test.Type(es.prod, "https://app.acme.com")
	shot("05-embedding-settings")
	e.s.win.Resize(fyne.NewSize(700, 500))
	shot("05-embedding-settings-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.typeOrigins(es, "app.acme.com/embed", "http://localhost:3000")
	shot("05-embedding-settings-refused")
	e.typeOrigins(es, "https://app.acme.com", "http://localhost:3000")
	e.tickAll(wizard.StepEmbed)
	e.next()
	shot("06-consumer-key")
	e.pasteKey(testKey)
	e.next()
	shot("07-keychain")

	e.jump(wizard.StepWelcome)
	r := e.retest("acme-prod")
	shot("08-live-test-passed")
	e.tap(r.reveal)
	e.s.scrolls[wizard.StepLiveTest].ScrollToBottom()
	shot("09-live-test-what-was-sent")
	e.tap(e.s.next)
	shot("10-done")
	e.s.scrolls[wizard.StepDone].ScrollToBottom()
	shot("10-done-end")
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.settle()
	e.s.scrolls[wizard.StepDone].ScrollToBottom()
	shot("10-done-end-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.settle()
	e.tap(e.s.screen(wizard.StepDone).(*doneScreen).heroku)
	shot("10-done-heroku")
	e.typeKey(fyne.KeyEscape)

	if err := org.E.RemoveCertificate(emulatortest.AppName); err != nil {
		t.Fatal(err)
	}
	e.jump(wizard.StepLiveTest)
	e.tap(e.liveTest().run)
	shot("11-live-test-refused")
	e.tap(e.liveTest().goStep)
	shot("12-go-to-step")

	entered, _ := slowPropagation(t, e, org)
	e.jump(wizard.StepLiveTest)
	test.Tap(e.liveTest().run)
	<-entered
	e.queue.drain()
	capture("13-propagation-countdown") // the test is still waiting: nothing to settle
	test.Tap(e.liveTest().cancel)
	e.settle()

	for _, size := range []fyne.Size{{Width: 700, Height: 500}, {Width: 1280, Height: 900}} {
		e.s.win.Resize(size)
		e.jump(wizard.StepLiveTest)
		shot("14-live-test-" + sizeName(size))
	}

	e.s.win.Resize(fyne.NewSize(900, 600))
	e.jump(wizard.StepWelcome)
	e.tap(e.s.welcome.practice)
	shot("15-practice-org")
	e.s.leavePractice()

	// The preview from the Done screen, ending as the practice org blames
	// the frame: the outcome with Go to step and Open in Setup.
	e.jump(wizard.StepWelcome)
	p := e.toDonePracticing()
	e.s.deps.openURL = func(*url.URL) error { return nil }
	e.tap(&p.run.Button)
	pageRequest(t, "GET", p.srv.URL, "")
	pageRequest(t, "POST", p.srv.URL+"report", `{"outcome":"init-error","dashboard":"Sales_Overview","words":"Unknown error, unable to load the iframe. (INITIALIZATION_ERROR)"}`)
	e.settle()
	scrollToObject(e.s.scrolls[wizard.StepDone], p.root)
	shot("19-done-preview-failed")
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.settle()
	scrollToObject(e.s.scrolls[wizard.StepDone], p.root)
	shot("19-done-preview-failed-700x500")
	if os.Getenv("TNJWT_TALL") != "" {
		e.s.win.Resize(fyne.NewSize(900, 1500))
		e.settle()
		scrollToObject(e.s.scrolls[wizard.StepDone], p.root)
		shot("tall")
	}
	e.s.win.Resize(fyne.NewSize(900, 600))

	// A rotation rehearsed on the practice org: the upload is a button.
	e.jump(wizard.StepWelcome)
	e.tap(e.row(wizard.PracticeProfile).rotate)
	e.press("Make the new key and certificate")
	e.s.flow.scroll.ScrollToBottom()
	shot("23-practice-rotation")
	e.press("Close")
	e.s.leavePractice()

	// Rotation from the Welcome row, on an org whose changes are live at once.
	e.s.deps.client = nil
	if err := org.E.SetPropagation(emulatortest.AppName, 0); err != nil {
		t.Fatal(err)
	}
	org.E.SkipPropagation(emulatortest.AppName)
	e.jump(wizard.StepWelcome)
	e.tap(e.row("acme-prod").rotate)
	shot("16-rotate")
	e.press("Make the new key and certificate")
	e.s.flow.turnTo(e.s.flow.serverButtons[2])
	shot("16-rotate-made")
	if err := org.E.UploadCertificate(emulatortest.AppName, []byte(e.stored("acme-prod").Pending.CertificatePEM)); err != nil {
		t.Fatal(err)
	}
	e.press("Test now")
	shot("17-rotate-promoted")
	e.press("Close")
	e.s.win.Resize(fyne.NewSize(1280, 900))
	shot("18-welcome-after-rotation")
	e.s.win.Resize(fyne.NewSize(900, 600))

	// Roll back: the previous certificate goes up again.
	e.tap(e.row("acme-prod").rollback)
	e.press("Roll back")
	shot("20-roll-back")
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.settle()
	e.s.flow.scroll.ScrollToTop()
	shot("20-roll-back-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	e.press("Close")

	// The consumer secret stored as the key: named before the wait, and
	// the wait names it as the other cause.
	if err := e.vault.Put(context.Background(), "acme-prod", secrets.ConsumerKey,
		[]byte("D4A5E1C0F3B2A1908D7C6B5A4F3E2D1C0B9A8F7E6D5C4B3A2918F7E6D5C4B3A2")); err != nil {
		t.Fatal(err)
	}
	entered, _ = slowPropagation(t, e, org)
	e.jump(wizard.StepWelcome)
	e.s.openAt(e.stored("acme-prod"), wizard.StepLiveTest)
	e.settle()
	test.Tap(e.liveTest().run)
	<-entered
	e.queue.drain()
	capture("21-live-test-wrong-key-waiting")
	e.s.win.Resize(fyne.NewSize(700, 500))
	e.queue.drain()
	capture("21-live-test-wrong-key-waiting-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
	test.Tap(e.liveTest().skip)
	e.settle()
	e.s.scrolls[wizard.StepLiveTest].ScrollToTop()
	shot("22-live-test-wrong-key-skipped")

	// Re-test all over three set-up orgs, one of them refused.
	broken := startPracticeOrg(t)
	if err := broken.E.RemoveCertificate(emulatortest.AppName); err != nil {
		t.Fatal(err)
	}
	e.savedOrg("acme-dev", broken.URL, true)
	e.savedOrg("acme-staging", org.URL, true)
	e.jump(wizard.StepWelcome)
	e.tap(e.s.welcome.retest.button)
	shot("24-welcome-retest-all")
	scrollToObject(e.s.scrolls[wizard.StepWelcome], e.row("acme-dev").goStep)
	shot("24-welcome-retest-all-refused-row")
	e.s.win.Resize(fyne.NewSize(700, 500))
	shot("24-welcome-retest-all-700x500")
	e.s.win.Resize(fyne.NewSize(900, 600))
}

// layoutAll lays out every container and widget again, top down, as the
// real driver does before each frame for what changed size (the test
// canvas doesn't): twice, as wrapped text knows its height only once laid
// out at its width.
func layoutAll(o fyne.CanvasObject) {
	for range 2 {
		layoutTree(o)
	}
}

func layoutTree(o fyne.CanvasObject) {
	if !o.Visible() {
		return
	}
	switch o := o.(type) {
	case *fyne.Container:
		if o.Layout != nil {
			o.Layout.Layout(o.Objects, o.Size())
		}
		for _, c := range o.Objects {
			layoutTree(c)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(o)
		r.Layout(o.Size())
		for _, c := range r.Objects() {
			layoutTree(c)
		}
	}
}

func sizeName(s fyne.Size) string {
	return fmtInt(int(s.Width)) + "x" + fmtInt(int(s.Height))
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// lightTheme is tnjwt's theme held to its light variant, so the pictures do
// not depend on the desktop's choice.
type lightTheme struct{ fyne.Theme }

func (l lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return l.Theme.Color(n, theme.VariantLight)
}

// scrollToObject scrolls sc so that o's top is at the top of the view.
func scrollToObject(sc *container.Scroll, o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y + sc.Offset.Y
	sc.ScrollToOffset(fyne.NewPos(0, y))
}
