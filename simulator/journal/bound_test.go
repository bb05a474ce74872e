package journal

import (
	"net/http"
	"strings"
	"testing"
)

func TestRedactEverySecretLookingHeaderAndConfiguredOnes(t *testing.T) {
	j := NewWith(Options{Size: 10, RedactHeaders: []string{"x-tenant-pin", " X-Other "}})
	h := http.Header{}
	secret := []string{"secret_key", "X-Api-Key", "Reb-Apikey", "Authorization", "Proxy-Authorization", "requestToken",
		"access_key", "signature", "salt", "Cookie", "Set-Cookie", "X-Session-Id", "X-Client-Secret", "X-Password",
		"X-Passwd", "X-Credentials", "X-Card-Number", "X-Jwt-Assertion", "X-Tenant-Pin", "x-other"}
	for _, k := range secret {
		h[k] = []string{"secret-value"}
	}
	clear := map[string]string{"Content-Type": "application/json", "Timestamp": "1700000000",
		"Idempotency": "idem-1", "Idempotencykey": "idem-2", "Idempotency-Key": "idem-3", "X-Request-Id": "rid", "User-Agent": "app/1"}
	for k, v := range clear {
		h[k] = []string{v}
	}
	r := j.Ring("rapyd")
	r.Add(Entry{Headers: h})
	got := r.Find(Filter{})[0].Headers
	for _, k := range secret {
		if vs := got[k]; len(vs) != 1 || vs[0] != Redacted {
			t.Errorf("%s: %v, want [%s]", k, vs, Redacted)
		}
	}
	for k, v := range clear {
		if vs := got[k]; len(vs) != 1 || vs[0] != v {
			t.Errorf("%s: %v, want it in clear", k, vs)
		}
	}
	if len(got) != len(secret)+len(clear) {
		t.Errorf("headers dropped: %v", got)
	}
	if h["Secret_key"] != nil || h["secret_key"][0] != "secret-value" {
		t.Errorf("the request's headers changed: %v", h)
	}
}

func TestAddMasksBodyAndQuery(t *testing.T) {
	r := NewRing(4)
	r.Add(Entry{Query: "card=4111111111111111&cvv=123", Body: `{"number":4111111111111111,"cvv":"123"}`})
	e := r.Find(Filter{})[0]
	if e.Query != "card=411111******1111&cvv=***" || e.Body != `{"number":"411111******1111","cvv":"***"}` {
		t.Fatalf("got query %q body %q", e.Query, e.Body)
	}
}

func bigEntry(i, header int) Entry {
	return Entry{Method: "POST", Path: "/v1/customers", RequestID: strings.Repeat("a", 32), Status: 200 + i,
		Headers: map[string][]string{"X-Big": {strings.Repeat("h", header)}, "Content-Type": {"application/json"}},
		Body:    `{"name":"n"}`}
}

func TestByteBoundEvictsOldestFirstAndCountsEvictions(t *testing.T) {
	evicted := map[string]int{}
	j := NewWith(Options{Size: 1000, MaxBytes: 10_000, OnEvict: func(p, reason string, n int) { evicted[p+"/"+reason] += n }})
	r := j.Ring("rapyd")
	one := Size(bigEntry(0, 1000))
	for i := 0; i < 100; i++ {
		r.Add(bigEntry(i, 1000))
		if r.Bytes() > 10_000 {
			t.Fatalf("after %d adds: %d bytes", i+1, r.Bytes())
		}
	}
	kept := r.Find(Filter{})
	want := int(10_000 / one)
	if len(kept) != want || kept[len(kept)-1].Status != 299 || kept[0].Status != 300-want {
		t.Fatalf("kept %d entries (want %d, the newest), first status %d", len(kept), want, kept[0].Status)
	}
	if evicted["rapyd/bytes"] != 100-want || evicted["rapyd/entries"] != 0 {
		t.Fatalf("evictions %v, want %d by bytes", evicted, 100-want)
	}
	r.Clear()
	if r.Bytes() != 0 || len(r.Find(Filter{})) != 0 {
		t.Fatal("clear")
	}
	// The entry bound counts as its own reason.
	small := NewWith(Options{Size: 2, OnEvict: func(p, reason string, n int) { evicted[p+"/"+reason] += n }}).Ring("payabli")
	for i := 0; i < 5; i++ {
		small.Add(Entry{Status: i})
	}
	if evicted["payabli/entries"] != 3 {
		t.Fatalf("entry-bound evictions %v", evicted)
	}
}

func TestAnEntryOverTheBoundIsCutNotDropped(t *testing.T) {
	r := NewWith(Options{Size: 10, MaxBytes: 4096}).Ring("rebilly")
	r.Add(bigEntry(0, 100))
	big := bigEntry(1, 62_000)
	big.Body = `{"number":"41111111111111111111111` + strings.Repeat("1", 9000) + `"}`
	r.Add(big)
	got := r.Find(Filter{})
	if len(got) != 1 || got[0].Status != 201 {
		t.Fatalf("want only the big entry, got %d", len(got))
	}
	e := got[0]
	if !e.Truncated || Size(e) > 4096 || r.Bytes() > 4096 {
		t.Fatalf("truncated %v, size %d, ring %d", e.Truncated, Size(e), r.Bytes())
	}
	if len(e.Headers["X-Big"][0]) == 0 || len(e.Headers["X-Big"][0]) >= 62_000 || e.Headers["Content-Type"][0] != "application/json" {
		t.Fatalf("headers %v", len(e.Headers["X-Big"][0]))
	}
	if len(big.Headers["X-Big"][0]) != 62_000 {
		t.Fatal("the request's header value changed")
	}
	if e.Path != "/v1/customers" || e.Method != "POST" {
		t.Fatalf("short fields cut: %q %q", e.Method, e.Path)
	}
	// the cut left the start of a long digit run: only 6 digits stay
	if !strings.HasPrefix(e.Body, `{"number":"411111***`) || strings.Trim(e.Body[len(`{"number":"411111`):], "*") != "" {
		t.Fatalf("body %q", e.Body)
	}
	if err := checkNoCard(e.Body, true); err != nil {
		t.Fatal(err)
	}
	// A bound below an entry's fixed size still keeps one (minimal) entry.
	tiny := NewWith(Options{Size: 10, MaxBytes: 10}).Ring("rapyd")
	tiny.Add(bigEntry(0, 1000))
	tiny.Add(bigEntry(1, 1000))
	if got := tiny.Find(Filter{}); len(got) != 1 || got[0].Status != 201 || got[0].Body != "" || len(got[0].Headers) != 0 {
		t.Fatalf("tiny bound: %+v", got)
	}
}

func BenchmarkAdd(b *testing.B) {
	r := NewWith(Options{Size: 1000, MaxBytes: DefaultMaxBytes}).Ring("rapyd")
	h := http.Header{"Content-Type": {"application/json"}, "Access_key": {"ak"}, "Salt": {"s"}, "Timestamp": {"1"},
		"Signature": {"sig"}, "User-Agent": {"Go-http-client/1.1"}, "Content-Length": {"275"}, "Accept-Encoding": {"gzip"}}
	b.ReportAllocs()
	for b.Loop() {
		r.Add(Entry{Method: "POST", Path: "/v1/customers", Headers: h, Body: benchRapydBody})
	}
}
