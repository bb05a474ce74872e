// Package rapyd will simulate Rapyd's customer API (issue #5). Until then its
// listener answers every request with 501 and a JSON note, so a client
// pointed at it fails loudly instead of seeing a plausible 404.
package rapyd

import (
	"net/http"

	"github.com/paysandbox/paysandbox/simulator/httpx"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Config holds Rapyd's settings.
type Config struct{}

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config { return Config{} }

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {}

// Provider is the Rapyd simulator.
type Provider struct{ deps provider.Deps }

// New builds the provider.
func New(cfg Config, deps provider.Deps) (*Provider, error) { return &Provider{deps: deps}, nil }

// Name implements provider.Provider.
func (p *Provider) Name() string { return "rapyd" }

// Table implements provider.Provider.
func (p *Provider) Table() string { return store.TableRapyd }

// Handler implements provider.Provider.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.PanicError(w, r, http.StatusNotImplemented) })
}

// PanicError implements provider.Provider.
func (p *Provider) PanicError(w http.ResponseWriter, r *http.Request, status int) {
	httpx.WriteJSON(w, status, []byte(`{"error":"paysandbox: the Rapyd simulator is not implemented yet (issue #5)"}`))
}

// RunSign implements `paysandbox sign`. STUB.
func RunSign(args []string, stdout, stderr interface{ Write([]byte) (int, error) }) int { return 2 }
