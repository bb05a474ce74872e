package store

import (
	"fmt"
	"io"
	"sort"
	"strings"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/sql"
)

// This file plugs the store's tables into go-mysql-server: a provider with
// one database, tables that scan and range-scan the B-trees, and editors
// that write through the same locks as the typed API.

func newEngine(db *database, readOnly bool) *sqle.Engine {
	return newEngineFor(&dbProvider{db: db}, readOnly)
}

// newEngineFor builds an engine over a provider of the store's database
// (the inspection listener's wraps dbProvider: see newInspectionEngine).
func newEngineFor(p sql.DatabaseProvider, readOnly bool) *sqle.Engine {
	e := sqle.NewDefault(p)
	e.ReadOnly.Store(readOnly)
	return e
}

type dbProvider struct{ db *database }

func (p *dbProvider) Database(_ *sql.Context, name string) (sql.Database, error) {
	if strings.EqualFold(name, p.db.name) {
		return p.db, nil
	}
	return nil, sql.ErrDatabaseNotFound.New(name)
}

func (p *dbProvider) HasDatabase(_ *sql.Context, name string) bool {
	return strings.EqualFold(name, p.db.name)
}

func (p *dbProvider) AllDatabases(*sql.Context) []sql.Database { return []sql.Database{p.db} }

type database struct {
	name   string
	tables map[string]*sqlTable
	names  []string
}

func newDatabase(name string, tables map[string]*table) *database {
	db := &database{name: name, tables: map[string]*sqlTable{}}
	for n, t := range tables {
		db.tables[n] = &sqlTable{t: t, schema: schemaFor(n), db: name}
		db.names = append(db.names, n)
	}
	sort.Strings(db.names)
	return db
}

func (d *database) Name() string { return d.name }

func (d *database) GetTableInsensitive(_ *sql.Context, name string) (sql.Table, bool, error) {
	t, ok := d.tables[strings.ToLower(name)]
	if !ok {
		return nil, false, nil
	}
	return t, true, nil
}

func (d *database) GetTableNames(*sql.Context) ([]string, error) { return d.names, nil }

// sqlTable is the engine's view of a table.
type sqlTable struct {
	t      *table
	schema sql.Schema
	db     string
}

var (
	_ sql.IndexAddressableTable = (*sqlTable)(nil)
	_ sql.InsertableTable       = (*sqlTable)(nil)
	_ sql.UpdatableTable        = (*sqlTable)(nil)
	_ sql.DeletableTable        = (*sqlTable)(nil)
	_ sql.ReplaceableTable      = (*sqlTable)(nil)
	_ sql.PrimaryKeyTable       = (*sqlTable)(nil)
	_ sql.TruncateableTable     = (*sqlTable)(nil)
)

func (s *sqlTable) Name() string               { return s.t.name }
func (s *sqlTable) String() string             { return s.t.name }
func (s *sqlTable) Schema() sql.Schema         { return s.schema }
func (s *sqlTable) Collation() sql.CollationID { return textCollation }
func (s *sqlTable) PreciseMatch() bool         { return true }
func (s *sqlTable) Comment() string            { return "" }
func (s *sqlTable) PrimaryKeySchema() sql.PrimaryKeySchema {
	return sql.NewPrimaryKeySchema(s.schema, 0, 1)
}

// partition is the table's single partition; lookup is nil for a full scan.
type partition struct{ lookup *sql.IndexLookup }

func (partition) Key() []byte { return []byte("all") }

func (s *sqlTable) Partitions(*sql.Context) (sql.PartitionIter, error) {
	return sql.PartitionsToPartitionIter(partition{}), nil
}

func (s *sqlTable) PartitionRows(ctx *sql.Context, p sql.Partition) (sql.RowIter, error) {
	part, _ := p.(partition)
	rows, err := s.collect(ctx, part.lookup)
	if err != nil {
		return nil, err
	}
	return &rowIter{rows: rows}, nil
}

type rowIter struct {
	rows []*Record
	i    int
}

func (it *rowIter) Next(*sql.Context) (sql.Row, error) {
	if it.i >= len(it.rows) {
		return nil, io.EOF
	}
	r := it.rows[it.i]
	it.i++
	return toRow(r), nil
}

func (it *rowIter) Close(*sql.Context) error { return nil }

// GetIndexes lists the indexes the analyzer may use.
func (s *sqlTable) GetIndexes(*sql.Context) ([]sql.Index, error) {
	return s.indexes(), nil
}

func (s *sqlTable) indexes() []sql.Index {
	mk := func(name string, unique bool, cols ...int) sql.Index {
		return &index{table: s, name: name, cols: cols, unique: unique}
	}
	return []sql.Index{
		mk("PRIMARY", true, colTenant, colID),
		mk("idx_email", false, colTenant, colEmail),
		mk("idx_ext_key", false, colTenant, colExtKey),
		mk("idx_created", false, colTenant, colCreated, colID),
		mk("idx_seq", true, colTenant, colSeq),
	}
}

// IndexedAccess returns a table that answers lookups on idx from its B-tree.
func (s *sqlTable) IndexedAccess(_ *sql.Context, lookup sql.IndexLookup) sql.IndexedTable {
	if _, ok := lookup.Index.(*index); !ok {
		return nil
	}
	return &indexedTable{sqlTable: s}
}

type indexedTable struct{ *sqlTable }

func (it *indexedTable) LookupPartitions(_ *sql.Context, lookup sql.IndexLookup) (sql.PartitionIter, error) {
	l := lookup
	return sql.PartitionsToPartitionIter(partition{lookup: &l}), nil
}

// collect snapshots the rows a scan or lookup returns, under the read lock.
// Within a List (a listSnap in ctx) the statements share one snapshot: see
// listSnap.
func (s *sqlTable) collect(ctx *sql.Context, lookup *sql.IndexLookup) ([]*Record, error) {
	snap := snapOf(ctx, s.t)
	if snap != nil {
		return snap.collect(ctx, s, lookup)
	}
	if !held(ctx) {
		s.t.mu.RLock()
		defer s.t.mu.RUnlock()
	}
	return s.scan(ctx, lookup)
}

// scan returns the rows of a full scan or a lookup; caller holds a lock.
func (s *sqlTable) scan(ctx *sql.Context, lookup *sql.IndexLookup) ([]*Record, error) {
	if lookup == nil || lookup.Index == nil {
		out := make([]*Record, 0, s.t.primary.Len())
		s.t.primary.Ascend(func(sl *slot) bool { out = append(out, sl.r); return true })
		return out, nil
	}
	idx := lookup.Index.(*index)
	return idx.scan(ctx, s.t, lookup)
}

func (s *sqlTable) Truncate(ctx *sql.Context) (int, error) {
	if !held(ctx) {
		s.t.mu.Lock()
		defer s.t.mu.Unlock()
	}
	n := s.t.primary.Len()
	s.t.clear()
	return n, nil
}

func (s *sqlTable) Inserter(*sql.Context) sql.RowInserter { return &editor{s: s} }
func (s *sqlTable) Updater(*sql.Context) sql.RowUpdater   { return &editor{s: s} }
func (s *sqlTable) Deleter(*sql.Context) sql.RowDeleter   { return &editor{s: s} }
func (s *sqlTable) Replacer(*sql.Context) sql.RowReplacer { return &editor{s: s} }

// editor applies each row operation at once under the table's write lock:
// every statement runs in autocommit mode, and explicit transactions are
// refused before they start (see refuseTransaction).
type editor struct{ s *sqlTable }

func (e *editor) StatementBegin(*sql.Context)              {}
func (e *editor) DiscardChanges(*sql.Context, error) error { return nil }
func (e *editor) StatementComplete(*sql.Context) error     { return nil }
func (e *editor) Close(*sql.Context) error                 { return nil }

// lock takes the table's write lock unless the statement holds it already.
func (e *editor) lock(ctx *sql.Context) func() {
	if held(ctx) {
		return func() {}
	}
	e.s.t.mu.Lock()
	return e.s.t.mu.Unlock
}

func (e *editor) Insert(ctx *sql.Context, row sql.Row) error {
	rec, err := fromRow(row)
	if err != nil {
		return err
	}
	if err := checkDoc(&rec); err != nil {
		return err
	}
	t := e.s.t
	defer e.lock(ctx)()
	if old, exists := t.get(rec.Tenant, rec.ID); exists {
		return sql.NewUniqueKeyErr(fmt.Sprintf("[%s,%s]", rec.Tenant, rec.ID), true, toRow(old))
	}
	if h, col := t.duplicate(nil, &rec, nil); h != nil {
		return uniqueKeyErr(h, col)
	}
	if rec.Seq == 0 {
		rec.Seq = t.nextSeq()
	} else {
		t.observeSeq(rec.Seq)
	}
	normalize(&rec)
	t.put(nil, &rec)
	return nil
}

// uniqueKeyErr is MySQL's duplicate-entry error for a unique column, with
// the holder as the existing row (REPLACE deletes it and INSERT … ON
// DUPLICATE KEY UPDATE updates it, as MySQL does).
func uniqueKeyErr(holder *Record, column string) error {
	return sql.NewUniqueKeyErr(fmt.Sprintf("%s [%s,%s]", column, holder.Tenant, value(holder, colOf(column))), false, toRow(holder))
}

func colOf(column string) int {
	if column == "email" {
		return colEmail
	}
	return colExtKey
}

func (e *editor) Update(ctx *sql.Context, oldRow, newRow sql.Row) error {
	oldRec, err := fromRow(oldRow)
	if err != nil {
		return err
	}
	rec, err := fromRow(newRow)
	if err != nil {
		return err
	}
	if err := checkDoc(&rec); err != nil {
		return err // before anything changes
	}
	t := e.s.t
	defer e.lock(ctx)()
	old, exists := t.get(oldRec.Tenant, oldRec.ID)
	if !exists {
		return sql.ErrDeleteRowNotFound.New()
	}
	if h, col := t.duplicate(old, &rec, func(r *Record) bool { return r == old }); h != nil {
		return uniqueKeyErr(h, col)
	}
	if rec.Tenant != old.Tenant || rec.ID != old.ID {
		if other, taken := t.get(rec.Tenant, rec.ID); taken {
			return sql.NewUniqueKeyErr(fmt.Sprintf("[%s,%s]", rec.Tenant, rec.ID), true, toRow(other))
		}
		t.remove(old)
		old = nil
	}
	t.observeSeq(rec.Seq)
	normalize(&rec)
	t.put(old, &rec)
	return nil
}

func (e *editor) Delete(ctx *sql.Context, row sql.Row) error {
	rec, err := fromRow(row)
	if err != nil {
		return err
	}
	t := e.s.t
	defer e.lock(ctx)()
	old, exists := t.get(rec.Tenant, rec.ID)
	if !exists {
		return sql.ErrDeleteRowNotFound.New()
	}
	t.remove(old)
	return nil
}

var _ sql.StatisticsTable = (*sqlTable)(nil)

// RowCount gives the analyzer's coster a real row count, so a selective
// secondary index beats a tenant-prefix scan of the primary key.
func (s *sqlTable) RowCount(ctx *sql.Context) (uint64, bool, error) {
	if snap := snapOf(ctx, s.t); snap != nil && snap.locked {
		return uint64(s.t.primary.Len()), true, nil // the List holds the read lock
	}
	if !held(ctx) {
		s.t.mu.RLock()
		defer s.t.mu.RUnlock()
	}
	return uint64(s.t.primary.Len()), true, nil
}

// DataLength estimates the table's size in bytes.
func (s *sqlTable) DataLength(ctx *sql.Context) (uint64, error) {
	n, _, err := s.RowCount(ctx)
	return n * 512, err
}

// Database names the table's database.
func (s *sqlTable) Database() string { return s.db }
