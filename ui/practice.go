package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/secrets"
	"github.com/tnjwt/tnjwt/wizard"
)

// practiceMode is the window rehearsing against the built-in practice org:
// profiles in a temporary folder and secrets in memory, so nothing mixes
// with real orgs, and all of it is gone when practice ends.
type practiceMode struct {
	org  *wizard.Practice
	dir  string
	real Deps // what the window used before, restored on leaving
}

// practiceBanner is shown above every screen while practising.
const practiceBanner = "Practice org: you are rehearsing against tnjwt's built-in org on this computer. " +
	"Nothing reaches Salesforce, and what you enter is forgotten when you leave practice."

func (s *shell) buildBanner() fyne.CanvasObject {
	s.banner = wrapped(practiceBanner)
	s.banner.Importance = widget.WarningImportance
	s.leave = widget.NewButtonWithIcon("Leave practice", theme.LogoutIcon(), s.askLeavePractice)
	s.bannerBox = container.NewBorder(nil, widget.NewSeparator(), nil, s.leave, s.banner)
	s.bannerBox.Hide()
	return s.bannerBox
}

// enterPractice starts the practice org and a new org for it.
func (s *shell) enterPractice() {
	if s.practice != nil {
		s.startNew()
		return
	}
	org, err := wizard.StartPractice()
	if err != nil {
		s.setStatus("Couldn't start the practice org: " + wizard.Sentence(err.Error()))
		return
	}
	dir, err := wizard.PracticeFolder("")
	if err != nil {
		org.Close()
		s.setStatus("Couldn't start the practice org: " + wizard.Sentence(err.Error()))
		return
	}
	vault := secrets.NewVault(secrets.NewMemory(0), secrets.DefaultTimeout)
	s.practice = &practiceMode{org: org, dir: dir, real: s.deps}
	s.useStore(profiles.Open(dir, vault), vault)
	s.bannerBox.Show()
	s.frame.Refresh()
	s.startNew()
}

// practiceLoss is what leaving practice (or closing the window in it)
// loses, in words, or "" when nothing was entered yet.
func (s *shell) practiceLoss() string {
	if s.practice == nil || !s.saver.holdsAny() {
		return ""
	}
	return "Practice ends: the practice org and everything entered for it (the profile, its key and its secrets) " +
		"are forgotten. Nothing of it ever reached your real orgs or keychain."
}

// askLeavePractice leaves practice, first asking when a walk would be lost
// (Stay is the default).
func (s *shell) askLeavePractice() {
	lost := s.practiceLoss()
	if lost == "" {
		s.leavePractice()
		return
	}
	s.ask(ask{Title: "Leave practice?", Body: wrapped(lost), Cancel: "Stay", OK: "Leave practice", Width: 480,
		OKImp: widget.WarningImportance, OnOK: func() bool { s.leavePractice(); return true }})
}

// leavePractice stops the practice org, forgets its profile and secrets
// and goes back to the real orgs.
func (s *shell) leavePractice() {
	p := s.practice
	if p == nil {
		return
	}
	s.jobs.wait()
	s.saves.wait()
	s.practice = nil
	_ = p.org.Close()
	_ = os.RemoveAll(p.dir)
	s.useStore(p.real.Store, p.real.Vault)
	s.bannerBox.Hide()
	s.frame.Refresh()
	s.setWizard(wizard.New(s.steps, s.saver, s.deps.Now))
	s.render()
	s.setStatus("Left practice: the practice org and everything entered for it are gone.")
}

// useStore points the window at another profile folder and keychain.
func (s *shell) useStore(store *profiles.Store, vault *secrets.Vault) {
	s.deps.Store, s.deps.Vault = store, vault
	s.saver = newSaver(store, s.saves, s.saveReport)
}

// practiceApply makes the practice org follow a ticked or unticked item.
func (s *shell) practiceApply(id string, on bool) {
	if s.practice == nil {
		return
	}
	if err := s.practice.org.Apply(id, on, s.wiz.State().Profile); err != nil {
		s.setStatus("The practice org couldn't apply that: " + wizard.Sentence(err.Error()))
	}
}

// practiceSync makes the practice org follow the whole checklist.
func (s *shell) practiceSync() {
	if s.practice == nil {
		return
	}
	if err := s.practice.org.Sync(s.wiz.State().Profile); err != nil {
		s.setStatus("The practice org couldn't apply the checklist: " + wizard.Sentence(err.Error()))
	}
}

// practiceSyncEmbedding makes the practice org follow the Embedding
// settings, e.g. after the origins changed.
func (s *shell) practiceSyncEmbedding() {
	if s.practice == nil {
		return
	}
	if err := s.practice.org.SyncEmbedding(s.wiz.State().Profile); err != nil {
		s.setStatus("The practice org couldn't apply the embedding settings: " + wizard.Sentence(err.Error()))
	}
}
