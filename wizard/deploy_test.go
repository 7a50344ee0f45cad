package wizard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/fsutil"
	"github.com/tnjwt/tnjwt/core/secrets"
)

func runDeploy(j DeployJob) (*Deployment, error) {
	d, err := j.Run(context.Background())
	j.Record(d, err)
	return d, err
}

func TestWriteDeploymentMakesTheKeyStoresItFirstAndTicksTheConsumerKeyStep(t *testing.T) {
	b, _ := testBundles(t)
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	w := pastOrg(t, newStore(t))
	dir := filepath.Join(t.TempDir(), "project")

	if _, err := runDeploy(w.WriteDeployment(v, dir, fsutil.Allow{})); !errors.Is(err, ErrDeployNeedsCertificate) {
		t.Fatalf("without a certificate: %v", err)
	}
	if _, err := v.Get(context.Background(), "acme-prod", secrets.ConsumerKey); err == nil {
		t.Fatal("a refused deployment stored a key")
	}

	w.SetKey(b)
	d, err := runDeploy(w.WriteDeployment(v, dir, fsutil.Allow{}))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := v.Get(context.Background(), "acme-prod", secrets.ConsumerKey)
	if err != nil || !d.NewKey || !strings.HasPrefix(string(stored), "3MVG9") {
		t.Fatalf("the key: new %v, %v", d.NewKey, err)
	}
	st := w.State()
	if st.ConsumerKey != string(stored) || !st.ConsumerKeyStored || !st.Ticked(IDECAConsumerKey) {
		t.Errorf("the session: key taken %v, stored %v, ticked %v", st.ConsumerKey == string(stored), st.ConsumerKeyStored, st.Ticked(IDECAConsumerKey))
	}
	if data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(d.Secret))); err != nil || !strings.Contains(string(data), string(stored)) {
		t.Errorf("the project's key file: %v", err)
	}
	if len(d.Commands) != 4 || !strings.HasPrefix(d.Commands[1], "sf project deploy start --source-dir force-app") {
		t.Errorf("commands: %q", d.Commands)
	}
	for _, id := range append(DeployCovers, IDPermsetAssign) {
		if st.Ticked(id) {
			t.Errorf("%s ticked before the admin said the deploy succeeded", id)
		}
	}

	// Again: the same key; files there are kept unless replace.
	d2, err := runDeploy(w.WriteDeployment(v, dir, fsutil.Allow{}))
	var ee *export.ExistsError
	if !errors.As(err, &ee) || d2.NewKey {
		t.Fatalf("a second write: %v, new key %v", err, d2 != nil && d2.NewKey)
	}
	if d2, err = runDeploy(w.WriteDeployment(v, dir, fsutil.Allow{Replace: true})); err != nil || d2.NewKey {
		t.Fatalf("replace: %v", err)
	}
	if again, _ := v.Get(context.Background(), "acme-prod", secrets.ConsumerKey); string(again) != string(stored) {
		t.Error("the key changed")
	}

	w.MarkDeployed(false)
	for _, id := range DeployCovers {
		if !st.Ticked(id) {
			t.Errorf("%s not ticked after the deploy", id)
		}
	}
	if st.Ticked(IDPermsetAssign) || st.Ticked(IDPermsetAccess) || st.Ticked(IDViewerAssign) {
		t.Error("ticked what the deploy does not do")
	}
	w.MarkDeployed(true)
	if !st.Ticked(IDPermsetAssign) {
		t.Error("permset-assign not ticked after the admin assigned the set")
	}
}

// TestWriteDeploymentUsesAPastedKey: a key pasted in this session is the
// app's, and is stored with the project.
func TestWriteDeploymentUsesAPastedKey(t *testing.T) {
	b, _ := testBundles(t)
	v := secrets.NewVault(secrets.NewMemory(0), 5*time.Second)
	w := pastOrg(t, newStore(t))
	w.SetKey(b)
	const pasted = "3MVG9pastedKEYabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._abcdefgh"
	if _, _, err := w.SetConsumerKey(pasted); err != nil {
		t.Fatal(err)
	}
	d, err := runDeploy(w.WriteDeployment(v, t.TempDir(), fsutil.Allow{}))
	if err != nil || d.NewKey {
		t.Fatalf("%v, new key %v", err, d != nil && d.NewKey)
	}
	if stored, _ := v.Get(context.Background(), "acme-prod", secrets.ConsumerKey); string(stored) != pasted {
		t.Error("the pasted key was not stored")
	}
}

func TestDeployCoversOnlyChecklistItemsAndTheNamesAgree(t *testing.T) {
	var ids []string
	for _, s := range Steps() {
		for _, it := range s.Items {
			ids = append(ids, it.ID)
		}
	}
	for _, id := range DeployCovers {
		if !slices.Contains(ids, id) {
			t.Errorf("DeployCovers names %s, no checklist item", id)
		}
	}
	if export.DefaultPermsetName != PermsetAPIName || export.DefaultPermsetLabel != PermsetLabel {
		t.Errorf("the project's permission set (%s, %s) is not the checklist's (%s, %s)",
			export.DefaultPermsetName, export.DefaultPermsetLabel, PermsetAPIName, PermsetLabel)
	}
}
