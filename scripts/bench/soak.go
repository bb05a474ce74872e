package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sample is one reading of the simulator's own metrics during a soak.
type sample struct {
	At         time.Duration
	Requests   uint64
	Errors     uint64
	HeapBytes  float64
	RSSBytes   float64
	Goroutines float64
}

func (p *process) gauges() (heap, rss, goroutines float64) {
	resp, err := http.Get(p.admin + "/metrics")
	if err != nil {
		return 0, 0, 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		switch name {
		case "go_memstats_heap_inuse_bytes":
			heap = f
		case "process_resident_memory_bytes":
			rss = f
		case "go_goroutines":
			goroutines = f
		}
	}
	return
}

// soak drives a mixed load over a fixed population (so state does not
// grow) for d, in slices, reading memory and goroutines after each, and
// reports whether they stayed flat.
func soak(o options, sim *process, scen []scenario, pop *population, d time.Duration) error {
	slice := 30 * time.Second
	if d < 5*slice {
		slice = d / 5
	}
	var mixed []scenario
	for _, sc := range scen {
		if sc.name != "rapyd-create-signed" { // the one scenario that adds rows
			mixed = append(mixed, sc)
		}
	}
	var samples []sample
	// One connection pool for the whole soak, so the server's connection
	// goroutines measure the server, not the client's churn.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns}}
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		sc := mixed[i%len(mixed)]
		var n atomic.Uint64
		atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(o.conns)), vegeta.MaxWorkers(uint64(o.conns)), vegeta.MaxBody(0))
		m := attackWith(atk, func(t *vegeta.Target) error { sc.build(pop, n.Add(1), t); return nil }, slice, sc.name)
		r := toResult(m, sc.name, "paysandbox")
		r.Errors = m.Requests - uint64(m.StatusCodes[strconv.Itoa(sc.want)])
		heap, rss, g := sim.gauges()
		samples = append(samples, sample{At: time.Since(start).Round(time.Second), Requests: r.Requests, Errors: r.Errors, HeapBytes: heap, RSSBytes: rss, Goroutines: g})
		logf("soak %6s %-22s %8d req %d errors  heap %6.1f MiB  rss %6.1f MiB  goroutines %.0f",
			samples[len(samples)-1].At, sc.name, r.Requests, r.Errors, heap/(1<<20), rss/(1<<20), g)
	}
	if len(samples) < 3 {
		return fmt.Errorf("soak too short for a verdict")
	}
	// Compare the second sample (after warm-up) with the maximum of the rest.
	base := samples[1]
	var maxHeap, maxRSS, maxG float64
	var errs uint64
	for _, s := range samples[1:] {
		maxHeap, maxRSS, maxG = max(maxHeap, s.HeapBytes), max(maxRSS, s.RSSBytes), max(maxG, s.Goroutines)
		errs += s.Errors
	}
	fmt.Printf("\n| Soak | value |\n|---|---|\n| duration | %s |\n| requests | %d |\n| errors | %d |\n", d, sum(samples), errs)
	fmt.Printf("| heap in use: after warm-up / max later | %.1f MiB / %.1f MiB (%.2fx) |\n", base.HeapBytes/(1<<20), maxHeap/(1<<20), maxHeap/base.HeapBytes)
	fmt.Printf("| RSS: after warm-up / max later | %.1f MiB / %.1f MiB (%.2fx) |\n", base.RSSBytes/(1<<20), maxRSS/(1<<20), maxRSS/base.RSSBytes)
	fmt.Printf("| goroutines: after warm-up / max later | %.0f / %.0f |\n", base.Goroutines, maxG)
	flat := maxHeap <= 1.5*base.HeapBytes && maxRSS <= 1.5*base.RSSBytes && maxG <= base.Goroutines+float64(2*o.conns) && errs == 0
	fmt.Printf("| verdict (heap and RSS within 1.5x, goroutines within +2x connections, no errors) | %v |\n", map[bool]string{true: "flat", false: "**not flat**"}[flat])
	if !flat {
		return fmt.Errorf("soak: memory, goroutines or errors did not stay flat")
	}
	return nil
}

func sum(s []sample) uint64 {
	var n uint64
	for _, x := range s {
		n += x.Requests
	}
	return n
}
