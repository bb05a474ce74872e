package server_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/providers/rapyd"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// Micro-benchmarks of the hot paths: one request through the full handler
// stack of a listener (request id, access log, journal, metrics, routing,
// auth, validation, store, encoding), without the network. The load
// benchmark (scripts/bench.sh) measures the same operations over HTTP.
//
//	go test -run '^$' -bench . -benchmem ./simulator/server/

const benchRows = 1000

func newServer(b *testing.B) *server.Server {
	b.Helper()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(server.DefaultConfig(), logger)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Store().Close() })
	return srv
}

func serve(b *testing.B, h http.Handler, req *http.Request, want int) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

func rebillyReq(method, path string, body []byte) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("REB-APIKEY", "bench-key")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func rebillyBody(i int) []byte {
	return fmt.Appendf(nil, `{"firstName":"Bench","lastName":"Customer %d","email":"bench%07d@example.com","primaryAddress":{"firstName":"Bench","lastName":"Customer","address":"1 Main St","city":"Springfield","country":"US","postalCode":"12345"}}`, i, i)
}

func BenchmarkRebilly(b *testing.B) {
	srv := newServer(b)
	h := srv.Handler(server.Rebilly)
	for i := 0; i < benchRows; i++ {
		serve(b, h, rebillyReq(http.MethodPut, fmt.Sprintf("/customers/cus-%07d", i), rebillyBody(i)), http.StatusCreated)
	}
	b.Run("PUT-upsert", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			n := i % benchRows
			serve(b, h, rebillyReq(http.MethodPut, fmt.Sprintf("/customers/cus-%07d", n), rebillyBody(n)), http.StatusOK)
		}
	})
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, h, rebillyReq(http.MethodGet, fmt.Sprintf("/customers/cus-%07d", i%benchRows), nil), http.StatusOK)
		}
	})
	b.Run("list-page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, rebillyReq(http.MethodGet, "/customers?limit=20", nil), http.StatusOK)
		}
	})
}

func payabliReq(method, path string, body []byte) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("requestToken", "bench-token")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func payabliBody(i int) []byte {
	return fmt.Appendf(nil, `{"customerNumber":"B%07d","firstname":"Bench","lastname":"Customer %d","email":"bench%07d@example.com","phone":"5555555555","address1":"1 Main St","city":"Springfield","state":"IL","zip":"12345","country":"US"}`, i, i, i)
}

func BenchmarkPayabli(b *testing.B) {
	srv := newServer(b)
	h := srv.Handler(server.Payabli)
	for i := 0; i < benchRows; i++ {
		serve(b, h, payabliReq(http.MethodPost, "/api/Customer/single/bench-entry", payabliBody(i)), http.StatusOK)
	}
	b.Run("create-upsert", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, h, payabliReq(http.MethodPost, "/api/Customer/single/bench-entry?replaceExisting=1", payabliBody(i%benchRows)), http.StatusOK)
		}
	})
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, h, payabliReq(http.MethodGet, "/api/Customer/"+strconv.Itoa(1+i%benchRows), nil), http.StatusOK)
		}
	})
}

func rapydReq(method, path string, body []byte, salt int) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	s := fmt.Sprintf("benchsalt%08d", salt)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("access_key", rapyd.DefaultAccessKey)
	req.Header.Set("salt", s)
	req.Header.Set("timestamp", ts)
	req.Header.Set("signature", rapyd.Sign(method, path, s, ts, rapyd.DefaultAccessKey, rapyd.DefaultSecretKey, body))
	return req
}

func BenchmarkRapyd(b *testing.B) {
	srv := newServer(b)
	h := srv.Handler(server.Rapyd)
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"name":"Bench Customer %d","email":"bench%07d@example.com","phone_number":"+14155550100","metadata":{"n":%d}}`, i, i, i)
	}
	var ids []string
	for i := 0; i < benchRows; i++ {
		out := serve(b, h, rapydReq(http.MethodPost, "/v1/customers", body(i), i), http.StatusOK)
		j := bytes.Index(out, []byte(`"id":"`))
		if j < 0 {
			b.Fatalf("no id in %s", out)
		}
		id := out[j+6:]
		ids = append(ids, string(id[:bytes.IndexByte(id, '"')]))
	}
	b.Run("create-signed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, h, rapydReq(http.MethodPost, "/v1/customers", body(benchRows+i), benchRows+i), http.StatusOK)
		}
	})
	b.Run("GET-signed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			serve(b, h, rapydReq(http.MethodGet, "/v1/customers/"+ids[i%benchRows], nil, i), http.StatusOK)
		}
	})
}
