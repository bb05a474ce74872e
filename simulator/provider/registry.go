package provider

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Spec is everything outside a provider's package needs to know about it.
// A provider package registers its Spec once, from its register.go:
//
//	func init() { provider.Register(provider.Spec{Name: "acme", ...}) }
//
// and simulator/providers/all imports the package for its side effect. The
// server derives from the registered Specs its listeners, their address
// settings, the store's tables, the admin API's /state, /reset, /seed and
// /journal scopes, the metrics' tables and the provider settings; the suites
// and tools read the same through the server (server.Names,
// server.BasePath, server.AddrEnv).
type Spec struct {
	// Name is the lowercase provider name (letters and digits, starting
	// with a letter): the listener name, the prefix of its settings
	// (--<name>-addr, PAYSANDBOX_<NAME>_ADDR, <name>.addr) and its scope
	// in the admin API and the metrics. It must equal Provider.Name().
	Name string
	// Title is the display name used in help texts, e.g. "Rebilly".
	Title string
	// Table is the store table of the provider's customers and its unique
	// columns; Table.Name must equal Provider.Table().
	Table store.TableSpec
	// Tables are further store tables the provider owns (payment methods,
	// ...), each named "<name>_<what>" (e.g. "rebilly_payment_instruments").
	// The store creates them with Table; the admin API shows each under
	// /state as "<name>.<what>" and clears it with the provider's /reset
	// scope.
	Tables []store.TableSpec
	// DefaultAddr is the listener's default address, e.g. "127.0.0.1:8081".
	DefaultAddr string
	// BasePath is the path prefix an SDK's base URL carries on the
	// listener ("/api" for Payabli), "" when the API sits at the root.
	BasePath string
	// DefaultConfig returns a new configuration with the provider's
	// defaults, as a pointer whose Register binds its settings.
	DefaultConfig func() Configurable
	// New builds the provider from a configuration DefaultConfig returned
	// (after flags, environment and file were loaded into it).
	New func(cfg Configurable, deps Deps) (Provider, error)
}

// Configurable is a provider's configuration: Register binds each of its
// settings to a flag, an environment variable and a config-file key.
type Configurable interface {
	Register(s *config.Set)
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// registry holds the registered Specs. It is sealed by the first read, so a
// provider registered too late (after the server read the list) fails loudly
// instead of being half wired.
type registry struct {
	mu     sync.Mutex
	specs  map[string]Spec
	sealed bool
}

func (r *registry) register(s Spec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.sealed:
		return fmt.Errorf("provider: Register(%q) after the provider list was read; register from the provider package's init (register.go)", s.Name)
	case !nameRE.MatchString(s.Name):
		return fmt.Errorf("provider: name %q: want lowercase letters and digits, starting with a letter", s.Name)
	case s.Title == "":
		return fmt.Errorf("provider %s: no Title", s.Name)
	case s.Table.Name == "":
		return fmt.Errorf("provider %s: no Table", s.Name)
	case s.DefaultAddr == "":
		return fmt.Errorf("provider %s: no DefaultAddr", s.Name)
	case s.DefaultConfig == nil || s.New == nil:
		return fmt.Errorf("provider %s: DefaultConfig and New are required", s.Name)
	}
	if r.specs == nil {
		r.specs = map[string]Spec{}
	}
	if _, dup := r.specs[s.Name]; dup {
		return fmt.Errorf("provider: %q registered twice", s.Name)
	}
	for _, t := range s.Tables {
		if !strings.HasPrefix(t.Name, s.Name+"_") || t.Name == s.Table.Name {
			return fmt.Errorf("provider %s: further table %q: want a distinct name starting %q", s.Name, t.Name, s.Name+"_")
		}
	}
	for _, o := range r.specs {
		for _, ot := range append([]store.TableSpec{o.Table}, o.Tables...) {
			for _, t := range append([]store.TableSpec{s.Table}, s.Tables...) {
				if ot.Name == t.Name {
					return fmt.Errorf("provider %s: table %q is already %s's", s.Name, t.Name, o.Name)
				}
			}
		}
		if o.DefaultAddr == s.DefaultAddr {
			return fmt.Errorf("provider %s: default address %s is already %s's", s.Name, s.DefaultAddr, o.Name)
		}
	}
	r.specs[s.Name] = s
	return nil
}

func (r *registry) list() []Spec {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sealed = true
	out := make([]Spec, 0, len(r.specs))
	for _, s := range r.specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var registered registry

// ErrRegistry is wrapped by every error Register panics with.
var ErrRegistry = errors.New("provider registry")

// Register adds a provider. It panics (a programming error, found at start)
// when the Spec is incomplete, its name, table or default address is
// already registered, or the provider list was already read (Registered).
// Call it from an init function of the provider's package (register.go).
func Register(s Spec) {
	if err := registered.register(s); err != nil {
		panic(fmt.Errorf("%w: %w", ErrRegistry, err))
	}
}

// Registered returns every registered provider, in name order, and seals
// the registry: a later Register panics.
func Registered() []Spec { return registered.list() }

// Typed gives a Spec its DefaultConfig and New from a provider package's
// own typed pieces: a function returning its default Config and its
// constructor New(Config, Deps). *C must be the Configurable (its Register
// method binds the flags).
func Typed[C any, PC interface {
	*C
	Configurable
}, P Provider](defaults func() C, newFn func(C, Deps) (P, error)) (func() Configurable, func(Configurable, Deps) (Provider, error)) {
	def := func() Configurable {
		c := defaults()
		return PC(&c)
	}
	build := func(cfg Configurable, deps Deps) (Provider, error) {
		p, err := newFn(*cfg.(PC), deps)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	return def, build
}
