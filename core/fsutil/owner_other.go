//go:build !unix

package fsutil

import "io/fs"

// owner is unknown where files have no Unix owner (Windows): the folder
// checks then come down to refusing links.
func owner(fs.FileInfo) (uid int, known bool) { return 0, false }
