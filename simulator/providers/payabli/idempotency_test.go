package payabli

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestIdempotencyWindow(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	p := newTestProvider(t, clock)
	send := func(email string) int {
		return post(p, "/api/Customer/single/e1", `{"email":"`+email+`"}`, "idempotencyKey", "k1").Code
	}
	if c := send("a@b.co"); c != 200 {
		t.Fatalf("first: %d", c)
	}
	advance(IdempotencyWindow - time.Second)
	if c := send("c@d.co"); c != http.StatusConflict {
		t.Fatalf("within window: %d", c)
	}
	advance(time.Second)
	if c := send("e@f.co"); c != 200 {
		t.Fatalf("after window: %d", c)
	}
	// Another tenant may use the same key.
	w := post(p, "/api/Customer/single/e1", `{"email":"x@y.co"}`, "idempotencyKey", "k1", "requestToken", "t2")
	if w.Code != 200 {
		t.Fatalf("other tenant: %d", w.Code)
	}
}
