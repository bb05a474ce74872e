package store

import (
	"fmt"
	"strings"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/google/btree"
)

// index is a B-tree index as the engine sees it. Lookups are answered from
// the matching B-tree: a seek to the first key the range allows, then an
// ascending walk that stops as soon as the leading (tenant) column leaves the
// range — never a table scan when the tenant is fixed.
type index struct {
	table  *sqlTable
	name   string
	cols   []int
	unique bool
}

var _ sql.Index = (*index)(nil)

func (i *index) ID() string       { return i.name }
func (i *index) Database() string { return i.table.db }
func (i *index) Table() string    { return i.table.t.name }
func (i *index) Expressions() []string {
	out := make([]string, len(i.cols))
	for k, c := range i.cols {
		out[k] = i.table.t.name + "." + columnNames[c]
	}
	return out
}
func (i *index) IsUnique() bool                             { return i.unique }
func (i *index) IsSpatial() bool                            { return false }
func (i *index) IsFullText() bool                           { return false }
func (i *index) IsVector() bool                             { return false }
func (i *index) Comment() string                            { return "" }
func (i *index) IndexType() string                          { return "BTREE" }
func (i *index) IsGenerated() bool                          { return false }
func (i *index) CanSupport(*sql.Context, ...sql.Range) bool { return true }
func (i *index) CanSupportOrderBy(sql.Expression) bool      { return false }
func (i *index) PrefixLengths() []uint16                    { return nil }
func (i *index) ColumnExpressionTypes() []sql.ColumnExpressionType {
	out := make([]sql.ColumnExpressionType, len(i.cols))
	for k, c := range i.cols {
		out[k] = sql.ColumnExpressionType{Expression: i.table.t.name + "." + columnNames[c], Type: i.table.schema[c].Type}
	}
	return out
}
func (i *index) String() string {
	return fmt.Sprintf("%s.%s(%s)", i.table.t.name, i.name, strings.Join(i.Expressions(), ","))
}

// tree returns the B-tree backing the index and a pivot builder.
func (i *index) tree(t *table) (*btree.BTreeG[*slot], func(tenant string, lower any) *Record) {
	switch i.name {
	case "idx_email":
		return t.email, func(tn string, lo any) *Record { s, _ := lo.(string); return &Record{Tenant: tn, Email: s} }
	case "idx_ext_key":
		return t.extKey, func(tn string, lo any) *Record { s, _ := lo.(string); return &Record{Tenant: tn, ExtKey: s} }
	case "idx_created":
		return t.created, func(tn string, lo any) *Record {
			r := &Record{Tenant: tn}
			if tm, ok := toTime(lo); ok {
				r.Created = tm
			}
			return r
		}
	case "idx_seq":
		return t.bySeq, func(tn string, lo any) *Record { n, _ := lo.(int64); return &Record{Tenant: tn, Seq: n} }
	}
	return t.primary, func(tn string, lo any) *Record { s, _ := lo.(string); return &Record{Tenant: tn, ID: s} }
}

// scan returns the rows of every range of the lookup, in index order
// (reversed when the lookup asks for it); caller holds the read lock.
func (i *index) scan(ctx *sql.Context, t *table, lookup *sql.IndexLookup) ([]*Record, error) {
	ranges, ok := lookup.Ranges.(sql.MySQLRangeCollection)
	if !ok {
		return nil, fmt.Errorf("store: unsupported range type %T", lookup.Ranges)
	}
	tree, pivot := i.tree(t)
	var out []*Record
	seen := map[*Record]bool{}
	for _, rng := range ranges {
		if len(rng) == 0 {
			continue
		}
		var rows []*Record
		var err error
		visit := func(r *Record) bool {
			in, e := i.contains(ctx, rng, r)
			if e != nil {
				err = e
				return false
			}
			if in && !seen[r] {
				seen[r] = true
				rows = append(rows, r)
			}
			return true
		}
		if tenant, ok := pointKey(rng[0]); ok {
			// Seek to (tenant, lower bound of the second column) and walk
			// while the tenant matches.
			var lower any
			if len(rng) > 1 {
				if b, ok := rng[1].LowerBound.(sql.Below); ok {
					lower = b.Key
				} else if a, ok := rng[1].LowerBound.(sql.Above); ok {
					lower = a.Key
				}
			}
			tn, _ := tenant.(string)
			start := probe(pivot(tn, lower))
			tree.AscendGreaterOrEqual(start, func(s *slot) bool {
				r := s.r
				if r.Tenant != tn {
					return false
				}
				if len(rng) > 1 && pastUpper(ctx, rng[1], value(r, i.cols[1])) {
					return false
				}
				return visit(r)
			})
		} else {
			tree.Ascend(func(s *slot) bool { return visit(s.r) })
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if lookup.IsReverse {
		for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
			out[l], out[r] = out[r], out[l]
		}
	}
	return out, nil
}

// pointKey reports whether a column range is a single value [k, k].
func pointKey(c sql.MySQLRangeColumnExpr) (any, bool) {
	lo, ok1 := c.LowerBound.(sql.Below)
	hi, ok2 := c.UpperBound.(sql.Above)
	if !ok1 || !ok2 {
		return nil, false
	}
	if cmp, err := c.Typ.Compare(nil, lo.Key, hi.Key); err != nil || cmp != 0 {
		return nil, false
	}
	return lo.Key, true
}

// pastUpper reports whether v lies beyond the column's upper bound, so a
// walk in ascending order can stop.
func pastUpper(ctx *sql.Context, c sql.MySQLRangeColumnExpr, v any) bool {
	switch u := c.UpperBound.(type) {
	case sql.Above:
		cmp, err := c.Typ.Compare(ctx, v, u.Key)
		return err == nil && cmp > 0
	case sql.Below:
		cmp, err := c.Typ.Compare(ctx, v, u.Key)
		return err == nil && cmp >= 0
	}
	return false
}

// contains checks a row against every column of a range. Columns are never
// NULL, so a NULL-only bound excludes everything.
func (i *index) contains(ctx *sql.Context, rng sql.MySQLRange, r *Record) (bool, error) {
	for k, c := range rng {
		if k >= len(i.cols) {
			break
		}
		v := value(r, i.cols[k])
		switch lo := c.LowerBound.(type) {
		case sql.Below:
			cmp, err := c.Typ.Compare(ctx, v, lo.Key)
			if err != nil {
				return false, err
			}
			if cmp < 0 {
				return false, nil
			}
		case sql.Above:
			cmp, err := c.Typ.Compare(ctx, v, lo.Key)
			if err != nil {
				return false, err
			}
			if cmp <= 0 {
				return false, nil
			}
		case sql.AboveAll:
			return false, nil
		}
		switch up := c.UpperBound.(type) {
		case sql.Below:
			cmp, err := c.Typ.Compare(ctx, v, up.Key)
			if err != nil {
				return false, err
			}
			if cmp >= 0 {
				return false, nil
			}
		case sql.Above:
			cmp, err := c.Typ.Compare(ctx, v, up.Key)
			if err != nil {
				return false, err
			}
			if cmp > 0 {
				return false, nil
			}
		case sql.BelowNull, sql.AboveNull:
			return false, nil
		}
	}
	return true, nil
}

// value returns a row's value of a column, typed as the engine expects.
func value(r *Record, col int) any {
	switch col {
	case colTenant:
		return r.Tenant
	case colID:
		return r.ID
	case colSeq:
		return r.Seq
	case colEmail:
		return r.Email
	case colFirstName:
		return r.FirstName
	case colLastName:
		return r.LastName
	case colExtKey:
		return r.ExtKey
	case colCreated:
		return r.Created
	case colUpdated:
		return r.Updated
	case colRevision:
		return r.Revision
	}
	return nil
}

var _ sql.ExtendedIndex = (*index)(nil)

// extendedCols appends the primary-key columns the index does not name, as
// MySQL does for secondary indexes.
func (i *index) extendedCols() []int {
	out := append([]int(nil), i.cols...)
	for _, pk := range []int{colTenant, colID} {
		found := false
		for _, c := range i.cols {
			found = found || c == pk
		}
		if !found {
			out = append(out, pk)
		}
	}
	return out
}

// ExtendedExpressions implements sql.ExtendedIndex.
func (i *index) ExtendedExpressions() []string {
	cols := i.extendedCols()
	out := make([]string, len(cols))
	for k, c := range cols {
		out[k] = i.table.t.name + "." + columnNames[c]
	}
	return out
}

// ExtendedColumnExpressionTypes implements sql.ExtendedIndex.
func (i *index) ExtendedColumnExpressionTypes() []sql.ColumnExpressionType {
	cols := i.extendedCols()
	out := make([]sql.ColumnExpressionType, len(cols))
	for k, c := range cols {
		out[k] = sql.ColumnExpressionType{Expression: i.table.t.name + "." + columnNames[c], Type: i.table.schema[c].Type}
	}
	return out
}
