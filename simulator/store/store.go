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
	"time"
)

// Table names. One table per provider; the schema is shared.
const (
	TableRebilly = "rebilly_customers"
	TablePayabli = "payabli_customers"
	TableRapyd   = "rapyd_customers"
)

// Tables lists every table the store creates at start.
var Tables = []string{TableRebilly, TablePayabli, TableRapyd}

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
)

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

// Query is a list request. It is answered through the SQL engine.
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

// Page is a List result: the requested slice and the total matching rows.
type Page struct {
	Records []Record
	Total   int
}

// Repository is the typed API the provider handlers use. Point operations
// (Get, GetBy, Upsert, Insert, Update, Delete) go straight to the backend's
// indexes; List goes through SQL over the same tables. Every method is safe
// for concurrent use.
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
	// given in the call, whatever fn returns.
	Upsert(ctx context.Context, table, tenant, id string, fn Mutator) (rec Record, created bool, err error)
	// Insert adds a new row, assigning Seq; ErrExists if (tenant, id) exists.
	// If rec.ID is empty, the decimal Seq becomes the ID (Payabli).
	Insert(ctx context.Context, table string, rec Record) (Record, error)
	// Delete removes (tenant, id); ErrNotFound if absent.
	Delete(ctx context.Context, table, tenant, id string) (Record, error)
	// List answers q through SQL.
	List(ctx context.Context, table string, q Query) (Page, error)
	// Count returns the number of rows of tenant ("" = all tenants).
	Count(ctx context.Context, table, tenant string) (int, error)
	// Reset deletes every row of table ("" = all tables) for tenant ("" =
	// all tenants).
	Reset(ctx context.Context, table, tenant string) error
	// Tenants lists the tenants that have rows in table.
	Tenants(ctx context.Context, table string) ([]string, error)
}
