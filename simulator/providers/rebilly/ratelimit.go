package rebilly

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// window is one tenant's rate-limit window: its start and the non-GET
// requests counted in it.

type window struct {
	start time.Time
	count atomic.Int64
}

// countRequest counts a non-GET request of an organization (its store
// tenant: a bound key's organization, or an unbound key's own namespace),
// sets the X-RateLimit-* headers, and reports whether it may proceed.
func (p *Provider) countRequest(w http.ResponseWriter, tenant string) bool {
	now := p.deps.Now()
	win, ok := p.rates.Get(tenant, now)
	if !ok { // allocate a window only for a tenant that has none
		win, _ = p.rates.GetOrPut(tenant, tenant, &window{start: now}, 48, now.Add(p.cfg.RateWindow), now)
	}
	count, start := int(win.count.Add(1)), win.start

	remaining := p.cfg.RateLimit - count
	if remaining < 0 {
		remaining = 0
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(p.cfg.RateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	if p.cfg.EnforceRateLimit && count > p.cfg.RateLimit {
		h.Set("X-RateLimit-Retry-After", strconv.FormatInt(start.Add(p.cfg.RateWindow).Unix(), 10))
		h.Set("Retry-After", strconv.Itoa(int(start.Add(p.cfg.RateWindow).Sub(now).Seconds())+1))
		return false
	}
	return true
}
