package preview

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeSDK stands in for the SDK's bytes; the store is pinned to its hash.
var fakeSDK = []byte("export function initializeAnalyticsSdk(){} // the SDK, as far as the store can tell")

func pinnedTo(data []byte) string {
	sum := sha512.Sum384(data)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

// cdn stands in for the CDN, serving body and counting requests.
func cdn(t *testing.T, status int, body []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func storeOf(t *testing.T, url string) SDKStore {
	return SDKStore{Dir: filepath.Join(t.TempDir(), "sdk"), URL: url, Integrity: pinnedTo(fakeSDK), Client: http.DefaultClient}
}

// The first preview fetches the SDK and keeps it; later ones use the
// copy without the network.
func TestTheSDKIsFetchedOnceAndKept(t *testing.T) {
	srv, n := cdn(t, http.StatusOK, fakeSDK)
	st := storeOf(t, srv.URL)
	src := st.Choose(context.Background(), "")
	if src.File != st.Path() || !strings.Contains(src.Words, "tnjwt's copy") || !strings.Contains(src.Words, "without the network") {
		t.Fatalf("first preview: %+v", src)
	}
	if data, err := os.ReadFile(st.Path()); err != nil || string(data) != string(fakeSDK) {
		t.Fatalf("kept %q (%v)", data, err)
	}
	srv.Close() // offline from now on
	if again := st.Choose(context.Background(), ""); again.File != st.Path() || n.Load() != 1 {
		t.Errorf("second preview: %+v after %d fetches, want the copy and 1 fetch", again, n.Load())
	}
}

// Whatever the CDN (or whoever answers for it) sends that is not the
// pinned SDK is kept nowhere, and the browser loads the SDK from the CDN
// itself, under the page's integrity check.
func TestAnythingButThePinnedSDKIsNotKept(t *testing.T) {
	big := make([]byte, maxSDKFile+1)
	for _, c := range []struct {
		name   string
		status int
		body   []byte
		says   string
	}{
		{"other bytes", http.StatusOK, []byte("alert(1)"), "not the pinned SDK"},
		{"too large", http.StatusOK, big, "sent more than 8 MB"},
		{"not found", http.StatusNotFound, nil, "answered 404 Not Found"},
	} {
		srv, _ := cdn(t, c.status, c.body)
		st := storeOf(t, srv.URL)
		src := st.Choose(context.Background(), "")
		if src.File != "" || !strings.Contains(src.Words, c.says) || !strings.Contains(src.Words, "loads from "+srv.URL+" in the browser") {
			t.Errorf("%s: %+v", c.name, src)
		}
		if _, err := os.Stat(st.Path()); err == nil {
			t.Errorf("%s: kept", c.name)
		}
	}
	st := storeOf(t, "http://127.0.0.1:1/sdk.js") // nothing listens: offline
	if src := st.Choose(context.Background(), ""); src.File != "" || !strings.Contains(src.Words, "cannot reach http://127.0.0.1:1/sdk.js") ||
		!strings.Contains(src.Words, "npm install") {
		t.Errorf("offline: %+v", src)
	}
}

// A copy changed after it was kept is not used (and is fetched again).
func TestAChangedCopyIsFetchedAgain(t *testing.T) {
	srv, n := cdn(t, http.StatusOK, fakeSDK)
	st := storeOf(t, srv.URL)
	if _, err := st.Copy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(st.Path(), []byte("alert(1)"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st.Has() {
		t.Fatal("a changed copy counts as the SDK")
	}
	if _, err := st.Copy(context.Background()); err != nil || n.Load() != 2 {
		t.Fatalf("copy after a change: %v, %d fetches", err, n.Load())
	}
	if data, _ := os.ReadFile(st.Path()); string(data) != string(fakeSDK) {
		t.Error("the changed copy stayed")
	}
}

// A local file given to the preview is used as it is; the pinned one is
// kept too, so the next preview needs neither it nor the network.
func TestALocalSDKFileIsUsedAndThePinnedOneKept(t *testing.T) {
	st := storeOf(t, "http://127.0.0.1:1/sdk.js")
	dir := t.TempDir()
	other := filepath.Join(dir, "other.js")
	if err := os.WriteFile(other, []byte("export const version = '2.1.0'"), 0o644); err != nil {
		t.Fatal(err)
	}
	if src := st.Choose(context.Background(), other); src.File != other || !strings.Contains(src.Words, "hash differs") || st.Has() {
		t.Errorf("another version: %+v (kept %v)", src, st.Has())
	}
	pinned := filepath.Join(dir, "sdk-bundle.module.js")
	if err := os.WriteFile(pinned, fakeSDK, 0o644); err != nil {
		t.Fatal(err)
	}
	if src := st.Choose(context.Background(), pinned); src.File != pinned || !strings.Contains(src.Words, "keeps a copy") || !st.Has() {
		t.Errorf("the pinned file: %+v (kept %v)", src, st.Has())
	}
	if src := st.Choose(context.Background(), ""); src.File != st.Path() {
		t.Errorf("the next preview, offline: %+v", src)
	}
}
