package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/emulator/emulatortest"
)

// BenchmarkTokenExchange measures token exchanges through a real loopback
// listener: HTTP, form parsing, RS256 verification and token issue. The
// assertion is signed once, as the client's signing cost is not the
// emulator's. Target: at least 1000 exchanges/s on a 2-core machine.
func BenchmarkTokenExchange(b *testing.B) {
	keys(b)
	cfg := goodConfig(b)
	// A real clock: the benchmark runs long enough for a fake one to matter
	// nowhere, and exp is far ahead.
	srv := emulatortest.Start(b, cfg, emulator.Options{})
	o := &org{t: b, clock: emulatortest.NewClock(time.Now())}
	claims := o.claims()
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	body := url.Values{"grant_type": {jwtGrant}, "assertion": {sign(b, rightKey, claims)}}.Encode()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(srv.URL+"/services/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
}
