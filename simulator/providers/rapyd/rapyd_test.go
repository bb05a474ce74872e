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

func TestIdempotentReplayWindow(t *testing.T) {
	st, err := store.Open(store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	cfg := DefaultConfig()
	cfg.IdempotentPosts = true
	p, err := New(cfg, provider.Deps{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	create := func(salt, body string) string {
		t.Helper()
		hdr := signed("POST", "/v1/customers", body, DefaultAccessKey, DefaultSecretKey, salt, itoa(now.Unix()))
		hdr["idempotency"] = "1700000000000"
		code, m := send(p, "POST", "/v1/customers", body, hdr)
		if code != http.StatusOK {
			t.Fatalf("create: %d %s", code, errorCode(m))
		}
		return m["data"].(map[string]any)["id"].(string)
	}
	first := create("salt0001", `{"name":"A"}`)
	now = now.Add(24*time.Hour - time.Second)
	if got := create("salt0002", `{"name":"A"}`); got != first {
		t.Fatalf("within 24 h the first response is replayed: %s != %s", got, first)
	}
	// The same key with another body is refused, not answered with the
	// first request's response.
	hdr := signed("POST", "/v1/customers", `{"name":"B"}`, DefaultAccessKey, DefaultSecretKey, "salt0009", itoa(now.Unix()))
	hdr["idempotency"] = "1700000000000"
	if code, m := send(p, "POST", "/v1/customers", `{"name":"B"}`, hdr); code != http.StatusBadRequest || errorCode(m) != codeIdempotencyReused+": "+msgIdempotency {
		t.Fatalf("reuse with another body: %d %s", code, errorCode(m))
	}
	now = now.Add(2 * time.Second)
	if got := create("salt0003", `{"name":"C"}`); got == first {
		t.Fatal("after the window the key creates again")
	}
	// Without the option, a repeated key creates a new customer.
	q := newTestProvider(t, DefaultConfig(), now)
	var ids []string
	for _, salt := range []string{"salt0004", "salt0005"} {
		hdr := signed("POST", "/v1/customers", `{"name":"X"}`, DefaultAccessKey, DefaultSecretKey, salt, itoa(now.Unix()))
		hdr["idempotency"] = "k"
		_, m := send(q, "POST", "/v1/customers", `{"name":"X"}`, hdr)
		ids = append(ids, m["data"].(map[string]any)["id"].(string))
	}
	if ids[0] == ids[1] {
		t.Fatal("customer creates must not be replayed by default")
	}
}

func TestApplyValidation(t *testing.T) {
	cases := []struct {
		body   string
		create bool
		code   string // "" = accepted
	}{
		{`{"name":"A"}`, true, ""},
		{``, true, codeInvalidName},
		{`{}`, true, codeInvalidName},
		{`{"name":""}`, true, codeInvalidName},
		{`{"name":null}`, true, codeInvalidName},
		{`{"name":1}`, true, codeInvalidName},
		{`{"name":"A","email":"a@b.co"}`, true, ""},
		{`{"name":"A","email":"Ann <a@b.co>"}`, true, codeInvalidEmail},
		{`{"name":"A","email":"` + strings.Repeat("a", 510) + `@b.co"}`, true, codeInvalidEmail},
		{`{"name":"A","phone_number":"+14155559993"}`, true, ""},
		{`{"name":"A","phone_number":"4155559993"}`, true, codeInvalidPhone},
		{`{"name":"A","phone_number":"+0123"}`, true, codeInvalidPhone},
		{`{"name":"A","metadata":"x"}`, true, codeDataMissing},
		{`{"name":"A","addresses":[1]}`, true, codeDataMissing},
		{`{"name":"A","description":5}`, true, codeDataMissing},
		{`{"name":"A","unknown":{"x":1}}`, true, ""},
		{`[]`, true, codeDataMissing},
		{`{"name":"A"`, true, codeDataMissing},
		{"{\"name\":\"\xff\"}", true, codeDataMissing},
		{``, false, ""},
		{`{"email":""}`, false, ""},
		{`{"name":""}`, false, ""},
	}
	for _, c := range cases {
		cust := newCustomer(1)
		err := cust.apply([]byte(c.body), c.create)
		got := ""
		if err != nil {
			got = err.code
		}
		if got != c.code {
			t.Errorf("apply(%q, create=%v) = %q, want %q", c.body, c.create, got, c.code)
		}
	}
}

func TestSignCommandBodyFileAndEnvKeys(t *testing.T) {
	file := t.TempDir() + "/body.json"
	body := `{"name":"Zoë </>&"}`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAYSANDBOX_RAPYD_KEYS", "rak_env=rsk_env,rak_2=rsk_2")
	var out, errOut bytes.Buffer
	fixed := func() time.Time { return time.Unix(1_700_000_123, 0) }
	if code := runSign([]string{"--method", "POST", "--path", "/v1/customers", "--body", "@" + file, "--salt", "abcdefgh"}, &out, &errOut, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sig := Sign("post", "/v1/customers", "abcdefgh", "1700000123", "rak_env", "rsk_env", []byte(body))
	for _, want := range []string{"access_key: rak_env\n", "timestamp: 1700000123\n", "signature: " + sig + "\n", "--data-binary '" + body + "'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := runSign([]string{"--body", "@/nonexistent/x"}, &out, &errOut, fixed); code != 1 {
		t.Errorf("missing body file: exit %d, want 1", code)
	}
	if code := runSign([]string{"--bogus"}, &out, &errOut, fixed); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}
