// Package rapyd simulates Rapyd's customer API: HMAC request signatures
// verified over the raw request bytes, the {status, data} envelope, Rapyd's
// error codes (not-found is a 400, unknown routes a 401), cursor lists and the
// optional idempotent replay of POSTs.
//
// Its files have the roles every provider package's have (docs/ARCHITECTURE.md,
// "A provider package"): config.go the settings, routes.go the Provider and
// its route table, auth.go the signature check → caller, validate.go the
// request rules, codec.go the stored document and the success envelope,
// errors.go the error codes and envelope, customers.go the customer
// handlers, query.go the list parameters, seed.go seeding. Rapyd's own:
// signature.go (Sign), idempotency.go (the idempotent replay), signcmd.go
// (`paysandbox sign`).
package rapyd

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

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

// Handler implements provider.Provider.
func (p *Provider) Handler() http.Handler { return p.router }

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
	r.HandleFunc("/v1/customers", p.auth(p.createCustomer)).Methods(http.MethodPost)
	r.HandleFunc("/v1/customers", p.auth(p.listCustomers)).Methods(http.MethodGet)
	r.HandleFunc("/v1/customers/{customer}", p.auth(p.getCustomer)).Methods(http.MethodGet)
	r.HandleFunc("/v1/customers/{customer}", p.auth(p.updateCustomer)).Methods(http.MethodPost)
	r.HandleFunc("/v1/customers/{customer}", p.auth(p.deleteCustomer)).Methods(http.MethodDelete)
	// An unknown route or method is refused after authentication.
	unauthorized := p.auth(func(w http.ResponseWriter, _ *http.Request, _ caller) {
		writeError(w, http.StatusUnauthorized, codeUnauthorizedAPICall, "")
	})
	r.NotFoundHandler, r.MethodNotAllowedHandler = unauthorized, unauthorized
	return r
}
