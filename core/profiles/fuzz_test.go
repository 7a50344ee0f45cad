package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzProfilesFile: whatever profiles.json holds, List answers (profiles or
// an error) without a panic, and a file it cannot use is set aside, never
// overwritten.
func FuzzProfilesFile(f *testing.F) {
	for _, s := range []string{`{"schema_version":1,"profiles":[{"schema_version":1,"name":"acme","login_url":"https://login.salesforce.com","username":"a@b.com"}]}`,
		`{"schema_version":9}`, `{"schema_version":1,"profiles":[{"name":""}]}`, `[]`, `{`, ``, `{"schema_version":1,"profiles":[{"name":"a"},{"name":"A"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s := Open(dir, nil)
		if _, err := s.List(); err != nil {
			if got, rerr := os.ReadFile(filepath.Join(dir, FileName)); rerr == nil && string(got) != string(data) {
				t.Fatalf("a file List refused was changed")
			}
		}
	})
}
