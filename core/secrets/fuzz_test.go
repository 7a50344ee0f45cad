package secrets

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzIndexItem: whatever the keychain holds as a secret's index item, Get
// answers (the secret, ErrNotFound or a Corrupt error) without a panic, and
// Delete leaves no item of that secret behind.
func FuzzIndexItem(f *testing.F) {
	for _, s := range []string{`{"tnjwt_secret":1,"generation":1,"chunks":1,"size":5,"encoding":"text","sha256":"` +
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" + `"}`,
		`{"tnjwt_secret":2,"generation":1}`, `{"tnjwt_secret":1,"generation":1,"chunks":100000}`, `not json`, ``, `null`, `{"chunks":-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, index string) {
		mem := NewMemory(0)
		v := NewVault(mem, time.Second)
		ctx := context.Background()
		if err := mem.Set(Service, "acme/consumer-key", index); err != nil {
			t.Skip()
		}
		_ = mem.Set(Service, "acme/consumer-key/g1/0", "hello")
		if _, err := v.Get(ctx, "acme", ConsumerKey); err != nil && !errors.Is(err, ErrNotFound) && KindOf(err) != Corrupt && KindOf(err) != NewerFormat {
			t.Fatalf("index %q: Get failed with %v", index, err)
		}
		err := v.Delete(ctx, "acme", ConsumerKey)
		if KindOf(err) == NewerFormat {
			return // a newer tnjwt's item: left alone, and said so
		}
		if err != nil {
			t.Fatalf("index %q: Delete failed with %v", index, err)
		}
		for _, name := range []string{"acme/consumer-key", "acme/consumer-key/g1/0"} {
			if _, err := mem.Get(Service, name); !errors.Is(err, ErrNotFound) {
				t.Fatalf("index %q: %s left after Delete", index, name)
			}
		}
	})
}
