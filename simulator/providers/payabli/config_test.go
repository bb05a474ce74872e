package payabli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

func TestConfig(t *testing.T) {
	st, _ := store.Open(store.Options{})
	for _, cfg := range []Config{{Duplicate: "x"}, {NotFoundStatus: 500}, {Tokens: []string{"t="}}} {
		if _, err := New(cfg, provider.Deps{Store: st}); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	cfg := DefaultConfig()
	cfg.Duplicate, cfg.NotFoundStatus = DuplicateDecline, http.StatusNotFound
	p, err := New(cfg, provider.Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if w := post(p, "/api/Customer/single/e", `{"email":"a@b.co"}`); w.Code != 200 {
		t.Fatal(w.Code)
	}
	w := post(p, "/api/Customer/single/e", `{"email":"a@b.co"}`)
	if w.Code != 400 || !bytes.Contains(w.Body.Bytes(), []byte("already exists")) {
		t.Fatalf("decline: %d %s", w.Code, w.Body)
	}
	r := httptest.NewRequest("GET", "/api/Customer/12345678", nil)
	r.Header.Set("requestToken", "t1")
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, r)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("not found: %d", rec.Code)
	}
}
