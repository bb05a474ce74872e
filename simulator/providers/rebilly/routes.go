// Package rebilly simulates Rebilly's customer API (REST, problem-details
// errors, REB-APIKEY auth, upsert by id, revision counters, pagination
// headers).
//
// Its files have the roles every provider package's have (docs/ARCHITECTURE.md,
// "A provider package"): config.go the settings, routes.go the Provider and
// its route table, auth.go the credential → caller, validate.go the request
// rules, codec.go the stored document and response bodies, errors.go the
// problem-details bodies, customers.go the customer handlers, query.go the
// list parameters, seed.go seeding. Rebilly's own: ratelimit.go, ulid.go.
package rebilly

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

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
