package rapyd

import (
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// The provider's one registration (see provider.Spec): simulator/providers/all
// imports this package for it.
func init() {
	defaults, build := provider.Typed(DefaultConfig, New)
	provider.Register(provider.Spec{
		Name:          Name,
		Title:         "Rapyd",
		Table:         store.TableSpec{Name: store.TableRapyd, Unique: []string{"ext_key"}}, // a customer's ewallet is unique in its account
		DefaultAddr:   "127.0.0.1:8083",
		DefaultConfig: defaults,
		New:           build,
	})
}
