package rapyd

import (
	"net/http"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

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
