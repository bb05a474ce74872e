package rapyd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
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

func newTestProvider(t *testing.T, cfg Config, now time.Time) *Provider {
	t.Helper()
	st, err := store.Open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, provider.Deps{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func send(p *Provider, method, target, body string, hdr map[string]string) (int, map[string]any) {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	p.Handler().ServeHTTP(w, r)
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m
}

func errorCode(m map[string]any) string {
	st, _ := m["status"].(map[string]any)
	code, _ := st["error_code"].(string)
	msg, _ := st["message"].(string)
	return code + ": " + msg
}

func signed(method, target, body, access, secret, salt, ts string) map[string]string {
	return map[string]string{"access_key": access, "salt": salt, "timestamp": ts,
		"signature": Sign(method, target, salt, ts, access, secret, []byte(body)), "Content-Type": "application/json"}
}

func TestVerifierAcceptsEveryVectorAndRejectsTheNegatives(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Request {
		var sec int64
		for _, ch := range c.Timestamp {
			sec = sec*10 + int64(ch-'0')
		}
		p := newTestProvider(t, Config{Keys: []string{v.AccessKey + "=" + v.SecretKey}, TimestampPast: time.Minute, TimestampFuture: time.Minute}, time.Unix(sec, 0))
		hdr := map[string]string{"access_key": v.AccessKey, "salt": c.Salt, "timestamp": c.Timestamp, "signature": c.Signature}
		code, m := send(p, strings.ToUpper(c.Method), c.URLPath, c.Body, hdr)
		if code == http.StatusUnauthorized && strings.Contains(errorCode(m), "UNAUTHENTICATED") {
			t.Errorf("%s: a correctly signed request was rejected: %d %s", c.ID, code, errorCode(m))
		}
		hdr["signature"] = v.Negative[0].WrongSignature
		code, m = send(p, strings.ToUpper(c.Method), c.URLPath, c.Body, hdr)
		if code != http.StatusUnauthorized || errorCode(m) != codeUnauthenticated+": "+msgBadSignature {
			t.Errorf("%s with a wrong signature: %d %s", c.ID, code, errorCode(m))
		}
	}
}

func TestAuthenticationOrderWindowAndSalt(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := newTestProvider(t, Config{TimestampPast: 60 * time.Second, TimestampFuture: 30 * time.Second, RejectSaltReuse: true}, now)
	ok := func(salt string, ts int64) map[string]string {
		return signed("GET", "/v1/customers", "", DefaultAccessKey, DefaultSecretKey, salt, itoa(ts))
	}
	cases := []struct {
		name string
		hdr  map[string]string
		code int
		want string
	}{
		{"no headers", map[string]string{}, 400, codeMissingAuth + ": " + msgMissingAuth},
		{"non-numeric timestamp", map[string]string{"access_key": "a", "salt": "s", "timestamp": "soon", "signature": "x"}, 400, codeMissingAuth + ": " + msgMissingAuth},
		{"unknown access key", map[string]string{"access_key": "rak_nope", "salt": "abcdefgh", "timestamp": itoa(now.Unix()), "signature": "x"}, 401, codeUnauthenticated + ": " + msgUnknownAccessKey},
		{"bad signature", map[string]string{"access_key": DefaultAccessKey, "salt": "abcdefgh", "timestamp": itoa(now.Unix()), "signature": "x"}, 401, codeUnauthenticated + ": " + msgBadSignature},
		{"stale by 61s", ok("salt0001", now.Unix()-61), 401, codeUnauthenticated + ": " + msgTimestampRange},
		{"future by 31s", ok("salt0002", now.Unix()+31), 401, codeUnauthenticated + ": " + msgTimestampRange},
		{"stale by 60s is fine", ok("salt0003", now.Unix()-60), 200, ": "},
		{"now-10 is fine", ok("salt0004", now.Unix()-10), 200, ": "},
		{"salt reused", ok("salt0004", now.Unix()-5), 401, codeUnauthenticated + ": " + msgSaltReused},
		{"salt with a space", ok("bad salt", now.Unix()), 401, codeUnauthenticated + ": " + msgSaltInvalid},
	}
	for _, c := range cases {
		code, m := send(p, "GET", "/v1/customers", "", c.hdr)
		if code != c.code || errorCode(m) != c.want {
			t.Errorf("%s: got %d %q, want %d %q", c.name, code, errorCode(m), c.code, c.want)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestUnknownRoutesAuthenticateFirst: an unknown route or method answers
// 401 UNAUTHORIZED_API_CALL only to an authenticated request; without the
// headers, or with a bad signature, the authentication error comes first.
func TestUnknownRoutesAuthenticateFirst(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	p := newTestProvider(t, DefaultConfig(), now)
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, rq := range [][2]string{{http.MethodGet, "/v1/nowhere"}, {http.MethodPut, "/v1/customers"}, {http.MethodPatch, "/v1/customers/cus_1"}} {
		if code, m := send(p, rq[0], rq[1], "", nil); code != http.StatusBadRequest || errorCode(m) != codeMissingAuth+": "+msgMissingAuth {
			t.Errorf("%s %s unsigned: %d %s", rq[0], rq[1], code, errorCode(m))
		}
		bad := signed(rq[0], rq[1], "", DefaultAccessKey, "not-the-secret", "salt1234", ts)
		if code, m := send(p, rq[0], rq[1], "", bad); code != http.StatusUnauthorized || errorCode(m) != codeUnauthenticated+": "+msgBadSignature {
			t.Errorf("%s %s badly signed: %d %s", rq[0], rq[1], code, errorCode(m))
		}
		good := signed(rq[0], rq[1], "", DefaultAccessKey, DefaultSecretKey, "salt5678", ts)
		if code, m := send(p, rq[0], rq[1], "", good); code != http.StatusUnauthorized || errorCode(m) != codeUnauthorizedAPICall+": " {
			t.Errorf("%s %s signed: %d %s", rq[0], rq[1], code, errorCode(m))
		}
	}
}
