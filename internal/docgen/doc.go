// Package docgen keeps docs/cli.md true to the code. It has no code of its
// own: its test renders every command's --help (core/cli) into the file's
// generated block, checks the hand-written examples against the real parser
// and the real `tnjwt test --json`, and fails when the file has drifted.
//
// Regenerate the block after changing a command's help:
//
//	TNJWT_UPDATE_DOCS=1 go test -count=1 -tags migrated_fynedo ./internal/docgen/
package docgen
