package payabli

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
		Title:         "Payabli",
		Table:         store.TableSpec{Name: store.TablePayabli},
		DefaultAddr:   "127.0.0.1:8082",
		BasePath:      "/api", // the SDKs' base URL is https://…/api
		DefaultConfig: defaults,
		New:           build,
	})
}
