// Package payabli simulates Payabli's customer API: create with identifier
// matching, get, partial update, delete and the Query list, behind the
// requestToken header.
//
// Its files have the roles every provider package's have (docs/ARCHITECTURE.md,
// "A provider package"): config.go the settings, routes.go the Provider and
// its route table, auth.go the credential → caller, validate.go the request
// rules, codec.go the stored document and response bodies, errors.go the
// error bodies, customers.go the customer handlers, query.go the list
// parameters, seed.go seeding. Payabli's own: match.go (identifier matching),
// idempotency.go (idempotencyKey).
package payabli

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Provider is the Payabli simulator.
type Provider struct {
	deps        provider.Deps
	cfg         Config
	tokens      map[string]caller // nil = open mode
	identifiers [][]string
	createMu    [stripes]sync.Mutex
	idem        *idempotency
	router      *mux.Router
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
	p.router = p.routes()
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
func (p *Provider) Handler() http.Handler { return p.router }

// Router exposes the mux router (route templates for metrics).
func (p *Provider) Router() *mux.Router { return p.router }

// PanicError implements provider.Provider.
func (p *Provider) PanicError(w http.ResponseWriter, r *http.Request, status int) {
	writeError(w, status, "Internal API Error", "The simulator failed to process the request.", "Retry the request; report the problem if it persists.")
}

func (p *Provider) routes() *mux.Router {
	r := mux.NewRouter()
	// Route the path as sent: no 301 to a "cleaned" path (a provider
	// answers dot segments and double slashes with its own error).
	r.SkipClean(true)
	r.StrictSlash(false)
	api := r
	for _, suf := range []string{"", "/"} {
		api.HandleFunc("/api/Customer/single/{entry}"+suf, p.auth(p.createCustomer)).Methods(http.MethodPost)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.getCustomer)).Methods(http.MethodGet)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.updateCustomer)).Methods(http.MethodPut)
		api.HandleFunc("/api/Customer/{customerId}"+suf, p.auth(p.deleteCustomer)).Methods(http.MethodDelete)
		api.HandleFunc("/api/Query/customers/{entry}"+suf, p.auth(p.listCustomers)).Methods(http.MethodGet)
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found", "No API route matches "+r.URL.Path+".", "Check the base URL (it ends in /api) and the path.")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "Method "+r.Method+" is not supported on "+r.URL.Path+".", "Use the documented method for this endpoint.")
	})
	return r
}
