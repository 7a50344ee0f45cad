package secrets

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

type limitedStore struct {
	name string
	new  func() *Memory
}

var limitedStores = []limitedStore{
	{"unlimited", func() *Memory { return NewMemory(0) }},
	{"windows", func() *Memory { return NewMemory(LimitWindows) }},
	{"macos-3000", func() *Memory { return NewMemory(LimitMacOS) }},
	{"macos-exact", NewMacOSMemory},
}

func TestLimitedFakesRefuseAnRSA4096KeyInOneItem(t *testing.T) {
	key := rsaKeyPEM(t, 4096)
	if len(key) < 3200 {
		t.Fatalf("RSA-4096 PKCS#8 PEM is %d bytes; expected about 3.3 KB", len(key))
	}
	for _, s := range limitedStores[1:] {
		if err := s.new().Set(Service, "tnjwt-test/private-key", string(key)); !errors.Is(err, ErrSetDataTooBig) {
			t.Errorf("%s: storing %d bytes in one item: got %v, want ErrSetDataTooBig", s.name, len(key), err)
		}
	}
}

func TestMacOSFakeMatchesGoKeyringLimit(t *testing.T) {
	// go-keyring's rule: the whole add-generic-password line ≤ 4096 bytes. For
	// service "com.example.sfsetup" and user "private-key" that allows exactly
	// 3009 bytes (fyne-and-keyring.md §C3).
	m := NewMacOSMemory()
	if err := m.Set("com.example.sfsetup", "private-key", strings.Repeat("k", 3009)); err != nil {
		t.Fatalf("3009 bytes: %v", err)
	}
	if err := m.Set("com.example.sfsetup", "private-key", strings.Repeat("k", 3010)); !errors.Is(err, ErrSetDataTooBig) {
		t.Fatalf("3010 bytes: got %v, want ErrSetDataTooBig", err)
	}
	// A name that needs shell quoting costs its quotes.
	if got, want := len(macOSCommand("s", "a b", "")), len("add-generic-password -U -s s -a 'a b' -w go-keyring-base64:\n"); got != want {
		t.Fatalf("quoted command length %d, want %d", got, want)
	}
}

// Every profile name profiles.ValidateName allows (64 letters of up to 4
// bytes) must name keychain items, and its longest item must still fit
// macOS's 4096-byte command line.
func TestLongestProfileNameFitsEveryKeychain(t *testing.T) {
	longest := strings.Repeat("𠮷", 64) // a CJK letter of 4 UTF-8 bytes
	if len(longest) != MaxProfileBytes {
		t.Fatalf("test name is %d bytes, want %d", len(longest), MaxProfileBytes)
	}
	if _, err := describeItem(longest+"a", PrivateKey); err == nil {
		t.Fatal("a name over MaxProfileBytes was accepted")
	}
	// The costliest name describeItem accepts: each "'" is quoted as 5 bytes.
	quoted := strings.Repeat("'", MaxProfileBytes)
	user := chunkName(quoted, PreviousPrivateKey, math.MaxUint64, maxChunks-1)
	if n := len(macOSCommand(Service, user, strings.Repeat("k", ChunkSize))); n > 4096 {
		t.Fatalf("the longest chunk item needs a %d-byte macOS command line; go-keyring allows 4096", n)
	}
	binary := make([]byte, 5000) // base64-encoded: the largest chunks
	if _, err := rand.Read(binary); err != nil {
		t.Fatal(err)
	}
	for _, s := range limitedStores[1:] {
		for _, name := range []string{longest, quoted} {
			m := s.new()
			v := NewVault(m, 0)
			for _, p := range Purposes() {
				mustPut(t, v, name, p, binary)
				if got := mustGet(t, v, name, p); !bytes.Equal(got, binary) {
					t.Fatalf("%s: %s of a %d-byte name changed", s.name, p, len(name))
				}
			}
			if err := v.DeleteProfile(context.Background(), name); err != nil || m.Len() != 0 {
				t.Fatalf("%s: delete: %v, %d items left", s.name, err, m.Len())
			}
		}
	}
}

func TestRoundTripUnderEveryLimit(t *testing.T) {
	binary := make([]byte, 5000)
	if _, err := rand.Read(binary); err != nil {
		t.Fatal(err)
	}
	// Multi-byte characters placed so that a byte-wise cut at ChunkSize would split one.
	text := []byte(strings.Repeat("a", ChunkSize-1) + strings.Repeat("é€😀", 700))
	secrets := map[string][]byte{
		"consumer key": []byte("3MVG9" + strings.Repeat("xY_z.0", 14)),
		"rsa-2048":     rsaKeyPEM(t, 2048),
		"rsa-4096":     rsaKeyPEM(t, 4096),
		"binary":       binary,
		"utf-8 text":   text,
		"largest":      bytes.Repeat([]byte("Z"), MaxSecretSize),
	}
	for _, s := range limitedStores {
		for name, secret := range secrets {
			t.Run(s.name+"/"+name, func(t *testing.T) {
				m := s.new()
				v := NewVault(m, 0)
				mustPut(t, v, "Acme Prod", PrivateKey, secret)
				if got := mustGet(t, v, "Acme Prod", PrivateKey); !bytes.Equal(got, secret) {
					t.Fatalf("round trip changed the secret (%d bytes in, %d out)", len(secret), len(got))
				}
			})
		}
	}
}

func TestRSA4096IsSplitIntoChunksUnderAManifest(t *testing.T) {
	m := NewMemory(LimitWindows)
	v := NewVault(m, 0)
	key := rsaKeyPEM(t, 4096)
	mustPut(t, v, "acme", PrivateKey, key)
	want := []string{"acme/private-key", "acme/private-key/g1/0", "acme/private-key/g1/1"}
	if got := m.Users(Service); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("items %v, want %v", got, want)
	}
	chunk, _ := m.Get(Service, "acme/private-key/g1/0")
	if !strings.HasPrefix(chunk, "-----BEGIN PRIVATE KEY-----") || len(chunk) > ChunkSize {
		t.Fatalf("first chunk should be the first %d bytes of the PEM text, got %d bytes", ChunkSize, len(chunk))
	}
}

func TestReplaceMovesToANewGenerationAndRemovesTheOld(t *testing.T) {
	m := NewMemory(LimitWindows)
	v := NewVault(m, 0)
	mustPut(t, v, "acme", PrivateKey, rsaKeyPEM(t, 4096))
	mustPut(t, v, "acme", PrivateKey, rsaKeyPEM(t, 2048))
	want := []string{"acme/private-key", "acme/private-key/g2/0"}
	if got := m.Users(Service); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("items after replace %v, want %v", got, want)
	}
	if got := mustGet(t, v, "acme", PrivateKey); !bytes.Equal(got, rsaKeyPEM(t, 2048)) {
		t.Fatal("replace did not store the new key")
	}
}

// countCalls runs fn against a fresh copy of the setup and counts backend calls.
func countCalls(t *testing.T, setup func(*Vault), fn func(*Vault) error) int {
	t.Helper()
	c := &crashAfter{b: NewMemory(LimitWindows)}
	setup(NewVault(c.b, 0))
	if err := fn(NewVault(c, 0)); err != nil {
		t.Fatalf("uninterrupted run failed: %v", err)
	}
	return c.calls
}

func TestInterruptedReplaceLeavesOldOrNewWhole(t *testing.T) {
	big, small := rsaKeyPEM(t, 4096), rsaKeyPEM(t, 2048)
	for _, tc := range []struct {
		name     string
		old, new []byte
	}{
		{"4096 replaced by 2048", big, small},
		{"2048 replaced by 4096", small, big},
		{"4096 replaced by 4096", big, append(bytes.Clone(big[:len(big)-40]), []byte("-----END PRIVATE KEY-----\n")...)},
	} {
		setup := func(v *Vault) {
			// Two earlier writes, so the old secret sits at generation 2.
			mustPut(t, v, "acme", PrivateKey, []byte("first"))
			mustPut(t, v, "acme", PrivateKey, tc.old)
		}
		put := func(v *Vault) error { return v.Put(context.Background(), "acme", PrivateKey, tc.new) }
		total := countCalls(t, setup, put)
		if total < 5 {
			t.Fatalf("%s: only %d backend calls; the interruption test would prove nothing", tc.name, total)
		}
		for n := 1; n <= total; n++ {
			for _, applied := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/crash at call %d of %d/applied=%v", tc.name, n, total, applied), func(t *testing.T) {
					mem := NewMemory(LimitWindows)
					setup(NewVault(mem, 0))
					err := put(NewVault(&crashAfter{b: mem, n: n, applied: applied}, 0))

					after := NewVault(mem, 0)
					got := mustGet(t, after, "acme", PrivateKey)
					isOld, isNew := bytes.Equal(got, tc.old), bytes.Equal(got, tc.new)
					if !isOld && !isNew {
						t.Fatalf("after the crash the secret is neither the old nor the new one")
					}
					if err == nil && !isNew {
						t.Fatalf("Put reported success but the old secret is still there")
					}
					if err != nil {
						assertNoSecret(t, err.Error(), tc.new)
					}

					// The next Put cleans up whatever the crash left behind.
					third := []byte("third secret")
					mustPut(t, after, "acme", PrivateKey, third)
					if got := mustGet(t, after, "acme", PrivateKey); !bytes.Equal(got, third) {
						t.Fatal("Put after a crash did not store the new secret")
					}
					if items := mem.Users(Service); len(items) != 2 {
						t.Fatalf("stale items left after the next Put: %v", items)
					}
				})
			}
		}
	}
}

func TestInterruptedDeleteCanBeRunAgain(t *testing.T) {
	setup := func(v *Vault) { mustPut(t, v, "acme", PrivateKey, rsaKeyPEM(t, 4096)) }
	del := func(v *Vault) error { return v.Delete(context.Background(), "acme", PrivateKey) }
	total := countCalls(t, setup, del)
	for n := 1; n <= total; n++ {
		mem := NewMemory(LimitWindows)
		setup(NewVault(mem, 0))
		if err := del(NewVault(&crashAfter{b: mem, n: n}, 0)); err == nil {
			t.Fatalf("crash at call %d: Delete reported success", n)
		}
		if err := del(NewVault(mem, 0)); err != nil {
			t.Fatalf("crash at call %d: second Delete: %v", n, err)
		}
		if mem.Len() != 0 {
			t.Fatalf("crash at call %d: items left after the second Delete: %v", n, mem.Users(Service))
		}
	}
}

func TestCorruptionIsReportedClearly(t *testing.T) {
	key := rsaKeyPEM(t, 4096)
	for _, tc := range []struct {
		name, detail string
		damage       func(m *Memory)
	}{
		{"changed chunk", "do not match the checksum", func(m *Memory) {
			c, _ := m.Get(Service, "acme/private-key/g1/1")
			_ = m.Set(Service, "acme/private-key/g1/1", strings.Replace(c, "A", "B", 1))
		}},
		{"missing chunk", "part 2 of 2 is missing", func(m *Memory) { _ = m.Delete(Service, "acme/private-key/g1/1") }},
		{"unreadable manifest", "index item cannot be read", func(m *Memory) { _ = m.Set(Service, "acme/private-key", "{not json") }},
		{"truncated secret", "do not match the checksum", func(m *Memory) { _ = m.Set(Service, "acme/private-key/g1/1", "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMemory(0)
			v := NewVault(m, 0)
			mustPut(t, v, "acme", PrivateKey, key)
			tc.damage(m)
			_, err := v.Get(context.Background(), "acme", PrivateKey)
			if KindOf(err) != Corrupt {
				t.Fatalf("got %v (kind %v), want Corrupt", err, KindOf(err))
			}
			msg := err.Error()
			for _, want := range []string{`the private key of profile "acme" is damaged`, tc.detail, "tnjwt profile import",
				"Make a new key and certificate on the wizard's Key and certificate step", "upload the new certificate"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
			assertNoSecret(t, msg, key)
			// Storing the key again is the remedy, and it works.
			mustPut(t, v, "acme", PrivateKey, key)
			if got := mustGet(t, v, "acme", PrivateKey); !bytes.Equal(got, key) {
				t.Fatal("storing again did not repair the entry")
			}
		})
	}
}

// An index of a format this tnjwt does not know is left alone: read,
// replaced or deleted, the answer says a newer tnjwt stored it.
func TestANewerFormatIsLeftAlone(t *testing.T) {
	m := NewMemory(0)
	v := NewVault(m, 0)
	mustPut(t, v, "acme", PrivateKey, []byte("secret-one"))
	raw, _ := m.Get(Service, "acme/private-key")
	future := strings.Replace(raw, `"tnjwt_secret":1`, `"tnjwt_secret":7`, 1)
	_ = m.Set(Service, "acme/private-key", future)
	before := m.Users(Service)
	ctx := context.Background()
	_, getErr := v.Get(ctx, "acme", PrivateKey)
	for name, err := range map[string]error{"Get": getErr, "Put": v.Put(ctx, "acme", PrivateKey, []byte("secret-two")),
		"Delete": v.Delete(ctx, "acme", PrivateKey)} {
		if KindOf(err) != NewerFormat || !strings.Contains(err.Error(), "stored by a newer version of tnjwt (format 7)") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got, _ := m.Get(Service, "acme/private-key"); got != future || len(m.Users(Service)) != len(before) {
		t.Error("the newer entry was changed")
	}
}

// A damaged index no longer hides its chunks: a delete or a replace finds
// and removes them, and says how many it cleaned up.
func TestADamagedIndexLeavesNoOrphans(t *testing.T) {
	for _, op := range []string{"delete", "replace"} {
		m := NewMemory(LimitWindows)
		v := NewVault(m, 0)
		var cleaned int
		v.OnOrphans = func(what string, n int) { cleaned += n }
		key := rsaKeyPEM(t, 4096)
		mustPut(t, v, "acme", PrivateKey, key) // g1
		mustPut(t, v, "acme", PrivateKey, key) // g2: several chunks
		chunks := len(m.Users(Service)) - 1
		_ = m.Set(Service, "acme/private-key", "{damaged")
		ctx := context.Background()
		if op == "delete" {
			if err := v.Delete(ctx, "acme", PrivateKey); err != nil {
				t.Fatal(err)
			}
			if left := m.Users(Service); len(left) != 0 {
				t.Errorf("delete left %v", left)
			}
		} else {
			mustPut(t, v, "acme", PrivateKey, []byte("short new secret"))
			if left := m.Users(Service); len(left) != 2 {
				t.Errorf("replace left %v", left)
			}
		}
		if cleaned != chunks {
			t.Errorf("%s: reported %d orphaned chunks, want %d", op, cleaned, chunks)
		}
	}
}

func TestMissingSecretIsNotFound(t *testing.T) {
	v := NewVault(NewMemory(0), 0)
	_, err := v.Get(context.Background(), "acme", ConsumerKey)
	if !errors.Is(err, ErrNotFound) || KindOf(err) != NotFound {
		t.Fatalf("got %v, want NotFound wrapping ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), `consumer key of profile "acme"`) {
		t.Fatalf("message does not say what is missing: %q", err)
	}
}

// A lost private key cannot be stored again from nowhere: the remedy must
// lead to a new pair (the wizard user has no key file to import), and name
// no CLI flag, since the wizard shows it too.
func TestMissingOrDamagedSecretsSayHowToReplaceThem(t *testing.T) {
	m := NewMemory(0)
	v := NewVault(m, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		p    Purpose
		want []string
	}{
		{ConsumerKey, []string{"Copy the consumer key from the External Client App again", "Consumer key step", "Keychain step"}},
		{PrivateKey, []string{"Make a new key and certificate on the wizard's Key and certificate step (or with `tnjwt keygen`)",
			"upload the new certificate to the External Client App", "store the new key on the wizard's Keychain step",
			"(or with `tnjwt profile import`, replacing this profile)"}},
		{PendingPrivateKey, []string{"Make a new key and certificate"}},
	} {
		mustPut(t, v, "acme", tc.p, []byte("a secret"))
		_ = m.Set(Service, manifestName("acme", tc.p), "{damaged")
		_, missing := v.Get(ctx, "other", tc.p)
		_, damaged := v.Get(ctx, "acme", tc.p)
		for _, err := range []error{missing, damaged} {
			var e *Error
			if !errors.As(err, &e) || (e.Kind != NotFound && e.Kind != Corrupt) {
				t.Fatalf("%s: got %v, want NotFound or Corrupt", tc.p, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Remedy, w) {
					t.Errorf("%s %v: remedy %q lacks %q", tc.p, e.Kind, e.Remedy, w)
				}
			}
			if strings.Contains(e.Remedy, "--") {
				t.Errorf("%s %v: remedy %q names a command-line flag", tc.p, e.Kind, e.Remedy)
			}
		}
	}
}

func TestDeleteProfileRemovesEveryPurpose(t *testing.T) {
	m := NewMemory(LimitWindows)
	v := NewVault(m, 0)
	for _, p := range Purposes() {
		mustPut(t, v, "acme", p, rsaKeyPEM(t, 4096))
		mustPut(t, v, "other", p, []byte("keep me"))
	}
	if err := v.DeleteProfile(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	for _, u := range m.Users(Service) {
		if strings.HasPrefix(u, "acme/") {
			t.Fatalf("item %q survived DeleteProfile", u)
		}
	}
	if got := len(m.Users(Service)); got != 2*len(Purposes()) {
		t.Fatalf("other profile lost items: %d left", got)
	}
	if err := v.DeleteProfile(context.Background(), "acme"); err != nil {
		t.Fatalf("deleting again: %v", err)
	}
}

func TestBadArgumentsAreRefusedBeforeTheKeychain(t *testing.T) {
	m := NewMemory(0)
	m.SetHook(func(op, _, _ string) error { return fmt.Errorf("backend called for %s", op) })
	v := NewVault(m, 0)
	ctx := context.Background()
	for name, err := range map[string]error{
		"slash in profile": v.Put(ctx, "a/b", PrivateKey, []byte("x")),
		"empty profile":    v.Put(ctx, "", PrivateKey, []byte("x")),
		"control char":     v.Put(ctx, "a\nb", PrivateKey, []byte("x")),
		"unknown purpose":  v.Put(ctx, "a", Purpose("password"), []byte("x")),
		"empty secret":     v.Put(ctx, "a", PrivateKey, nil),
		"too big":          v.Put(ctx, "a", PrivateKey, make([]byte, MaxSecretSize+1)),
	} {
		if err == nil || strings.Contains(err.Error(), "backend called") {
			t.Errorf("%s: got %v, want a refusal before any keychain call", name, err)
		}
	}
}

// blocker is a keychain that does not answer until released.
type blocker struct {
	*Memory
	release chan struct{}
}

func newBlocker() *blocker {
	b := &blocker{Memory: NewMemory(0), release: make(chan struct{})}
	b.SetHook(func(string, string, string) error { <-b.release; return nil })
	return b
}

// within fails the test if fn has not returned after a generous guard time,
// so a hang is reported instead of freezing the suite.
func within(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the keychain call hung")
	}
}

func TestAKeychainThatNeverAnswersTimesOut(t *testing.T) {
	b := newBlocker()
	v := NewVault(b, 50*time.Millisecond)
	var err error
	within(t, func() { err = v.Put(context.Background(), "acme", PrivateKey, []byte("secret-value-123456789")) })
	if KindOf(err) != Timeout {
		t.Fatalf("got %v, want Timeout", err)
	}
	for _, want := range []string{"did not answer within 50 ms", "is it locked?", "Unlock it (", "try again"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	assertNoSecret(t, err.Error(), []byte("secret-value-123456789"))

	// While the abandoned call is stuck, the next one waits its turn and times out too.
	within(t, func() { _, err = v.Get(context.Background(), "acme", PrivateKey) })
	if KindOf(err) != Timeout {
		t.Fatalf("second call: got %v, want Timeout", err)
	}

	// Once the keychain answers, the vault works again.
	b.SetHook(nil)
	close(b.release)
	within(t, func() {
		for {
			if err = v.Put(context.Background(), "acme", PrivateKey, []byte("x")); KindOf(err) != Timeout {
				return
			}
		}
	})
	if err != nil {
		t.Fatalf("after the keychain answered: %v", err)
	}
}

func TestCancelledContextStopsAWaitingCall(t *testing.T) {
	b := newBlocker()
	defer close(b.release)
	v := NewVault(b, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	var err error
	within(t, func() {
		go cancel()
		_, err = v.Get(ctx, "acme", ConsumerKey)
	})
	if KindOf(err) != Canceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want Canceled", err)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	m := NewMemory(LimitWindows)
	v := NewVault(m, 0)
	key := rsaKeyPEM(t, 4096)
	values := [][]byte{key, []byte("short value"), rsaKeyPEM(t, 2048)}
	mustPut(t, v, "shared", PrivateKey, values[0])
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				ctx := context.Background()
				own := fmt.Sprintf("p%d", g)
				if err := v.Put(ctx, own, ConsumerKey, []byte(own)); err != nil {
					errs <- err
					return
				}
				if err := v.Put(ctx, "shared", PrivateKey, values[(g+i)%len(values)]); err != nil {
					errs <- err
					return
				}
				got, err := v.Get(ctx, "shared", PrivateKey)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, values[0]) && !bytes.Equal(got, values[1]) && !bytes.Equal(got, values[2]) {
					errs <- errors.New("read a secret that was never written")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func BenchmarkPutGetRSA4096(b *testing.B) {
	v := NewVault(NewMacOSMemory(), 0)
	key := rsaKeyPEM(b, 4096)
	ctx := context.Background()
	for b.Loop() {
		if err := v.Put(ctx, "bench", PrivateKey, key); err != nil {
			b.Fatal(err)
		}
		if _, err := v.Get(ctx, "bench", PrivateKey); err != nil {
			b.Fatal(err)
		}
	}
}

// A read that overlaps another process's replace (its index moved on and
// the old parts went) reads again instead of calling the secret damaged.
func TestAReadOverlappingAReplaceReadsAgain(t *testing.T) {
	m := NewMemory(0)
	v := NewVault(m, 0)
	other := NewVault(m, 0) // the other process, sharing the keychain
	mustPut(t, v, "acme", PrivateKey, []byte("old secret"))
	replaced := false
	m.SetHook(func(op, _, user string) error {
		if op == "get" && user == "acme/private-key/g1/0" && !replaced {
			replaced = true // the other process replaces the secret while our read waits for this part
			m.SetHook(nil)
			if err := other.Put(context.Background(), "acme", PrivateKey, []byte("new secret")); err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	got, err := v.Get(context.Background(), "acme", PrivateKey)
	if err != nil || string(got) != "new secret" || !replaced {
		t.Fatalf("got %q, %v (replaced %v)", got, err, replaced)
	}
}

// Reads share the backend; a write has it alone: it waits for the reads
// under way before it touches the backend.
func TestReadsShareTheBackendAndWritesHaveItAlone(t *testing.T) {
	m := NewMemory(0)
	v := NewVault(m, time.Minute)
	ctx := context.Background()
	for _, p := range []string{"a", "b"} {
		if err := v.Put(ctx, p, ConsumerKey, []byte("key-"+p)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu    sync.Mutex
		order []string
	)
	held := make(chan struct{}, 2)
	release := make(chan struct{})
	m.SetHook(func(op, _, user string) error {
		mu.Lock()
		order = append(order, op)
		first := op == "get" && len(order) <= 2
		mu.Unlock()
		if first { // the first item each read asks for waits in the backend
			held <- struct{}{}
			<-release
		}
		return nil
	})
	reads := make(chan error, 2)
	for _, p := range []string{"a", "b"} {
		go func() {
			_, err := v.Get(ctx, p, ConsumerKey)
			reads <- err
		}()
	}
	for range 2 { // both reads are in the backend at once
		select {
		case <-held:
		case <-time.After(time.Minute): // a guard against a hang: reads that wait in turn never get here
			t.Fatal("the second read never reached the backend while the first was there")
		}
	}
	wrote := make(chan error, 1)
	go func() { wrote <- v.Put(ctx, "a", ConsumerKey, []byte("new")) }()
	close(release)
	for range 2 {
		if err := <-reads; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	gets := 0
	for _, op := range order {
		if op != "get" {
			break
		}
		gets++
	}
	if gets < 4 { // each read: its index item, then its one part
		t.Errorf("the write touched the backend before the reads ended: %v", order)
	}
}
