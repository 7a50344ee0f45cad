package export

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// herokuAPI is a stand-in for api.heroku.com on loopback: what it was
// sent, and every curl command line that was running while it answered.
type herokuAPI struct {
	srv    *httptest.Server
	caFile string
	mu     sync.Mutex
	method string
	path   string
	header http.Header
	body   []byte
	argv   []string
}

// startHerokuAPI serves over TLS with a certificate for api.heroku.com,
// written to caFile for curl to trust.
func startHerokuAPI(t *testing.T) *herokuAPI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api.heroku.com"},
		DNSNames: []string{"api.heroku.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	h := &herokuAPI{caFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(h.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	h.srv.StartTLS()
	t.Cleanup(h.srv.Close)
	return h
}

func (h *herokuAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.method, h.path, h.header, h.body = r.Method, r.URL.Path, r.Header.Clone(), body
	h.argv = curlCommandLines()
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// curlCommandLines are the command lines of the curl processes running now,
// as any user of this computer reads them (Linux's /proc/PID/cmdline).
func curlCommandLines() []string {
	var lines []string
	files, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil && strings.HasPrefix(filepath.Base(strings.SplitN(string(data), "\x00", 2)[0]), "curl") {
			lines = append(lines, strings.ReplaceAll(string(data), "\x00", " "))
		}
	}
	return lines
}

// The recommended Heroku way, run for real: the export's file and the
// commands exactly as tnjwt prints them, run by sh with the real curl
// against a stand-in for api.heroku.com (curl's own config points the name
// at it). The API gets a PATCH of every variable, the key with its line
// breaks, with the token from ~/.netrc; curl's command line, as the
// process list shows it, holds neither the consumer key nor the private
// key; and the file is gone afterwards.
func TestHerokuAPICommandsSetTheConfigVarsForReal(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	api := startHerokuAPI(t)
	home := t.TempDir()
	port := api.srv.Listener.Addr().(*net.TCPAddr).Port
	curlrc := fmt.Sprintf("--connect-to api.heroku.com:443:127.0.0.1:%d\n--cacert %s\n--silent\n--show-error\n--fail\n", port, api.caFile)
	for name, data := range map[string]string{".curlrc": curlrc,
		".netrc": "machine api.heroku.com\n  login embed@acme.com\n  password HEROKU-API-TOKEN\n"} {
		if err := os.WriteFile(filepath.Join(home, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o := testOrg()
	paths, err := Write(filepath.Join(t.TempDir(), "heroku config"), []File{HerokuFile(o)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(paths[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v, want mode 0600", paths[0], fi, err)
	}
	script := HerokuAPI(o, paths[0])
	cmd := exec.Command("sh", "-e", "-c", script)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")} // no proxy, no other curl settings
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the commands failed: %v\n%s\n%s", err, out, script)
	}

	api.mu.Lock()
	defer api.mu.Unlock()
	user, token, _ := (&http.Request{Header: api.header}).BasicAuth()
	if api.method != http.MethodPatch || api.path != "/apps/"+HerokuApp+"/config-vars" || token != "HEROKU-API-TOKEN" || user != "embed@acme.com" ||
		api.header.Get("Accept") != "application/vnd.heroku+json; version=3" || api.header.Get("Content-Type") != "application/json" {
		t.Errorf("the API got %s %s, auth %q/%q, headers %v", api.method, api.path, user, token, api.header)
	}
	var vars map[string]string
	if err := json.Unmarshal(api.body, &vars); err != nil {
		t.Fatalf("the API got no JSON: %v\n%s", err, api.body)
	}
	want := map[string]string{"SF_LOGIN_URL": o.LoginURL, "SF_AUDIENCE": o.Audience, "SF_CLIENT_ID": o.ClientID,
		"SF_USERNAME": o.Username, "SF_ORG_URL": o.OrgURL, "SF_PRIVATE_KEY": string(o.KeyPEM),
		"HOST": "0.0.0.0", "ALLOWED_HOSTS": HerokuApp + ".herokuapp.com"}
	if !maps.Equal(vars, want) {
		t.Errorf("the API got %v", vars)
	}
	if runtime.GOOS == "linux" {
		if len(api.argv) == 0 {
			t.Error("no curl process was seen while it ran")
		}
		for _, line := range api.argv {
			noSecretIn(t, "curl's command line", line, o)
		}
	}
	if _, err := os.Stat(paths[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file with the key is still there: %v", err)
	}
}
