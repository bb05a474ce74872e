// Package payabli simulates Payabli's customer API: create with identifier
// matching, get, partial update, delete and the Query list, behind the
// requestToken header. Routes live here; auth, the request/record model,
// validation, list queries, idempotency and error bodies have their own files.
package payabli

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Name is the provider name.
const Name = "payabli"

// Duplicate-create behaviours with default flags (a known unknown).
const (
	DuplicateExisting = "existing" // 200 with the matched record (default)
	DuplicateDecline  = "decline"  // 400 Declined
)

// Config holds Payabli's settings.
type Config struct {
	// Tokens: "token" or "token=entry1|entry2". Empty = open mode.
	Tokens []string
	// Identifiers are the configured identifier groups ("firstname+lastname",
	// "email", ...), used when a request sends no identifierFields.
	Identifiers []string
	// Duplicate is DuplicateExisting or DuplicateDecline.
	Duplicate string
	// NotFoundStatus is the HTTP status for an unknown customerId (400 or 404).
	NotFoundStatus int
	// IdempotencyMaxEntries bounds the idempotencyKeys remembered (the
	// oldest is forgotten first).
	IdempotencyMaxEntries int
}

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	return Config{Identifiers: []string{"email", "firstname+lastname"}, Duplicate: DuplicateExisting, NotFoundStatus: http.StatusBadRequest,
		IdempotencyMaxEntries: DefaultIdempotencyMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.Tokens, "payabli-tokens", "PAYSANDBOX_PAYABLI_TOKENS", "payabli.tokens",
		"comma list of `token` or `token=entry1|entry2`; empty = open mode (any non-empty token, each its own organization)")
	s.List(&c.Identifiers, "payabli-identifiers", "PAYSANDBOX_PAYABLI_IDENTIFIERS", "payabli.identifiers",
		"configured customer identifier groups (a+b = both fields), used when a create sends no identifierFields")
	s.String(&c.Duplicate, "payabli-duplicate", "PAYSANDBOX_PAYABLI_DUPLICATE", "payabli.duplicate",
		"create matching an existing customer with default flags: existing (200 + existing record) or decline (400)")
	s.Int(&c.NotFoundStatus, "payabli-not-found-status", "PAYSANDBOX_PAYABLI_NOT_FOUND_STATUS", "payabli.notFoundStatus",
		"HTTP status for an unknown customerId: 400 or 404")
	s.Int(&c.IdempotencyMaxEntries, "payabli-idempotency-max-entries", "PAYSANDBOX_PAYABLI_IDEMPOTENCY_MAX_ENTRIES", "payabli.idempotencyMaxEntries",
		"idempotencyKeys remembered at most (each for 2 minutes); the oldest is forgotten first")
}

const stripes = 64

// Provider is the Payabli simulator.
type Provider struct {
	deps        provider.Deps
	cfg         Config
	tokens      map[string]*tokenInfo // nil = open mode
	identifiers [][]string
	createMu    [stripes]sync.Mutex
	idem        *idempotency
	handler     http.Handler
}

// New builds the provider.
func New(cfg Config, deps provider.Deps) (*Provider, error) {
	deps = deps.Defaults()
	if deps.Store == nil {
		return nil, fmt.Errorf("payabli: no store")
	}
	switch cfg.Duplicate {
	case "":
		cfg.Duplicate = DuplicateExisting
	case DuplicateExisting, DuplicateDecline:
	default:
		return nil, fmt.Errorf("payabli.duplicate: %q is not existing or decline", cfg.Duplicate)
	}
	switch cfg.NotFoundStatus {
	case 0:
		cfg.NotFoundStatus = http.StatusBadRequest
	case http.StatusBadRequest, http.StatusNotFound:
	default:
		return nil, fmt.Errorf("payabli.notFoundStatus: %d is not 400 or 404", cfg.NotFoundStatus)
	}
	tokens, err := parseTokens(cfg.Tokens)
	if err != nil {
		return nil, err
	}
	p := &Provider{deps: deps, cfg: cfg, tokens: tokens, idem: newIdempotency(cfg.IdempotencyMaxEntries, deps.SideTables)}
	for _, g := range cfg.Identifiers {
		var group []string
		for _, f := range strings.Split(g, "+") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f != "" {
				group = append(group, f)
			}
		}
		if len(group) > 0 {
			p.identifiers = append(p.identifiers, group)
		}
	}
	p.handler = p.routes()
	return p, nil
}

// Name implements provider.Provider.
func (p *Provider) Name() string { return Name }

// Reset implements provider.Resetter: it forgets the idempotencyKeys of one
// store tenant ("" = all).
func (p *Provider) Reset(tenant string) { p.idem.reset(tenant) }

// Table implements provider.Provider.
func (p *Provider) Table() string { return store.TablePayabli }

// Handler implements provider.Provider.
func (p *Provider) Handler() http.Handler { return p.handler }

// PanicError implements provider.Provider.
func (p *Provider) PanicError(w http.ResponseWriter, r *http.Request, status int) {
	writeError(w, status, "Internal API Error", "The simulator failed to process the request.", "Retry the request; report the problem if it persists.")
}

func (p *Provider) routes() http.Handler {
	r := mux.NewRouter()
	// Route the path as sent: no 301 to a "cleaned" path (a provider
	// answers dot segments and double slashes with its own error).
	r.SkipClean(true)
	r.StrictSlash(false)
	api := r
	for _, suf := range []string{"", "/"} {
		api.HandleFunc("/api/Customer/single/{entry}"+suf, p.auth(p.create)).Methods(http.MethodPost)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.get)).Methods(http.MethodGet)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.update)).Methods(http.MethodPut)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.remove)).Methods(http.MethodDelete)
		api.HandleFunc("/api/Query/customers/{entry}"+suf, p.auth(p.list)).Methods(http.MethodGet)
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "No API route matches "+r.URL.Path+".", "Check the base URL (it ends in /api) and the path.")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Method "+r.Method+" is not supported on "+r.URL.Path+".", "Use the documented method for this endpoint.")
	})
	return r
}

// lockTenant serialises identifier matching + creation (and deletes) per
// tenant.
func (p *Provider) lockTenant(tenant string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(tenant))
	m := &p.createMu[h.Sum32()%stripes]
	m.Lock()
	return m.Unlock
}
