package rapyd

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/provider"
)

// call is what an authenticated request carries to its handler.
type call struct {
	tenant string
	body   []byte
}

type callKey struct{}

func callOf(r *http.Request) call {
	c, _ := r.Context().Value(callKey{}).(call)
	return c
}

// serve authenticates every request in Rapyd's order — headers present,
// access key known, signature over the raw bytes, timestamp window, salt —
// then routes it (unknown routes answer 401 UNAUTHORIZED_API_CALL).
func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	accessKey, salt, ts, sig := h.Get("access_key"), h.Get("salt"), h.Get("timestamp"), h.Get("signature")
	stamp, err := strconv.ParseInt(ts, 10, 64)
	if accessKey == "" || salt == "" || ts == "" || sig == "" || err != nil {
		writeError(w, http.StatusBadRequest, codeMissingAuth, msgMissingAuth)
		return
	}
	body, err := httpx.ReadBody(w, r, p.deps.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		writeError(w, http.StatusBadRequest, codeBodyTooLarge, msgBodyTooLarge)
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, codeDataMissing, msgDataMissing)
		return
	}
	secret, ok := p.secrets[accessKey]
	if !ok {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgUnknownAccessKey)
		return
	}
	// r.RequestURI is the request target exactly as sent: path and query,
	// percent-encoding untouched.
	if !validSignature(sig, Sign(r.Method, r.RequestURI, salt, ts, accessKey, secret, body)) {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgBadSignature)
		return
	}
	now := p.deps.Now()
	at := time.Unix(stamp, 0)
	if now.Sub(at) > p.cfg.TimestampPast || at.Sub(now) > p.cfg.TimestampFuture {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgTimestampRange)
		return
	}
	if !validSalt(salt) {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgSaltInvalid)
		return
	}
	if p.cfg.RejectSaltReuse && !p.useSalt(accessKey, salt, now) {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgSaltReused)
		return
	}
	c := call{tenant: provider.SecretTenant("ra_", accessKey), body: body}
	r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	if r.Method == http.MethodPost && p.cfg.IdempotentPosts {
		if key := h.Get("idempotency"); key != "" {
			p.idempotent(w, r, c.tenant+"\x00"+key, now)
			return
		}
	}
	p.router.ServeHTTP(w, r)
}

// validSalt accepts 1 to 128 printable, non-space ASCII characters: the
// documented 8-16 "digits, letters and special characters" and every form
// seen in official samples (hex, base64) pass; controls and spaces do not.
func validSalt(s string) bool {
	if len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// useSalt records a salt; false when the access key used it within the
// timestamp window. Only salts of requests that passed the signature check
// are recorded.
func (p *Provider) useSalt(accessKey, salt string, now time.Time) bool {
	ttl := p.cfg.TimestampPast + p.cfg.TimestampFuture
	key := accessKey + "\x00" + salt
	p.saltMu.Lock()
	defer p.saltMu.Unlock()
	if exp, seen := p.salts[key]; seen && now.Before(exp) {
		return false
	}
	if len(p.salts) > 100_000 {
		for k, exp := range p.salts {
			if !now.Before(exp) {
				delete(p.salts, k)
			}
		}
	}
	p.salts[key] = now.Add(ttl)
	return true
}

// idempotent replays the first response to a repeated idempotency key within
// the window (the body is not compared: Rapyd's all-POST option evaluates
// only the header); otherwise it serves and remembers the response.
//
// Idempotent POSTs are served one at a time, so two concurrent requests with
// one key cannot both create.
func (p *Provider) idempotent(w http.ResponseWriter, r *http.Request, key string, now time.Time) {
	p.idemMu.Lock()
	defer p.idemMu.Unlock()
	prev, ok := p.idem[key]
	if ok && now.Before(prev.expires) {
		httpx.WriteJSON(w, prev.status, prev.body)
		return
	}
	if len(p.idem) > 100_000 {
		for k, prev := range p.idem {
			if !now.Before(prev.expires) {
				delete(p.idem, k)
			}
		}
	}
	rec := &capture{ResponseWriter: w, status: http.StatusOK}
	p.router.ServeHTTP(rec, r)
	if rec.status < 500 {
		p.idem[key] = replay{status: rec.status, body: rec.body, expires: now.Add(p.cfg.IdempotencyWindow)}
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
