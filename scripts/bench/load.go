package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func signalNotify(ch chan os.Signal) { signal.Notify(ch, syscall.SIGTERM, os.Interrupt) }

// result is one measurement.
type result struct {
	Scenario  string         `json:"scenario"`
	Target    string         `json:"target"` // paysandbox, baseline or an -other label
	Stored    int            `json:"stored,omitempty"`
	Requests  uint64         `json:"requests"`
	ReqPerSec float64        `json:"reqPerSec"`
	P50ms     float64        `json:"p50ms"`
	P99ms     float64        `json:"p99ms"`
	Errors    uint64         `json:"errors"` // transport errors and unexpected statuses
	Statuses  map[string]int `json:"statuses"`
	Ratio     float64        `json:"ratioToBaseline,omitempty"`
	Rounds    int            `json:"rounds,omitempty"` // measurements this is the median of
}

// newAttacker is a closed loop of o.conns workers, one connection each.
func newAttacker(o options) *vegeta.Attacker {
	return vegeta.NewAttacker(
		vegeta.Workers(uint64(o.conns)), vegeta.MaxWorkers(uint64(o.conns)),
		vegeta.Connections(o.conns), vegeta.MaxConnections(o.conns),
		vegeta.KeepAlive(true), vegeta.HTTP2(false), vegeta.MaxBody(0),
		vegeta.Timeout(10*time.Second), vegeta.Redirects(vegeta.NoFollow),
	)
}

// attack runs a closed loop of o.conns workers for d and returns metrics.
func attack(o options, tr vegeta.Targeter, d time.Duration, name string) *vegeta.Metrics {
	return attackWith(newAttacker(o), tr, d, name)
}

func attackWith(atk *vegeta.Attacker, tr vegeta.Targeter, d time.Duration, name string) *vegeta.Metrics {
	var m vegeta.Metrics
	for res := range atk.Attack(tr, vegeta.Rate{Freq: 0}, d, name) {
		m.Add(res)
	}
	m.Close()
	return &m
}

func measure(o options, sc scenario, pop *population, target string) result {
	var n atomic.Uint64
	tr := func(t *vegeta.Target) error {
		sc.build(pop, n.Add(1), t)
		return nil
	}
	if o.warmup > 0 {
		attack(o, tr, o.warmup, sc.name+"-warmup")
	}
	m := attack(o, tr, o.duration, sc.name)
	r := toResult(m, sc.name, target)
	want := strconv.Itoa(sc.want)
	if target == "baseline" {
		want = "200"
	}
	r.Errors = m.Requests - uint64(m.StatusCodes[want])
	return r
}

// median returns the round with the median throughput (the lower middle
// one for an even count), with the errors of every round, so repeating a
// measurement damps noise without hiding a failure.
func median(rounds []result) result {
	sorted := slices.Clone(rounds)
	slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(a.ReqPerSec, b.ReqPerSec) })
	m := sorted[(len(sorted)-1)/2]
	m.Errors, m.Statuses = 0, map[string]int{}
	for _, r := range rounds {
		m.Errors += r.Errors
		for code, n := range r.Statuses {
			m.Statuses[code] += n
		}
	}
	m.Rounds = len(rounds)
	return m
}

func toResult(m *vegeta.Metrics, name, target string) result {
	return result{
		Scenario: name, Target: target, Requests: m.Requests,
		ReqPerSec: float64(m.Requests) / m.Duration.Seconds(),
		P50ms:     float64(m.Latencies.P50) / 1e6, P99ms: float64(m.Latencies.P99) / 1e6,
		Statuses: m.StatusCodes,
	}
}

// other is a server outside this project, driven with one fixed request.
type other struct {
	label, method, url string
	body               []byte
	header             http.Header
}

func parseOther(s string) (other, error) {
	f := strings.SplitN(s, "|", 5)
	if len(f) < 3 {
		return other{}, fmt.Errorf("-other %q: want 'label|METHOD|URL|BODY|Header: v;Header: v'", s)
	}
	o := other{label: f[0], method: strings.ToUpper(f[1]), url: f[2], header: http.Header{}}
	if len(f) > 3 {
		o.body = []byte(f[3])
	}
	if len(f) > 4 {
		for _, h := range strings.Split(f[4], ";") {
			k, v, ok := strings.Cut(h, ":")
			if ok {
				o.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
	}
	return o, nil
}

func measureOther(o options, ot other) result {
	tr := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body, t.Header = ot.method, ot.url, ot.body, ot.header.Clone()
		return nil
	}
	if o.warmup > 0 {
		attack(o, tr, o.warmup, ot.label+"-warmup")
	}
	m := attack(o, tr, o.duration, ot.label)
	r := toResult(m, ot.label, ot.label)
	var ok int
	for code, c := range m.StatusCodes {
		if strings.HasPrefix(code, "2") {
			ok += c
		}
	}
	r.Errors = m.Requests - uint64(ok)
	return r
}

// preload grows every provider's population to size customers through the
// providers' own APIs (32 workers), remembering the ids.
func preload(urls map[string]string, pop *population, size int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	do := func(method, url string, body []byte, h http.Header) ([]byte, error) {
		req, err := http.NewRequest(method, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = h
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			return nil, fmt.Errorf("%s %s: %d %.300s", method, url, resp.StatusCode, b)
		}
		return b, nil
	}
	type job struct {
		from, to int
		one      func(i int) (string, error)
		ids      *[]string
	}
	jobs := []job{
		{len(pop.rebillyIDs), size, func(i int) (string, error) {
			id := fmt.Sprintf("cus-bench-%07d", i)
			h := jsonHeader()
			h.Set("REB-APIKEY", rebillyKey)
			_, err := do(http.MethodPut, urls["rebilly"]+"/customers/"+id, rebillyBody(i), h)
			return id, err
		}, &pop.rebillyIDs},
		{len(pop.payabliIDs), size, func(i int) (string, error) {
			h := jsonHeader()
			h.Set("requestToken", payabliToken)
			b, err := do(http.MethodPost, urls["payabli"]+"/api/Customer/single/"+payabliEntry, payabliBody(i), h)
			if err != nil {
				return "", err
			}
			return idFrom(b, "responseData", "customerId")
		}, &pop.payabliIDs},
		{len(pop.rapydIDs), size, func(i int) (string, error) {
			body := rapydBody(uint64(i))
			h := jsonHeader()
			signRapyd(h, "post", "/v1/customers", body)
			b, err := do(http.MethodPost, urls["rapyd"]+"/v1/customers", body, h)
			if err != nil {
				return "", err
			}
			return idFrom(b, "data", "id")
		}, &pop.rapydIDs},
	}
	for k, j := range jobs {
		if j.from >= j.to {
			continue
		}
		t0 := time.Now()
		ids := make([]string, j.to-j.from)
		var next atomic.Int64
		next.Store(int64(j.from))
		var wg sync.WaitGroup
		var firstErr atomic.Pointer[error]
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= j.to || firstErr.Load() != nil {
						return
					}
					id, err := j.one(i)
					if err != nil {
						firstErr.CompareAndSwap(nil, &err)
						return
					}
					ids[i-j.from] = id
				}
			}()
		}
		wg.Wait()
		if e := firstErr.Load(); e != nil {
			return *e
		}
		*j.ids = append(*j.ids, ids...)
		logf("  preload %s: %d customers in %s", []string{"rebilly", "payabli", "rapyd"}[k], j.to-j.from, time.Since(t0).Round(time.Millisecond))
	}
	pop.payabliN = len(pop.payabliIDs)
	return nil
}
