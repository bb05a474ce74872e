package bounded

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var t0 = time.Unix(1_700_000_000, 0)

func keys[V any](t *Table[V]) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for e := t.head; e != nil; e = e.next {
		out = append(out, e.key)
	}
	return out
}

func TestEntryBoundEvictsOldestFirst(t *testing.T) {
	tb := New[int](Options{Name: "t", MaxEntries: 3})
	for i := 0; i < 5; i++ {
		if !tb.Put("k"+strconv.Itoa(i), "", i, 8, t0.Add(time.Hour), t0) {
			t.Fatalf("put %d refused", i)
		}
	}
	if got := strings.Join(keys(tb), ","); got != "k2,k3,k4" {
		t.Fatalf("held %s, want k2,k3,k4", got)
	}
	if _, ok := tb.Get("k0", t0); ok {
		t.Fatal("k0 was evicted")
	}
	if v, ok := tb.Get("k4", t0); !ok || v != 4 {
		t.Fatalf("k4 = %d %v", v, ok)
	}
	if s := tb.Stats(); s.Evictions != 2 || s.Entries != 3 {
		t.Fatalf("stats %+v", s)
	}
}

func TestByteBoundAndRefusal(t *testing.T) {
	per := Cost("k0", "s", 100)
	tb := New[string](Options{Name: "t", MaxBytes: 3 * per, MaxEntryBytes: 2 * per})
	for i := 0; i < 4; i++ {
		tb.Put("k"+strconv.Itoa(i), "s", "v", 100, t0.Add(time.Hour), t0)
	}
	s := tb.Stats()
	if s.Entries != 3 || s.Bytes != 3*per || s.Evictions != 1 {
		t.Fatalf("stats %+v (per entry %d)", s, per)
	}
	// One entry bigger than MaxEntryBytes is not stored, and replaces
	// nothing else.
	if tb.Put("big", "s", "v", 2*per, t0.Add(time.Hour), t0) {
		t.Fatal("an entry over MaxEntryBytes was stored")
	}
	if s := tb.Stats(); s.Refused != 1 || s.Entries != 3 {
		t.Fatalf("stats after refusal %+v", s)
	}
	// A large (allowed) entry evicts as many old ones as needed.
	if !tb.Put("wide", "s", "v", per, t0.Add(time.Hour), t0) {
		t.Fatal("refused")
	}
	if got := strings.Join(keys(tb), ","); got != "k3,wide" {
		t.Fatalf("held %s", got)
	}
	if s := tb.Stats(); s.Bytes > s.MaxBytes {
		t.Fatalf("bytes %d over bound %d", s.Bytes, s.MaxBytes)
	}
}

func TestExpiry(t *testing.T) {
	tb := New[int](Options{Name: "t"})
	tb.Put("a", "", 1, 0, t0.Add(time.Minute), t0)
	tb.Put("b", "", 2, 0, t0.Add(2*time.Minute), t0)
	if _, ok := tb.Get("a", t0.Add(time.Minute-time.Nanosecond)); !ok {
		t.Fatal("a is live before its expiry")
	}
	if _, ok := tb.Get("a", t0.Add(time.Minute)); ok {
		t.Fatal("a expired at its expiry")
	}
	// Any operation drops the expired front entries.
	tb.Put("c", "", 3, 0, t0.Add(time.Hour), t0.Add(2*time.Minute))
	if got := strings.Join(keys(tb), ","); got != "c" {
		t.Fatalf("held %s", got)
	}
	if s := tb.Stats(); s.Expired != 2 || s.Evictions != 0 {
		t.Fatalf("stats %+v", s)
	}
	// An expired entry behind a live one (clock ran backwards) is never
	// returned.
	tb.Put("late", "", 4, 0, t0.Add(10*time.Hour), t0)
	tb.Put("early", "", 5, 0, t0.Add(time.Minute), t0)
	if _, ok := tb.Get("early", t0.Add(5*time.Minute)); ok {
		t.Fatal("expired entry returned")
	}
}

func TestGetOrPut(t *testing.T) {
	tb := New[string](Options{Name: "t"})
	if v, loaded := tb.GetOrPut("k", "s", "first", 5, t0.Add(time.Minute), t0); loaded || v != "first" {
		t.Fatalf("%q %v", v, loaded)
	}
	if v, loaded := tb.GetOrPut("k", "s", "second", 6, t0.Add(time.Minute), t0); !loaded || v != "first" {
		t.Fatalf("%q %v", v, loaded)
	}
	if v, loaded := tb.GetOrPut("k", "s", "third", 5, t0.Add(2*time.Minute), t0.Add(time.Minute)); loaded || v != "third" {
		t.Fatalf("after expiry: %q %v", v, loaded)
	}
	if s := tb.Stats(); s.Entries != 1 || s.Bytes != Cost("k", "s", 5) {
		t.Fatalf("stats %+v", s)
	}
}

func TestScopes(t *testing.T) {
	tb := New[int](Options{Name: "t"})
	for i := 0; i < 6; i++ {
		tb.Put("k"+strconv.Itoa(i), "tenant"+strconv.Itoa(i%2), i, 0, t0.Add(time.Hour), t0)
	}
	if n := tb.ClearScope("tenant1"); n != 3 {
		t.Fatalf("cleared %d", n)
	}
	if got := strings.Join(keys(tb), ","); got != "k0,k2,k4" {
		t.Fatalf("held %s", got)
	}
	tb.Delete("k2")
	if got := strings.Join(keys(tb), ","); got != "k0,k4" {
		t.Fatalf("held %s", got)
	}
	if n := tb.Clear(); n != 2 {
		t.Fatalf("cleared %d", n)
	}
	if s := tb.Stats(); s.Entries != 0 || s.Bytes != 0 || s.Cleared != 6 {
		t.Fatalf("stats %+v", s)
	}
	tb.Put("again", "", 1, 0, t0.Add(time.Hour), t0)
	if _, ok := tb.Get("again", t0); !ok {
		t.Fatal("table unusable after Clear")
	}
}

func TestReplaceKeepsAccounting(t *testing.T) {
	tb := New[int](Options{Name: "t", MaxEntries: 2})
	tb.Put("a", "", 1, 10, t0.Add(time.Hour), t0)
	tb.Put("b", "", 2, 10, t0.Add(time.Hour), t0)
	tb.Put("a", "", 3, 20, t0.Add(time.Hour), t0) // a moves to the back
	tb.Put("c", "", 4, 10, t0.Add(time.Hour), t0) // evicts b, the oldest
	if got := strings.Join(keys(tb), ","); got != "a,c" {
		t.Fatalf("held %s", got)
	}
	if s := tb.Stats(); s.Bytes != Cost("a", "", 20)+Cost("c", "", 10) {
		t.Fatalf("bytes %d", s.Bytes)
	}
}

func TestConcurrent(t *testing.T) {
	tb := New[int](Options{Name: "t", MaxEntries: 50})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint(g, "-", i%100)
				now := t0.Add(time.Duration(i) * time.Millisecond)
				switch i % 5 {
				case 0:
					tb.Put(k, strconv.Itoa(g), i, 8, now.Add(50*time.Millisecond), now)
				case 1:
					tb.GetOrPut(k, strconv.Itoa(g), i, 8, now.Add(50*time.Millisecond), now)
				case 2:
					tb.Get(k, now)
				case 3:
					if i%500 == 3 {
						tb.ClearScope(strconv.Itoa(g))
					}
				default:
					tb.Delete(k)
				}
			}
		}(g)
	}
	wg.Wait()
	s := tb.Stats()
	if s.Entries > 50 {
		t.Fatalf("bound exceeded: %+v", s)
	}
	var sum int64
	tb.mu.Lock()
	n := 0
	for e := tb.head; e != nil; e = e.next {
		sum += e.cost
		n++
	}
	tb.mu.Unlock()
	if sum != s.Bytes || n != s.Entries {
		t.Fatalf("list (%d entries, %d bytes) and accounting (%+v) disagree", n, sum, s)
	}
}

func TestRegistryMetrics(t *testing.T) {
	reg := NewRegistry()
	a := New[int](Options{Name: "a_table", MaxEntries: 1, Registry: reg})
	New[int](Options{Name: "b_table", Registry: reg})
	a.Put("x", "", 1, 0, t0.Add(time.Hour), t0)
	a.Put("y", "", 1, 0, t0.Add(time.Hour), t0)
	pr := prometheus.NewRegistry()
	pr.MustRegister(reg)
	fams, err := pr.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			got[f.GetName()+"/"+m.GetLabel()[0].GetValue()] = v
		}
	}
	want := map[string]float64{
		"paysandbox_side_table_evictions_total/a_table": 1, "paysandbox_side_table_evictions_total/b_table": 0,
		"paysandbox_side_table_entries/a_table": 1, "paysandbox_side_table_entries/b_table": 0,
		"paysandbox_side_table_bytes/a_table": float64(Cost("y", "", 0)), "paysandbox_side_table_bytes/b_table": 0,
		"paysandbox_side_table_expired_total/a_table": 0, "paysandbox_side_table_expired_total/b_table": 0,
		"paysandbox_side_table_refused_total/a_table": 0, "paysandbox_side_table_refused_total/b_table": 0,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("metrics\n got %v\nwant %v", got, want)
	}
}

// BenchmarkPutGet: a salt-like workload — every request stores a new key
// with a constant TTL and looks one up — on a table held at its entry bound.
func BenchmarkPutGet(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			tb := New[struct{}](Options{Name: "bench", MaxEntries: size, MaxBytes: 1 << 40})
			now := t0
			for i := 0; i < size; i++ {
				tb.Put("warm"+strconv.Itoa(i), "s", struct{}{}, 0, now.Add(time.Hour), now)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := "key" + strconv.Itoa(i)
				tb.GetOrPut(k, "s", struct{}{}, 0, now.Add(time.Hour), now)
				tb.Get(k, now)
			}
		})
	}
}
