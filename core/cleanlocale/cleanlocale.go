// Package cleanlocale stops Fyne from logging "Error parsing user locale C"
// under the C.UTF-8 locale of containers and CI machines, which would break the
// one-line error output that scripts expect from headless commands.
//
// It must be imported by main only for its side effect, and depend on nothing
// but "os": Go initialises packages in import-path order once their imports
// are done, so this package runs before golang.org/x/text and therefore before
// fyne.io/fyne/v2/lang reads the environment.
package cleanlocale

import "os"

func init() { Apply() }

// Apply sets LANGUAGE=en when the locale in effect is C.<codeset> or
// POSIX.<codeset> and LANGUAGE is unset. Under those locales gettext ignores
// LANGUAGE, so nothing else in the process or its children changes.
func Apply() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if isPlainC(v) {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}

func isPlainC(v string) bool {
	for _, p := range []string{"C.", "POSIX."} {
		if len(v) > len(p) && v[:len(p)] == p {
			return true
		}
	}
	return false
}
