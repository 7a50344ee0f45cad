//go:build unix

// Command benchservers times every exported server (tnjwt export --format
// express|flask|go|java|sinatra) against one practice org on loopback, beside a
// reference server that signs a JWT and asks for a token on every request, as
// the Salesforce guide's example does: credentials per second at 1 and 16
// concurrent clients, p50 and p99 latency, and token requests per 1,000
// credentials (make bench-servers). Each server is installed and started as
// its README says. The figures are reported, never asserted; every load loop
// is bounded in time and count, and sends to loopback only.
//
//	go run ./internal/benchservers [-duration 5s] [-only go,flask]
package main

import (
	"bufio"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tnjwt/tnjwt/core/certs"
	"github.com/tnjwt/tnjwt/core/emulator"
	"github.com/tnjwt/tnjwt/core/export"
	"github.com/tnjwt/tnjwt/core/salesforce"
	"github.com/tnjwt/tnjwt/internal/benchorg"
)

const (
	maxRequests = 200_000 // per run: a bound besides the duration
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long each concurrency level runs")
	only := flag.String("only", "", "comma-separated formats to time (default: all)")
	profile := flag.Bool("profile", false, "profile the Python and Ruby servers even when they meet the target")
	flag.Parse()

	keys, err := certs.Generate(certs.Options{})
	check(err)
	var tokens atomic.Int64
	org := startOrg(keys, &tokens)
	defer org.Close()
	fmt.Printf("Credentials from each exported server against one practice org on loopback, %d CPU cores; %s per level.\n",
		numCPU(), *duration)

	var rows []row
	ref := startReference(keys, org.URL)
	rows = append(rows, measure("reference (signs for every request)", ref, nil, &tokens, *duration))
	defer ref.close()
	for _, st := range export.Stacks {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), st.Format) {
			continue
		}
		srv, err := startServer(st, keys, org.URL, asREADME)
		if err != nil {
			fmt.Printf("%s: %v\n", st.Format, err)
			continue
		}
		r := measure(st.Format+" ("+st.Run+")", srv, &ref, &tokens, *duration)
		srv.close()
		rows = append(rows, r)
		if st.Format == export.FormatFlask { // production runs gunicorn, not `python3 app.py`
			if srv, err := startServer(st, keys, org.URL, asProcfile); err == nil {
				srv.pid = 0 // sh -c's: gunicorn's workers are its children
				r := measure(st.Format+" (Procfile: gunicorn)", srv, &ref, &tokens, *duration)
				srv.close()
				rows = append(rows, r)
			} else {
				fmt.Printf("%s Procfile: %v\n", st.Format, err)
			}
		}
		if r.many.perSecond < 1.5*r.ref || *profile {
			if note := ceiling(st, r); note != "" {
				profiles = append(profiles, note)
			}
			if _, ok := profilers[st.Format]; ok {
				profiles = append(profiles, profileServer(st, keys, org.URL, &tokens, *duration))
			}
		}
	}
	print(rows)
	for _, p := range profiles {
		fmt.Println(p)
	}
}

var profiles []string

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchservers:", err)
		os.Exit(1)
	}
}

func numCPU() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	var n int
	fmt.Sscan(string(out), &n)
	return n
}

func startOrg(keys *certs.Bundle, tokens *atomic.Int64) *emulator.Server {
	srv, err := benchorg.Start(keys, func(r emulator.RequestRecord) {
		if r.Path == "/services/oauth2/token" {
			tokens.Add(1)
		}
	})
	check(err)
	return srv
}

type running struct {
	url   string
	pid   int // 0: this process
	out   *strings.Builder
	close func()
}

// startReference is the guide's example: every request signs a JWT, asks
// for a token, then for a frontdoor URL (tnjwt's own client, whose
// transport keeps connections as the exported servers do).
func startReference(keys *certs.Bundle, orgURL string) running {
	block, _ := pem.Decode(keys.KeyPEM)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	check(err)
	key := k.(*rsa.PrivateKey)
	c := salesforce.NewClient(10 * time.Second)
	c.HTTP.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := c.Exchange(r.Context(), salesforce.Request{LoginURL: orgURL, ClientID: benchorg.ConsumerKey, Username: benchorg.Username,
			Audience: orgURL, Key: key})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			json.NewEncoder(w).Encode(map[string]string{"error": "refused"})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"authCredential": res.FrontdoorURI, "orgUrl": res.LightningURL})
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go srv.Serve(ln)
	return running{url: "http://" + ln.Addr().String(), close: func() { srv.Close() }}
}

// startServer exports the stack for the practice org, installs it as its
// README says (Python and Ruby from Debian's packages) and starts it.
// How a server is started: as its README says, under a profiler, or as its
// Procfile says (on 0.0.0.0 and a free port).
const (
	asREADME = iota
	asProfiled
	asProcfile
)

func startServer(st export.Stack, keys *certs.Bundle, orgURL string, mode int) (running, error) {
	profile := mode == asProfiled
	dir, err := os.MkdirTemp("", "tnjwt-bench-"+st.Format+"-")
	if err != nil {
		return running{}, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	o := export.Org{Profile: "bench", LoginURL: orgURL, Audience: orgURL, ClientID: benchorg.ConsumerKey, Username: benchorg.Username,
		KeyPEM: keys.KeyPEM, OrgURL: orgURL, Practice: true, Now: time.Now()}
	files, err := export.Server(st.Format, o)
	if err == nil {
		_, err = export.Write(dir, files, false)
	}
	if err != nil {
		cleanup()
		return running{}, err
	}
	run := strings.Fields(st.Run)
	for _, c := range st.Setup {
		switch {
		case strings.HasPrefix(c, "npm ci"):
			c += " --no-audit --no-fund --loglevel=error --cache " + filepath.Join(dir, ".npm-cache")
		case strings.HasPrefix(c, "python3 -m venv"), strings.HasPrefix(c, "pip "):
			continue // PyPI is out of reach here: Debian's python3-flask & co.
		}
		cmd := exec.Command("sh", "-c", c)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			cleanup()
			return running{}, fmt.Errorf("%s: %v\n%s", c, err, out)
		}
	}
	if run[0] == "python3" {
		run[0] = debianPython()
	}
	if profile { // under the stack's profiler, every thread, CPU time; the tables on SIGTERM
		if run, err = profilers[st.Format].wrap(dir, run); err != nil {
			cleanup()
			return running{}, err
		}
	}
	port := "0"
	if mode == asProcfile {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			cleanup()
			return running{}, err
		}
		_, port, _ = net.SplitHostPort(l.Addr().String())
		l.Close()
		run = []string{"sh", "-c", st.Procfile}
	}
	cmd := exec.Command(run[0], run[1:]...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PORT=" + port, "LANG=C.UTF-8"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cleanup()
		return running{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cleanup()
		return running{}, err
	}
	// gunicorn says "Listening at:" on stderr; the others "listening on" on stdout.
	drain := stderr
	if mode == asProcfile {
		stdout, drain = stderr, stdout
	}
	go io.Copy(io.Discard, drain)
	if err := cmd.Start(); err != nil {
		cleanup()
		return running{}, err
	}
	out := &strings.Builder{}
	read := make(chan struct{})
	stop := func() {
		if profile {
			syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
			<-read
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		cleanup()
	}
	got := make(chan string, 1)
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		listening := false
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "Listening at: "); i >= 0 && !listening {
				line = "listening on " + strings.Replace(strings.Fields(line[i+len("Listening at: "):])[0], "0.0.0.0", "127.0.0.1", 1)
			}
			if u, ok := strings.CutPrefix(line, "listening on "); ok && !listening {
				listening = true
				got <- strings.Replace(u, "0.0.0.0", "127.0.0.1", 1)
				continue
			}
			out.WriteString(sc.Text() + "\n")
		}
		if !listening {
			close(got)
		}
	}()
	select {
	case u, ok := <-got:
		if !ok {
			stop()
			return running{}, fmt.Errorf("%s exited before listening", st.Run)
		}
		return running{url: u, pid: cmd.Process.Pid, out: out, close: stop}, nil
	case <-time.After(2 * time.Minute):
		stop()
		return running{}, fmt.Errorf("%s never said it was listening", st.Run)
	}
}

func debianPython() string {
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import flask, jwt, requests, dotenv").Run() == nil {
			return p
		}
	}
	return "python3"
}

type level struct {
	perSecond float64
	p50, p99  time.Duration
	errors    int
	// CPU time per credential: the server's process, and this one's (the
	// clients and the practice org, and the reference server itself).
	serverCPU, benchCPU time.Duration
}

type row struct {
	name      string
	one, many level
	per1000   float64
	ref       float64 // the reference at 16 clients, timed in turns with this server
	cpuKnown  bool    // the server's own CPU was measured
}

var client = &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

func credential(url string) error {
	req, _ := http.NewRequest("GET", url+"/auth-credential", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var body struct{ AuthCredential string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 || body.AuthCredential == "" {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}

// turns is how many turns the 16-client level takes, each server's turn
// right after the reference's: other work on the machine then weighs on both
// alike, and the ratio is theirs over the same minutes.
const turns = 5

func measure(name string, srv running, ref *running, tokens *atomic.Int64, d time.Duration) row {
	url := srv.url
	for range 20 { // warm up: the first login, JITs, connection pools
		credential(url)
	}
	// Token requests while this server is timed (not the reference's).
	var serverTokens int64
	timed := func(clients int, d time.Duration) sample {
		t0 := tokens.Load()
		got := load(url, clients, d)
		serverTokens += tokens.Load() - t0
		return got
	}
	r := row{name: name}
	one := timed(1, d)
	r.one = one.level()
	var many, refs sample
	var serverCPU, benchCPU time.Duration
	for range turns {
		if ref != nil {
			refs.add(load(ref.url, 16, d/turns))
		}
		s0, b0 := processCPU(srv.pid), selfCPU()
		many.add(timed(16, d/turns))
		serverCPU += processCPU(srv.pid) - s0
		benchCPU += selfCPU() - b0
	}
	r.many = many.level()
	if n := len(many.latencies); n > 0 {
		r.many.serverCPU = serverCPU / time.Duration(n)
		r.many.benchCPU = benchCPU / time.Duration(n)
		r.cpuKnown = srv.pid != 0
	}
	r.ref = r.many.perSecond
	if ref != nil {
		r.ref = refs.level().perSecond
	}
	if done := len(one.latencies) + len(many.latencies); done > 0 {
		r.per1000 = float64(serverTokens) * 1000 / float64(done)
	}
	fmt.Printf("  %s: %.0f/s at 1, %.0f/s at 16\n", name, r.one.perSecond, r.many.perSecond)
	return r
}

// sample is what one or more timed runs got.
type sample struct {
	latencies []time.Duration
	elapsed   time.Duration
	errors    int
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.elapsed += o.elapsed
	s.errors += o.errors
}

func (s sample) level() level {
	l := slices.Clone(s.latencies)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	out := level{errors: s.errors}
	if n := len(l); n > 0 {
		out.perSecond = float64(n) / s.elapsed.Seconds()
		out.p50, out.p99 = l[n/2], l[min(n-1, n*99/100)]
	}
	return out
}

// load runs clients concurrent loops for d (and maxRequests at most).
func load(url string, clients int, d time.Duration) sample {
	var (
		mu    sync.Mutex
		out   sample
		count atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	end := start.Add(d)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(end) && count.Add(1) <= maxRequests {
				t := time.Now()
				if err := credential(url); err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			out.latencies = append(out.latencies, mine...)
			out.errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

// processCPU is a process's user and system time (0: none, this process).
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// profiler runs an interpreted server under its stack's sampling
// profiler, which prints where the CPU time went when the server is told
// to stop (SIGTERM).
type profiler struct {
	name    string
	check   func() error                                     // the profiler is installed
	wrap    func(dir string, run []string) ([]string, error) // the command that starts the server under it
	missing string                                           // what installs it
}

var profilers = map[string]profiler{
	export.FormatFlask: {name: "yappi", missing: "apt-get install python3-yappi",
		check: func() error { return exec.Command(debianPython(), "-c", "import yappi").Run() },
		wrap: func(dir string, run []string) ([]string, error) {
			err := os.WriteFile(filepath.Join(dir, "profile_app.py"), []byte(yappiWrapper), 0o600)
			return []string{run[0], "profile_app.py"}, err
		}},
	export.FormatSinatra: {name: "stackprof", missing: "apt-get install ruby-stackprof", check: func() error { _, err := stackprofPath(); return err },
		wrap: func(dir string, run []string) ([]string, error) {
			paths, err := stackprofPath()
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, "profile_app.rb"), []byte(stackprofWrapper), 0o600)
			}
			// bundle exec ruby app.rb: Bundler hides gems the Gemfile does not
			// name, so stackprof comes in by its own path.
			last := len(run) - 1
			return append(append(run[:last:last], "-I", paths, "-r./profile_app.rb"), run[last]), err
		}},
}

// stackprofPath is where Debian's ruby-stackprof keeps its library and
// extension, as Ruby's load path.
func stackprofPath() (string, error) {
	out, err := exec.Command("ruby", "-e", `print Gem::Specification.find_by_name("stackprof").full_require_paths.join(":")`).Output()
	if err != nil || len(out) == 0 {
		return "", fmt.Errorf("no stackprof: %v", err)
	}
	return string(out), nil
}

// profileServer runs the server again under its profiler for the
// 16-client level and returns where its CPU time went.
func profileServer(st export.Stack, keys *certs.Bundle, orgURL string, tokens *atomic.Int64, d time.Duration) string {
	p := profilers[st.Format]
	if p.check() != nil {
		return "(no profile of " + st.Format + ": " + p.missing + ")"
	}
	srv, err := startServer(st, keys, orgURL, asProfiled)
	if err != nil {
		return "(no profile: " + err.Error() + ")"
	}
	for range 20 {
		credential(srv.url)
	}
	l := load(srv.url, 16, d).level()
	srv.close()
	return fmt.Sprintf("\nWhere %s's time goes at 16 clients (%s, CPU time of every thread; %.0f/s while profiled):\n%s",
		st.Format, p.name, l.perSecond, srv.out)
}

// ceiling is the most an interpreter with one lock (Python's GIL, Ruby's
// GVL) can serve: its server runs on one core at a time, so at its CPU
// per credential no more than 1 s / that CPU fit in a second, whatever the
// machine's other cores do. The reference has both cores.
func ceiling(st export.Stack, r row) string {
	if (st.Format != export.FormatFlask && st.Format != export.FormatSinatra) || !r.cpuKnown || r.many.serverCPU <= 0 {
		return ""
	}
	most := float64(time.Second) / float64(r.many.serverCPU)
	return fmt.Sprintf("\n%s is below the target: it spends %s ms of CPU per credential in one interpreter lock, so it serves "+
		"at most %.0f/s on one core; it served %.0f/s (%.0f %% of that), beside the reference's %.0f/s on %d cores.",
		st.Format, cpu(r.many.serverCPU), most, r.many.perSecond, 100*r.many.perSecond/most, r.ref, numCPU())
}

const yappiWrapper = `import collections, os, runpy, signal, sys
import yappi

yappi.set_clock_type("cpu")
yappi.start(builtins=False)  # a C function's time counts in its Python caller's


def report(*_):
    yappi.stop()
    stats = yappi.get_func_stats()
    total = sum(s.tsub for s in stats) or 1
    by = collections.Counter()
    names = (("werkzeug", "Werkzeug (the HTTP server)"), ("flask", "Flask"), ("requests", "requests"),
             ("urllib3", "urllib3 (under requests)"), ("http/client", "http.client (under urllib3)"),
             ("email", "email (http.client's header parser)"), ("jwt", "PyJWT"), ("cryptography", "cryptography"),
             ("socketserver", "socketserver"), ("json", "json"), ("frozen os", "os.environ (requests reads proxy settings per call)"),
             ("_collections_abc", "collections.abc (os.environ, headers)"), ("threading", "threading"), ("socket", "socket"),
             ("app.py", "app.py (this server)"), ("re/", "re"))
    for s in stats:
        path = s.module or ""
        for key, name in names:
            if key in path:
                by[name] += s.tsub
                break
        else:
            by["other standard library"] += s.tsub
    print("| where | share of CPU |")
    print("|---|---:|")
    for key, t in by.most_common(12):
        print(f"| {key} | {100 * t / total:.0f} % |")
    print()
    print("| function (own time) | share | calls |")
    print("|---|---:|---:|")
    stats.sort("tsub")
    for s in list(stats)[:15]:
        where = (s.module or "").replace("/usr/lib/python3/dist-packages/", "").replace("/usr/lib/python3.11/", "")
        print(f"| {s.name} ({where}:{s.lineno}) | {100 * s.tsub / total:.1f} % | {s.ncall} |")
    sys.stdout.flush()
    os._exit(0)


signal.signal(signal.SIGTERM, report)
sys.argv = ["app.py"]
runpy.run_path("app.py", run_name="__main__")
`

const stackprofWrapper = `# Samples CPU time (every thread, as the lock passes) and prints the tables at exit.
require 'stackprof'

StackProf.start(mode: :cpu, interval: 500)

# A C function (file <cfunc>) counts by what it is.
def builtin(name)
  case name
  when /^(IO|BasicSocket|Socket|TCPSocket|TCPServer)[#.]/ then 'socket I/O'
  when /^Kernel#require/ then 'require (loading code)'
  when /^(String|Regexp|Symbol|MatchData)[#.]/ then 'strings and regexps'
  when /^(Array|Hash|Enumerable)[#.]/ then 'arrays and hashes'
  when /^(Thread|Mutex|Thread::Mutex|Thread::Queue|Thread::ConditionVariable|Monitor)[#.]/ then 'threads and locks'
  else 'other Ruby'
  end
end

at_exit do
  StackProf.stop
  r = StackProf.results
  total = [r[:samples].to_f, 1].max
  names = [%w[puma Puma\ (the\ HTTP\ server)], %w[sinatra Sinatra], %w[mustermann Mustermann\ (Sinatra's\ routes)],
           %w[rack Rack], %w[/jwt ruby-jwt], %w[openssl OpenSSL], %w[net/http net/http], %w[net/protocol net/http],
           %w[json json], %w[dotenv dotenv], %w[app.rb app.rb\ (this\ server)], %w[uri uri], %w[ipaddr ipaddr],
           %w[socket socket], %w[monitor monitor], %w[timeout timeout]]
  by = Hash.new(0)
  by['garbage collection'] = r[:gc_samples].to_i
  r[:frames].each_value do |f|
    next if f[:name].to_s.start_with?('(') # GC's own frames: gc_samples counts them
    file = f[:file].to_s
    group = names.find { |key, _| file.include?(key) }
    by[group ? group[1] : builtin(f[:name].to_s)] += f[:samples]
  end
  puts '| where | share of CPU |'
  puts '|---|---:|'
  by.sort_by { |_, n| -n }.first(12).each { |name, n| puts format('| %s | %.0f %% |', name, 100 * n / total) }
  puts
  puts '| function (own time) | share | samples |'
  puts '|---|---:|---:|'
  r[:frames].values.reject { |f| f[:name].to_s.start_with?('(') }.sort_by { |f| -f[:samples] }.first(15).each do |f|
    where = f[:file].to_s.sub(%r{.*/(gems|ruby)/[^/]+/}, '')
    puts format('| %s (%s:%d) | %.1f %% | %d |', f[:name], where, f[:line].to_i, 100 * f[:samples] / total, f[:samples])
  end
  $stdout.flush
end
`

func print(rows []row) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	fmt.Println()
	fmt.Println("| server | creds/s, 1 client | p50 / p99 ms | creds/s, 16 clients | p50 / p99 ms | token requests per 1,000 | × reference at 16 (its creds/s in the same turns) | CPU ms per credential at 16: server / clients + org |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for i, r := range rows {
		ratio := "1.0"
		if r.ref > 0 {
			ratio = fmt.Sprintf("%.2f (%.0f)", r.many.perSecond/r.ref, r.ref)
		}
		errs := ""
		if n := r.one.errors + r.many.errors; n > 0 {
			errs = fmt.Sprintf(" (%d failed)", n)
		}
		serverCPU := "in-process"
		if r.cpuKnown {
			serverCPU = cpu(r.many.serverCPU)
		} else if i > 0 {
			serverCPU = "n/a"
		}
		fmt.Printf("| %s | %.0f | %s / %s | %.0f | %s / %s | %.1f | %s%s | %s / %s |\n", r.name, r.one.perSecond, ms(r.one.p50), ms(r.one.p99),
			r.many.perSecond, ms(r.many.p50), ms(r.many.p99), r.per1000, ratio, errs, serverCPU, cpu(r.many.benchCPU))
	}
	fmt.Println("\nAt 16 clients each server and the reference take turns (5 each), so other work on the machine weighs on both alike.")
	fmt.Println("The reference runs inside this process: its CPU is in the second figure.")
	fmt.Println("Targets: token requests per 1,000 credentials ≤ 1 for every server; at 16 clients ≥ 1.5 × the reference.")
}

func cpu(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000)
}
