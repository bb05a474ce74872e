package rapyd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

type vectors struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	Request   []struct {
		ID, Method, URLPath, Salt, Timestamp, Body, Signature string
	} `json:"request_vectors"`
	Negative []struct {
		ID             string `json:"id"`
		WrongSignature string `json:"wrong_signature"`
		MustNotEqual   string `json:"must_not_equal"`
	} `json:"negative_vectors"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("../../../fixtures/rapyd/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte(`"url_path"`), []byte(`"URLPath"`))
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Request) < 8 || len(v.Negative) < 4 {
		t.Fatalf("vectors not loaded: %d/%d", len(v.Request), len(v.Negative))
	}
	return v
}

func TestSignMatchesVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Request {
		if got := Sign(c.Method, c.URLPath, c.Salt, c.Timestamp, v.AccessKey, v.SecretKey, []byte(c.Body)); got != c.Signature {
			t.Errorf("%s: Sign = %s, want %s", c.ID, got, c.Signature)
		}
	}
	for _, n := range v.Negative {
		if n.WrongSignature == n.MustNotEqual {
			t.Errorf("%s: negative vector equals the right signature", n.ID)
		}
	}
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

func TestSignCommandGolden(t *testing.T) {
	var out, errOut bytes.Buffer
	code := runSign([]string{"--method", "post", "--path", "/v1/customers", "--body", `{"name":"O'Neil"}`,
		"--access-key", "rak_a", "--secret-key", "rsk_b", "--salt", "s4lt1234", "--timestamp", "1700000000", "--base-url", "http://localhost:8083/"},
		&out, &errOut, time.Now)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sig := Sign("post", "/v1/customers", "s4lt1234", "1700000000", "rak_a", "rsk_b", []byte(`{"name":"O'Neil"}`))
	want := "access_key: rak_a\nsalt: s4lt1234\ntimestamp: 1700000000\nsignature: " + sig + "\n\n" +
		"curl -X POST 'http://localhost:8083/v1/customers' -H 'Content-Type: application/json' -H 'access_key: rak_a' -H 'salt: s4lt1234' -H 'timestamp: 1700000000' -H 'signature: " + sig + "' --data-binary '{\"name\":\"O'\\''Neil\"}'\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
