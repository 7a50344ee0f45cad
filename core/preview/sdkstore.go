package preview

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tnjwt/tnjwt/core/embedding"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/safetext"
)

// The SDK is not in tnjwt (its licence allows it, but the project keeps
// it out of the repository): the first preview fetches the pinned version
// from the CDN, checks it against the pinned hash, and keeps it, so every
// later preview (the practice org's too) works without the network. A
// copy is checked again each time it is used.

// FetchTimeout bounds the SDK's download from the CDN.
const FetchTimeout = 20 * time.Second

// SDKStore is tnjwt's kept copy of the pinned SDK.
type SDKStore struct {
	Dir       string // where the copy is kept
	URL       string // where it comes from: embedding.SDKCDN
	Integrity string // what its bytes must hash to: embedding.SDKIntegrity
	Client    *http.Client
}

// DefaultSDKStore keeps the copy in the user's cache folder
// (~/.cache/tnjwt/sdk on Linux, %LocalAppData%\tnjwt\sdk on Windows,
// ~/Library/Caches/tnjwt/sdk on macOS).
func DefaultSDKStore() SDKStore {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir() // no home: the copy lasts as long as the temporary folder
	}
	return SDKStore{Dir: filepath.Join(dir, "tnjwt", "sdk"), URL: embedding.SDKCDN, Integrity: embedding.SDKIntegrity,
		Client: &http.Client{Timeout: FetchTimeout}}
}

// Path is where the copy is kept, named by its version.
func (st SDKStore) Path() string {
	return filepath.Join(st.Dir, embedding.SDKVersion, embedding.SDKBundle)
}

// Has says whether a checked copy is kept.
func (st SDKStore) Has() bool {
	data, err := readBounded(st.Path())
	return err == nil && st.pinned(data)
}

// Copy is the kept copy's path, fetched from the CDN first when there is
// none (or it is not the pinned SDK any more).
func (st SDKStore) Copy(ctx context.Context) (string, error) {
	if st.Has() {
		return st.Path(), nil
	}
	data, err := st.fetch(ctx)
	if err != nil {
		return "", err
	}
	return st.Path(), st.keepBytes(data)
}

// Keep keeps file as the copy when it is the pinned SDK, and says whether
// it is.
func (st SDKStore) Keep(file string) (bool, error) {
	data, err := readBounded(file)
	if err != nil || !st.pinned(data) {
		return false, err
	}
	return true, st.keepBytes(data)
}

func (st SDKStore) pinned(data []byte) bool {
	sum := sha512.Sum384(data)
	return "sha384-"+base64.StdEncoding.EncodeToString(sum[:]) == st.Integrity
}

func (st SDKStore) keepBytes(data []byte) error {
	if err := os.MkdirAll(filepath.Dir(st.Path()), 0o700); err != nil {
		return fmt.Errorf("cannot keep the SDK in %s: %w", st.Dir, err)
	}
	return fsutil.WriteFile(st.Path(), data, 0o644, true)
}

func (st SDKStore) fetch(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.URL, nil)
	if err != nil {
		return nil, err
	}
	client := st.Client
	if client == nil {
		client = &http.Client{Timeout: FetchTimeout}
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", st.URL, unwrapURLError(err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", st.URL, safetext.Clean(res.Status))
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, maxSDKFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("cannot read the SDK from %s: %w", st.URL, err)
	case len(data) > maxSDKFile:
		return nil, fmt.Errorf("%s sent more than %d MB: not the SDK", st.URL, maxSDKFile>>20)
	case !st.pinned(data):
		return nil, fmt.Errorf("%s sent a file that is not the pinned SDK %s (its hash differs): nothing was kept", st.URL, embedding.SDKVersion)
	}
	return data, nil
}

// unwrapURLError drops net/http's "Get URL:" prefix, which names the URL a
// second time.
func unwrapURLError(err error) error {
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSDKFile+1))
	if err == nil && len(data) > maxSDKFile {
		return nil, fmt.Errorf("%s is larger than %d MB", path, maxSDKFile>>20)
	}
	return data, err
}

// SDKSource is where a preview's page gets the SDK, in words a person
// reads (the window's and `tnjwt preview`'s).
type SDKSource struct {
	File  string // for Options.SDKFile; "" when the browser loads it from the CDN
	Words string
}

// Choose picks the SDK for a preview: file when given (kept as the copy
// when it is the pinned SDK); else the kept copy, fetched once from the
// CDN; else, when that fails, the CDN from the browser, which may reach it
// where tnjwt can't (a proxy of the browser's own).
func (st SDKStore) Choose(ctx context.Context, file string) SDKSource {
	if file != "" {
		if pinned, err := st.Keep(file); err == nil && pinned {
			return SDKSource{file, "The SDK comes from " + file + ", the pinned " + embedding.SDKVersion +
				"; tnjwt keeps a copy of it, so later previews need neither this file nor the network."}
		}
		return SDKSource{file, "The SDK comes from " + file + " (not the pinned " + embedding.SDKVersion +
			": its hash differs, so tnjwt keeps no copy of it)."}
	}
	path, err := st.Copy(ctx)
	if err == nil {
		return SDKSource{path, "The SDK " + embedding.SDKVersion + " comes from tnjwt's copy (" + path + "), fetched once from " +
			st.URL + " and checked against its pinned hash: previews work without the network."}
	}
	return SDKSource{"", "The SDK " + embedding.SDKVersion + " loads from " + st.URL + " in the browser, checked against " +
		"its pinned hash: tnjwt couldn't keep a copy (" + safetext.Clean(err.Error()) + "). " + LocalSDKHint}
}

// LocalSDKHint is how to give a preview the SDK on a computer that can't
// reach the CDN.
const LocalSDKHint = "On a computer that can't reach it, give a local copy: npm install " + embedding.SDKPackage +
	"@" + embedding.SDKVersion + ", then its " + embedding.SDKBundle + "."
