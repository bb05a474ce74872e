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

	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

// table is one table's rows. Every row lives in a slot: rows maps (tenant,
// id) to it for point operations, and B-trees order the slots on (tenant,
// id), (tenant, email, id), (tenant, ext_key, id), (tenant, created_time, id),
// (tenant, seq) and, for the typed API, the folded (tenant, first, last
// name). A slot holds the row's current *Record, which is never mutated once
// stored: an update swaps in a new pointer, and a tree is touched only when
// the columns it orders on changed. Readers copy s.r under the read lock and
// keep a consistent snapshot. One RWMutex per table: reads share it, writes
// (typed or SQL) hold it alone.
type table struct {
	name string
	mu   sync.RWMutex
	seq  atomic.Int64

	rows    map[pk]*slot
	primary *btree.BTreeG[*slot]
	email   *btree.BTreeG[*slot]
	extKey  *btree.BTreeG[*slot]
	created *btree.BTreeG[*slot]
	bySeq   *btree.BTreeG[*slot]
	names   *btree.BTreeG[nameEntry] // typed API only (GetBy "name")
	counts  map[string]int           // rows per tenant
	// interned holds each stored tenant's name once (see intern).
	interned map[string]string

	// analyzed is the row count at the last ANALYZE TABLE (statistics for
	// the engine's coster).
	analyzed atomic.Int64

	// version counts the table's changes (every put, remove and clear);
	// written under the write lock, read under either lock. A List whose
	// reads all saw one version read one snapshot.
	version uint64

	// uniqueEmail and uniqueExt: the column is a unique key of the tenant
	// when non-empty (UniqueColumns).
	uniqueEmail, uniqueExt bool
}

// pk is a row's primary key.
type pk struct{ tenant, id string }

// slot is a row's place in the indexes; r is its current version.
type slot struct{ r *Record }

// probe wraps a pivot record for a tree search.
func probe(r *Record) *slot { return &slot{r: r} }

const degree = 32

// lessKey orders rows by tenant, then a column's value (kx, ky), then id.
func lessKey(x, y *Record, kx, ky string) bool {
	if x.Tenant != y.Tenant {
		return x.Tenant < y.Tenant
	}
	if kx != ky {
		return kx < ky
	}
	return x.ID < y.ID
}

func lessPK(a, b *slot) bool    { return lessKey(a.r, b.r, "", "") }
func lessEmail(a, b *slot) bool { return lessKey(a.r, b.r, a.r.Email, b.r.Email) }
func lessExt(a, b *slot) bool   { return lessKey(a.r, b.r, a.r.ExtKey, b.r.ExtKey) }

func lessCreated(a, b *slot) bool {
	x, y := a.r, b.r
	if x.Tenant != y.Tenant {
		return x.Tenant < y.Tenant
	}
	if !x.Created.Equal(y.Created) {
		return x.Created.Before(y.Created)
	}
	return x.ID < y.ID
}

func lessSeq(a, b *slot) bool {
	x, y := a.r, b.r
	if x.Tenant != y.Tenant {
		return x.Tenant < y.Tenant
	}
	return x.Seq < y.Seq
}

// nameEntry is one row in the case-insensitive (tenant, first name, last
// name) index: key is foldKey(first) + "\x00" + foldKey(last).
type nameEntry struct {
	tenant, key string
	seq         int64
	s           *slot
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

func nameEntryOf(s *slot) nameEntry {
	r := s.r
	// tenant and key share one allocation, not the record's: an entry
	// outlives the versions of its row that do not rename it.
	both := r.Tenant + nameKey(r.FirstName, r.LastName)
	n := len(r.Tenant)
	return nameEntry{tenant: both[:n], key: both[n:], seq: r.Seq, s: s}
}

// newTable makes an empty table; unique names its unique columns (each one
// with a B-tree: email or ext_key, checked by Open).
func newTable(name string, unique []string) *table {
	t := &table{name: name}
	for _, c := range unique {
		switch c {
		case "email":
			t.uniqueEmail = true
		case "ext_key":
			t.uniqueExt = true
		default:
			panic("store: unique column " + c + " has no index")
		}
	}
	t.clear()
	return t
}

func (t *table) clear() {
	t.version++
	t.rows = map[pk]*slot{}
	t.primary = btree.NewG(degree, lessPK)
	t.email = btree.NewG(degree, lessEmail)
	t.extKey = btree.NewG(degree, lessExt)
	t.created = btree.NewG(degree, lessCreated)
	t.bySeq = btree.NewG(degree, lessSeq)
	t.names = btree.NewG(degree, lessName)
	t.counts = map[string]int{}
	t.interned = map[string]string{}
}

// checkDoc refuses a document that is not valid JSON.
func checkDoc(r *Record) error {
	if len(r.Doc) > 0 && !jsonx.Valid(r.Doc) {
		return ErrInvalidDoc
	}
	return nil
}

// normalize makes a record safe to keep: UTC times with microsecond
// precision (DATETIME(6)), its own copy of Doc, and its strings but Tenant
// packed into one allocation (fewer heap objects per row is less for every garbage
// collection to mark: at 100,000 rows per provider it is what a collection
// spends its time on).
func normalize(r *Record) {
	r.Created = r.Created.UTC().Truncate(time.Microsecond)
	r.Updated = r.Updated.UTC().Truncate(time.Microsecond)
	r.Doc = append([]byte(nil), r.Doc...)
	var b strings.Builder
	b.Grow(len(r.ID) + len(r.Email) + len(r.FirstName) + len(r.LastName) + len(r.ExtKey))
	fields := [...]*string{&r.ID, &r.Email, &r.FirstName, &r.LastName, &r.ExtKey} // Tenant: see intern
	for _, f := range fields {
		b.WriteString(*f)
	}
	all, at := b.String(), 0
	for _, f := range fields {
		n := len(*f)
		*f = all[at : at+n]
		at += n
	}
}

// get returns the stored version of (tenant, id); caller holds a lock.
func (t *table) get(tenant, id string) (*Record, bool) {
	s, ok := t.rows[pk{tenant, id}]
	if !ok {
		return nil, false
	}
	return s.r, true
}

// put stores next, the new version of old (nil: a new row); caller holds
// the write lock and old is the current version of its key. An update
// re-sorts only the trees whose columns changed.
func (t *table) put(old, next *Record) {
	t.version++
	if old != nil && (old.Tenant != next.Tenant || old.ID != next.ID) {
		t.remove(old)
		old = nil
	}
	t.intern(next)
	if old == nil {
		s := &slot{r: next}
		t.rows[pk{next.Tenant, next.ID}] = s
		t.counts[next.Tenant]++
		t.primary.ReplaceOrInsert(s)
		t.email.ReplaceOrInsert(s)
		t.extKey.ReplaceOrInsert(s)
		t.created.ReplaceOrInsert(s)
		t.bySeq.ReplaceOrInsert(s)
		t.names.ReplaceOrInsert(nameEntryOf(s))
		return
	}
	s := t.rows[pk{old.Tenant, old.ID}]
	var moved []*btree.BTreeG[*slot]
	if old.Email != next.Email {
		moved = append(moved, t.email)
	}
	if old.ExtKey != next.ExtKey {
		moved = append(moved, t.extKey)
	}
	if !old.Created.Equal(next.Created) {
		moved = append(moved, t.created)
	}
	if old.Seq != next.Seq {
		moved = append(moved, t.bySeq)
	}
	rename := old.Seq != next.Seq || old.FirstName != next.FirstName || old.LastName != next.LastName
	// Re-set the map entry so its key holds next's strings: the runtime
	// replaces a string key on assignment, and old's packed strings can go.
	t.rows[pk{next.Tenant, next.ID}] = s
	for _, tree := range moved {
		tree.Delete(s)
	}
	if rename {
		t.names.Delete(nameEntryOf(s))
	}
	s.r = next
	for _, tree := range moved {
		tree.ReplaceOrInsert(s)
	}
	if rename {
		t.names.ReplaceOrInsert(nameEntryOf(s))
	}
}

// intern makes r.Tenant the table's one copy of that tenant's name, so rows
// share it: no allocation per row, and the index comparisons, which start
// with the tenant, find two rows' tenants equal by pointer.
func (t *table) intern(r *Record) {
	if s, ok := t.interned[r.Tenant]; ok {
		r.Tenant = s
		return
	}
	s := strings.Clone(r.Tenant)
	t.interned[s] = s
	r.Tenant = s
}

// remove deletes a row given its current version; caller holds the write
// lock.
func (t *table) remove(r *Record) {
	k := pk{r.Tenant, r.ID}
	s, ok := t.rows[k]
	if !ok {
		return
	}
	t.version++
	t.primary.Delete(s)
	t.email.Delete(s)
	t.extKey.Delete(s)
	t.created.Delete(s)
	t.bySeq.Delete(s)
	t.names.Delete(nameEntryOf(s))
	delete(t.rows, k)
	if t.counts[r.Tenant]--; t.counts[r.Tenant] <= 0 {
		delete(t.counts, r.Tenant)
		delete(t.interned, r.Tenant)
	}
}

// duplicate checks next, about to be stored, against the unique columns:
// the first other row of next's tenant holding one of its non-empty unique
// values, and that column. A row for which skip reports true does not count
// (the version next replaces, or rows an Atomic call rewrites itself).
// old, when not nil, is the version next replaces: a value it already held
// cannot be a new duplicate, so the common update that keeps its key costs
// no lookup. Caller holds the write lock.
func (t *table) duplicate(old, next *Record, skip func(*Record) bool) (holder *Record, column string) {
	if !t.uniqueEmail && !t.uniqueExt {
		return nil, ""
	}
	same := old != nil && old.Tenant == next.Tenant
	if t.uniqueExt && next.ExtKey != "" && !(same && old.ExtKey == next.ExtKey) {
		if h := t.holder(t.extKey, &Record{Tenant: next.Tenant, ExtKey: next.ExtKey}, func(r *Record) bool { return r.ExtKey == next.ExtKey }, skip); h != nil {
			return h, "ext_key"
		}
	}
	if t.uniqueEmail && next.Email != "" && !(same && old.Email == next.Email) {
		if h := t.holder(t.email, &Record{Tenant: next.Tenant, Email: next.Email}, func(r *Record) bool { return r.Email == next.Email }, skip); h != nil {
			return h, "email"
		}
	}
	return nil, ""
}

// holder walks the rows of pivot's tenant whose key equals pivot's (match)
// and returns the first that skip does not exclude.
func (t *table) holder(tree *btree.BTreeG[*slot], pivot *Record, match, skip func(*Record) bool) *Record {
	var found *Record
	tree.AscendGreaterOrEqual(probe(pivot), func(s *slot) bool {
		r := s.r
		if r.Tenant != pivot.Tenant || !match(r) {
			return false
		}
		if skip != nil && skip(r) {
			return true
		}
		found = r
		return false
	})
	return found
}

// duplicateError is the typed API's error for a refused write.
func (t *table) duplicateError(holder *Record, column string) error {
	return &DuplicateKeyError{Table: t.name, Column: column, Holder: holder.ID}
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
		tree, pivot := t.email, probe(&Record{Tenant: tenant, Email: s})
		match := func(r *Record) bool { return r.Tenant == tenant && r.Email == s }
		if column == "ext_key" {
			tree, pivot = t.extKey, probe(&Record{Tenant: tenant, ExtKey: s})
			match = func(r *Record) bool { return r.Tenant == tenant && r.ExtKey == s }
		}
		tree.AscendGreaterOrEqual(pivot, func(sl *slot) bool {
			return match(sl.r) && collect(sl.r)
		})
	case "seq":
		n, ok := value.(int64)
		if !ok {
			return nil, badQuery("GetBy seq wants an int64 value")
		}
		if sl, found := t.bySeq.Get(probe(&Record{Tenant: tenant, Seq: n})); found {
			out = append(out, *sl.r)
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
			if r := e.s.r; strings.EqualFold(r.FirstName, v[0]) && strings.EqualFold(r.LastName, v[1]) {
				collect(r)
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
	t.primary.AscendGreaterOrEqual(probe(&Record{Tenant: tenant}), func(s *slot) bool {
		if s.r.Tenant != tenant {
			return false
		}
		rows = append(rows, s.r)
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
