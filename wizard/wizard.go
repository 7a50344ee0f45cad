// Package wizard is tnjwt's step model: which screens exist and in what order,
// which checklist items each covers, what must hold before Next, what is done,
// and where a reopened profile resumes. It never imports Fyne; ui/ renders it.
package wizard

import (
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
)

// Store is where progress is saved: the profiles.Store in the app, one in a
// temporary folder in tests.
type Store interface {
	Get(name string) (profiles.Profile, error)
	Save(p profiles.Profile) error
}

// State is the profile being built plus what this session holds and never
// writes to the profile file.
type State struct {
	Profile profiles.Profile
	Saved   bool // the profile exists in the store; its name is fixed from then on

	Draft OrgDraft // the Org screen as typed
	Org   OrgCheck // the verdict on Draft

	Origins Origins // the Embedding settings screen as typed, and the verdict

	Bundle      *certs.Bundle // key + certificate made or imported in this session
	KeyKept     bool          // Bundle's private key is also waiting in the keychain
	KeyLost     bool          // no Bundle, and the keychain has no key for the certificate
	CertPath    string        // where the certificate was saved in this session
	ConsumerKey string        // trimmed; goes to the keychain on the Keychain step
	// ConsumerKeyStored: the keychain already holds this profile's consumer
	// key (the profile was opened with its secrets stored, or they were
	// stored in this session), so a new key pair needs no new paste. A new
	// pasted key clears it: the stored one is then out of date.
	ConsumerKeyStored bool
}

// Ticked reports whether a checklist item is done in the profile.
func (s *State) Ticked(id string) bool {
	return s.Profile.Checklist[id].Done
}

// Status is how the step list shows a step.
type Status int

// Step list states.
const (
	Todo    Status = iota
	Current        // the screen on show
	Done           // its checks pass and its required items are ticked
	Problem        // passed over while unfinished
)

// Move is the answer to Next.
type Move struct {
	Moved    bool
	Finished bool  // Next on the last step, with everything in place
	Blocked  error // what must be fixed first: a *Blocked, shown as is
	// Unticked lists required items not ticked yet. Nothing moved: ask the
	// person, then call SkipUnticked. Asked once per screen.
	Unticked []Item
}

// Wizard walks one profile through the steps.
type Wizard struct {
	steps   []Step
	cur     int
	reached int // furthest step shown so far
	st      State
	store   Store
	now     func() time.Time
	asked   map[StepID]bool // unticked items already confirmed on this screen
}

// New starts a profile from scratch at the first step.
func New(steps []Step, store Store, now func() time.Time) *Wizard {
	w := &Wizard{steps: steps, store: store, now: now, asked: map[StepID]bool{}}
	w.st.Profile.Checklist = map[string]profiles.StepState{}
	w.st.Draft.Type = OrgMyDomain
	w.st.Org = CheckOrg(w.st.Draft, w.nameTaken)
	w.st.Origins = originsOf(w.st.Profile)
	return w
}

// Open resumes a saved profile at its first unfinished step, so reopening
// tnjwt lands where the person left off.
func Open(steps []Step, store Store, p profiles.Profile, now func() time.Time) *Wizard {
	w := New(steps, store, now)
	if p.Checklist == nil {
		p.Checklist = map[string]profiles.StepState{}
	}
	w.st.Profile = p
	w.st.Saved = true
	w.st.ConsumerKeyStored = w.st.Ticked(IDKeyStore)
	w.st.Draft = OrgDraft{Name: p.Name, Type: OrgTypeFor(p.LoginURL), URL: p.LoginURL, Username: p.Username}
	w.st.Org = CheckOrg(w.st.Draft, w.nameTaken)
	w.st.Origins = originsOf(p)

	w.cur = len(steps) - 1
	for i := 1; i < len(steps); i++ {
		if !w.Done(i) {
			w.cur = i
			break
		}
	}
	w.reached = w.cur
	for i, s := range steps {
		for _, it := range s.Items {
			if w.st.Ticked(it.ID) && i > w.reached {
				w.reached = i
			}
		}
	}
	// Back where the admin was: a step left with unticked items must not
	// pull them back to it. When a step before it now blocks the way (the
	// consumer key, kept only in memory, was lost with the window), that
	// step is where to pick up.
	if last := w.Index(StepID(p.LastStep)); last > w.cur {
		w.reached = max(w.reached, last) // they were there
		w.cur = last
		if b := w.blockedBefore(last); b >= 0 {
			w.cur = b
		}
	}
	return w
}

// blockedBefore is the first step before i that blocks the way, or -1.
func (w *Wizard) blockedBefore(i int) int {
	for j := 1; j < i; j++ {
		if w.Needs(j) != "" {
			return j
		}
	}
	return -1
}

// moved records the step on show, so reopening returns to it.
func (w *Wizard) moved() {
	if id := string(w.steps[w.cur].ID); w.st.Profile.LastStep != id {
		w.st.Profile.LastStep = id
		w.save()
	}
}

// Steps returns the steps in order.
func (w *Wizard) Steps() []Step { return w.steps }

// Current is the index of the step on show.
func (w *Wizard) Current() int { return w.cur }

// Step returns the step on show.
func (w *Wizard) Step() Step { return w.steps[w.cur] }

// Index finds a step by id; -1 when the walk has no such step.
func (w *Wizard) Index(id StepID) int {
	for i, s := range w.steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// State is the profile and session values, for reading. Change them through
// the Wizard's methods, which save.
func (w *Wizard) State() *State { return &w.st }

// Blocked is a sentence to show the person where an error is expected: why
// they cannot go on (a step's check, a refused paste). Unlike a Go error it
// starts with a capital and ends with a full stop, so callers show Text (or
// Error()) as it is, without Sentence.
type Blocked struct{ Text string }

func (b *Blocked) Error() string { return b.Text }

// Needs is what step i still needs before Next, as the sentence to show, or
// "".
func (w *Wizard) Needs(i int) string {
	if c := w.steps[i].Check; c != nil {
		return c(&w.st)
	}
	return ""
}

// Blocker is Needs as an error (a *Blocked), or nil: the shape Move.Blocked
// and GoTo carry.
func (w *Wizard) Blocker(i int) error {
	if need := w.Needs(i); need != "" {
		return &Blocked{Text: need}
	}
	return nil
}

// Unticked lists the required items of step i the person has not ticked.
// Items tnjwt ticks itself are left to the step's Check.
func (w *Wizard) Unticked(i int) []Item {
	var out []Item
	for _, it := range w.steps[i].Items {
		if !it.Optional && !it.Auto && !w.st.Ticked(it.ID) {
			out = append(out, it)
		}
	}
	return out
}

// Done reports whether step i's checks pass and its required items are ticked.
func (w *Wizard) Done(i int) bool {
	return w.Needs(i) == "" && len(w.Unticked(i)) == 0
}

// Status is how step i appears in the step list. The step a failed live
// test points at is a problem until a later test passes.
func (w *Wizard) Status(i int) Status {
	switch {
	case i == w.cur:
		return Current
	case w.blamed(i):
		return Problem
	case w.Done(i):
		return Done
	case i < w.reached:
		return Problem
	}
	return Todo
}

// blamed reports whether the last live test failed with a diagnosis that
// names an item of step i.
func (w *Wizard) blamed(i int) bool {
	t := w.st.Profile.LastTest
	if t == nil || t.OK || t.DiagnosisStep == "" || t.DiagnosisStep == IDLiveTest {
		return false
	}
	for _, it := range w.steps[i].Items {
		if it.ID == t.DiagnosisStep {
			return true
		}
	}
	return false
}

// Reachable reports whether the step list may jump to step i.
func (w *Wizard) Reachable(i int) bool {
	return i >= 0 && i <= w.reached
}

// Next moves on when the step allows it. Unticked required items are named
// once per screen; the caller confirms and calls SkipUnticked.
func (w *Wizard) Next() Move {
	if err := w.Blocker(w.cur); err != nil {
		return Move{Blocked: err}
	}
	if items := w.Unticked(w.cur); len(items) > 0 && !w.asked[w.steps[w.cur].ID] {
		return Move{Unticked: items}
	}
	return w.advance()
}

// SkipUnticked moves on past unticked items the person chose to leave for now.
func (w *Wizard) SkipUnticked() Move {
	if err := w.Blocker(w.cur); err != nil {
		return Move{Blocked: err}
	}
	w.asked[w.steps[w.cur].ID] = true
	return w.advance()
}

func (w *Wizard) advance() Move {
	if w.steps[w.cur].ID == StepOrg && !w.st.Saved {
		if err := w.create(); err != nil {
			return Move{Blocked: err}
		}
	}
	if w.cur == len(w.steps)-1 {
		return Move{Finished: true}
	}
	w.cur++
	w.reached = max(w.reached, w.cur)
	w.moved()
	return Move{Moved: true}
}

// Back goes to the previous step; it never checks anything.
func (w *Wizard) Back() bool {
	if w.cur == 0 {
		return false
	}
	w.cur--
	w.moved()
	return true
}

// GoTo jumps to a step already reached. Jumping forward needs the steps in
// between to pass their checks (unticked items don't stop it).
func (w *Wizard) GoTo(i int) error {
	if !w.Reachable(i) {
		return &Blocked{Text: "Finish the steps before this one first."}
	}
	for j := w.cur; j < i; j++ {
		if need := w.Needs(j); need != "" {
			return &Blocked{Text: w.steps[j].Title + ": " + need}
		}
	}
	w.cur = i
	w.moved()
	return nil
}

// Unstored is what closing now would lose, in words, or "": the consumer
// key lives only in this window's memory until the Keychain step stores it.
func (w *Wizard) Unstored() string {
	if w.st.ConsumerKey != "" && !w.st.ConsumerKeyStored {
		return "The consumer key you pasted is kept only in this window until the Keychain step stores it: " +
			"closing now loses it, and you would copy it from Setup again."
	}
	return ""
}

// SetPractice marks the profile being started as one of the practice org.
func (w *Wizard) SetPractice() { w.st.Profile.Practice = true }

// SetOrg takes the Org screen as typed. Once the profile exists, valid
// changes are saved at once; its name no longer changes.
func (w *Wizard) SetOrg(d OrgDraft) OrgCheck {
	if w.st.Saved {
		d.Name = w.st.Profile.Name
	}
	w.st.Draft = d
	w.st.Org = CheckOrg(d, w.nameTaken)
	if !w.st.Saved || !w.st.Org.OK() {
		return w.st.Org
	}
	p := &w.st.Profile
	if p.Username != w.st.Org.User {
		w.untick(IDPermsetAssign) // it was assigned to the old user
	}
	changed := p.LoginURL != w.st.Org.Login.URL || p.Username != w.st.Org.User || p.Sandbox != w.st.Org.Sandbox
	w.applyOrg()
	if changed {
		w.save()
	}
	return w.st.Org
}

func (w *Wizard) applyOrg() {
	p := &w.st.Profile
	p.LoginURL = w.st.Org.Login.URL
	p.Sandbox = w.st.Org.Sandbox
	p.Username = w.st.Org.User
}

// create saves the new profile when the person leaves the Org screen.
func (w *Wizard) create() error {
	if !w.st.Org.OK() {
		return &Blocked{Text: w.st.Org.FirstProblem()}
	}
	p := &w.st.Profile
	p.Name = strings.TrimSpace(w.st.Draft.Name)
	p.Created = w.now()
	w.applyOrg()
	w.tick(IDOrgLoginURL)
	if err := w.store.Save(w.stamped()); err != nil {
		return &Blocked{Text: "Couldn't save this org's profile: " + err.Error()}
	}
	w.st.Saved = true
	return nil
}

// SetKey records a key and certificate made or imported in this session. A
// new certificate must be uploaded again and the new key stored again, so
// those items are unticked.
func (w *Wizard) SetKey(b *certs.Bundle) {
	info := certs.Describe(b.Cert, w.now())
	p := &w.st.Profile
	if p.Fingerprint != info.Fingerprint {
		w.untick(IDECACertUpload)
		w.untick(IDKeyStore)
		w.st.CertPath = ""
	}
	w.st.Bundle = b
	w.st.KeyKept = false
	w.st.KeyLost = false
	p.CertificatePEM = string(b.CertPEM)
	p.Fingerprint = info.Fingerprint
	p.CertNotAfter = info.NotAfter
	w.tick(IDKeyGenerate)
	w.save()
}

// KeyKept records that the session's private key is waiting in the keychain,
// so closing tnjwt before the Keychain step loses nothing.
func (w *Wizard) KeyKept(b *certs.Bundle) {
	if w.st.Bundle == b {
		w.st.KeyKept = true
	}
}

// SetCertPath remembers where the certificate file was saved.
func (w *Wizard) SetCertPath(path string) { w.st.CertPath = path }

// Tick sets a checklist item done or not.
func (w *Wizard) Tick(id string, done bool) {
	if w.st.Ticked(id) == done {
		return
	}
	if done {
		w.tick(id)
	} else {
		w.untick(id)
	}
	w.save()
}

// SetConsumerKey takes what was pasted. The key stays in memory until the
// Keychain step; a changed key must be stored again.
func (w *Wizard) SetConsumerKey(raw string) (key, warning string, err error) {
	key, warning, err = checkConsumerKey(raw)
	if err != nil {
		w.st.ConsumerKey = ""
		return "", "", err
	}
	if key == w.st.ConsumerKey {
		return key, warning, nil
	}
	w.st.ConsumerKey = key
	w.st.ConsumerKeyStored = false
	w.untick(IDKeyStore)
	w.tick(IDECAConsumerKey)
	w.save()
	return key, warning, nil
}

func (w *Wizard) tick(id string) {
	w.st.Profile.Checklist[id] = profiles.StepState{Done: true, At: w.now()}
}

func (w *Wizard) untick(id string) {
	delete(w.st.Profile.Checklist, id)
}

// save writes the profile once it exists; before that the Org screen has
// nothing with a name to save. The window's store writes in the background
// and shows its own failures until a save succeeds, so there is nothing
// here to return them to.
func (w *Wizard) save() {
	if w.st.Saved {
		_ = w.store.Save(w.stamped())
	}
}

// stamped is a copy of the profile to hand to the store, so a background
// writer never shares the map the screens keep changing.
func (w *Wizard) stamped() profiles.Profile {
	p := w.st.Profile.Clone() // the screens go on changing the maps and the embedding settings
	p.Updated = w.now()
	return p
}

// nameTaken is the saved name, in its own spelling, that name clashes with
// (names are unique ignoring case), or "" when it is free.
func (w *Wizard) nameTaken(name string) string {
	if w.st.Saved && name == w.st.Profile.Name {
		return ""
	}
	if w.store == nil {
		return ""
	}
	p, err := w.store.Get(name)
	if err != nil {
		return ""
	}
	return p.Name
}
