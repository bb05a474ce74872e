// Package store holds all simulator state in an embedded SQL engine
// (github.com/dolthub/go-mysql-server) backed by this package's own indexed,
// concurrency-safe storage. It knows nothing of HTTP or of any provider's wire
// format: a provider keeps its own JSON document in Record.Doc and copies the
// few values it needs to look up, filter or sort by into the indexed columns.
//
// Every table has the same shape (see Schema): the tenant is the first part of
// every key, so no lookup can reach another tenant's rows.
package store

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// TableSpec declares one table (every table has the same schema): its name
// and its unique columns ("email" or "ext_key"; see UniqueColumns). A store
// on a MySQL server declares each unique column as a unique index on
// (tenant, a generated column that is NULL when the column is empty), which
// exempts "" the same way (MySQL allows any number of NULLs).
type TableSpec struct {
	Name   string
	Unique []string
}

// Names of the built-in providers' tables. The store does not depend on
// them: the server opens the store with the tables its registered providers
// declare (Options.Tables). They serve the providers, which own them, and
// the store's own tests (DefaultTables).
const (
	TableRebilly = "rebilly_customers"
	TablePayabli = "payabli_customers"
	TableRapyd   = "rapyd_customers"
)

// DefaultTables are the tables Open creates when Options.Tables is empty
// (stores opened by tests): the built-in providers' tables.
var DefaultTables = []TableSpec{{Name: TableRebilly}, {Name: TablePayabli}, {Name: TableRapyd, Unique: []string{"ext_key"}}}

// Errors returned by Repository methods. Compare with errors.Is.
var (
	ErrNotFound     = errors.New("store: not found")
	ErrExists       = errors.New("store: already exists")
	ErrUnknownTable = errors.New("store: unknown table")
	// ErrInvalidDoc is returned by a write whose Doc is not valid JSON:
	// every stored document is (or is empty), so readers need not check.
	ErrInvalidDoc = errors.New("store: doc is not valid JSON")
	// ErrBadQuery is returned by List for a filter or sort on an unknown
	// field or with an unusable value; the message says which.
	ErrBadQuery = errors.New("store: bad query")
	// ErrDuplicateKey is returned by a write that would give a second row
	// of a tenant the same non-empty value in a unique column (see
	// UniqueColumns). The error is a *DuplicateKeyError naming the column.
	// Nothing is written.
	ErrDuplicateKey = errors.New("store: duplicate key")
)

// DuplicateKeyError is the error of a write refused by a unique column. It
// matches ErrDuplicateKey with errors.Is. It does not carry the value (it
// may be personal data, e.g. an email address).
type DuplicateKeyError struct {
	Table  string
	Column string // e.g. "ext_key"
	Holder string // id of the row of the same tenant that holds the value
}

func (e *DuplicateKeyError) Error() string {
	return "store: duplicate key: " + e.Table + "." + e.Column + " is already held by row " + strconv.Quote(e.Holder)
}

// Unwrap makes errors.Is(err, ErrDuplicateKey) true.
func (e *DuplicateKeyError) Unwrap() error { return ErrDuplicateKey }

// UniqueColumns returns the columns of table that are unique keys: within a
// tenant, no two rows hold the same non-empty value (any number of rows may
// hold ""). Every write — Insert, Upsert, Atomic, and SQL INSERT / UPDATE /
// REPLACE / INSERT … ON DUPLICATE KEY UPDATE — is checked under the same lock
// as the write itself, so of two concurrent writers claiming one value
// exactly one succeeds. The typed API fails with a *DuplicateKeyError; SQL
// with MySQL's duplicate-entry error (and REPLACE / ON DUPLICATE KEY UPDATE
// act on the holder, as MySQL does for a unique index).
//
// The package function answers for DefaultTables (rapyd_customers: ext_key,
// the customer's ewallet); Store.UniqueColumns for a store's own tables.
func UniqueColumns(table string) []string {
	for _, t := range DefaultTables {
		if t.Name == table {
			return append([]string(nil), t.Unique...)
		}
	}
	return nil
}

// Record is one stored row. Tenant and ID form the primary key.
//
// Column names in SQL: tenant, id, seq, email, first_name, last_name, ext_key,
// created_time, updated_time, revision, doc.
type Record struct {
	Tenant string // organization / entry / account; part of every key
	ID     string // provider-visible id (Payabli: decimal customerId)
	// Seq is a table-wide, strictly increasing number assigned by the store on
	// insert (never reused, never changed by updates). Payabli uses it as the
	// integer customerId; Rapyd uses it to order cursors. Ignored on input.
	Seq       int64
	Email     string // indexed (tenant, email); store as the provider wants to match it
	FirstName string
	LastName  string
	ExtKey    string // indexed (tenant, ext_key): e.g. Payabli customerNumber
	Created   time.Time
	Updated   time.Time
	Revision  int64
	Doc       []byte // the provider's JSON document (SQL type JSON): empty or valid JSON, checked on every write
}

// Mutator decides the new state of a row inside an atomic read-modify-write.
// cur is nil when no row exists. Returning ok=false leaves the row as it was
// (no write); returning an error aborts with that error.
// The store may call it more than once (it runs on a snapshot and is retried
// if another write got there first): it must be a pure function of cur —
// no I/O, no blocking, no side effects that a retry would repeat.
type Mutator func(cur *Record) (next Record, ok bool, err error)

// Change is a RowsMutator's decision for one row. The zero Change leaves
// the row as it is.
type Change struct {
	// Put, when not nil, is the row's new version, inserted if the row does
	// not exist. As with Upsert, the store writes Tenant and ID as given in
	// the call and sets Seq (kept on update, assigned on insert).
	Put *Record
	// Delete removes the row (nothing happens if it does not exist). Put
	// and Delete together are refused.
	Delete bool
}

// RowsMutator decides the new state of several rows of one table and tenant
// inside one atomic read-modify-write (Repository.Atomic). cur[i] is the
// current version of ids[i], nil when it does not exist (each a copy the
// mutator may change). It returns exactly one Change per id, or an error to
// abort with nothing written. Like Mutator, it may be called more than once
// and must be a pure function of cur — in particular it must not call the
// Repository.
type RowsMutator func(cur []*Record) ([]Change, error)

// Op is a comparison in a filter.
type Op string

const (
	OpEq          Op = "eq"          // equal (case-insensitive for text when Filter.Fold)
	OpNe          Op = "ne"          // not equal
	OpGt          Op = "gt"          // >
	OpGe          Op = "ge"          // >=
	OpLt          Op = "lt"          // <
	OpLe          Op = "le"          // <=
	OpContains    Op = "contains"    // substring (LIKE %v%, metacharacters escaped)
	OpNotContains Op = "notcontains" // NOT LIKE %v%
	OpIn          Op = "in"          // any of Values
	OpNotIn       Op = "notin"       // none of Values
)

// Filter is one condition. Field is a column name (id, seq, email, first_name,
// last_name, ext_key, created_time, updated_time, revision) or a JSON path into
// doc starting with "$." (compared as unquoted text). Values are strings for
// text, int64 for integer columns, time.Time for the time columns. Fold makes a
// text comparison case-insensitive. A NULL / missing JSON value matches only
// OpNe, OpNotContains and OpNotIn.
type Filter struct {
	Field  string
	Op     Op
	Values []any
	Fold   bool
}

// Any is an OR of conditions; a Query's Where is an AND of Anys.
type Any []Filter

// Sort orders by a column or "$." JSON path. The store always appends the
// primary key as the final tie-breaker so paging is stable.
type Sort struct {
	Field string
	Desc  bool
}

// Query is a list request. The common unfiltered shapes are answered from
// the B-trees; any other through the SQL engine, with every value of the
// query a bind variable (never part of the statement's text).
type Query struct {
	Tenant string
	Where  []Any
	// Search, when non-empty, keeps rows where any of SearchFields contains
	// the text (case-insensitive).
	Search       string
	SearchFields []string
	Sort         []Sort
	Limit        int // <= 0 means no limit
	Offset       int
}

// Page is a List result: the requested slice and the total matching rows,
// both read from one snapshot of the table (no write lands between them:
// with Offset 0 and a Limit above Total, len(Records) == Total).
type Page struct {
	Records []Record
	Total   int
}

// Repository is the typed API the provider handlers use. Point operations
// (Get, GetBy, Upsert, Insert, Atomic, Delete) go straight to the backend's
// indexes; List walks them too, or goes through SQL over the same tables.
// Every method is safe for concurrent use. Every write honours the table's
// unique columns (UniqueColumns, ErrDuplicateKey).
type Repository interface {
	// Get returns the row (tenant, id) or ErrNotFound.
	Get(ctx context.Context, table, tenant, id string) (Record, error)
	// GetBy returns the rows of tenant whose indexed column ("email",
	// "ext_key" or "seq") equals value (string, or int64 for seq), in seq
	// order. Exact, case-sensitive match. Column "name" with a
	// [2]string{first, last} value matches first_name and last_name
	// case-insensitively (strings.EqualFold).
	GetBy(ctx context.Context, table, tenant, column string, value any) ([]Record, error)
	// Upsert atomically reads (tenant, id), calls fn, and writes what it
	// returns. created reports whether a new row was inserted. The store
	// sets Seq on insert and keeps it on update; it writes Tenant and ID as
	// given in the call, whatever fn returns. A result that would duplicate
	// a unique column's value fails with ErrDuplicateKey (nothing written).
	Upsert(ctx context.Context, table, tenant, id string, fn Mutator) (rec Record, created bool, err error)
	// Insert adds a new row, assigning Seq; ErrExists if (tenant, id) exists,
	// ErrDuplicateKey if it would duplicate a unique column's value.
	// If rec.ID is empty, the decimal Seq becomes the ID (Payabli).
	Insert(ctx context.Context, table string, rec Record) (Record, error)
	// Delete removes (tenant, id); ErrNotFound if absent.
	Delete(ctx context.Context, table, tenant, id string) (Record, error)
	// Atomic is a read-modify-write of several rows of one table and tenant
	// as one operation: it reads rows ids (distinct), calls fn, and applies
	// every Change it returns, or — when fn fails, a document is invalid or
	// a unique column would be duplicated — none of them. No other write to
	// those rows lands between the read and the write, and no reader sees
	// some of the changes without the others. The result holds each row's
	// state afterwards, in ids order (the zero Record for a row that does
	// not exist). Uniqueness is judged on the final state, so one call may
	// move a unique value from one of its rows to another.
	Atomic(ctx context.Context, table, tenant string, ids []string, fn RowsMutator) ([]Record, error)
	// List answers q through SQL, the page and its total from one snapshot.
	List(ctx context.Context, table string, q Query) (Page, error)
	// Count returns the number of rows of tenant ("" = all tenants).
	Count(ctx context.Context, table, tenant string) (int, error)
	// Reset deletes every row of table ("" = all tables) for tenant ("" =
	// all tenants).
	Reset(ctx context.Context, table, tenant string) error
	// Tenants lists the tenants that have rows in table.
	Tenants(ctx context.Context, table string) ([]string, error)
}
