package rapyd

import (
	"net/http"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/provider"
)

// replay is a remembered answer and what it answered: the SHA-256 of the
// request's method, target and body.
type replay struct {
	status int
	body   []byte
	of     [32]byte
}

// idempotent replays the first response to a repeated idempotency key within
// the window when the repeat is the same request (method, target and body);
// a key reused for a different request is refused with 400
// ERROR_IDEMPOTENCY_KEY_REUSED instead of answering with another request's
// response (a known unknown: Rapyd documents no conflict error; with
// IdempotencyKeyOnly the first response is replayed, as documented). Otherwise it
// serves and remembers the response, unless that is over the cache's
// per-entry bound.
//
// Idempotent POSTs are served one at a time, so two concurrent requests with
// one key cannot both create.
func (p *Provider) idempotent(w http.ResponseWriter, r *http.Request, c caller, key string, now time.Time, next handler) {
	k := c.tenant + "\x00" + key
	of := provider.RequestFingerprint(r, c.body)
	p.idemMu.Lock()
	defer p.idemMu.Unlock()
	if prev, ok := p.idem.Get(k, now); ok {
		if prev.of != of && !p.cfg.IdempotencyKeyOnly {
			writeError(w, http.StatusBadRequest, codeIdempotencyReused, msgIdempotency)
			return
		}
		httpx.WriteJSON(w, prev.status, prev.body)
		return
	}
	rec := &capture{ResponseWriter: w, status: http.StatusOK}
	next(rec, r, c)
	if rec.status < 500 {
		p.idem.Put(k, c.tenant, replay{status: rec.status, body: rec.body, of: of}, int64(len(rec.body))+48, now.Add(p.cfg.IdempotencyWindow), now)
	}
}

type capture struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (c *capture) WriteHeader(s int) { c.status = s; c.ResponseWriter.WriteHeader(s) }

func (c *capture) Write(b []byte) (int, error) {
	c.body = append(c.body, b...)
	return c.ResponseWriter.Write(b)
}
