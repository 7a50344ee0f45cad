// Package safetext makes text from servers and other programs safe to show
// in a terminal, a window or a file: no control characters, no terminal
// escape sequences, no bidirectional overrides, and a bounded length.
package safetext

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MaxLen is how many characters of untrusted text are kept.
const MaxLen = 500

// ansi matches terminal escape sequences: CSI (ESC [ … final), OSC (ESC ]
// … BEL or ESC \) and two-character ESC sequences. Like every regexp in
// tnjwt it is compiled on first use: a package-level one is compiled at
// start-up by every command, `tnjwt --help` included.
var ansi = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]`)
})

// Clean returns s with escape sequences removed, every other control
// character (C0, C1, DEL), bidirectional override and isolate, and invalid
// UTF-8 replaced by a space, runs of spaces folded, and at most MaxLen
// characters ("…" marks a cut).
func Clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = ansi().ReplaceAllString(s, "")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unsafe(r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = true
			continue
		}
		space = false
		if n >= MaxLen {
			return strings.TrimRight(b.String(), " ") + "…"
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimRight(b.String(), " ")
}

// unsafe reports the characters that can rewrite what a reader sees:
// control characters and the bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), and the zero-width marks.
func unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return r == utf8.RuneError
}

// FirstControl reports the first character of s that is a control
// character or a bidirectional override, and its position (1-based); ok is
// false when there is none. For refusing typed input such as a username.
func FirstControl(s string) (pos int, r rune, ok bool) {
	i := 0
	for _, c := range s {
		i++
		if unsafe(c) && c != utf8.RuneError {
			return i, c, true
		}
	}
	return 0, 0, false
}
