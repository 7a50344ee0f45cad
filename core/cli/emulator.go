package cli

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/tnjwt/tnjwt/core/emulator"
)

const emulatorSynopsis = "emulator [--listen ADDR] --config FILE\n\n" +
	"Runs the practice org: a local stand-in for Salesforce's token, singleaccess and frontdoor\n" +
	"endpoints, set up by FILE (JSON; see the README section \"Rehearse with the emulator\"). The first line\n" +
	"printed is \"listening on http://HOST:PORT\"; then one line per request. Stop with Ctrl-C.\n" +
	"It only listens on this computer (a loopback address): the practice org has no real security."

type emulatorOptions struct {
	listen, config string
}

func parseEmulator(args []string, stdout io.Writer) (runner, error) {
	o := &emulatorOptions{}
	fs := newFlagSet("emulator")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback HOST:PORT to listen on; port 0 picks a free port")
	fs.StringVar(&o.config, "config", "", "the practice org's JSON configuration file (required)")
	if err := parseFlags(fs, emulatorSynopsis, args, stdout); err != nil {
		return nil, err
	}
	return o, nil
}

// run implements `tnjwt emulator`: it serves until env.Ctx ends.
func (o *emulatorOptions) run(env *Env) error {
	if strings.TrimSpace(o.config) == "" {
		return usageErrorf("emulator: --config FILE is required: the JSON file describing the practice org's apps and users")
	}
	if err := checkLoopback(o.listen); err != nil {
		return usageErrorf("emulator: %v", err)
	}
	cfg, err := emulator.LoadConfig(o.config)
	if err != nil {
		return usageErrorf("emulator: %v", err)
	}
	now := env.now
	out := &lineWriter{w: env.Stdout}
	e := emulator.New(cfg, emulator.Options{
		Now: now,
		// RequestRecord.String never holds tokens, assertions or links.
		OnRequest: func(r emulator.RequestRecord) { out.line("%s %s", now().Format("15:04:05"), r) },
	})
	srv, err := emulator.Start(o.listen, e)
	if err != nil {
		return fmt.Errorf("emulator: cannot listen on %s: %s (pick another port, or port 0 for a free one)", o.listen, oneLine(err))
	}
	out.line("listening on %s", srv.URL)
	out.line("practice org %s: %d app(s), %d user(s); token URL %s/services/oauth2/token, audience %s; stop with Ctrl-C",
		e.OrgID(), len(cfg.Apps), len(cfg.Users), srv.URL, e.Audience())
	<-env.Ctx.Done()
	if err := srv.Close(); err != nil {
		out.line("stopped (%v)", oneLine(err))
		return nil
	}
	out.line("stopped")
	return nil
}

// checkLoopback accepts HOST:PORT only on this computer: 127.0.0.0/8, ::1 or
// localhost. An empty host would listen on every network interface.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q is not HOST:PORT (for example 127.0.0.1:8443, or 127.0.0.1:0 for a free port)", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("--listen %q: the port must be a number from 0 to 65535", addr)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q would let other computers reach the practice org, which has no real security; use a loopback address: 127.0.0.1:PORT, [::1]:PORT or localhost:PORT", addr)
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// lineWriter writes whole lines from concurrent request handlers without
// interleaving them.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) line(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format+"\n", a...)
}
