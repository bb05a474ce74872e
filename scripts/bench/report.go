package main

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"
)

type memPoint struct {
	Stored          int     `json:"storedPerProvider"`
	Total           int64   `json:"storedTotal"` // all providers
	RSSBytes        int64   `json:"rssBytes"`
	HeapBytes       int64   `json:"heapLiveBytes"`
	RSSPerCustomer  float64 `json:"rssBytesPerCustomer"`
	HeapPerCustomer float64 `json:"heapBytesPerCustomer"`
}

type check struct {
	Target string `json:"target"`
	Value  string `json:"measured"`
	Met    bool   `json:"met"`
}

type report struct {
	Date         string     `json:"date"`
	Machine      string     `json:"machine"`
	Command      string     `json:"command"`
	Conns        int        `json:"conns"`
	Rounds       int        `json:"rounds"`
	Duration     string     `json:"duration"`
	StartToReady []float64  `json:"startToReadyMs"`
	Memory       []memPoint `json:"memory"`
	Results      []result   `json:"results"`
	Checks       []check    `json:"checks"`
}

func (r *report) find(scenario, target string, stored int) *result {
	for i := range r.Results {
		x := &r.Results[i]
		if x.Scenario == scenario && x.Target == target && x.Stored == stored {
			return x
		}
	}
	return nil
}

// checks evaluates the performance issue's targets, all as ratios measured
// in this run (plus the start-to-ready median and p99 at o.conns).
func checks(r report, o options) []check {
	var out []check
	small, large := o.sizes[0], o.sizes[len(o.sizes)-1]
	add := func(target string, met bool, format string, args ...any) {
		out = append(out, check{Target: target, Value: fmt.Sprintf(format, args...), Met: met})
	}
	for _, sc := range []string{"rebilly-put-upsert", "rebilly-get"} {
		s := r.find(sc, "paysandbox", large)
		if s == nil {
			continue
		}
		add(fmt.Sprintf("%s at %d stored ≥ 0.6x baseline", sc, large), s.Ratio >= 0.6, "%.2fx", s.Ratio)
		if l := r.find(sc, "paysandbox", small); l != nil && large != small {
			q := s.ReqPerSec / l.ReqPerSec
			add(fmt.Sprintf("%s: %d-row throughput ≥ 0.9x the %d-row", sc, large, small), q >= 0.9, "%.2fx", q)
			// The same with each size divided by its own baseline: this
			// machine's speed drifts between the two sizes' measurements.
			if l.Ratio > 0 {
				n := s.Ratio / l.Ratio
				add(fmt.Sprintf("%s: same, each size relative to its baseline", sc), n >= 0.9, "%.2fx", n)
			}
		}
		add(fmt.Sprintf("%s p99 ≤ 10 ms at %d connections, %d stored", sc, o.conns, large), s.P99ms <= 10, "%.2f ms", s.P99ms)
	}
	for _, sc := range []string{"rapyd-create-signed", "payabli-create-upsert"} {
		if s := r.find(sc, "paysandbox", large); s != nil {
			add(fmt.Sprintf("%s at %d stored ≥ 0.5x baseline", sc, large), s.Ratio >= 0.5, "%.2fx", s.Ratio)
		}
	}
	if n := len(r.StartToReady); n > 0 {
		med := r.StartToReady[n/2]
		add("start to ready < 100 ms, empty store (median)", med < 100, "%.1f ms", med)
	}
	for _, res := range r.Results {
		if res.Target == "paysandbox" && res.Errors > 0 {
			add(fmt.Sprintf("%s at %d stored: no errors", res.Scenario, res.Stored), false, "%d errors %v", res.Errors, res.Statuses)
		}
	}
	return out
}

func (r report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "- Date: %s\n- Machine: %s (load generator on the same cores, loopback)\n- Command: `%s`\n- %d connections, %s per measurement, median of %d round(s) per scenario and target (simulator and baseline alternating)\n\n",
		r.Date, r.Machine, r.Command, r.Conns, r.Duration, max(r.Rounds, 1))
	b.WriteString("| Scenario | Stored / provider | paysandbox req/s | p50 ms | p99 ms | errors | baseline req/s | baseline p99 ms | ratio |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range r.Results {
		if s.Target != "paysandbox" {
			continue
		}
		bl := r.find(s.Scenario, "baseline", s.Stored)
		if bl == nil {
			bl = &result{}
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.2f | %.2f | %d | %.0f | %.2f | %.2fx |\n",
			s.Scenario, s.Stored, s.ReqPerSec, s.P50ms, s.P99ms, s.Errors, bl.ReqPerSec, bl.P99ms, s.Ratio)
	}
	for _, s := range r.Results {
		if s.Target != "paysandbox" && s.Target != "baseline" {
			fmt.Fprintf(&b, "| %s (other server) | | %.0f | %.2f | %.2f | %d | | | |\n", s.Scenario, s.ReqPerSec, s.P50ms, s.P99ms, s.Errors)
		}
	}
	b.WriteString("\n| Preloaded / provider | Stored in all | RSS | live Go heap (after GC) | RSS per customer | heap per customer |\n|---|---|---|---|---|---|\n")
	for _, m := range r.Memory {
		fmt.Fprintf(&b, "| %d | %d | %.1f MiB | %.1f MiB | %.0f B | %.0f B |\n", m.Stored, m.Total, float64(m.RSSBytes)/(1<<20), float64(m.HeapBytes)/(1<<20), m.RSSPerCustomer, m.HeapPerCustomer)
	}
	fmt.Fprintf(&b, "\nStart to ready, empty store (ms, sorted): %s\n\n", floats(r.StartToReady))
	b.WriteString("| Target | Measured | Met |\n|---|---|---|\n")
	for _, c := range r.Checks {
		met := "yes"
		if !c.Met {
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Target, c.Value, met)
	}
	return b.String()
}

func floats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, ", ")
}

// plot draws req/s against stored customers (log x axis) for every
// scenario, the simulator as solid lines and the baseline as dashed ones.
func plot(r report) []byte {
	const W, H, left, right, top, bottom = 900, 520, 80, 260, 40, 60
	type series struct {
		name   string
		dashed bool
		pts    [][2]float64
	}
	byName := map[string]*series{}
	var names []string
	for _, s := range r.Results {
		if s.Stored == 0 || (s.Target != "paysandbox" && s.Target != "baseline") {
			continue
		}
		key := s.Scenario
		if s.Target == "baseline" {
			key += " (baseline)"
		}
		if byName[key] == nil {
			byName[key] = &series{name: key, dashed: s.Target == "baseline"}
			names = append(names, key)
		}
		byName[key].pts = append(byName[key].pts, [2]float64{float64(s.Stored), s.ReqPerSec})
	}
	sort.Strings(names)
	minX, maxX, maxY := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range byName {
		for _, p := range s.pts {
			minX, maxX, maxY = math.Min(minX, p[0]), math.Max(maxX, p[0]), math.Max(maxY, p[1])
		}
	}
	if len(names) == 0 {
		minX, maxX, maxY = 1, 10, 1
	}
	if minX == maxX {
		minX, maxX = minX/10, maxX*10
	}
	maxY = niceCeil(maxY)
	lx0, lx1 := math.Log10(minX), math.Log10(maxX)
	px := func(x float64) float64 {
		return left + (math.Log10(x)-lx0)/(lx1-lx0)*float64(W-left-right)
	}
	py := func(y float64) float64 { return float64(H-bottom) - y/maxY*float64(H-top-bottom) }
	colors := []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15">paysandbox throughput vs stored customers (%d connections; %s)</text>`+"\n", left, r.Conns, r.Date[:10])
	for i := 0; i <= 5; i++ {
		y := maxY * float64(i) / 5
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%.0f</text>`+"\n",
			left, py(y), W-right, py(y), left-6, py(y)+4, y)
	}
	for e := math.Floor(lx0); e <= math.Ceil(lx1); e++ {
		x := math.Pow(10, e)
		if x < minX || x > maxX {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%.0f</text>`+"\n",
			px(x), top, px(x), H-bottom, px(x), H-bottom+18, x)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">stored customers per provider (log scale)</text>`+"\n", (left+W-right)/2, H-18)
	fmt.Fprintf(&b, `<text x="18" y="%d" transform="rotate(-90 18 %d)" text-anchor="middle">requests per second</text>`+"\n", (top+H-bottom)/2, (top+H-bottom)/2)
	for i, n := range names {
		s := byName[n]
		c := colors[(i/2)%len(colors)]
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		var pts []string
		for _, p := range s.pts {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(p[1])))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px(p[0]), py(p[1]), c)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), c, dash)
		ly := top + 10 + i*18
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/><text x="%d" y="%d">%s</text>`+"\n",
			W-right+10, ly, W-right+34, ly, c, dash, W-right+40, ly+4, n)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
