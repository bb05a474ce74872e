// Package server assembles the simulator: one store, one listener per
// provider (so each provider's paths are exactly the real ones) and the
// admin/operations listener. It is also the public in-process API: tests can
// build a Server and use Handler(name) with httptest, or Start it on real
// ports.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/paysandbox/paysandbox/simulator/admin"
	"github.com/paysandbox/paysandbox/simulator/bounded"
	"github.com/paysandbox/paysandbox/simulator/config"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/journal"
	"github.com/paysandbox/paysandbox/simulator/metrics"
	"github.com/paysandbox/paysandbox/simulator/provider"
	_ "github.com/paysandbox/paysandbox/simulator/providers/all" // every provider registers itself
	"github.com/paysandbox/paysandbox/simulator/providers/payabli"
	"github.com/paysandbox/paysandbox/simulator/providers/rapyd"
	"github.com/paysandbox/paysandbox/simulator/providers/rebilly"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Listener names. Every registered provider (provider.Register) has a
// listener of its own name; the constants name the built-in ones.
const (
	Admin   = "admin"
	Rebilly = "rebilly"
	Payabli = "payabli"
	Rapyd   = "rapyd"
	// MySQL names the optional inspection listener (Addr(MySQL) once
	// started); it is not in Names.
	MySQL = "mysql"
)

// Names lists the listeners in start order: every registered provider, in
// name order, then Admin. It is set when the package initialises, from the
// provider registry.
var Names []string

// maxListeners bounds the listeners (registered providers plus Admin): a
// Config keeps their addresses in an array, so a copy of a Config is
// independent of the original, as a plain struct is.
const maxListeners = 16

var (
	specs     []provider.Spec // the registered providers, in name order
	listenerN map[string]int  // listener name → index in Config.addrs
)

// init reads the provider registry (every provider package's register.go
// has run by now; it also runs after this package's own variable
// initialisers, which is how a test registers a provider).
func init() {
	specs = provider.Registered()
	if len(specs)+1 > maxListeners {
		panic(fmt.Sprintf("server: %d providers registered, at most %d", len(specs), maxListeners-1))
	}
	listenerN = map[string]int{}
	for i, sp := range specs {
		if sp.Name == Admin || sp.Name == MySQL {
			panic("server: provider name " + sp.Name + " is a listener name of the server's own")
		}
		listenerN[sp.Name] = i
		Names = append(Names, sp.Name)
	}
	listenerN[Admin] = len(specs)
	Names = append(Names, Admin)
}

// AddrFlag returns the flag (without dashes) that sets a listener's
// address, e.g. "rebilly-addr"; AddrEnv its environment variable, e.g.
// "PAYSANDBOX_REBILLY_ADDR". The config-file key is "<name>.addr".
func AddrFlag(name string) string { return name + "-addr" }

// AddrEnv returns the environment variable that sets a listener's address.
func AddrEnv(name string) string { return "PAYSANDBOX_" + strings.ToUpper(name) + "_ADDR" }

// BasePath returns the path prefix an SDK's base URL carries on a
// provider's listener ("/api" for Payabli; "" for the others and for names
// that are not providers).
func BasePath(name string) string {
	for _, sp := range specs {
		if sp.Name == name {
			return sp.BasePath
		}
	}
	return ""
}

// Config is the whole simulator configuration.
type Config struct {
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration

	LogLevel  string
	LogFormat string

	MySQLAddr     string
	MySQLWritable bool
	// MySQLUser and MySQLPassword are the inspection listener's one
	// account; with no password it starts only on loopback, with a
	// generated password logged once.
	MySQLUser           string
	MySQLPassword       string
	MySQLQueryTimeout   time.Duration
	MySQLMaxConnections int
	MySQLMaxResultBytes int64

	JournalSize int
	// JournalMaxBytes bounds each provider's journal in bytes (0: no byte
	// bound); JournalRedactHeaders names more headers to redact.
	JournalMaxBytes      int64
	JournalRedactHeaders []string

	// Seed lists seed documents (files) applied at start, as POST /seed.
	Seed []string
	// SeedMaxBytes bounds a seed document (POST /seed answers 413 above it;
	// a larger --seed file stops the start).
	SeedMaxBytes int64
	// Pprof serves net/http/pprof on the admin listener.
	Pprof bool

	// AdminAllowedHosts are Host names the admin API answers besides
	// loopback names and IP literals (DNS-rebinding protection).
	AdminAllowedHosts []string
	// AdminToken, when set, is required as "Authorization: Bearer <token>"
	// on every admin route except /healthz and /readyz.
	AdminToken string
	// MaxConnections caps the open connections of each listener (0: no
	// cap); see httpx.ConnLimit.
	MaxConnections int

	// The built-in providers' settings (ProviderConfig returns a pointer
	// to them). A provider registered without a field here keeps its
	// settings in others.
	Rebilly rebilly.Config
	Payabli payabli.Config
	Rapyd   rapyd.Config

	// others holds the settings of registered providers without a typed
	// field above, by name; see ProviderConfig.
	others map[string]provider.Configurable
	// addrs holds each listener's address, at listenerN's index.
	addrs [maxListeners]string
}

// ProviderConfig returns the settings of a registered provider: &c.Rebilly,
// &c.Payabli and &c.Rapyd for the built-in ones, otherwise the
// configuration its Spec.DefaultConfig made in DefaultConfig (or in
// Register / New when c was not made by DefaultConfig); nil for a name
// that is not a registered provider. Type-assert it to the provider's
// config type, e.g. cfg.ProviderConfig("acme").(*acme.Config). Unlike the
// typed fields, such a configuration is shared by copies of c; give a copy
// its own with SetProviderConfig.
func (c *Config) ProviderConfig(name string) provider.Configurable {
	if _, ok := listenerN[name]; !ok || name == Admin {
		return nil
	}
	switch name {
	case Rebilly:
		return &c.Rebilly
	case Payabli:
		return &c.Payabli
	case Rapyd:
		return &c.Rapyd
	}
	if pc := c.others[name]; pc != nil {
		return pc
	}
	for _, sp := range specs {
		if sp.Name == name {
			c.SetProviderConfig(name, sp.DefaultConfig())
		}
	}
	return c.others[name]
}

// SetProviderConfig replaces the settings of a registered provider that
// has no typed field in Config (ignored for the others). It leaves copies
// of c as they were.
func (c *Config) SetProviderConfig(name string, pc provider.Configurable) {
	switch name {
	case Rebilly, Payabli, Rapyd, Admin:
		return
	}
	if _, ok := listenerN[name]; !ok {
		return
	}
	m := make(map[string]provider.Configurable, len(c.others)+1)
	for k, v := range c.others {
		m[k] = v
	}
	m[name] = pc
	c.others = m
}

// DefaultMaxConnections is the default per-listener connection cap: four
// listeners at this cap stay well inside a 1024 file-descriptor limit (the
// container check runs with --ulimit nofile=1024:1024) and leave room for
// the inspection listener and the process's own files.
const DefaultMaxConnections = 224

// DefaultSeedMaxBytes is the default bound on a seed document (32 MiB).
const DefaultSeedMaxBytes = 32 << 20

// DefaultConfig is what `paysandbox` runs with when nothing is configured.
func DefaultConfig() Config {
	c := Config{
		MaxBodyBytes:      httpx.DefaultMaxBody,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   10 * time.Second,
		LogLevel:          "info",
		JournalSize:       1000,
		JournalMaxBytes:   journal.DefaultMaxBytes,
		SeedMaxBytes:      DefaultSeedMaxBytes,
		LogFormat:         "json",
		Rebilly:           rebilly.DefaultConfig(),
		Payabli:           payabli.DefaultConfig(),
		Rapyd:             rapyd.DefaultConfig(),
		MaxConnections:    DefaultMaxConnections,
	}
	for _, sp := range specs {
		c.ProviderConfig(sp.Name) // makes the default of a provider without a typed field
		c.addrs[listenerN[sp.Name]] = sp.DefaultAddr
	}
	// Loopback only; the container image sets 0.0.0.0 explicitly.
	c.MySQLUser, c.MySQLQueryTimeout = store.DefaultMySQLUser, store.DefaultMySQLQueryTimeout
	c.MySQLMaxConnections, c.MySQLMaxResultBytes = store.DefaultMySQLMaxConnections, store.DefaultMySQLMaxResultBytes
	c.addrs[listenerN[Admin]] = "127.0.0.1:8080"
	return c
}

// Register binds every setting to its flag, env variable and file key.
func (c *Config) Register(s *config.Set) {
	s.String(&c.addrs[listenerN[Admin]], AddrFlag(Admin), AddrEnv(Admin), Admin+".addr", "operations/admin listen address")
	for _, sp := range specs {
		s.String(&c.addrs[listenerN[sp.Name]], AddrFlag(sp.Name), AddrEnv(sp.Name), sp.Name+".addr", sp.Title+" API listen address")
	}
	s.Int64(&c.MaxBodyBytes, "max-body-bytes", "PAYSANDBOX_MAX_BODY_BYTES", "http.maxBodyBytes", "largest accepted request body in bytes; larger gets the provider's own error")
	s.Duration(&c.ReadHeaderTimeout, "read-header-timeout", "PAYSANDBOX_READ_HEADER_TIMEOUT", "http.readHeaderTimeout", "time allowed to read request headers")
	s.Duration(&c.ReadTimeout, "read-timeout", "PAYSANDBOX_READ_TIMEOUT", "http.readTimeout", "time allowed to read a whole request")
	s.Duration(&c.WriteTimeout, "write-timeout", "PAYSANDBOX_WRITE_TIMEOUT", "http.writeTimeout", "time allowed to write a response")
	s.Duration(&c.IdleTimeout, "idle-timeout", "PAYSANDBOX_IDLE_TIMEOUT", "http.idleTimeout", "keep-alive idle timeout")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "PAYSANDBOX_SHUTDOWN_TIMEOUT", "http.shutdownTimeout", "how long SIGTERM waits for in-flight requests")
	s.String(&c.LogLevel, "log-level", "PAYSANDBOX_LOG_LEVEL", "log.level", "debug, info, warn or error")
	s.String(&c.LogFormat, "log-format", "PAYSANDBOX_LOG_FORMAT", "log.format", "json or text")
	s.String(&c.MySQLAddr, "mysql-addr", "PAYSANDBOX_MYSQL_ADDR", "mysql.addr", "MySQL wire-protocol inspection listener, e.g. 127.0.0.1:3306 (off when empty)")
	s.Bool(&c.MySQLWritable, "mysql-writable", "PAYSANDBOX_MYSQL_WRITABLE", "mysql.writable", "allow writes through the inspection listener")
	s.String(&c.MySQLUser, "mysql-user", "PAYSANDBOX_MYSQL_USER", "mysql.user", "user name of the inspection listener")
	s.String(&c.MySQLPassword, "mysql-password", "PAYSANDBOX_MYSQL_PASSWORD", "mysql.password", "password of the inspection listener (required unless --mysql-addr is loopback, which then logs a generated one)")
	s.Duration(&c.MySQLQueryTimeout, "mysql-query-timeout", "PAYSANDBOX_MYSQL_QUERY_TIMEOUT", "mysql.queryTimeout", "longest an inspection statement may run (MySQL error 3024 past it)")
	s.Int(&c.MySQLMaxConnections, "mysql-max-connections", "PAYSANDBOX_MYSQL_MAX_CONNECTIONS", "mysql.maxConnections", "open connections of the inspection listener (one more gets MySQL error 1040)")
	s.Int64(&c.MySQLMaxResultBytes, "mysql-max-result-bytes", "PAYSANDBOX_MYSQL_MAX_RESULT_BYTES", "mysql.maxResultBytes", "bytes an inspection statement may return, and may build with string functions (MySQL error 1301 past it)")
	s.Int(&c.JournalSize, "journal-size", "PAYSANDBOX_JOURNAL_SIZE", "admin.journalSize", "requests kept per provider in the admin journal")
	s.Int64(&c.JournalMaxBytes, "journal-max-bytes", "PAYSANDBOX_JOURNAL_MAX_BYTES", "admin.journalMaxBytes", "bytes kept per provider in the admin journal (headers, path, query, body; oldest evicted first; 0: no byte bound)")
	s.List(&c.JournalRedactHeaders, "journal-redact-headers", "PAYSANDBOX_JOURNAL_REDACT_HEADERS", "admin.journalRedactHeaders", "more header names (comma list) the journal redacts, besides every secret-looking one (docs/OPERATIONS.md)")
	s.Bool(&c.Pprof, "pprof", "PAYSANDBOX_PPROF", "admin.pprof", "serve Go profiles (net/http/pprof) under /debug/pprof/ on the admin listener")
	s.List(&c.AdminAllowedHosts, "admin-allowed-hosts", "PAYSANDBOX_ADMIN_ALLOWED_HOSTS", "admin.allowedHosts", "Host names (comma list) the admin API answers besides loopback names and IP addresses")
	s.String(&c.AdminToken, "admin-token", "PAYSANDBOX_ADMIN_TOKEN", "admin.token", "when set, admin routes other than /healthz and /readyz require Authorization: Bearer <token>")
	s.Int(&c.MaxConnections, "max-connections", "PAYSANDBOX_MAX_CONNECTIONS", "http.maxConnections", "open connections per listener; at the cap the oldest idle keep-alive one is closed for a new client (0: no cap)")
	s.List(&c.Seed, "seed", "PAYSANDBOX_SEED", "seed", "seed documents (JSON files, comma list) loaded at start; same format as POST /seed")
	s.Int64(&c.SeedMaxBytes, "seed-max-bytes", "PAYSANDBOX_SEED_MAX_BYTES", "admin.seedMaxBytes", "largest seed document in bytes (POST /seed answers 413 above it; a larger --seed file stops the start)")
	for _, sp := range specs {
		c.ProviderConfig(sp.Name).Register(s)
	}
}

// Addr returns the configured address of a listener ("" for an unknown
// name).
func (c *Config) Addr(name string) string {
	if i, ok := listenerN[name]; ok {
		return c.addrs[i]
	}
	return ""
}

// SetAddr sets the address of a listener ("127.0.0.1:0" picks a free port);
// an unknown name is ignored.
func (c *Config) SetAddr(name, addr string) {
	if i, ok := listenerN[name]; ok {
		c.addrs[i] = addr
	}
}

// NewLogger builds the slog logger the config asks for, writing to w.
// Access-log lines are batched (logbuf.go); flush writes out what is held
// and must be called before the process exits.
func (c *Config) NewLogger(w io.Writer) (logger *slog.Logger, flush func(), err error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, nil, fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	buf := newLogBuffer(w, logFlushEvery)
	flush = func() { _ = buf.Flush() }
	switch c.LogFormat {
	case "json":
		return slog.New(flushingHandler{slog.NewJSONHandler(buf, opts), buf}), flush, nil
	case "text":
		return slog.New(flushingHandler{slog.NewTextHandler(buf, opts), buf}), flush, nil
	}
	return nil, nil, fmt.Errorf("log format %q: want json or text", c.LogFormat)
}

// Server is a running (or ready to run) simulator.
type Server struct {
	cfg       Config
	logger    *slog.Logger
	store     *store.Store
	providers map[string]provider.Provider
	handlers  map[string]http.Handler

	journal *journal.Journal
	metrics *metrics.Metrics

	mu        sync.Mutex
	listeners map[string]net.Listener
	servers   map[string]*http.Server
	connLimit map[string]*httpx.ConnLimit
	serveErr  chan error
	started   bool
	mysqlAddr string
}

// New opens the store and builds every provider. Nothing listens yet.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.MaxConnections < 0 || cfg.MaxConnections > 0 && cfg.MaxConnections < httpx.MinConnLimit {
		return nil, fmt.Errorf("max connections %d: want 0 (no cap) or at least %d", cfg.MaxConnections, httpx.MinConnLimit)
	}
	tableSpecs := make([]store.TableSpec, 0, len(specs))
	for _, sp := range specs {
		tableSpecs = append(tableSpecs, sp.Table)
		tableSpecs = append(tableSpecs, sp.Tables...)
	}
	st, err := store.Open(store.Options{Logger: logger, Tables: tableSpecs})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	sideTables := bounded.NewRegistry()
	deps := provider.Deps{Store: st, Logger: logger, MaxBodyBytes: cfg.MaxBodyBytes, SideTables: sideTables}.Defaults()
	s := &Server{cfg: cfg, logger: logger, store: st, providers: map[string]provider.Provider{}, handlers: map[string]http.Handler{}}

	var provs []provider.Provider
	tables := map[string]string{}
	extra := map[string][]string{}
	for _, sp := range specs {
		p, err := sp.New(cfg.ProviderConfig(sp.Name), deps)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sp.Name, err)
		}
		if p.Name() != sp.Name || p.Table() != sp.Table.Name {
			return nil, fmt.Errorf("%s: the provider names itself %q with table %q; its Spec says %q and %q", sp.Name, p.Name(), p.Table(), sp.Name, sp.Table.Name)
		}
		provs = append(provs, p)
		tables[sp.Name] = sp.Table.Name
		for _, t := range sp.Tables {
			extra[sp.Name] = append(extra[sp.Name], t.Name)
		}
	}
	s.journal = journal.NewWith(journal.Options{Size: cfg.JournalSize, MaxBytes: cfg.JournalMaxBytes,
		RedactHeaders: cfg.JournalRedactHeaders,
		OnEvict:       func(provider, reason string, n int) { s.metrics.JournalEvicted(provider, reason, n) }})
	s.metrics = metrics.New(st, tables)
	s.metrics.MustRegister(sideTables)
	s.metrics.MustRegister(connCollector{s})
	for _, p := range provs {
		s.providers[p.Name()] = p
		s.handlers[p.Name()] = httpx.Wrap(p.Handler(), httpx.Options{Provider: p.Name(), Logger: logger,
			OnPanic: p.PanicError, Observe: s.observer(p)})
	}
	seeders := map[string]admin.SeedTarget{}
	resetters := map[string]provider.Resetter{}
	for _, p := range provs {
		if sd, ok := p.(provider.Seeder); ok {
			seeders[p.Name()] = admin.SeedTarget{Seeder: sd, Handler: p.Handler()}
		}
		if rs, ok := p.(provider.Resetter); ok {
			resetters[p.Name()] = rs
		}
	}
	if cfg.SeedMaxBytes <= 0 {
		cfg.SeedMaxBytes = DefaultSeedMaxBytes
	}
	adm := admin.New(admin.Deps{Store: st, Logger: logger, Ready: s.ready, Tables: tables, Extra: extra, Journal: s.journal,
		Metrics: s.metrics.Handler(), Seeders: seeders, Pprof: cfg.Pprof, MaxBodyBytes: cfg.SeedMaxBytes, Resetters: resetters})
	adm = admin.Guard(adm, admin.GuardOptions{AllowedHosts: cfg.AdminAllowedHosts, Token: cfg.AdminToken})
	s.handlers[Admin] = httpx.Wrap(adm, httpx.Options{Provider: Admin, Logger: logger, OnPanic: admin.PanicError})
	for _, file := range cfg.Seed {
		if err := seedFile(file, seeders, cfg.SeedMaxBytes); err != nil {
			return nil, err
		}
		logger.Info("seeded from file", "file", file)
	}
	return s, nil
}

// seedFile applies one seed document at start; any rejected customer stops
// the start with the provider's answer.
func seedFile(file string, seeders map[string]admin.SeedTarget, limit int64) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	doc, err := io.ReadAll(io.LimitReader(f, limit+1))
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if int64(len(doc)) > limit {
		return fmt.Errorf("seed %s: larger than %d bytes (--seed-max-bytes)", file, limit)
	}
	rep, err := admin.Seed(doc, seeders)
	if err != nil {
		return fmt.Errorf("seed %s: %w", file, err)
	}
	for _, r := range rep.Results {
		if !r.Seeded {
			return fmt.Errorf("seed %s: %s group %d customer %d: status %d %s%s", file, r.Provider, r.Group, r.Index, r.Status, r.Error, r.Response)
		}
	}
	return nil
}

// observer feeds the request journal and the metrics of one provider. The
// metrics' route label is the mux route template (low cardinality).
func (s *Server) observer(p provider.Provider) func(*http.Request, httpx.Event) {
	var router *mux.Router
	if rp, ok := p.(interface{ Router() *mux.Router }); ok {
		router = rp.Router()
	} else if mr, ok := p.Handler().(*mux.Router); ok {
		router = mr
	}
	if router != nil {
		router.Use(httpx.RouteTemplate(func(r *http.Request) string {
			if rt := mux.CurrentRoute(r); rt != nil {
				if t, err := rt.GetPathTemplate(); err == nil {
					return t
				}
			}
			return ""
		}))
	}
	name := p.Name()
	ring := s.journal.Ring(name)
	return func(r *http.Request, ev httpx.Event) {
		route := ev.Route
		if route == "" {
			// Not seen by the route middleware (unmatched, or answered
			// before the router): ask the router, off the common path.
			route = "unmatched"
			var m mux.RouteMatch
			if router != nil && router.Match(r, &m) && m.Route != nil {
				if t, err := m.Route.GetPathTemplate(); err == nil {
					route = t
				}
			}
		}
		s.metrics.Observe(name, route, ev.Status, ev.Duration)
		ring.Add(journal.Entry{Time: ev.Start.UTC(), RequestID: ev.RequestID, Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Status: ev.Status, DurationMS: float64(ev.Duration.Microseconds()) / 1000,
			Headers: r.Header, Body: string(ev.Body), Truncated: ev.BodyTruncated}) // Add masks and redacts
	}
}

// Journal returns the request journal.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Store returns the simulator's store.
func (s *Server) Store() *store.Store { return s.store }

// Handler returns the full handler (middleware included) of a listener.
func (s *Server) Handler(name string) http.Handler { return s.handlers[name] }

// Provider returns a provider by name.
func (s *Server) Provider(name string) provider.Provider { return s.providers[name] }

// Providers returns the names of the server's providers (Names without
// Admin), in start order.
func (s *Server) Providers() []string {
	out := make([]string, 0, len(specs))
	for _, sp := range specs {
		out = append(out, sp.Name)
	}
	return out
}

func (s *Server) ready() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return errors.New("listeners not started")
	}
	for _, n := range Names {
		if s.listeners[n] == nil {
			return fmt.Errorf("listener %s not up", n)
		}
	}
	for _, sp := range specs {
		if _, err := s.store.Count(context.Background(), sp.Table.Name, ""); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

// Start binds every listener and serves in the background. Bound addresses
// are available from Addr.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("server already started")
	}
	s.listeners = map[string]net.Listener{}
	s.servers = map[string]*http.Server{}
	s.connLimit = map[string]*httpx.ConnLimit{}
	for _, n := range Names {
		ln, err := net.Listen("tcp", s.cfg.Addr(n))
		if err != nil {
			for _, l := range s.listeners {
				_ = l.Close()
			}
			return fmt.Errorf("%s listener on %s: %w", n, s.cfg.Addr(n), err)
		}
		var connState func(net.Conn, http.ConnState)
		if s.cfg.MaxConnections > 0 {
			lim, err := httpx.NewConnLimit(s.cfg.MaxConnections)
			if err != nil {
				_ = ln.Close()
				for _, l := range s.listeners {
					_ = l.Close()
				}
				return fmt.Errorf("%s listener: %w", n, err)
			}
			s.connLimit[n] = lim
			ln, connState = lim.Listener(ln), lim.ConnState
		}
		s.listeners[n] = ln
		s.servers[n] = &http.Server{
			ConnState:         connState,
			Handler:           s.handlers[n],
			ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
			ReadTimeout:       s.cfg.ReadTimeout,
			WriteTimeout:      s.cfg.WriteTimeout,
			IdleTimeout:       s.cfg.IdleTimeout,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		}
	}
	if s.cfg.MySQLAddr != "" {
		addr, err := s.store.ServeMySQLWith(store.MySQLOptions{Addr: s.cfg.MySQLAddr, ReadOnly: !s.cfg.MySQLWritable,
			User: s.cfg.MySQLUser, Password: s.cfg.MySQLPassword, QueryTimeout: s.cfg.MySQLQueryTimeout,
			MaxConnections: s.cfg.MySQLMaxConnections, MaxResultBytes: s.cfg.MySQLMaxResultBytes})
		if err != nil {
			for _, l := range s.listeners {
				_ = l.Close()
			}
			return fmt.Errorf("mysql listener: %w", err)
		}
		s.mysqlAddr = addr
		s.logger.Info("listening", "listener", MySQL, "addr", addr, "writable", s.cfg.MySQLWritable, "user", s.cfg.MySQLUser)
	}
	s.serveErr = make(chan error, len(Names))
	for _, n := range Names {
		srv, ln := s.servers[n], s.listeners[n]
		s.logger.Info("listening", "listener", n, "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.serveErr <- err
			}
		}()
	}
	s.started = true
	return nil
}

// ConnStats returns the connection counters of a started listener's cap
// (zero when the listener has no cap or is not started).
func (s *Server) ConnStats(name string) httpx.ConnStats {
	s.mu.Lock()
	lim := s.connLimit[name]
	s.mu.Unlock()
	if lim == nil {
		return httpx.ConnStats{}
	}
	return lim.Stats()
}

// Addr returns the bound address of a started listener.
func (s *Server) Addr(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == MySQL {
		return s.mysqlAddr
	}
	if ln := s.listeners[name]; ln != nil {
		return ln.Addr().String()
	}
	return ""
}

// Shutdown stops accepting, drains in-flight requests until ctx ends, then
// closes the store's inspection listener.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := s.servers
	s.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(ctx); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		}()
	}
	wg.Wait()
	errs = append(errs, s.store.Close())
	return errors.Join(errs...)
}

// Run starts the server and blocks until ctx is cancelled (SIGINT/SIGTERM in
// the binary) or a listener fails, then shuts down within ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	var runErr error
	select {
	case <-ctx.Done():
		s.logger.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	case runErr = <-s.serveErr:
		s.logger.Error("listener failed", "error", runErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return errors.Join(runErr, err)
	}
	s.logger.Info("stopped")
	return runErr
}
