package rebilly

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
		Title:         "Rebilly",
		Table:         store.TableSpec{Name: store.TableRebilly},
		DefaultAddr:   "127.0.0.1:8081",
		DefaultConfig: defaults,
		New:           build,
	})
}
