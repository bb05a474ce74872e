// Package rapyd simulates Rapyd's customer API: HMAC request signatures
// verified over the raw request bytes, the {status, data} envelope, Rapyd's
// error codes (not-found is a 400, unknown routes a 401), cursor lists and the
// optional idempotent replay of POSTs.
package rapyd

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Name is the provider name.
const Name = "rapyd"

// Default key pair, active when no keys are configured.
const (
	DefaultAccessKey = "rak_test_paysandbox"
	DefaultSecretKey = "rsk_test_paysandbox"
)

// Config holds Rapyd's settings.
type Config struct {
	// Keys: "access_key=secret_key" pairs; empty = the default pair.
	Keys []string
	// TimestampPast / TimestampFuture bound how far the timestamp header
	// may lie behind / ahead of the server clock.
	TimestampPast   time.Duration
	TimestampFuture time.Duration
	// RejectSaltReuse refuses a salt already used by the same access key
	// within the timestamp window.
	RejectSaltReuse bool
	// IdempotentPosts replays the first response to a POST whose
	// idempotency header repeats within IdempotencyWindow (Rapyd's "all
	// POST/PUT" account option; by default only Create Payment is replayed,
	// which the simulator does not serve).
	IdempotentPosts   bool
	IdempotencyWindow time.Duration
	// IdempotencyKeyOnly compares only the idempotency header, as Rapyd
	// documents for the all-POST option: a key reused for another method,
	// path or body replays the first response. Off by default: such a reuse
	// is refused with ERROR_IDEMPOTENCY_KEY_REUSED.
	IdempotencyKeyOnly bool
	// IdempotencyMaxEntries and IdempotencyMaxBytes bound the replay cache
	// (oldest dropped first); a response larger than 1/16 of
	// IdempotencyMaxBytes is not cached (a repeat of its key runs again).
	IdempotencyMaxEntries int
	IdempotencyMaxBytes   int64
	// SaltMaxEntries bounds the salts remembered for RejectSaltReuse
	// (oldest dropped first).
	SaltMaxEntries int
}

// Defaults of the side-table bounds.
const (
	DefaultIdempotencyMaxEntries = 10_000
	DefaultIdempotencyMaxBytes   = 64 << 20
	DefaultSaltMaxEntries        = 200_000
)

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	return Config{TimestampPast: 60 * time.Second, TimestampFuture: 60 * time.Second, IdempotencyWindow: 24 * time.Hour,
		IdempotencyMaxEntries: DefaultIdempotencyMaxEntries, IdempotencyMaxBytes: DefaultIdempotencyMaxBytes, SaltMaxEntries: DefaultSaltMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.Keys, "rapyd-keys", "PAYSANDBOX_RAPYD_KEYS", "rapyd.keys",
		"comma list of access_key=secret_key; empty = the default pair "+DefaultAccessKey+"="+DefaultSecretKey)
	s.Duration(&c.TimestampPast, "rapyd-timestamp-past", "PAYSANDBOX_RAPYD_TIMESTAMP_PAST", "rapyd.timestampPast",
		"how far the timestamp header may lie behind the server clock (documented: 60s)")
	s.Duration(&c.TimestampFuture, "rapyd-timestamp-future", "PAYSANDBOX_RAPYD_TIMESTAMP_FUTURE", "rapyd.timestampFuture",
		"how far the timestamp header may lie ahead of the server clock")
	s.Bool(&c.RejectSaltReuse, "rapyd-reject-salt-reuse", "PAYSANDBOX_RAPYD_REJECT_SALT_REUSE", "rapyd.rejectSaltReuse",
		"refuse a salt the same access key used within the timestamp window")
	s.Bool(&c.IdempotentPosts, "rapyd-idempotent-posts", "PAYSANDBOX_RAPYD_IDEMPOTENT_POSTS", "rapyd.idempotentPosts",
		"replay the first response to a POST with a repeated idempotency header (Rapyd's all-POST option)")
	s.Bool(&c.IdempotencyKeyOnly, "rapyd-idempotency-key-only", "PAYSANDBOX_RAPYD_IDEMPOTENCY_KEY_ONLY", "rapyd.idempotencyKeyOnly",
		"with --rapyd-idempotent-posts, compare only the idempotency header as Rapyd documents (a key reused for another path or body replays the first response instead of being refused)")
	s.Duration(&c.IdempotencyWindow, "rapyd-idempotency-window", "PAYSANDBOX_RAPYD_IDEMPOTENCY_WINDOW", "rapyd.idempotencyWindow",
		"how long an idempotency key is remembered")
	s.Int(&c.IdempotencyMaxEntries, "rapyd-idempotency-max-entries", "PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_ENTRIES", "rapyd.idempotencyMaxEntries",
		"idempotent responses cached at most; the oldest is dropped first")
	s.Int64(&c.IdempotencyMaxBytes, "rapyd-idempotency-max-bytes", "PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_BYTES", "rapyd.idempotencyMaxBytes",
		"bytes of idempotent responses cached at most; a response over 1/16 of this is not cached")
	s.Int(&c.SaltMaxEntries, "rapyd-salt-max-entries", "PAYSANDBOX_RAPYD_SALT_MAX_ENTRIES", "rapyd.saltMaxEntries",
		"salts remembered at most for --rapyd-reject-salt-reuse; the oldest is dropped first")
}

// Provider is the Rapyd simulator.
type Provider struct {
	cfg     Config
	deps    provider.Deps
	secrets map[string]string // access key → secret key
	router  *mux.Router

	salts *bounded.Table[struct{}] // access key + salt, scoped by the key's tenant

	idemMu sync.Mutex             // idempotent POSTs are served one at a time
	idem   *bounded.Table[replay] // tenant + key → stored response
}

// replay is a remembered answer and what it answered: the SHA-256 of the
// request's method, target and body.
type replay struct {
	status int
	body   []byte
	of     [32]byte
}

// New builds the provider.
func New(cfg Config, deps provider.Deps) (*Provider, error) {
	p := &Provider{cfg: cfg, deps: deps.Defaults(), secrets: map[string]string{}}
	for _, entry := range cfg.Keys {
		access, secret, ok := strings.Cut(entry, "=")
		access, secret = strings.TrimSpace(access), strings.TrimSpace(secret)
		if !ok || access == "" || secret == "" {
			return nil, fmt.Errorf("rapyd key %q: want access_key=secret_key", entry)
		}
		p.secrets[access] = secret
	}
	if len(p.secrets) == 0 {
		p.secrets[DefaultAccessKey] = DefaultSecretKey
	}
	if p.cfg.IdempotencyWindow <= 0 {
		p.cfg.IdempotencyWindow = 24 * time.Hour
	}
	if p.cfg.IdempotencyMaxEntries <= 0 {
		p.cfg.IdempotencyMaxEntries = DefaultIdempotencyMaxEntries
	}
	if p.cfg.IdempotencyMaxBytes <= 0 {
		p.cfg.IdempotencyMaxBytes = DefaultIdempotencyMaxBytes
	}
	if p.cfg.SaltMaxEntries <= 0 {
		p.cfg.SaltMaxEntries = DefaultSaltMaxEntries
	}
	p.idem = bounded.New[replay](bounded.Options{Name: "rapyd_idempotency", MaxEntries: p.cfg.IdempotencyMaxEntries,
		MaxBytes: p.cfg.IdempotencyMaxBytes, MaxEntryBytes: p.cfg.IdempotencyMaxBytes / 16, Registry: p.deps.SideTables})
	p.salts = bounded.New[struct{}](bounded.Options{Name: "rapyd_salts", MaxEntries: p.cfg.SaltMaxEntries,
		MaxBytes: int64(p.cfg.SaltMaxEntries) * 512, Registry: p.deps.SideTables})
	p.router = p.routes()
	return p, nil
}

// Name implements provider.Provider.
func (p *Provider) Name() string { return Name }

// Reset implements provider.Resetter: it forgets the idempotent responses
// and the salts of one store tenant ("" = all).
func (p *Provider) Reset(tenant string) {
	if tenant == "" {
		p.idem.Clear()
		p.salts.Clear()
		return
	}
	p.idem.ClearScope(tenant)
	p.salts.ClearScope(tenant)
}

// Table implements provider.Provider.
func (p *Provider) Table() string { return store.TableRapyd }

// Handler implements provider.Provider: every request is authenticated
// first, then routed.
func (p *Provider) Handler() http.Handler { return http.HandlerFunc(p.serve) }

// Router exposes the mux router (route templates for metrics).
func (p *Provider) Router() *mux.Router { return p.router }

// PanicError implements provider.Provider.
func (p *Provider) PanicError(w http.ResponseWriter, _ *http.Request, status int) {
	writeError(w, status, "INTERNAL_SERVER_ERROR", "The request could not be processed because of an internal error.")
}

func (p *Provider) routes() *mux.Router {
	r := mux.NewRouter()
	// Route the path as sent: no 301 to a "cleaned" path (a provider
	// answers dot segments and double slashes with its own error).
	r.SkipClean(true)
	r.HandleFunc("/v1/customers", p.createCustomer).Methods(http.MethodPost)
	r.HandleFunc("/v1/customers", p.listCustomers).Methods(http.MethodGet)
	r.HandleFunc("/v1/customers/{customer}", p.getCustomer).Methods(http.MethodGet)
	r.HandleFunc("/v1/customers/{customer}", p.updateCustomer).Methods(http.MethodPost)
	r.HandleFunc("/v1/customers/{customer}", p.deleteCustomer).Methods(http.MethodDelete)
	unauthorized := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusUnauthorized, codeUnauthorizedAPICall, "")
	})
	r.NotFoundHandler, r.MethodNotAllowedHandler = unauthorized, unauthorized
	return r
}

// RunSign implements `paysandbox sign` (see sign.go).
func RunSign(args []string, stdout, stderr interface{ Write([]byte) (int, error) }) int {
	return runSign(args, stdout, stderr, time.Now)
}
