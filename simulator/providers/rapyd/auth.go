package rapyd

import (
	"context"
	"crypto/sha256"
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
// then routes it (unknown routes answer 401 UNAUTHORIZED_API_CALL). An
// unknown access key is refused before the body is read, so a large or
// never-ending body from a stranger costs nothing.
func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	h := r.Header
	accessKey, salt, ts, sig := h.Get("access_key"), h.Get("salt"), h.Get("timestamp"), h.Get("signature")
	stamp, err := strconv.ParseInt(ts, 10, 64)
	if accessKey == "" || salt == "" || ts == "" || sig == "" || err != nil {
		writeError(w, http.StatusBadRequest, codeMissingAuth, msgMissingAuth)
		return
	}
	secret, ok := p.secrets[accessKey]
	if !ok {
		if r.ContentLength != 0 {
			// The unread body is left on the wire: close the connection
			// after the answer rather than let net/http drain it first.
			w.Header().Set("Connection", "close")
		}
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgUnknownAccessKey)
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
	c := call{tenant: provider.SecretTenant("ra_", accessKey), body: body}
	if p.cfg.RejectSaltReuse && !p.useSalt(c.tenant, accessKey, salt, now) {
		writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgSaltReused)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	if r.Method == http.MethodPost && p.cfg.IdempotentPosts {
		if key := h.Get("idempotency"); key != "" {
			p.idempotent(w, r, c, key, now)
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
// are recorded. One lookup in a bounded table (rapyd-salt-max-entries; the
// oldest salt is forgotten first).
func (p *Provider) useSalt(tenant, accessKey, salt string, now time.Time) bool {
	ttl := p.cfg.TimestampPast + p.cfg.TimestampFuture
	_, seen := p.salts.GetOrPut(accessKey+"\x00"+salt, tenant, struct{}{}, 0, now.Add(ttl), now)
	return !seen
}

// fingerprint identifies a request for idempotency: method, target exactly
// as sent, and body.
func fingerprint(r *http.Request, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(r.Method))
	h.Write([]byte{0})
	h.Write([]byte(r.RequestURI))
	h.Write([]byte{0})
	h.Write(body)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
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
func (p *Provider) idempotent(w http.ResponseWriter, r *http.Request, c call, key string, now time.Time) {
	k := c.tenant + "\x00" + key
	of := fingerprint(r, c.body)
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
	p.router.ServeHTTP(rec, r)
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
