// Command bench is paysandbox's load benchmark (scripts/bench.sh runs it).
//
// In one run it starts the simulator binary and a baseline server (a plain
// net/http handler that decodes the JSON body and returns a constant JSON
// reply) as separate processes, preloads customers to each requested size,
// and drives every scenario against the simulator and, right after, the
// same requests against the baseline. It prints req/s, p50, p99, errors and
// the ratio to the baseline, checks the performance issue's targets as
// ratios, and writes results.json, results.md and throughput.svg.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/simulator/server"
)

type options struct {
	conns    int
	duration time.Duration
	warmup   time.Duration
	sizes    []int
	only     map[string]bool
	bin      string
	out      string
	starts   int
	others   []other
	simArgs  []string
	simEnv   []string
	rounds   int
	soak     time.Duration
	profile  string
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-serve-baseline" {
		serveBaseline(os.Args[2])
		return
	}
	var o options
	var sizes, only, simArgs, simEnv string
	var others multiFlag
	flag.IntVar(&o.conns, "conns", 32, "concurrent connections (closed loop: one request in flight per connection)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "measured duration per scenario and target")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured warm-up before each measurement")
	flag.StringVar(&sizes, "sizes", "1000,100000", "stored customers per provider, ascending, comma separated")
	flag.StringVar(&only, "scenarios", "", "comma list of scenario names to run (default all)")
	flag.StringVar(&o.bin, "bin", "", "simulator binary to run (default: go build ./simulator/cmd/paysandbox)")
	flag.StringVar(&o.out, "out", "docs/bench", "directory for results.json, results.md and throughput.svg (empty: none)")
	flag.IntVar(&o.rounds, "rounds", 1, "measure each scenario this many times, simulator and baseline alternating, and report the median round of each (errors summed over all rounds)")
	flag.IntVar(&o.starts, "starts", 5, "times to start the simulator with an empty store to time start-to-ready")
	flag.StringVar(&simArgs, "sim-args", "", "extra space-separated arguments for `paysandbox serve`")
	flag.StringVar(&simEnv, "sim-env", "", "extra space-separated KEY=VALUE environment for the simulator only (e.g. GOGC=100)")
	flag.StringVar(&o.profile, "profile", "", "directory: run the simulator with --pprof and save a CPU profile of every scenario at the largest size, plus a heap profile")
	flag.DurationVar(&o.soak, "soak", 0, "instead of the benchmark: preload the first -sizes entry, then run a mixed load this long and report memory and goroutines (scripts/soak.sh)")
	flag.Var(&others, "other", "another server to drive side by side: 'label|METHOD|URL|BODY|Header: v;Header: v' (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "Usage: scripts/bench.sh [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if o.rounds < 1 {
		fatalf("-rounds must be at least 1")
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("bad -sizes entry %q", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if !slices.IsSorted(o.sizes) {
		fatalf("-sizes must be ascending")
	}
	if only != "" {
		o.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			o.only[strings.TrimSpace(s)] = true
		}
	}
	// --pprof also lets memory() force a collection before it reads the
	// heap; the profiling handlers cost nothing until called.
	o.simArgs = append(append(rapydKeysFlag(), strings.Fields(simArgs)...), "--pprof")
	o.simEnv = strings.Fields(simEnv)
	for _, s := range others {
		ot, err := parseOther(s)
		if err != nil {
			fatalf("%v", err)
		}
		o.others = append(o.others, ot)
	}
	if err := run(o); err != nil {
		fatalf("%v", err)
	}
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "# "+format+"\n", args...)
}

// run is the whole benchmark.
func run(o options) error {
	tmp, err := os.MkdirTemp("", "paysandbox-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "paysandbox")
		logf("building %s", o.bin)
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", o.bin, "./simulator/cmd/paysandbox")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	rep := report{
		Date:    time.Now().UTC().Format(time.RFC3339),
		Machine: machine(),
		Command: "scripts/bench.sh " + strings.Join(os.Args[1:], " "),
		Conns:   o.conns, Duration: o.duration.String(), Rounds: o.rounds,
	}

	// Start to ready, empty store.
	for i := 0; i < o.starts; i++ {
		sim, err := startSim(o, tmp, i)
		if err != nil {
			return err
		}
		rep.StartToReady = append(rep.StartToReady, sim.ready.Seconds()*1000)
		if err := sim.stop(); err != nil {
			return err
		}
	}
	sort.Float64s(rep.StartToReady)
	logf("start to ready (ms, %d runs): %v", o.starts, rep.StartToReady)

	base, err := startBaseline(tmp)
	if err != nil {
		return err
	}
	defer base.stop()
	sim, err := startSim(o, tmp, -1)
	if err != nil {
		return err
	}
	defer sim.stop()
	rssEmpty, heapEmpty, _ := sim.memory()

	// Each scenario is written for its provider; the listeners and their
	// URLs are the simulator's (server.Names).
	simURLs, baseURLs := sim.urls, map[string]string{}
	for k := range sim.urls {
		baseURLs[k] = base.url
	}
	pop := &population{}
	simScen, baseScen := scenarios(simURLs), scenarios(baseURLs)
	if o.soak > 0 {
		if err := preload(simURLs, pop, o.sizes[0]); err != nil {
			return fmt.Errorf("preload: %w", err)
		}
		return soak(o, sim, simScen, pop, o.soak)
	}
	for _, size := range o.sizes {
		start := time.Now()
		if err := preload(simURLs, pop, size); err != nil {
			return fmt.Errorf("preload %d: %w", size, err)
		}
		rss, heap, total := sim.memory()
		logf("preloaded %d customers per provider in %s (%d stored in all)", size, time.Since(start).Round(time.Millisecond), total)
		rep.Memory = append(rep.Memory, memPoint{Stored: size, Total: total, RSSBytes: rss, HeapBytes: heap,
			RSSPerCustomer: float64(rss-rssEmpty) / float64(max(total, 1)), HeapPerCustomer: float64(heap-heapEmpty) / float64(max(total, 1))})
		for i, sc := range simScen {
			if o.only != nil && !o.only[sc.name] {
				continue
			}
			var sims, bases []result
			for round := 0; round < o.rounds; round++ {
				var prof chan error
				if round == 0 && o.profile != "" && size == o.sizes[len(o.sizes)-1] {
					prof = make(chan error, 1)
					go func() {
						prof <- sim.saveProfile(o, "profile?seconds="+strconv.Itoa(max(1, int(o.duration.Seconds())-1)), sc.name+".cpu.pprof")
					}()
				}
				sims = append(sims, measure(o, sc, pop, "paysandbox"))
				if prof != nil {
					if err := <-prof; err != nil {
						return err
					}
				}
				if sc.reset != "" {
					if err := sim.reset(sc.reset); err != nil {
						return fmt.Errorf("%s: %w", sc.name, err)
					}
				}
				bases = append(bases, measure(o, baseScen[i], pop, "baseline"))
			}
			s, b := median(sims), median(bases)
			s.Stored, b.Stored = size, size
			if b.ReqPerSec > 0 {
				s.Ratio = s.ReqPerSec / b.ReqPerSec
			}
			rep.Results = append(rep.Results, s, b)
			logf("%-22s %7d stored: %8.0f req/s p50 %6.2f ms p99 %6.2f ms errors %d | baseline %8.0f req/s | ratio %.2fx",
				sc.name, size, s.ReqPerSec, s.P50ms, s.P99ms, s.Errors, b.ReqPerSec, s.Ratio)
		}
	}
	if o.profile != "" {
		if err := sim.saveProfile(o, "heap", "heap.pprof"); err != nil {
			return err
		}
		logf("profiles in %s (go tool pprof -top %s/<scenario>.cpu.pprof)", o.profile, o.profile)
	}
	for _, ot := range o.others {
		r := measureOther(o, ot)
		rep.Results = append(rep.Results, r)
		logf("%-22s: %8.0f req/s p50 %6.2f ms p99 %6.2f ms errors %d", ot.label, r.ReqPerSec, r.P50ms, r.P99ms, r.Errors)
	}
	rep.Checks = checks(rep, o)
	md := rep.markdown()
	fmt.Print(md)
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		js, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(filepath.Join(o.out, "results.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.out, "results.md"), []byte(md), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(o.out, "throughput.svg"), plot(rep), 0o644); err != nil {
			return err
		}
		logf("wrote %s/{results.json,results.md,throughput.svg}", o.out)
	}
	return nil
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (%s), %s/%s, %s", runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// process is a started simulator or baseline.
type process struct {
	cmd   *exec.Cmd
	urls  map[string]string
	url   string
	admin string
	ready time.Duration
	done  chan error
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startSim(o options, tmp string, n int) (*process, error) {
	addrs := map[string]string{}
	args := []string{"serve"}
	for _, k := range server.Names { // every listener the simulator has
		a, err := freeAddr()
		if err != nil {
			return nil, err
		}
		addrs[k] = a
		args = append(args, "--"+server.AddrFlag(k), a)
	}
	// The per-listener connection cap (default 224) must not shape the
	// measurement: leave room for the load generator's connections plus the
	// preload pool (64). -sim-args can still set it (the last flag wins).
	if need := 2*o.conns + 64; need > 224 {
		args = append(args, "--max-connections", strconv.Itoa(need))
	}
	args = append(args, o.simArgs...)
	cmd := exec.Command(o.bin, args...)
	cmd.Env = append(os.Environ(), o.simEnv...)
	name := "sim.log"
	if n >= 0 {
		name = fmt.Sprintf("start-%d.log", n)
	}
	logFile, err := os.Create(filepath.Join(tmp, name))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	p := &process{cmd: cmd, admin: "http://" + addrs["admin"], urls: map[string]string{}, done: make(chan error, 1)}
	for _, k := range server.Names {
		if k != server.Admin {
			p.urls[k] = "http://" + addrs[k]
		}
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- cmd.Wait(); logFile.Close() }()
	if err := p.waitReady(p.admin+"/readyz", t0); err != nil {
		return nil, err
	}
	return p, nil
}

// waitReady polls url until it answers 200 (a benchmark measurement, so a
// tight poll is the point) and records the time since t0.
func (p *process) waitReady(url string, t0 time.Time) error {
	c := &http.Client{Timeout: time.Second}
	deadline := t0.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			return fmt.Errorf("%s exited before it was ready: %v", p.cmd.Path, err)
		default:
		}
		resp, err := c.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(t0)
				return nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return fmt.Errorf("%s not ready after 30s", url)
}

func (p *process) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			return err
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("%s did not stop on SIGTERM", p.cmd.Path)
	}
}

// memory forces a garbage collection in the simulator (a heap profile with
// gc=1), then reads its resident set (from /proc), live Go heap and the
// customers stored by all providers (from its /metrics), so the numbers count
// stored data, not garbage awaiting the next cycle.
func (p *process) memory() (rss, heap, customers int64) {
	if resp, err := http.Get(p.admin + "/debug/pprof/heap?gc=1"); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmRSS:") {
				f := strings.Fields(l)
				if len(f) >= 2 {
					kb, _ := strconv.ParseInt(f[1], 10, 64)
					rss = kb * 1024
				}
			}
		}
	}
	resp, err := http.Get(p.admin + "/metrics")
	if err != nil {
		return rss, 0, 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "go_memstats_heap_alloc_bytes "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			heap = int64(f)
		}
		if strings.HasPrefix(l, "paysandbox_customers{") {
			if i := strings.LastIndexByte(l, ' '); i > 0 {
				f, _ := strconv.ParseFloat(l[i+1:], 64)
				customers += int64(f)
			}
		}
	}
	return rss, heap, customers
}

func startBaseline(tmp string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-baseline", addr)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	p := &process{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- cmd.Wait() }()
	return p, p.waitReady(p.url+"/ready", t0)
}

// serveBaseline is the baseline: decode the JSON body (when there is one),
// reply with a constant JSON document. Nothing else.
func serveBaseline(addr string) {
	reply := []byte(`{"id":"cus_baseline","status":"ok","firstName":"Bench","lastName":"Customer","email":"bench@example.com"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil {
			var v map[string]any
			if err := json.NewDecoder(r.Body).Decode(&v); err != nil && !errors.Is(err, io.EOF) {
				http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	})
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		ch := make(chan os.Signal, 1)
		signalNotify(ch)
		<-ch
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("baseline", "err", err)
		os.Exit(1)
	}
}

// reset posts an admin /reset with the given query.
func (p *process) reset(query string) error {
	resp, err := http.Post(p.admin+"/reset?"+query, "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset %s: %s %s", query, resp.Status, body)
	}
	return nil
}

// saveProfile fetches /debug/pprof/<what> from the simulator into o.profile.
func (p *process) saveProfile(o options, what, file string) error {
	if err := os.MkdirAll(o.profile, 0o755); err != nil {
		return err
	}
	resp, err := http.Get(p.admin + "/debug/pprof/" + what)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof %s: %s", what, resp.Status)
	}
	f, err := os.Create(filepath.Join(o.profile, file))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
