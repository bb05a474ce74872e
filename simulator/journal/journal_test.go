package journal

import (
	"net/http"
	"testing"
	"time"
)

func TestRingKeepsTheLastNOldestFirst(t *testing.T) {
	r := NewRing(3)
	t0 := time.Unix(1000, 0)
	for i := 0; i < 5; i++ {
		r.Add(Entry{Time: t0.Add(time.Duration(i) * time.Second), Path: "/p", Status: 200 + i})
	}
	got := r.Find(Filter{})
	if len(got) != 3 || got[0].Status != 202 || got[2].Status != 204 {
		t.Fatalf("got %+v", got)
	}
	if n := len(r.Find(Filter{Status: 203})); n != 1 {
		t.Fatalf("status filter: %d", n)
	}
	if n := len(r.Find(Filter{Since: t0.Add(3 * time.Second)})); n != 2 {
		t.Fatalf("since filter: %d", n)
	}
	if n := len(r.Find(Filter{Until: t0.Add(2 * time.Second)})); n != 1 {
		t.Fatalf("until filter: %d", n)
	}
	r.Clear()
	if n := len(r.Find(Filter{})); n != 0 {
		t.Fatalf("after clear: %d", n)
	}
}

func TestFilterMethodAndPathPrefix(t *testing.T) {
	r := NewRing(10)
	r.Add(Entry{Method: "POST", Path: "/customers"})
	r.Add(Entry{Method: "GET", Path: "/customers/cus_1"})
	if n := len(r.Find(Filter{Method: "post"})); n != 1 {
		t.Fatalf("method: %d", n)
	}
	if n := len(r.Find(Filter{Path: "/customers"})); n != 1 {
		t.Fatalf("exact path: %d", n)
	}
	if n := len(r.Find(Filter{Path: "/customers*"})); n != 2 {
		t.Fatalf("prefix path: %d", n)
	}
}

func TestRedact(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"REB-APIKEY", "Authorization", "requestToken", "access_key", "signature", "salt"} {
		h.Set(k, "secret-value")
	}
	h.Set("Content-Type", "application/json")
	h.Set("timestamp", "1700000000")
	out := Redact(h)
	for k, vs := range out {
		if vs[0] == "secret-value" {
			t.Errorf("%s not redacted", k)
		}
	}
	if out["Content-Type"][0] != "application/json" || out["Timestamp"][0] != "1700000000" {
		t.Errorf("non-secret headers changed: %v", out)
	}
	if len(out) != 8 {
		t.Errorf("headers dropped: %v", out)
	}
}
