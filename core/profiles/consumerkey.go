package profiles

import (
	"context"
	"errors"

	"github.com/tnjwt/tnjwt/core/secrets"
)

// consumerKeyItem is the checklist id of the consumer key step
// (docs/cli.md), which a key tnjwt chose and stored has done.
const consumerKeyItem = "eca-consumer-key"

// DeployConsumerKey is the consumer key of an app tnjwt deploys as metadata
// for the profile called name: the one already in the keychain, or, when
// there is none, the key newKey makes, stored in the keychain at once (and
// the consumer key step ticked) before anything is written that holds it.
// All of it happens under the profiles lock, so two exports never choose two
// keys. created reports a new key. The key is a secret: errors never hold it.
func (s *Store) DeployConsumerKey(ctx context.Context, name string, newKey func() (string, error)) (key string, created bool, err error) {
	if s.vault == nil {
		return "", false, errors.New("this profile store has no keychain to keep the consumer key in")
	}
	err = s.change(func(d *fileData) error {
		i := d.find(name)
		if i < 0 {
			return notFound(name)
		}
		p := d.Profiles[i].Clone()
		stored, err := s.vault.Get(ctx, p.Name, secrets.ConsumerKey)
		if err == nil {
			key = string(stored)
			return errUnchanged
		}
		var se *secrets.Error
		if !errors.As(err, &se) || se.Kind != secrets.NotFound {
			return err
		}
		if key, err = newKey(); err != nil {
			return err
		}
		if err := s.vault.Put(ctx, p.Name, secrets.ConsumerKey, []byte(key)); err != nil {
			return err
		}
		created = true
		if p.Checklist == nil {
			p.Checklist = map[string]StepState{}
		}
		p.Checklist[consumerKeyItem] = StepState{Done: true, At: s.stamp()}
		return s.put(d, p, true)
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	if err != nil {
		key, created = "", false
	}
	return key, created, err
}

// errUnchanged ends a change that has nothing to write.
var errUnchanged = errors.New("nothing to change")
