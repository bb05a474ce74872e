package store

import (
	"context"
	"reflect"
	"slices"
	"sync"

	"github.com/dolthub/go-mysql-server/sql"
)

// listSnap makes the statements of one List — its COUNT and its SELECT —
// read one snapshot of the table, so a page and its total agree however
// many writes run alongside.
//
// The first read of the table collects the rows of its lookup under the read
// lock and keeps them, with the table's version. Stored versions are never
// changed, so those rows are the table as it was at that instant. A later
// read of the same lookup (both statements have one WHERE clause, so the
// analyzer picks one lookup for both) is answered from them: no second scan,
// and nothing written in between is seen. A read of another lookup scans
// again and compares the version; if the table changed in between, moved is
// set and List runs again, the second time with the read lock held across
// both statements (locked).
type listSnap struct {
	t      *table
	locked bool // the List holds t.mu.RLock for all its statements

	mu      sync.Mutex
	reads   int
	lookup  *sql.IndexLookup // the first read's lookup (nil: full scan)
	rows    []*Record        // its rows, in ascending index order
	version uint64
	moved   bool
}

type snapKey struct{}

// withSnap returns ctx carrying sn for the statements of one List.
func withSnap(ctx context.Context, sn *listSnap) context.Context {
	return context.WithValue(ctx, snapKey{}, sn)
}

// snapOf returns the List snapshot of t that ctx carries, if any.
func snapOf(ctx context.Context, t *table) *listSnap {
	sn, _ := ctx.Value(snapKey{}).(*listSnap)
	if sn == nil || sn.t != t {
		return nil
	}
	return sn
}

// collect answers a scan or lookup of s from the snapshot.
func (sn *listSnap) collect(ctx *sql.Context, s *sqlTable, lookup *sql.IndexLookup) ([]*Record, error) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	var fwd *sql.IndexLookup // the lookup in ascending order
	if lookup != nil && lookup.Index != nil {
		l := *lookup
		l.IsReverse = false
		fwd = &l
	}
	if sn.reads > 0 && sameLookup(sn.lookup, fwd) {
		sn.reads++
		return oriented(sn.rows, lookup), nil
	}
	if !sn.locked {
		s.t.mu.RLock()
		defer s.t.mu.RUnlock()
	}
	rows, err := s.scan(ctx, fwd)
	if err != nil {
		return nil, err
	}
	if sn.reads == 0 {
		sn.lookup, sn.rows, sn.version = fwd, rows, s.t.version
	} else if s.t.version != sn.version {
		sn.moved = true
	}
	sn.reads++
	return oriented(rows, lookup), nil
}

// readCount is how many reads the List's statements made so far.
func (sn *listSnap) readCount() int {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return sn.reads
}

func (sn *listSnap) changed() bool {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return sn.moved
}

func sameLookup(a, b *sql.IndexLookup) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Index.ID() == b.Index.ID() && reflect.DeepEqual(a.Ranges, b.Ranges)
}

// oriented returns rows (ascending) in the order lookup asks for.
func oriented(rows []*Record, lookup *sql.IndexLookup) []*Record {
	if lookup == nil || !lookup.IsReverse {
		return rows
	}
	out := slices.Clone(rows)
	slices.Reverse(out)
	return out
}
