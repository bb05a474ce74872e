package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadBodyLimits(t *testing.T) {
	cases := []struct {
		name    string
		body    string
		chunked bool
		limit   int64
		want    string
		err     error
	}{
		{"exact limit", "abcd", false, 4, "abcd", nil},
		{"over limit with length", "abcde", false, 4, "", ErrTooLarge},
		{"over limit chunked", "abcde", true, 4, "", ErrTooLarge},
		{"raw bytes kept", "{\"a\":\"<\\u0026>\"}", false, 100, "{\"a\":\"<\\u0026>\"}", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // hides the length
			}
			r := httptest.NewRequest(http.MethodPost, "/", body)
			if c.chunked {
				r.ContentLength = -1
			}
			got, err := ReadBody(httptest.NewRecorder(), r, c.limit)
			if !errors.Is(err, c.err) || string(got) != c.want {
				t.Fatalf("got %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestWrapSetsRequestIDLogsAndRecovers(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	var observed []Event
	h := Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		WriteJSON(w, http.StatusCreated, []byte(`{}`))
	}), Options{Provider: "demo", Logger: logger,
		OnPanic: func(w http.ResponseWriter, _ *http.Request, status int) {
			WriteJSON(w, status, []byte(`{"shape":"provider"}`))
		},
		Observe: func(_ *http.Request, ev Event) { observed = append(observed, ev) },
	})

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/ok", nil)
	req.Header.Set(HeaderRequestID, "client-id-1")
	req.Header.Set("REB-APIKEY", "super-secret")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated || rec.Header().Get(HeaderRequestID) != "client-id-1" {
		t.Fatalf("status %d, request id %q", rec.Code, rec.Header().Get(HeaderRequestID))
	}

	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodGet, "/panic", nil)
	req.Header.Set(HeaderRequestID, "bad id with spaces")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != `{"shape":"provider"}` {
		t.Fatalf("panic answer: %d %s", rec.Code, rec.Body)
	}
	if id := rec.Header().Get(HeaderRequestID); len(id) != 32 {
		t.Fatalf("insane client id must be replaced by a fresh one, got %q", id)
	}
	if len(observed) != 2 || observed[0].Status != 201 || observed[1].Status != 500 {
		t.Fatalf("observed %+v", observed)
	}
	if strings.Contains(logs.String(), "super-secret") {
		t.Fatalf("a credential reached the log:\n%s", logs.String())
	}
	var first map[string]any
	line, _, _ := strings.Cut(logs.String(), "\n")
	if err := json.Unmarshal([]byte(line), &first); err != nil {
		t.Fatal(err)
	}
	if first["request_id"] != "client-id-1" || first["provider"] != "demo" || first["status"] != float64(201) {
		t.Fatalf("access log line %v", first)
	}
}
