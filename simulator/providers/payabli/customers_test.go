package payabli

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

func newTestProvider(t *testing.T, now func() time.Time) *Provider {
	t.Helper()
	st, err := store.Open(store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(DefaultConfig(), provider.Deps{Store: st, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func post(p *Provider, path, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("requestToken", "t1")
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	p.Handler().ServeHTTP(w, r)
	return w
}

func TestCreateTimestampsAndConcurrency(t *testing.T) {
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := newTestProvider(t, func() time.Time { return fixed })
	var wg sync.WaitGroup
	ids := make([]int64, 100)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w := post(p, "/api/Customer/single/e1", `{"email":"same@b.co"}`)
			var resp createResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
				t.Errorf("%d %s", w.Code, w.Body)
				return
			}
			ids[i] = resp.ResponseData.CustomerID
			if resp.ResponseData.Created != "2026-01-02T03:04:05Z" {
				t.Errorf("Created %q", resp.ResponseData.Created)
			}
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id <= 0 {
			t.Fatalf("ids differ: %v", ids)
		}
	}
	n, err := p.deps.Store.Count(t.Context(), store.TablePayabli, "")
	if err != nil || n != 1 {
		t.Fatalf("count %d %v", n, err)
	}
}
