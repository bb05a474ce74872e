package rapyd

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/provider"
)

// caller is an authenticated request's scope, handed to every handler: the
// access key's store tenant, and the request body, already read because the
// signature covers it (handlers do not read r.Body again).
type caller struct {
	tenant string
	body   []byte
}

// handler is a route's handler, called with the authenticated caller.
type handler func(w http.ResponseWriter, r *http.Request, c caller)

// auth authenticates a request in Rapyd's order — headers present, access
// key known, signature over the raw bytes, timestamp window, salt — and
// calls next with the caller (through the idempotent replay for a POST with
// an idempotency header when that is on). Every route and the unknown-route
// answer (401 UNAUTHORIZED_API_CALL) go through it, so an unknown route is
// refused only after authentication, as Rapyd does. An unknown access key is
// refused before the body is read, so a large or never-ending body from a
// stranger costs nothing.
func (p *Provider) auth(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
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
		c := caller{tenant: provider.SecretTenant("ra_", accessKey), body: body}
		if p.cfg.RejectSaltReuse && !p.useSalt(c.tenant, accessKey, salt, now) {
			writeError(w, http.StatusUnauthorized, codeUnauthenticated, msgSaltReused)
			return
		}
		if r.Method == http.MethodPost && p.cfg.IdempotentPosts {
			if key := h.Get("idempotency"); key != "" {
				p.idempotent(w, r, c, key, now, next)
				return
			}
		}
		next(w, r, c)
	}
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
