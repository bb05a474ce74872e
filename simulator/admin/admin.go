// Package admin serves the operations/admin listener: liveness, readiness,
// Prometheus metrics, state reset, seeding, the request journal and state
// dumps.
package admin

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/journal"
	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Deps are what the admin API works on.
type Deps struct {
	Store  store.Repository
	Logger *slog.Logger
	// Ready reports nil when the store is ready and every listener is up.
	Ready func() error
	// Tables maps provider name → store table.
	Tables map[string]string
	// Extra maps provider name → its further tables (provider.Spec.Tables),
	// shown by /state as "<provider>.<what>" and cleared with its scope.
	Extra   map[string][]string
	Journal *journal.Journal
	Metrics http.Handler
	// Seeders are the providers POST /seed can seed, by name.
	Seeders map[string]SeedTarget
	// MaxBodyBytes bounds a posted seed document (default 32 MiB).
	MaxBodyBytes int64
	// Resetters are the providers with state outside the store (rate
	// windows, idempotency keys, salts), by name; POST /reset empties it
	// for the scope it resets.
	Resetters map[string]provider.Resetter
	// Pprof mounts net/http/pprof under /debug/pprof/ (off by default).
	Pprof bool
}

type api struct{ Deps }

// New returns the admin handler.
func New(d Deps) http.Handler {
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 32 << 20
	}
	a := &api{d}
	r := mux.NewRouter()
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", a.readyz).Methods(http.MethodGet, http.MethodHead)
	if d.Metrics != nil {
		r.Handle("/metrics", d.Metrics).Methods(http.MethodGet)
	}
	r.HandleFunc("/reset", a.reset).Methods(http.MethodPost)
	r.HandleFunc("/seed", a.seed).Methods(http.MethodPost)
	if d.Pprof {
		r.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		r.HandleFunc("/debug/pprof/profile", pprof.Profile)
		r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		r.HandleFunc("/debug/pprof/trace", pprof.Trace)
		r.PathPrefix("/debug/pprof/").HandlerFunc(pprof.Index)
	}
	r.HandleFunc("/journal/{provider}", a.journalFind).Methods(http.MethodGet)
	r.HandleFunc("/journal/{provider}", a.journalClear).Methods(http.MethodDelete)
	r.HandleFunc("/state", a.state).Methods(http.MethodGet)
	r.HandleFunc("/state/{provider}", a.state).Methods(http.MethodGet)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such admin endpoint")
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
	return r
}

// PanicError writes the admin API's error body.
func PanicError(w http.ResponseWriter, _ *http.Request, status int) {
	writeError(w, status, "internal error")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	httpx.WriteJSON(w, status, body)
}

func (a *api) readyz(w http.ResponseWriter, _ *http.Request) {
	if err := a.Ready(); err != nil {
		writeError(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
		return
	}
	httpx.WriteJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
}

// provider resolves a provider name to its table, answering 404 itself.
func (a *api) provider(w http.ResponseWriter, name string) (string, bool) {
	table, ok := a.Tables[name]
	if !ok {
		writeError(w, http.StatusNotFound, "unknown provider "+strconv.Quote(name))
	}
	return table, ok
}

// reset: POST /reset[?provider=P[&tenant=T]] deletes all state, one
// provider's, or one tenant's (tenants as /state shows them): the store rows
// and the providers' side tables.
func (a *api) reset(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, tenant := q.Get("provider"), q.Get("tenant")
	if tenant != "" && name == "" {
		writeError(w, http.StatusBadRequest, "tenant needs provider")
		return
	}
	table := ""
	if name != "" {
		t, ok := a.provider(w, name)
		if !ok {
			return
		}
		table = t
	}
	if err := a.Store.Reset(r.Context(), table, tenant); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if name != "" {
		for _, t := range a.Extra[name] {
			if err := a.Store.Reset(r.Context(), t, tenant); err != nil {
				writeError(w, http.StatusInternalServerError, err.Error())
				return
			}
		}
	}
	for n, rs := range a.Resetters {
		if name == "" || n == name {
			rs.Reset(tenant)
		}
	}
	a.Logger.Info("state reset", "provider", name, "tenant", tenant)
	writeJSON(w, http.StatusOK, map[string]string{"reset": "ok", "provider": name, "tenant": tenant})
}

// journalFind: GET /journal/{provider}?method=&path=&status=&since=&until=
func (a *api) journalFind(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["provider"]
	if _, ok := a.provider(w, name); !ok {
		return
	}
	q := r.URL.Query()
	f := journal.Filter{Method: q.Get("method"), Path: q.Get("path")}
	if s := q.Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, "status must be an integer")
			return
		}
		f.Status = n
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				writeError(w, http.StatusBadRequest, p.name+" must be an RFC 3339 time")
				return
			}
			*p.dst = t
		}
	}
	entries := a.Journal.Ring(name).Find(f)
	writeJSON(w, http.StatusOK, struct {
		Count   int             `json:"count"`
		Entries []journal.Entry `json:"entries"`
	}{len(entries), entries})
}

func (a *api) journalClear(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["provider"]
	if _, ok := a.provider(w, name); !ok {
		return
	}
	a.Journal.Ring(name).Clear()
	w.WriteHeader(http.StatusNoContent)
}

type row struct {
	Tenant   string          `json:"tenant"`
	ID       string          `json:"id"`
	Seq      int64           `json:"seq"`
	Created  time.Time       `json:"created"`
	Updated  time.Time       `json:"updated"`
	Revision int64           `json:"revision"`
	Doc      json.RawMessage `json:"doc"`
}

// rows dumps every row of table, tenant by tenant, each in seq order.
func (a *api) rows(ctx context.Context, table string) ([]row, error) {
	rows := []row{}
	tenants, err := a.Store.Tenants(ctx, table)
	if err != nil {
		return nil, err
	}
	for _, tn := range tenants {
		page, err := a.Store.List(ctx, table, store.Query{Tenant: tn, Sort: []store.Sort{{Field: "seq"}}})
		if err != nil {
			return nil, err
		}
		for _, rec := range page.Records {
			doc := json.RawMessage(rec.Doc)
			if len(doc) == 0 {
				doc = json.RawMessage("null")
			}
			rows = append(rows, row{rec.Tenant, rec.ID, rec.Seq, rec.Created, rec.Updated, rec.Revision, doc})
		}
	}
	return rows, nil
}

// state: GET /state[/{provider}] dumps every row, per provider; a
// provider's further tables (payment methods, ...) as "<provider>.<what>".
func (a *api) state(w http.ResponseWriter, r *http.Request) {
	names := []string{}
	if name, ok := mux.Vars(r)["provider"]; ok {
		if _, ok := a.provider(w, name); !ok {
			return
		}
		names = append(names, name)
	} else {
		for n := range a.Tables {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	out := map[string][]row{}
	for _, n := range names {
		type shown struct{ key, table string }
		tables := []shown{{n, a.Tables[n]}}
		for _, t := range a.Extra[n] {
			tables = append(tables, shown{n + "." + strings.TrimPrefix(t, n+"_"), t})
		}
		for _, t := range tables {
			rows, err := a.rows(r.Context(), t.table)
			if err != nil {
				writeError(w, http.StatusInternalServerError, err.Error())
				return
			}
			out[t.key] = rows
		}
	}
	writeJSON(w, http.StatusOK, out)
}
