package store

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"
)

// table is one table's rows: a primary B-tree on (tenant, id) plus secondary
// B-trees on (tenant, email, id), (tenant, ext_key, id),
// (tenant, created_time, id) and (tenant, seq). Items are *Record values that
// are never mutated once in a tree: an update swaps in a new pointer. One
// RWMutex per table: reads share it, writes (typed or SQL) hold it alone, so
// a read-modify-write under the write lock is atomic.
type table struct {
	name string
	mu   sync.RWMutex
	seq  atomic.Int64

	primary *btree.BTreeG[*Record]
	email   *btree.BTreeG[*Record]
	extKey  *btree.BTreeG[*Record]
	created *btree.BTreeG[*Record]
	bySeq   *btree.BTreeG[*Record]
	names   *btree.BTreeG[nameEntry] // typed API only (GetBy "name")
	counts  map[string]int           // rows per tenant

	// analyzed is the row count at the last ANALYZE TABLE (statistics for
	// the engine's coster).
	analyzed atomic.Int64
}

const degree = 32

func lessPK(a, b *Record) bool {
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	return a.ID < b.ID
}

func lessEmail(a, b *Record) bool {
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	if a.Email != b.Email {
		return a.Email < b.Email
	}
	return a.ID < b.ID
}

func lessExt(a, b *Record) bool {
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	if a.ExtKey != b.ExtKey {
		return a.ExtKey < b.ExtKey
	}
	return a.ID < b.ID
}

func lessCreated(a, b *Record) bool {
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.ID < b.ID
}

func lessSeq(a, b *Record) bool {
	if a.Tenant != b.Tenant {
		return a.Tenant < b.Tenant
	}
	return a.Seq < b.Seq
}

// nameEntry is one row in the case-insensitive (tenant, first name, last
// name) index: key is foldKey(first) + "\x00" + foldKey(last).
type nameEntry struct {
	tenant, key string
	seq         int64
	r           *Record
}

func lessName(a, b nameEntry) bool {
	if a.tenant != b.tenant {
		return a.tenant < b.tenant
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.seq < b.seq
}

// foldKey maps strings that strings.EqualFold considers equal to one key
// (callers still confirm candidates with EqualFold).
func foldKey(s string) string { return strings.ToLower(strings.ToUpper(s)) }

func nameKey(first, last string) string { return foldKey(first) + "\x00" + foldKey(last) }

func nameEntryOf(r *Record) nameEntry {
	return nameEntry{tenant: r.Tenant, key: nameKey(r.FirstName, r.LastName), seq: r.Seq, r: r}
}

func newTable(name string) *table {
	t := &table{name: name}
	t.clear()
	return t
}

func (t *table) clear() {
	t.primary = btree.NewG(degree, lessPK)
	t.email = btree.NewG(degree, lessEmail)
	t.extKey = btree.NewG(degree, lessExt)
	t.created = btree.NewG(degree, lessCreated)
	t.bySeq = btree.NewG(degree, lessSeq)
	t.names = btree.NewG(degree, lessName)
	t.counts = map[string]int{}
}

// normalize makes a record safe to keep: UTC times with microsecond
// precision (DATETIME(6)), its own copy of Doc.
func normalize(r *Record) {
	r.Created = r.Created.UTC().Truncate(time.Microsecond)
	r.Updated = r.Updated.UTC().Truncate(time.Microsecond)
	r.Doc = append([]byte(nil), r.Doc...)
}

// get returns the stored pointer for (tenant, id); caller holds a lock.
func (t *table) get(tenant, id string) (*Record, bool) {
	return t.primary.Get(&Record{Tenant: tenant, ID: id})
}

// put inserts or replaces a row in every index; caller holds the write lock.
func (t *table) put(old, next *Record) {
	if old != nil {
		t.unindex(old)
	} else {
		t.counts[next.Tenant]++
	}
	t.primary.ReplaceOrInsert(next)
	t.email.ReplaceOrInsert(next)
	t.extKey.ReplaceOrInsert(next)
	t.created.ReplaceOrInsert(next)
	t.bySeq.ReplaceOrInsert(next)
	t.names.ReplaceOrInsert(nameEntryOf(next))
}

func (t *table) unindex(r *Record) {
	t.primary.Delete(r)
	t.email.Delete(r)
	t.extKey.Delete(r)
	t.created.Delete(r)
	t.bySeq.Delete(r)
	t.names.Delete(nameEntryOf(r))
}

// remove deletes a row; caller holds the write lock.
func (t *table) remove(r *Record) {
	t.unindex(r)
	if t.counts[r.Tenant]--; t.counts[r.Tenant] <= 0 {
		delete(t.counts, r.Tenant)
	}
}

// nextSeq returns a new, never reused sequence number.
func (t *table) nextSeq() int64 { return t.seq.Add(1) }

// observeSeq keeps the counter above a seq written through SQL.
func (t *table) observeSeq(s int64) {
	for {
		cur := t.seq.Load()
		if s <= cur || t.seq.CompareAndSwap(cur, s) {
			return
		}
	}
}

// getBy answers an exact lookup on a secondary column; caller holds a lock.
func (t *table) getBy(tenant, column string, value any) ([]Record, error) {
	var out []Record
	collect := func(r *Record) bool { out = append(out, *r); return true }
	switch column {
	case "email", "ext_key":
		s, ok := value.(string)
		if !ok {
			return nil, badQuery("GetBy %s wants a string value", column)
		}
		tree, pivot := t.email, &Record{Tenant: tenant, Email: s}
		match := func(r *Record) bool { return r.Tenant == tenant && r.Email == s }
		if column == "ext_key" {
			tree, pivot = t.extKey, &Record{Tenant: tenant, ExtKey: s}
			match = func(r *Record) bool { return r.Tenant == tenant && r.ExtKey == s }
		}
		tree.AscendGreaterOrEqual(pivot, func(r *Record) bool {
			return match(r) && collect(r)
		})
	case "seq":
		n, ok := value.(int64)
		if !ok {
			return nil, badQuery("GetBy seq wants an int64 value")
		}
		if r, found := t.bySeq.Get(&Record{Tenant: tenant, Seq: n}); found {
			out = append(out, *r)
		}
	case "name":
		v, ok := value.([2]string)
		if !ok {
			return nil, badQuery("GetBy name wants a [2]string{first, last} value")
		}
		key := nameKey(v[0], v[1])
		t.names.AscendGreaterOrEqual(nameEntry{tenant: tenant, key: key}, func(e nameEntry) bool {
			if e.tenant != tenant || e.key != key {
				return false
			}
			if strings.EqualFold(e.r.FirstName, v[0]) && strings.EqualFold(e.r.LastName, v[1]) {
				collect(e.r)
			}
			return true
		})
	default:
		return nil, badQuery("GetBy: column %q has no index (use email, ext_key, seq or name)", column)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// deleteTenant removes every row of a tenant; caller holds the write lock.
func (t *table) deleteTenant(tenant string) {
	var rows []*Record
	t.primary.AscendGreaterOrEqual(&Record{Tenant: tenant}, func(r *Record) bool {
		if r.Tenant != tenant {
			return false
		}
		rows = append(rows, r)
		return true
	})
	for _, r := range rows {
		t.remove(r)
	}
}

func (t *table) tenants() []string {
	out := make([]string, 0, len(t.counts))
	for k := range t.counts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func decimalID(seq int64) string { return strconv.FormatInt(seq, 10) }

func badQuery(format string, args ...any) error {
	return &queryError{msg: fmt.Sprintf(format, args...)}
}

type queryError struct{ msg string }

func (e *queryError) Error() string { return "store: bad query: " + e.msg }
func (e *queryError) Unwrap() error { return ErrBadQuery }
