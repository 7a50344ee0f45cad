package retest

import (
	"fmt"
	"strings"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/profiles"
)

// Metrics is a Prometheus textfile-collector file (node_exporter's
// --collector.textfile.directory) for the profiles: each org's certificate
// days left, whether its last test passed and when it ran. Practice
// profiles are left out; an org never tested has no test metrics.
func Metrics(list []profiles.Profile, now time.Time) []byte {
	var days, success, when strings.Builder
	for _, p := range list {
		if p.Practice {
			continue
		}
		label := `{org="` + escapeLabel(p.Name) + `"}`
		if !p.CertNotAfter.IsZero() {
			fmt.Fprintf(&days, "tnjwt_cert_days_left%s %d\n", label, certs.DaysLeft(p.CertNotAfter, now))
		}
		if t := p.LastTest; t != nil {
			ok := 0
			if t.OK {
				ok = 1
			}
			fmt.Fprintf(&success, "tnjwt_last_test_success%s %d\n", label, ok)
			fmt.Fprintf(&when, "tnjwt_last_test_timestamp_seconds%s %d\n", label, t.When.Unix())
		}
	}
	var b strings.Builder
	metric := func(name, help, body string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s", name, help, name, body)
	}
	metric("tnjwt_cert_days_left", "Days until the org's JWT certificate expires; negative once it has.", days.String())
	metric("tnjwt_last_test_success", "1 when the org's last live test got a frontdoor URL, 0 when it did not.", success.String())
	metric("tnjwt_last_test_timestamp_seconds", "When the org's last live test ran, as a Unix time.", when.String())
	return []byte(b.String())
}

// escapeLabel writes a label value as the text format wants: backslash,
// double quote and line feed escaped.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
