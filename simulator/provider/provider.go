// Package provider defines what the server needs from a provider package and
// what it hands each one. A provider package (simulator/providers/<name>) owns
// its routes, validation, envelopes and authentication.
package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Deps are the shared services a provider is built with.
type Deps struct {
	Store  store.Repository
	Logger *slog.Logger
	// Now is the clock; tests may fix it. Never nil after Defaults.
	Now func() time.Time
	// MaxBodyBytes bounds request bodies; the provider answers a larger body
	// with its own error shape.
	MaxBodyBytes int64
	// SideTables collects the provider's bounded side tables (rate windows,
	// idempotency keys, salts) for the metrics. Never nil after Defaults.
	SideTables *bounded.Registry
}

// Defaults fills unset fields.
func (d Deps) Defaults() Deps {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.SideTables == nil {
		d.SideTables = bounded.NewRegistry()
	}
	return d
}

// Provider is one simulated API.
type Provider interface {
	// Name is the lowercase provider name ("rebilly", "payabli", "rapyd").
	Name() string
	// Handler serves the provider's real paths from its own listener.
	Handler() http.Handler
	// Table is the store table holding the provider's customers.
	Table() string
	// PanicError writes the provider's own 500 body (used by the shared
	// recovery middleware).
	PanicError(w http.ResponseWriter, r *http.Request, status int)
}

// Resetter is implemented by providers that keep state outside the store
// (rate-limit windows, idempotency keys, salts). POST /reset calls Reset after
// resetting the store: tenant "" empties all of the provider's side state,
// otherwise only what belongs to that store tenant (tenants as /state shows
// them).
type Resetter interface {
	Reset(tenant string)
}

// SecretTenant derives a stable tenant name from a credential, so state dumps,
// logs and SQL never show the secret itself.
func SecretTenant(prefix, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return prefix + hex.EncodeToString(sum[:8])
}

// Seeder is implemented by providers that can be seeded through the admin
// API (POST /seed) and `serve --seed FILE`. SeedRequest returns the
// provider request that creates one customer for the account described by
// account (the provider's own credential names, e.g. "apiKey"); the admin
// API serves it through the provider's handler, so seeded customers pass the
// same validation, identifiers and envelopes as an app's requests.
type Seeder interface {
	SeedRequest(account map[string]string, customer []byte) (*http.Request, error)
}

// FollowUpSeeder is a Seeder whose seed customers may carry objects created
// after the customer, such as stored payment methods: a member
// "paymentMethods" holding an array of the provider's own add-payment-method
// request bodies. SeedRequest leaves such members out of the create body;
// once the create succeeded, SeedFollowUps returns the requests that add
// them, given the customer as seeded and the provider's create answer
// (from which it takes the new customer's id). The admin API serves them
// through the provider's handler, in order, and reports each one.
type FollowUpSeeder interface {
	SeedFollowUps(account map[string]string, customer []byte, created []byte) ([]*http.Request, error)
}

// RequestFingerprint is the SHA-256 of a request's method, its target as
// sent and its body: what an idempotency key is checked against, so a key
// reused for another request is told apart from a repeat of the same one.
func RequestFingerprint(r *http.Request, body []byte) [32]byte {
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
