package wizard

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Practice mode keeps its profiles in a temporary folder and removes it
// when practice ends. A session that was killed could not: the next one
// removes the folders whose owner process is gone, and only those.
const (
	practiceFolderPrefix = "tnjwt-practice-"
	practiceOwnerFile    = "owner.pid" // the owner process's id, in decimal
)

// PracticeFolder makes the folder a practice session keeps its profiles in,
// under parent (the system's temporary folder when ""), with a note of the
// process that owns it. Folders of earlier sessions whose process is gone
// are removed first.
func PracticeFolder(parent string) (string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	CleanStalePractice(parent)
	dir, err := os.MkdirTemp(parent, practiceFolderPrefix)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, practiceOwnerFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// CleanStalePractice removes the practice folders under parent whose owner
// process is no longer running, and returns them. A folder with no note of
// its owner (or one that cannot be read) is left alone: it may belong to a
// running session.
func CleanStalePractice(parent string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), practiceFolderPrefix) {
			continue // a symbolic link reads as no folder here, and is left alone
		}
		dir := filepath.Join(parent, e.Name())
		pid, ok := practiceOwner(dir)
		if !ok || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if err := os.RemoveAll(dir); err == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// practiceOwner reads the owner note of a practice folder.
func practiceOwner(dir string) (int, bool) {
	f, err := os.Open(filepath.Join(dir, practiceOwnerFile))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	buf := make([]byte, 32) // a pid is a few digits: anything longer is not a note of ours
	n, _ := f.Read(buf)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}
