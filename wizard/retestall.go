package wizard

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tnjwt/tnjwt/core/profiles"
	"github.com/tnjwt/tnjwt/core/retest"
	"github.com/tnjwt/tnjwt/core/salesforce"
)

// Re-test all on the Welcome screen: every saved org tested a few at a
// time with core/retest, as `tnjwt test --all` does.

// Retestable lists the saved orgs Re-test all tests: those whose secrets
// are stored, in the order given. Practice profiles count only in practice
// mode, where they are the only ones listed.
func Retestable(list []profiles.Profile) []string {
	var names []string
	for _, p := range list {
		if p.Checklist[IDKeyStore].Done {
			names = append(names, p.Name)
		}
	}
	return names
}

// ProfileStore is what Re-test all reads and records through.
type ProfileStore interface {
	Get(name string) (profiles.Profile, error)
	Update(name string, fn func(*profiles.Profile) error) error
}

// RetestOptions are retest's options for the window: each org's current
// key (what its servers use, even during a rotation) from the keychain,
// read once; each finished test recorded in its profile.
func RetestOptions(store ProfileStore, vault Vault, client func() *salesforce.Client, now func() time.Time) retest.Options {
	return retest.Options{
		Parallel: retest.DefaultParallel,
		Now:      now,
		Prepare: func(ctx context.Context, name string) (retest.Test, error) {
			p, err := store.Get(name)
			if err != nil {
				return retest.Test{}, err
			}
			req, err := PreviewRequest(ctx, vault, p)
			return retest.Test{Request: req}, err
		},
		Exchange: func(ctx context.Context, t retest.Test) (*salesforce.Result, error) {
			return client().Exchange(ctx, t.Request)
		},
		Record: func(r retest.Result) error {
			if r.Kind == retest.Local {
				return nil
			}
			result := profiles.TestResultOf(now(), r.Res, r.Err, r.Diagnosis)
			return store.Update(r.Name, func(p *profiles.Profile) error {
				p.RecordTest(result)
				return nil
			})
		},
	}
}

// RetestText is a row's line for a finished test, in words.
func RetestText(r retest.Result) string {
	switch r.Kind {
	case retest.Passed:
		return "Passed just now: the JWT bearer flow works."
	case retest.Stopped:
		return "Stopped before it finished: nothing was recorded."
	case retest.Local:
		return "Not tested: " + Sentence(errText(r.Err))
	}
	if r.Diagnosis != nil {
		return "Failed: " + r.Diagnosis.Title + "."
	}
	return "Failed: " + Sentence(errText(r.Err))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var nr *NotReadyError
	if errors.As(err, &nr) {
		return nr.Problem
	}
	return err.Error()
}

// BlamedItem is the checklist item and screen a failed test points at, for
// a row's Go to step; ok is false when it points at none.
func BlamedItem(steps []Step, t *profiles.TestResult) (StepID, string, bool) {
	if t == nil || t.OK || t.DiagnosisStep == "" {
		return "", "", false
	}
	screen, ok := ScreenFor(steps, t.DiagnosisStep)
	return screen, t.DiagnosisStep, ok && !slices.Contains([]StepID{StepLiveTest, StepDone}, screen)
}
