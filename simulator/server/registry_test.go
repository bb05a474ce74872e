package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// A fourth provider is its package plus one line: this file is such a
// package in miniature. It registers "fakepay" exactly as a register.go
// does, and nothing else in the server knows of it; TestRegisteredProvider
// shows it gets its listener, address setting, own settings, store table
// (with its unique column), /readyz, /state, /seed, /reset, /journal and
// metrics scope. The registration is a package variable initialiser so it
// runs before this package's init reads the registry (as a provider
// package's init runs before its importers').
var _ = func() bool {
	provider.Register(provider.Spec{
		Name:          fakeName,
		Title:         "Fakepay",
		Table:         store.TableSpec{Name: fakeTable, Unique: []string{"email"}},
		Tables:        []store.TableSpec{{Name: fakeNotes}},
		DefaultAddr:   "127.0.0.1:8099",
		BasePath:      "/fp",
		DefaultConfig: func() provider.Configurable { return &fakeConfig{Greeting: "hi"} },
		New: func(cfg provider.Configurable, deps provider.Deps) (provider.Provider, error) {
			return newFake(*cfg.(*fakeConfig), deps), nil
		},
	})
	return true
}()

const (
	fakeName  = "fakepay"
	fakeTable = "fakepay_things"
	fakeNotes = "fakepay_notes" // a further table: one note per thing
)

type fakeConfig struct{ Greeting string }

func (c *fakeConfig) Register(s *config.Set) {
	s.String(&c.Greeting, "fakepay-greeting", "PAYSANDBOX_FAKEPAY_GREETING", "fakepay.greeting", "what Fakepay says in X-Greeting")
}

type fake struct {
	cfg    fakeConfig
	deps   provider.Deps
	router *mux.Router

	mu     sync.Mutex
	resets []string
}

func newFake(cfg fakeConfig, deps provider.Deps) *fake {
	f := &fake{cfg: cfg, deps: deps, router: mux.NewRouter()}
	f.router.HandleFunc("/fp/things", f.create).Methods(http.MethodPost)
	return f
}

func (f *fake) Name() string          { return fakeName }
func (f *fake) Table() string         { return fakeTable }
func (f *fake) Handler() http.Handler { return f.router }
func (f *fake) PanicError(w http.ResponseWriter, _ *http.Request, status int) {
	http.Error(w, "fakepay failed", status)
}

// create: POST /fp/things (X-Account, {"email": …}) → 201 {"id": …}, 409
// for an email the account already holds.
func (f *fake) create(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Greeting", f.cfg.Greeting)
	var body struct {
		Email string `json:"email"`
	}
	raw, _ := io.ReadAll(r.Body)
	if json.Unmarshal(raw, &body) != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rec, err := f.deps.Store.Insert(r.Context(), fakeTable, store.Record{Tenant: r.Header.Get("X-Account"), Email: body.Email, Doc: raw})
	if errors.Is(err, store.ErrDuplicateKey) {
		http.Error(w, "email taken", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if _, err := f.deps.Store.Insert(r.Context(), fakeNotes, store.Record{Tenant: rec.Tenant, ExtKey: rec.ID, Doc: []byte(`{"note":"created"}`)}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"id":"` + rec.ID + `"}`))
}

func (f *fake) SeedRequest(account map[string]string, customer []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, "/fp/things", bytes.NewReader(customer))
	if err == nil {
		req.Header.Set("X-Account", account["account"])
	}
	return req, err
}

func (f *fake) Reset(tenant string) {
	f.mu.Lock()
	f.resets = append(f.resets, tenant)
	f.mu.Unlock()
}

func TestRegisteredProvider(t *testing.T) {
	if want := []string{fakeName, Payabli, Rapyd, Rebilly, Admin}; !slices.Equal(Names, want) {
		t.Fatalf("Names = %v, want %v", Names, want)
	}
	if AddrEnv(fakeName) != "PAYSANDBOX_FAKEPAY_ADDR" || AddrFlag(fakeName) != "fakepay-addr" || BasePath(fakeName) != "/fp" || BasePath(Payabli) != "/api" || BasePath(Rebilly) != "" {
		t.Fatalf("AddrEnv %q AddrFlag %q BasePath %q %q %q", AddrEnv(fakeName), AddrFlag(fakeName), BasePath(fakeName), BasePath(Payabli), BasePath(Rebilly))
	}
	def := DefaultConfig()
	if def.Addr(fakeName) != "127.0.0.1:8099" || def.ProviderConfig(fakeName).(*fakeConfig).Greeting != "hi" {
		t.Fatalf("defaults: addr %q config %+v", def.Addr(fakeName), def.ProviderConfig(fakeName))
	}
	// Its settings are flags, env variables and file keys like any other.
	cfg := DefaultConfig()
	set := config.NewSet()
	cfg.Register(set)
	args := []string{"--fakepay-greeting", "hello"}
	for _, n := range Names {
		args = append(args, "--"+AddrFlag(n), "127.0.0.1:0")
	}
	env := map[string]string{AddrEnv(fakeName): "127.0.0.1:1", "PAYSANDBOX_FAKEPAY_GREETING": "from env"}
	if err := set.Load(args, func(k string) string { return env[k] }, io.Discard, "paysandbox"); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr(fakeName) != "127.0.0.1:0" || cfg.ProviderConfig(fakeName).(*fakeConfig).Greeting != "hello" {
		t.Fatalf("loaded: addr %q config %+v", cfg.Addr(fakeName), cfg.ProviderConfig(fakeName))
	}
	if def.Addr(fakeName) != "127.0.0.1:8099" {
		t.Fatalf("loading a Config changed another one's address: %q", def.Addr(fakeName))
	}

	srv, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	if !slices.Equal(srv.Providers(), []string{fakeName, Payabli, Rapyd, Rebilly}) || srv.Addr(fakeName) == "" {
		t.Fatalf("providers %v, fakepay listener %q", srv.Providers(), srv.Addr(fakeName))
	}
	if got := srv.Store().UniqueColumns(fakeTable); !slices.Equal(got, []string{"email"}) {
		t.Fatalf("store table %s unique columns %v", fakeTable, got)
	}

	admin := "http://" + srv.Addr(Admin)
	do := func(method, url, account, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Account", account)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if code, _, body := do(http.MethodGet, admin+"/readyz", "", ""); code != http.StatusOK || body != `{"status":"ready"}` {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	fp := "http://" + srv.Addr(fakeName) + BasePath(fakeName)
	if code, h, body := do(http.MethodPost, fp+"/things", "acct", `{"email":"a@x"}`); code != http.StatusCreated || h.Get("X-Greeting") != "hello" || body != `{"id":"1"}` {
		t.Fatalf("create: %d %q %s", code, h.Get("X-Greeting"), body)
	}
	if code, _, body := do(http.MethodPost, fp+"/things", "acct", `{"email":"a@x"}`); code != http.StatusConflict {
		t.Fatalf("second create of one email (unique column): %d %s", code, body)
	}
	if code, _, body := do(http.MethodPost, admin+"/seed", "", `{"fakepay":[{"account":{"account":"other"},"customers":[{"email":"b@x"}]}]}`); code != http.StatusOK {
		t.Fatalf("/seed: %d %s", code, body)
	}
	code, _, body := do(http.MethodGet, admin+"/state", "", "")
	var state map[string][]struct {
		Tenant string          `json:"tenant"`
		ID     string          `json:"id"`
		Doc    json.RawMessage `json:"doc"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &state) != nil {
		t.Fatalf("/state: %d %s", code, body)
	}
	if len(state) != 5 || len(state[fakeName]) != 2 || state[fakeName][0].Tenant != "acct" || state[fakeName][1].Tenant != "other" ||
		string(state[fakeName][1].Doc) != `{"email":"b@x"}` || len(state[Rebilly]) != 0 ||
		len(state["fakepay.notes"]) != 2 || string(state["fakepay.notes"][0].Doc) != `{"note":"created"}` {
		t.Fatalf("/state: %s", body)
	}
	if code, _, body := do(http.MethodGet, admin+"/journal/fakepay?method=POST", "", ""); code != http.StatusOK || !strings.HasPrefix(body, `{"count":2,`) {
		t.Fatalf("/journal/fakepay: %d %s", code, body)
	}
	if code, _, body := do(http.MethodGet, admin+"/metrics", "", ""); code != http.StatusOK ||
		!strings.Contains(body, `paysandbox_customers{provider="fakepay"} 2`) ||
		!strings.Contains(body, `paysandbox_requests_total{provider="fakepay",route="/fp/things",status="201"} 1`) {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	if code, _, body := do(http.MethodPost, admin+"/reset?provider=fakepay&tenant=acct", "", ""); code != http.StatusOK {
		t.Fatalf("/reset: %d %s", code, body)
	}
	code, _, body = do(http.MethodGet, admin+"/state/fakepay", "", "")
	state = nil
	if code != http.StatusOK || json.Unmarshal([]byte(body), &state) != nil || len(state) != 2 ||
		len(state[fakeName]) != 1 || state[fakeName][0].Tenant != "other" ||
		len(state["fakepay.notes"]) != 1 || state["fakepay.notes"][0].Tenant != "other" {
		t.Fatalf("/state/fakepay after resetting tenant acct (things and notes): %d %s", code, body)
	}
	f := srv.Provider(fakeName).(*fake)
	f.mu.Lock()
	resets := slices.Clone(f.resets)
	f.mu.Unlock()
	if !slices.Equal(resets, []string{"acct"}) {
		t.Fatalf("fakepay side-state resets %q, want [acct]", resets)
	}
}
