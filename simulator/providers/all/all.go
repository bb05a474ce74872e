// Package all links every provider into the simulator: each import runs the
// provider's register.go (provider.Register). Adding a provider is its
// package plus one line here.
package all

import (
	_ "github.com/paysandbox/paysandbox/simulator/providers/payabli"
	_ "github.com/paysandbox/paysandbox/simulator/providers/rapyd"
	_ "github.com/paysandbox/paysandbox/simulator/providers/rebilly"
)
