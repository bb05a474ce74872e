// Package rebilly simulates Rebilly's customer API (REST, problem-details
// errors, REB-APIKEY auth, upsert by id, revision counters, pagination
// headers). Routes live here; auth, validation, the customer model, list
// queries and error bodies have their own files.
package rebilly

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Name is the provider name.
const Name = "rebilly"

// Time formats for createdTime/updatedTime (a known unknown).
const (
	TimeOffset = "offset" // 2026-11-22T10:00:00+00:00 (default: the one real capture's style)
	TimeZulu   = "zulu"   // 2026-11-22T10:00:00Z (the spec samples' style)
)

// Config holds Rebilly's settings.
type Config struct {
	// APIKeys: "key" or "key=organizationId". Empty = open mode.
	APIKeys []string
	// TimeFormat is TimeOffset or TimeZulu.
	TimeFormat string
	// RateLimit is the number of non-GET requests per organization per
	// RateWindow reported in X-RateLimit-* headers; EnforceRateLimit turns
	// the 429 answer on.
	RateLimit        int
	RateWindow       time.Duration
	EnforceRateLimit bool
	// RateMaxEntries bounds the rate-limit windows kept (one per tenant
	// that sent a non-GET request within RateWindow); the oldest window is
	// dropped first (that tenant's count starts again).
	RateMaxEntries int
}

// DefaultRateMaxEntries is the default bound on rate-limit windows.
const DefaultRateMaxEntries = 100_000

// DefaultConfig returns the embedded defaults (open mode, sandbox limits
// reported but not enforced).
func DefaultConfig() Config {
	return Config{TimeFormat: TimeOffset, RateLimit: 3000, RateWindow: 10 * time.Minute, RateMaxEntries: DefaultRateMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.APIKeys, "rebilly-api-keys", "PAYSANDBOX_REBILLY_API_KEYS", "rebilly.apiKeys",
		"comma list of `key` or `key=organizationId`; empty = open mode (any non-empty key, each key its own organization)")
	s.String(&c.TimeFormat, "rebilly-time-format", "PAYSANDBOX_REBILLY_TIME_FORMAT", "rebilly.timeFormat",
		"date-time style in responses: offset (+00:00) or zulu (Z)")
	s.Int(&c.RateLimit, "rebilly-rate-limit", "PAYSANDBOX_REBILLY_RATE_LIMIT", "rebilly.rateLimit",
		"non-GET requests per organization per window, reported in X-RateLimit-* headers")
	s.Duration(&c.RateWindow, "rebilly-rate-window", "PAYSANDBOX_REBILLY_RATE_WINDOW", "rebilly.rateWindow",
		"rate-limit window")
	s.Bool(&c.EnforceRateLimit, "rebilly-enforce-rate-limit", "PAYSANDBOX_REBILLY_ENFORCE_RATE_LIMIT", "rebilly.enforceRateLimit",
		"answer 429 once an organization exceeds the rate limit")
	s.Int(&c.RateMaxEntries, "rebilly-rate-max-entries", "PAYSANDBOX_REBILLY_RATE_MAX_ENTRIES", "rebilly.rateMaxEntries",
		"rate-limit windows kept at most (one per organization namespace); the oldest is dropped first")
}

// Provider is the Rebilly simulator.
type Provider struct {
	cfg     Config
	deps    provider.Deps
	keys    map[string]string // configured key → bound organization ("" = unbound)
	open    bool
	timeFmt string
	router  *mux.Router

	rates *bounded.Table[*window] // store tenant → its current window
}

type window struct {
	start time.Time
	count atomic.Int64
}

// New builds the provider.
func New(cfg Config, deps provider.Deps) (*Provider, error) {
	deps = deps.Defaults()
	p := &Provider{cfg: cfg, deps: deps, keys: map[string]string{}}
	switch cfg.TimeFormat {
	case TimeOffset, "":
		p.timeFmt = "2006-01-02T15:04:05-07:00"
	case TimeZulu:
		p.timeFmt = "2006-01-02T15:04:05Z07:00"
	default:
		return nil, fmt.Errorf("rebilly time format %q: want %s or %s", cfg.TimeFormat, TimeOffset, TimeZulu)
	}
	for _, entry := range cfg.APIKeys {
		key, org, err := parseKey(entry)
		if err != nil {
			return nil, err
		}
		p.keys[key] = org
	}
	p.open = len(p.keys) == 0
	if p.cfg.RateLimit <= 0 {
		p.cfg.RateLimit = 3000
	}
	if p.cfg.RateWindow <= 0 {
		p.cfg.RateWindow = 10 * time.Minute
	}
	if p.cfg.RateMaxEntries <= 0 {
		p.cfg.RateMaxEntries = DefaultRateMaxEntries
	}
	p.rates = bounded.New[*window](bounded.Options{Name: "rebilly_rate_windows", MaxEntries: p.cfg.RateMaxEntries,
		MaxBytes: int64(p.cfg.RateMaxEntries) * 512, Registry: deps.SideTables})
	p.router = p.routes()
	return p, nil
}

// Name implements provider.Provider.
func (p *Provider) Name() string { return Name }

// Reset implements provider.Resetter: it drops the rate-limit windows of
// one store tenant ("" = all).
func (p *Provider) Reset(tenant string) {
	if tenant == "" {
		p.rates.Clear()
		return
	}
	p.rates.ClearScope(tenant)
}

// Table implements provider.Provider.
func (p *Provider) Table() string { return store.TableRebilly }

// Handler implements provider.Provider.
func (p *Provider) Handler() http.Handler { return p.router }

// Router exposes the mux router (route templates for metrics).
func (p *Provider) Router() *mux.Router { return p.router }

// PanicError implements provider.Provider.
func (p *Provider) PanicError(w http.ResponseWriter, r *http.Request, status int) {
	writeProblem(w, r, problem{Status: status, Title: "Internal Server Error", Detail: "An unexpected error occurred."})
}

func (p *Provider) routes() *mux.Router {
	r := mux.NewRouter()
	// Route the path as sent: no 301 to a "cleaned" path (a provider
	// answers dot segments and double slashes with its own error).
	r.SkipClean(true)
	for _, prefix := range []string{"", "/organizations/{organizationId}"} {
		sub := r.PathPrefix(prefix).Subrouter()
		if prefix == "" {
			sub = r
		}
		sub.HandleFunc("/customers", p.auth(p.createCustomer)).Methods(http.MethodPost)
		sub.HandleFunc("/customers/", p.auth(p.createCustomer)).Methods(http.MethodPost)
		sub.HandleFunc("/customers", p.auth(p.listCustomers)).Methods(http.MethodGet, http.MethodHead)
		sub.HandleFunc("/customers/", p.auth(p.listCustomers)).Methods(http.MethodGet, http.MethodHead)
		sub.HandleFunc("/customers/{id}", p.auth(p.getCustomer)).Methods(http.MethodGet, http.MethodHead)
		sub.HandleFunc("/customers/{id}", p.auth(p.putCustomer)).Methods(http.MethodPut)
		sub.HandleFunc("/customers/{id}", p.auth(p.deleteCustomer)).Methods(http.MethodDelete)
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, req, problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "The requested resource was not found."})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeProblem(w, req, problem{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
			Detail: fmt.Sprintf("Method %s is not allowed on this resource.", req.Method)})
	})
	return r
}
