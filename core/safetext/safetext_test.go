package safetext

import (
	"strings"
	"testing"
)

func TestCleanNeutralisesHostileText(t *testing.T) {
	for in, want := range map[string]string{
		"invalid assertion":                     "invalid assertion",
		"red \x1b[31mALERT\x1b[0m text":         "red ALERT text",
		"title \x1b]0;owned\x07 here":           "title here",
		"line one\nline two\r\n\tthree":         "line one line two three",
		"bell\x07 and del\x7f and c1\u0085 end": "bell and del and c1 end",
		"user \u202egnp.exe\u202c safe":         "user gnp.exe safe",
		"isolate \u2066x\u2069":                 "isolate x",
		"bad utf8 \xff\xfe here":                "bad utf8 here",
		"  leading and trailing  ":              "leading and trailing",
		"8-bit CSI \u009b31m colour":            "8-bit CSI colour",
		"emoji 🔑 and accents éàü stay":          "emoji 🔑 and accents éàü stay",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	long := Clean(strings.Repeat("a", 5000))
	if n := len([]rune(long)); n != MaxLen+1 || !strings.HasSuffix(long, "…") {
		t.Errorf("long text kept %d characters", n)
	}
}

func TestFirstControlNamesThePosition(t *testing.T) {
	if pos, r, ok := FirstControl("embed@acme.com\u202e"); !ok || pos != 15 || r != 0x202e {
		t.Errorf("got %d %U %v", pos, r, ok)
	}
	if _, _, ok := FirstControl("embed@acme.com"); ok {
		t.Error("a clean username flagged")
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"invalid assertion", "\x1b[31mx", "\u202e", "\xff", strings.Repeat("é", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if _, _, bad := FirstControl(out); bad || strings.Contains(out, "\x1b") || len([]rune(out)) > MaxLen+1 {
			t.Fatalf("Clean(%q) = %q", s, out)
		}
		if Clean(out) != out && !strings.HasSuffix(out, "…") {
			t.Fatalf("not stable: %q → %q → %q", s, out, Clean(out))
		}
	})
}
