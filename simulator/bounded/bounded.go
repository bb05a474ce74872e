// Package bounded is the side table of provider state that is not a store
// row — rate-limit windows, idempotency keys and replays, signature salts: a
// string-keyed map bounded in entries and in bytes, the oldest entry evicted
// first, every entry with its own expiry, and a scope (the store tenant the
// entry belongs to) so that POST /reset can empty exactly the state it resets.
//
// Entries are kept in one list in insertion order. Every table of the
// simulator gives its entries a constant time to live, so that list is also
// the expiry order and expiry costs O(1) amortised: each operation first drops
// the expired entries at the list's front. (Should the clock run backwards an
// entry may sit behind a younger one; it is still never returned once
// expired, and the bounds still hold.) ClearScope walks the table; it is an
// admin operation.
//
// A Table is safe for concurrent use. A Registry collects a server's tables
// and exports their sizes and evictions as Prometheus metrics.
package bounded

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// EntryOverhead is what one entry is charged on top of its key, its scope
// and the size the caller states for its value: the list node and the map
// slot, roughly.
const EntryOverhead = 96

// Defaults used when Options leave a bound unset.
const (
	DefaultMaxEntries = 100_000
	DefaultMaxBytes   = 32 << 20
)

// Options configure a Table.
type Options struct {
	// Name labels the table's metrics ("rapyd_idempotency").
	Name string
	// MaxEntries and MaxBytes bound the table; <= 0 takes the defaults.
	MaxEntries int
	MaxBytes   int64
	// MaxEntryBytes refuses (does not store) a single entry charged more
	// than this; <= 0 means MaxBytes.
	MaxEntryBytes int64
	// Registry, when set, exports the table's statistics.
	Registry *Registry
}

// Stats describe a table at one moment.
type Stats struct {
	Name       string
	Entries    int
	Bytes      int64
	MaxEntries int
	MaxBytes   int64
	// Evictions counts live entries dropped to respect a bound (oldest
	// first); Expired counts entries dropped after their expiry; Refused
	// counts entries not stored because they alone exceed MaxEntryBytes;
	// Cleared counts entries removed by Delete, ClearScope and Clear.
	Evictions, Expired, Refused, Cleared uint64
}

type entry[V any] struct {
	key, scope string
	val        V
	cost       int64
	expires    time.Time
	prev, next *entry[V]
}

// Table is a bounded map from string keys to V.
type Table[V any] struct {
	opts Options

	mu    sync.Mutex
	m     map[string]*entry[V]
	head  *entry[V] // oldest
	tail  *entry[V] // newest
	bytes int64
	st    Stats
}

// New returns an empty table.
func New[V any](o Options) *Table[V] {
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxEntryBytes <= 0 || o.MaxEntryBytes > o.MaxBytes {
		o.MaxEntryBytes = o.MaxBytes
	}
	t := &Table[V]{opts: o, m: map[string]*entry[V]{}}
	t.st.Name, t.st.MaxEntries, t.st.MaxBytes = o.Name, o.MaxEntries, o.MaxBytes
	if o.Registry != nil {
		o.Registry.add(t)
	}
	return t
}

// Cost is what an entry with this key, scope and value size is charged.
func Cost(key, scope string, size int64) int64 {
	return int64(len(key)+len(scope)) + size + EntryOverhead
}

// Get returns the live entry under key.
func (t *Table[V]) Get(key string, now time.Time) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
	if e := t.live(key, now); e != nil {
		return e.val, true
	}
	var zero V
	return zero, false
}

// Put stores v under key until expires, replacing any entry under key, and
// evicts the oldest entries while a bound is exceeded. size is the caller's
// estimate of v's bytes. It reports false, storing nothing (and removing a
// previous entry under key), when the entry alone exceeds MaxEntryBytes.
func (t *Table[V]) Put(key, scope string, v V, size int64, expires, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
	if e := t.m[key]; e != nil {
		t.unlink(e)
	}
	return t.insert(key, scope, v, size, expires)
}

// GetOrPut returns the live entry under key (loaded true), or stores v as
// Put does and returns it (loaded false). The two steps are one atomic
// operation.
func (t *Table[V]) GetOrPut(key, scope string, v V, size int64, expires, now time.Time) (actual V, loaded bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.expire(now)
	if e := t.live(key, now); e != nil {
		return e.val, true
	}
	if e := t.m[key]; e != nil {
		t.unlink(e)
	}
	t.insert(key, scope, v, size, expires)
	return v, false
}

// Delete removes the entry under key.
func (t *Table[V]) Delete(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.m[key]; e != nil {
		t.unlink(e)
		t.st.Cleared++
	}
}

// ClearScope removes every entry of scope and returns how many there were.
func (t *Table[V]) ClearScope(scope string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for e := t.head; e != nil; {
		next := e.next
		if e.scope == scope {
			t.unlink(e)
			n++
		}
		e = next
	}
	t.st.Cleared += uint64(n)
	return n
}

// Clear removes every entry and returns how many there were.
func (t *Table[V]) Clear() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.m)
	t.m = map[string]*entry[V]{}
	t.head, t.tail, t.bytes = nil, nil, 0
	t.st.Cleared += uint64(n)
	return n
}

// Len is the number of entries held (expired ones not yet dropped included).
func (t *Table[V]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}

// Stats returns the table's statistics.
func (t *Table[V]) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.st
	s.Entries, s.Bytes = len(t.m), t.bytes
	return s
}

// live returns the entry under key unless it expired (then it is dropped).
func (t *Table[V]) live(key string, now time.Time) *entry[V] {
	e := t.m[key]
	if e == nil {
		return nil
	}
	if !now.Before(e.expires) {
		t.unlink(e)
		t.st.Expired++
		return nil
	}
	return e
}

// expire drops expired entries from the front (oldest first).
func (t *Table[V]) expire(now time.Time) {
	for e := t.head; e != nil && !now.Before(e.expires); e = t.head {
		t.unlink(e)
		t.st.Expired++
	}
}

func (t *Table[V]) insert(key, scope string, v V, size int64, expires time.Time) bool {
	cost := Cost(key, scope, size)
	if cost > t.opts.MaxEntryBytes {
		t.st.Refused++
		return false
	}
	e := &entry[V]{key: key, scope: scope, val: v, cost: cost, expires: expires, prev: t.tail}
	if t.tail != nil {
		t.tail.next = e
	} else {
		t.head = e
	}
	t.tail = e
	t.m[key] = e
	t.bytes += cost
	for len(t.m) > t.opts.MaxEntries || t.bytes > t.opts.MaxBytes {
		t.unlink(t.head)
		t.st.Evictions++
	}
	return true
}

func (t *Table[V]) unlink(e *entry[V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		t.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		t.tail = e.prev
	}
	e.prev, e.next = nil, nil
	delete(t.m, e.key)
	t.bytes -= e.cost
}

// Registry collects the tables of one server. It is a prometheus.Collector:
// paysandbox_side_table_evictions_total, _expired_total and _refused_total
// (counters) and paysandbox_side_table_entries and _bytes (gauges), each
// labelled by table name.
type Registry struct {
	mu     sync.Mutex
	tables []interface{ Stats() Stats }
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

func (r *Registry) add(t interface{ Stats() Stats }) {
	r.mu.Lock()
	r.tables = append(r.tables, t)
	r.mu.Unlock()
}

// Stats returns every table's statistics, by name.
func (r *Registry) Stats() []Stats {
	r.mu.Lock()
	tables := append([]interface{ Stats() Stats }(nil), r.tables...)
	r.mu.Unlock()
	out := make([]Stats, 0, len(tables))
	for _, t := range tables {
		out = append(out, t.Stats())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var (
	descEvictions = prometheus.NewDesc("paysandbox_side_table_evictions_total",
		"Live side-table entries (rate windows, idempotency keys, salts) evicted, oldest first, to respect the table's entry or byte bound.", []string{"table"}, nil)
	descExpired = prometheus.NewDesc("paysandbox_side_table_expired_total",
		"Side-table entries dropped after their expiry.", []string{"table"}, nil)
	descRefused = prometheus.NewDesc("paysandbox_side_table_refused_total",
		"Side-table entries not stored because they alone exceed the table's per-entry byte bound.", []string{"table"}, nil)
	descEntries = prometheus.NewDesc("paysandbox_side_table_entries",
		"Entries held in a side table.", []string{"table"}, nil)
	descBytes = prometheus.NewDesc("paysandbox_side_table_bytes",
		"Bytes charged to a side table (keys, scopes, values and a fixed per-entry overhead).", []string{"table"}, nil)
)

// Describe implements prometheus.Collector.
func (r *Registry) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEvictions, descExpired, descRefused, descEntries, descBytes} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (r *Registry) Collect(ch chan<- prometheus.Metric) {
	for _, s := range r.Stats() {
		ch <- prometheus.MustNewConstMetric(descEvictions, prometheus.CounterValue, float64(s.Evictions), s.Name)
		ch <- prometheus.MustNewConstMetric(descExpired, prometheus.CounterValue, float64(s.Expired), s.Name)
		ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(s.Refused), s.Name)
		ch <- prometheus.MustNewConstMetric(descEntries, prometheus.GaugeValue, float64(s.Entries), s.Name)
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.GaugeValue, float64(s.Bytes), s.Name)
	}
}
