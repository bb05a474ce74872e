package rapyd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// FuzzSignatureVerifier: for any method, path, query, body and salt, a
// correctly signed request is never rejected as badly signed, and the same
// request with one byte of its body, its query or its signature changed is
// always rejected with Rapyd's UNAUTHENTICATED_API_CALL. Never a panic or
// a 5xx, whatever the headers hold.
func FuzzSignatureVerifier(f *testing.F) {
	f.Add(uint8(0), "/v1/customers", "", []byte(`{"name":"a"}`), "abcdefgh12345678", uint16(3))
	f.Add(uint8(1), "/v1/customers/cus_1", "a=1&b=%20", []byte(nil), "s", uint16(0))
	f.Add(uint8(2), "/v1/customers/x", "", []byte("\x00\xff"), "salt salt", uint16(9))
	now := time.Unix(1_790_000_000, 0)
	st, err := store.Open(store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	p, err := New(DefaultConfig(), provider.Deps{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPut}
	ts := strconv.FormatInt(now.Unix(), 10)
	send := func(t *testing.T, method, target string, body []byte, salt, sig string) (int, string) {
		r := httptest.NewRequest(method, "/", bytes.NewReader(body))
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Skip()
		}
		r.URL, r.RequestURI = u, target
		r.Header.Set("access_key", DefaultAccessKey)
		r.Header.Set("salt", salt)
		r.Header.Set("timestamp", ts)
		r.Header.Set("signature", sig)
		w := httptest.NewRecorder()
		p.Handler().ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
		var m struct {
			Status struct {
				ErrorCode string `json:"error_code"`
				Message   string `json:"message"`
			} `json:"status"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("not a Rapyd envelope: %q", w.Body)
		}
		return w.Code, m.Status.ErrorCode + "|" + m.Status.Message
	}
	badSig := codeUnauthenticated + "|" + msgBadSignature
	f.Fuzz(func(t *testing.T, m uint8, path, query string, body []byte, salt string, flip uint16) {
		if salt == "" || len(path) == 0 || path[0] != '/' {
			t.Skip()
		}
		method := methods[int(m)%len(methods)]
		target := path
		if query != "" {
			target += "?" + query
		}
		if _, err := url.ParseRequestURI(target); err != nil || bytes.ContainsAny([]byte(target+salt), " \r\n\t\x00") {
			t.Skip()
		}
		for _, c := range salt {
			if c < 0x21 || c > 0x7e {
				t.Skip() // not a header value an HTTP client would send
			}
		}
		sig := Sign(method, target, salt, ts, DefaultAccessKey, DefaultSecretKey, body)
		if code, got := send(t, method, target, body, salt, sig); got == badSig {
			t.Fatalf("correctly signed %s %s rejected: %d %s", method, target, code, got)
		}
		if len(body) > 0 {
			tampered := append([]byte(nil), body...)
			tampered[int(flip)%len(tampered)] ^= 0x01
			if code, got := send(t, method, target, tampered, salt, sig); code != http.StatusUnauthorized || got != badSig {
				t.Fatalf("tampered body accepted: %d %s", code, got)
			}
		}
		if code, got := send(t, method, target+"&x", body, salt, sig); code != http.StatusUnauthorized || got != badSig {
			t.Fatalf("tampered query accepted: %d %s", code, got)
		}
		tsig := []byte(sig)
		i := int(flip) % len(tsig)
		tsig[i] = "AB"[boolInt(tsig[i] == 'A')]
		if code, got := send(t, method, target, body, salt, string(tsig)); code != http.StatusUnauthorized || got != badSig {
			t.Fatalf("tampered signature accepted: %d %s", code, got)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
