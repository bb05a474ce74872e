package server

import (
	"github.com/prometheus/client_golang/prometheus"
)

// connCollector exposes each listener's connection cap (httpx.ConnLimit) as
// Prometheus metrics, read at scrape time.
type connCollector struct{ s *Server }

var (
	connMaxDesc = prometheus.NewDesc("paysandbox_connections_max",
		"Connection cap of the listener (--max-connections).", []string{"listener"}, nil)
	connOpenDesc = prometheus.NewDesc("paysandbox_connections_open",
		"Connection slots of the listener in use now (served plus the one being admitted).", []string{"listener"}, nil)
	connPeakDesc = prometheus.NewDesc("paysandbox_connections_peak",
		"Largest number of connection slots of the listener ever in use (never above the cap).", []string{"listener"}, nil)
	connAcceptedDesc = prometheus.NewDesc("paysandbox_connections_accepted_total",
		"Connections the listener accepted.", []string{"listener"}, nil)
	connEvictedDesc = prometheus.NewDesc("paysandbox_connections_evicted_total",
		"Idle keep-alive connections closed at the cap to admit a new client.", []string{"listener"}, nil)
	connWaitedDesc = prometheus.NewDesc("paysandbox_connections_waited_total",
		"New connections that waited at the cap because no connection was idle.", []string{"listener"}, nil)
)

func (c connCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{connMaxDesc, connOpenDesc, connPeakDesc, connAcceptedDesc, connEvictedDesc, connWaitedDesc} {
		ch <- d
	}
}

func (c connCollector) Collect(ch chan<- prometheus.Metric) {
	for _, n := range Names {
		c.s.mu.Lock()
		lim := c.s.connLimit[n]
		c.s.mu.Unlock()
		if lim == nil {
			continue
		}
		st := lim.Stats()
		ch <- prometheus.MustNewConstMetric(connMaxDesc, prometheus.GaugeValue, float64(st.Max), n)
		ch <- prometheus.MustNewConstMetric(connOpenDesc, prometheus.GaugeValue, float64(st.Open), n)
		ch <- prometheus.MustNewConstMetric(connPeakDesc, prometheus.GaugeValue, float64(st.Peak), n)
		ch <- prometheus.MustNewConstMetric(connAcceptedDesc, prometheus.CounterValue, float64(st.Accepted), n)
		ch <- prometheus.MustNewConstMetric(connEvictedDesc, prometheus.CounterValue, float64(st.Evicted), n)
		ch <- prometheus.MustNewConstMetric(connWaitedDesc, prometheus.CounterValue, float64(st.Waited), n)
	}
}
