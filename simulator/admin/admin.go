// Package admin serves the operations/admin listener: liveness and readiness
// now; reset, seed, journal and dumps are added by the operations work.
package admin

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// Deps are what the admin API works on.
type Deps struct {
	Store  store.Repository
	Logger *slog.Logger
	// Ready reports nil when the store is ready and every listener is up.
	Ready func() error
}

// New returns the admin handler.
func New(d Deps) http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	}).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := d.Ready(); err != nil {
			writeError(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
		httpx.WriteJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	}).Methods(http.MethodGet, http.MethodHead)
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
	body, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	httpx.WriteJSON(w, status, body)
}
