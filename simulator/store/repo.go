package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/sql"
)

// DatabaseName is the SQL database holding every table.
const DatabaseName = "paysandbox"

// Options configures Open.
type Options struct {
	Logger *slog.Logger
	// Tables are the tables to create (the server passes its registered
	// providers' tables); empty means DefaultTables.
	Tables []TableSpec
}

// Store is the embedded SQL store. It implements Repository.
type Store struct {
	logger *slog.Logger
	tables map[string]*table
	names  []string // the tables in Options order (lockAll's lock order)
	db     *database
	engine *sqle.Engine

	mu       sync.Mutex
	listener *mysqlListener
}

var _ Repository = (*Store)(nil)

// Open creates the schema (every table in Options.Tables) and the SQL
// engine.
func Open(opts Options) (*Store, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if len(opts.Tables) == 0 {
		opts.Tables = DefaultTables
	}
	s := &Store{logger: opts.Logger, tables: map[string]*table{}}
	for _, ts := range opts.Tables {
		if ts.Name == "" || s.tables[ts.Name] != nil {
			return nil, fmt.Errorf("store: table name %q empty or given twice", ts.Name)
		}
		for _, c := range ts.Unique {
			if c != "email" && c != "ext_key" {
				return nil, fmt.Errorf("store: table %s: unique column %q: want email or ext_key", ts.Name, c)
			}
		}
		s.tables[ts.Name] = newTable(ts.Name, ts.Unique)
		s.names = append(s.names, ts.Name)
	}
	s.db = newDatabase(DatabaseName, s.tables)
	s.engine = newEngine(s.db, false)
	guardStats(s.engine, s.lockAll)
	return s, nil
}

// Close stops the inspection listener, if any.
func (s *Store) Close() error {
	s.mu.Lock()
	l := s.listener
	s.listener = nil
	s.mu.Unlock()
	if l != nil {
		return l.close()
	}
	return nil
}

func (s *Store) table(name string) (*table, error) {
	t, ok := s.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTable, name)
	}
	return t, nil
}

// Get implements Repository.
func (s *Store) Get(_ context.Context, tableName, tenant, id string) (Record, error) {
	t, err := s.table(tableName)
	if err != nil {
		return Record{}, err
	}
	t.mu.RLock()
	r, ok := t.get(tenant, id)
	t.mu.RUnlock()
	if !ok {
		return Record{}, ErrNotFound
	}
	return *r, nil
}

// GetBy implements Repository.
func (s *Store) GetBy(_ context.Context, tableName, tenant, column string, value any) ([]Record, error) {
	t, err := s.table(tableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.getBy(tenant, column, value)
}

// Upsert implements Repository.
func (s *Store) Upsert(_ context.Context, tableName, tenant, id string, fn Mutator) (Record, bool, error) {
	t, err := s.table(tableName)
	if err != nil {
		return Record{}, false, err
	}
	// Optimistic: run fn on a snapshot without blocking other writers, then
	// commit only if the row is still the version fn saw (versions are
	// distinct pointers, so a changed row is always noticed). After
	// optimisticTries lost races, fn runs under the write lock.
	for try := 0; try < optimisticTries; try++ {
		t.mu.RLock()
		old, exists := t.get(tenant, id)
		t.mu.RUnlock()
		if rec, created, done, err := t.upsertFrom(old, exists, tenant, id, fn, false); done {
			return rec, created, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock() // also when fn panics
	old, exists := t.get(tenant, id)
	rec, created, _, err := t.upsertFrom(old, exists, tenant, id, fn, true)
	return rec, created, err
}

// optimisticTries is how many times Upsert runs its Mutator outside the
// write lock before it serialises.
const optimisticTries = 2

// upsertFrom runs fn on old and stores the result. Unless locked, it takes
// the write lock to commit and gives up (done=false) if the row changed.
func (t *table) upsertFrom(old *Record, exists bool, tenant, id string, fn Mutator, locked bool) (rec Record, created, done bool, err error) {
	var cur *Record
	if exists {
		c := *old
		c.Doc = append([]byte(nil), old.Doc...)
		cur = &c
	}
	next, ok, err := fn(cur)
	if err != nil {
		return Record{}, false, true, err
	}
	if !ok {
		if exists {
			return *old, false, true, nil
		}
		return Record{}, false, true, nil
	}
	if err := checkDoc(&next); err != nil {
		return Record{}, false, true, err
	}
	next.Tenant, next.ID = tenant, id
	normalize(&next)
	if !locked {
		t.mu.Lock()
		defer t.mu.Unlock()
		if now, _ := t.get(tenant, id); now != old {
			return Record{}, false, false, nil
		}
	}
	if h, col := t.duplicate(old, &next, func(r *Record) bool { return r == old }); h != nil {
		return Record{}, false, true, t.duplicateError(h, col)
	}
	if exists {
		next.Seq = old.Seq
	} else {
		next.Seq = t.nextSeq()
	}
	stored := next
	t.put(old, &stored)
	return next, !exists, true, nil
}

// Insert implements Repository.
func (s *Store) Insert(_ context.Context, tableName string, rec Record) (Record, error) {
	t, err := s.table(tableName)
	if err != nil {
		return Record{}, err
	}
	if err := checkDoc(&rec); err != nil {
		return Record{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if rec.ID != "" {
		if _, exists := t.get(rec.Tenant, rec.ID); exists {
			return Record{}, ErrExists
		}
	}
	rec.Seq = t.nextSeq()
	if rec.ID == "" {
		rec.ID = decimalID(rec.Seq)
		if _, exists := t.get(rec.Tenant, rec.ID); exists {
			return Record{}, ErrExists
		}
	}
	if h, col := t.duplicate(nil, &rec, nil); h != nil {
		return Record{}, t.duplicateError(h, col)
	}
	normalize(&rec)
	stored := rec
	t.put(nil, &stored)
	return rec, nil
}

// Atomic implements Repository. fn runs once, under the table's write lock:
// the rows cannot change between its read and the write, and readers (who
// share the lock) see all of the changes or none.
func (s *Store) Atomic(_ context.Context, tableName, tenant string, ids []string, fn RowsMutator) ([]Record, error) {
	t, err := s.table(tableName)
	if err != nil {
		return nil, err
	}
	mine := make(map[string]bool, len(ids))
	for _, id := range ids {
		if mine[id] {
			return nil, fmt.Errorf("store: Atomic: id %q given twice", id)
		}
		mine[id] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock() // also when fn panics
	olds := make([]*Record, len(ids))
	cur := make([]*Record, len(ids))
	for i, id := range ids {
		if r, ok := t.get(tenant, id); ok {
			c := *r
			c.Doc = append([]byte(nil), r.Doc...)
			olds[i], cur[i] = r, &c
		}
	}
	changes, err := fn(cur)
	if err != nil {
		return nil, err
	}
	if len(changes) != len(ids) {
		return nil, fmt.Errorf("store: Atomic: %d changes for %d rows", len(changes), len(ids))
	}
	// Decide every row's final version, and check it all, before anything
	// changes.
	finals := make([]*Record, len(ids))
	for i, ch := range changes {
		switch {
		case ch.Put != nil && ch.Delete:
			return nil, fmt.Errorf("store: Atomic: row %q both put and deleted", ids[i])
		case ch.Delete:
		case ch.Put != nil:
			next := *ch.Put
			if err := checkDoc(&next); err != nil {
				return nil, err
			}
			next.Tenant, next.ID = tenant, ids[i]
			normalize(&next)
			finals[i] = &next
		default:
			finals[i] = olds[i]
		}
	}
	rewritten := func(r *Record) bool { return r.Tenant == tenant && mine[r.ID] }
	for i, f := range finals {
		if f == nil || f == olds[i] {
			continue // deleted, absent, or unchanged
		}
		if h, col := t.duplicate(nil, f, rewritten); h != nil {
			return nil, t.duplicateError(h, col)
		}
		for j, g := range finals {
			if j == i || g == nil {
				continue
			}
			if t.uniqueExt && f.ExtKey != "" && g.ExtKey == f.ExtKey {
				return nil, t.duplicateError(g, "ext_key")
			}
			if t.uniqueEmail && f.Email != "" && g.Email == f.Email {
				return nil, t.duplicateError(g, "email")
			}
		}
	}
	out := make([]Record, len(ids))
	for i, f := range finals {
		switch {
		case f == nil:
			if olds[i] != nil {
				t.remove(olds[i])
			}
		case f != olds[i]:
			if olds[i] != nil {
				f.Seq = olds[i].Seq
			} else {
				f.Seq = t.nextSeq()
			}
			t.put(olds[i], f)
			out[i] = *f
		default:
			out[i] = *f
		}
	}
	return out, nil
}

// Delete implements Repository.
func (s *Store) Delete(_ context.Context, tableName, tenant, id string) (Record, error) {
	t, err := s.table(tableName)
	if err != nil {
		return Record{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.get(tenant, id)
	if !ok {
		return Record{}, ErrNotFound
	}
	t.remove(r)
	return *r, nil
}

// Count implements Repository.
func (s *Store) Count(_ context.Context, tableName, tenant string) (int, error) {
	t, err := s.table(tableName)
	if err != nil {
		return 0, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if tenant == "" {
		return t.primary.Len(), nil
	}
	return t.counts[tenant], nil
}

// Reset implements Repository.
func (s *Store) Reset(_ context.Context, tableName, tenant string) error {
	names := []string{tableName}
	if tableName == "" {
		names = s.names
	}
	for _, n := range names {
		t, err := s.table(n)
		if err != nil {
			return err
		}
		t.mu.Lock()
		if tenant == "" {
			t.clear()
		} else {
			t.deleteTenant(tenant)
		}
		t.mu.Unlock()
	}
	return nil
}

// UniqueColumns returns the unique columns of one of the store's tables
// (see the package function UniqueColumns).
func (s *Store) UniqueColumns(table string) []string {
	t, ok := s.tables[table]
	if !ok {
		return nil
	}
	var out []string
	if t.uniqueEmail {
		out = append(out, "email")
	}
	if t.uniqueExt {
		out = append(out, "ext_key")
	}
	return out
}

// Tenants implements Repository.
func (s *Store) Tenants(_ context.Context, tableName string) ([]string, error) {
	t, err := s.table(tableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.tenants(), nil
}

// NewContext returns a SQL context whose current database is the store's.
func (s *Store) NewContext(ctx context.Context) *sql.Context {
	sess := sql.NewBaseSession()
	sess.SetCurrentDatabase(DatabaseName)
	return sql.NewContext(ctx, sql.WithSession(sess))
}

// Query runs one SQL statement and returns all its rows. Explicit
// transactions are refused (every statement is applied on its own).
func (s *Store) Query(ctx context.Context, query string) (sql.Schema, []sql.Row, error) {
	if err := refuseTransaction(query); err != nil {
		return nil, nil, err
	}
	if isWrite(query) && !held(ctx) {
		var unlock func()
		ctx, unlock = s.lockAll(ctx)
		defer unlock()
	}
	sctx := s.NewContext(ctx)
	schema, iter, _, err := s.engine.Query(sctx, query)
	if err != nil {
		return nil, nil, err
	}
	rows, err := sql.RowIterToRows(sctx, iter)
	return schema, rows, err
}

// ErrTransactions is returned for BEGIN / START TRANSACTION / SAVEPOINT /
// SET autocommit: the store applies each statement atomically on its own and
// does not offer multi-statement isolation, so it refuses rather than
// pretending.
var ErrTransactions = errors.New("store: explicit transactions are not supported: every statement commits on its own (autocommit)")

// Plan returns the analyzed plan of a query as text (what EXPLAIN shows in
// tree form), for tests and debugging.
func (s *Store) Plan(ctx context.Context, query string) (string, error) {
	if isWrite(query) && !held(ctx) {
		var unlock func()
		ctx, unlock = s.lockAll(ctx)
		defer unlock()
	}
	node, err := s.engine.AnalyzeQuery(s.NewContext(ctx), query)
	if err != nil {
		return "", err
	}
	return sql.DebugString(node), nil
}
