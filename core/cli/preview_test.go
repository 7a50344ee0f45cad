package cli

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPreviewBadInputStartsNothing(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	profImported(t, at)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--dashboard", "Sales_Overview"}, ExitUsage, "--profile NAME is required"},
		{[]string{"--profile", "acme"}, ExitUsage, "--dashboard: no dashboard named"},
		{[]string{"--profile", "acme", "--dashboard", "Sales Overview"}, ExitUsage, "is not an API name"},
		{[]string{"--profile", "acme", "--dashboard", "../x"}, ExitUsage, "is not an API name"},
		{[]string{"--profile", "acme", "--dashboard", "Sales_Overview", "--port", "70000"}, ExitUsage, "--port must be from 1 to 65535"},
		{[]string{"--profile", "nobody", "--dashboard", "Sales_Overview"}, ExitUsage, `profile "nobody"`},
		{[]string{"--profile", "acme", "--dashboard", "Sales_Overview", "--sdk", "/no/such/sdk.js", "--no-open"}, ExitUsage, "cannot read the SDK file"},
		{[]string{"--profile", "acme", "--dashboard", "Sales_Overview", "--port", taken, "--no-open"}, ExitFailure, "already in use"},
	} {
		r := profRun(t, at, append([]string{"preview"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.errOut, c.want) || strings.Contains(r.out, "Preview:") {
			t.Errorf("preview %v: %d %q %q, want %d and %q", c.args, r.code, r.out, r.errOut, c.code, c.want)
		}
	}
}
