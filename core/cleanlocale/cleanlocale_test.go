package cleanlocale

import (
	"os"
	"testing"
)

func TestApply(t *testing.T) {
	cases := []struct {
		lcAll, lang, language, want string
	}{
		{"", "C.UTF-8", "", "en"},
		{"", "POSIX.utf8", "", "en"},
		{"", "en_US.UTF-8", "", ""},
		{"de_DE.UTF-8", "C.UTF-8", "", ""}, // LC_ALL wins and is a real locale
		{"", "C.UTF-8", "fr", "fr"},        // never override the user's choice
		{"", "C", "", ""},                  // plain C is already handled by Fyne
	}
	for _, c := range cases {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		if c.language == "" {
			os.Unsetenv("LANGUAGE")
		}
		Apply()
		if got := os.Getenv("LANGUAGE"); got != c.want {
			t.Errorf("LC_ALL=%q LANG=%q LANGUAGE=%q: got LANGUAGE=%q, want %q", c.lcAll, c.lang, c.language, got, c.want)
		}
	}
}
