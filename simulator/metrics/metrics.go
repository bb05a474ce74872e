// Package metrics exposes Prometheus metrics: requests by provider, route
// template and status, latency histograms, and customers stored per provider
// (read from the store at scrape time).
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// Metrics is one registry with the simulator's series.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// journalEvictions: journal entries dropped to make room.
	journalEvictions *prometheus.CounterVec
}

// New registers the series; tables maps provider name → store table for the
// customers gauge.
func New(st store.Repository, tables map[string]string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paysandbox_requests_total", Help: "Requests served, by provider, route template and status.",
	}, []string{"provider", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "paysandbox_request_duration_seconds", Help: "Request latency, by provider and route template.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
	}, []string{"provider", "route"})
	m.journalEvictions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "paysandbox_journal_evictions_total", Help: "Journal entries evicted to make room, by provider and reason (entries: the ring was full; bytes: the byte bound).",
	}, []string{"provider", "reason"})
	m.reg.MustRegister(m.requests, m.latency, m.journalEvictions, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for provider := range tables {
		m.journalEvictions.WithLabelValues(provider, "entries")
		m.journalEvictions.WithLabelValues(provider, "bytes")
	}
	for provider, table := range tables {
		table := table
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "paysandbox_customers", Help: "Customers stored, by provider (all tenants).",
			ConstLabels: prometheus.Labels{"provider": provider},
		}, func() float64 {
			n, err := st.Count(context.Background(), table, "")
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

// JournalEvicted counts n journal entries of a provider evicted for reason
// ("entries" or "bytes").
func (m *Metrics) JournalEvicted(provider, reason string, n int) {
	m.journalEvictions.WithLabelValues(provider, reason).Add(float64(n))
}

// Observe counts one finished request.
func (m *Metrics) Observe(provider, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(provider, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(provider, route).Observe(d.Seconds())
}

// MustRegister adds collectors to the registry (e.g. the side tables'
// bounded.Registry: paysandbox_side_table_evictions_total{table} and the
// entries/bytes gauges).
func (m *Metrics) MustRegister(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
