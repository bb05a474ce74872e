package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// List answers a Query with one SELECT (and one COUNT) through the SQL
// engine. Values are rendered as escaped literals; field names come only
// from a fixed column list or a validated JSON path.

var reJSONPath = regexp.MustCompile(`^\$(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])+$`)

type colKind int

const (
	kText colKind = iota
	kInt
	kTime
)

var listColumns = map[string]colKind{
	"id": kText, "seq": kInt, "email": kText, "first_name": kText, "last_name": kText, "ext_key": kText,
	"created_time": kTime, "updated_time": kTime, "revision": kInt,
}

// fieldExpr returns the SQL expression of a field and its kind.
func fieldExpr(field string) (string, colKind, error) {
	if k, ok := listColumns[field]; ok {
		return "`" + field + "`", k, nil
	}
	if strings.HasPrefix(field, "$") {
		if !reJSONPath.MatchString(field) {
			return "", 0, badQuery("invalid JSON path %q", field)
		}
		return jsonExpr(field), kText, nil
	}
	return "", 0, badQuery("unknown field %q", field)
}

var reJSONStep = regexp.MustCompile(`\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]`)

// jsonExpr extracts a validated path as text. Each intermediate level is
// guarded with CASE WHEN JSON_TYPE(...) so that a JSON null (or scalar) on the
// way gives SQL NULL, as MySQL does, instead of go-mysql-server's "get
// attribute from null object" error. Portable to MySQL/MariaDB.
func jsonExpr(path string) string {
	steps := reJSONStep.FindAllString(path, -1)
	expr := "JSON_UNQUOTE(JSON_EXTRACT(`doc`, '" + path + "'))"
	prefix := "$"
	prefixes := make([]string, 0, len(steps))
	for _, st := range steps[:len(steps)-1] {
		prefix += st
		prefixes = append(prefixes, prefix)
	}
	for i := len(prefixes) - 1; i >= 0; i-- {
		expr = "CASE WHEN JSON_TYPE(JSON_EXTRACT(`doc`, '" + prefixes[i] + "')) IN ('OBJECT', 'ARRAY') THEN " + expr + " END"
	}
	return expr
}

// quote renders a string literal safe in MySQL's default sql_mode.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 26:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func literal(v any, kind colKind) (string, error) {
	switch kind {
	case kInt:
		switch n := v.(type) {
		case int64:
			return strconv.FormatInt(n, 10), nil
		case int:
			return strconv.Itoa(n), nil
		}
		return "", badQuery("want an integer, got %T", v)
	case kTime:
		t, ok := v.(time.Time)
		if !ok {
			return "", badQuery("want a time, got %T", v)
		}
		return quote(t.UTC().Format("2006-01-02 15:04:05.000000")), nil
	}
	s, ok := v.(string)
	if !ok {
		return "", badQuery("want a string, got %T", v)
	}
	return quote(s), nil
}

func likeLiteral(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return quote("%" + r.Replace(s) + "%")
}

func condition(f Filter) (string, error) {
	expr, kind, err := fieldExpr(f.Field)
	if err != nil {
		return "", err
	}
	fold := f.Fold && kind == kText
	if fold {
		expr = "LOWER(" + expr + ")"
	}
	lits := make([]string, 0, len(f.Values))
	for _, v := range f.Values {
		if fold {
			if s, ok := v.(string); ok {
				v = strings.ToLower(s)
			}
		}
		if f.Op == OpContains || f.Op == OpNotContains {
			s, ok := v.(string)
			if !ok {
				return "", badQuery("%s wants a string", f.Op)
			}
			lits = append(lits, likeLiteral(s))
			continue
		}
		l, err := literal(v, kind)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Field, err)
		}
		lits = append(lits, l)
	}
	one := func() (string, error) {
		if len(lits) != 1 {
			return "", badQuery("%s on %s wants exactly one value", f.Op, f.Field)
		}
		return lits[0], nil
	}
	// NULL (a missing JSON member) matches only the negative operators.
	orNull := func(c string) string { return "(" + c + " OR " + expr + " IS NULL)" }
	switch f.Op {
	case OpEq, OpNe, OpGt, OpGe, OpLt, OpLe:
		l, err := one()
		if err != nil {
			return "", err
		}
		op := map[Op]string{OpEq: "=", OpNe: "<>", OpGt: ">", OpGe: ">=", OpLt: "<", OpLe: "<="}[f.Op]
		c := expr + " " + op + " " + l
		if f.Op == OpNe {
			return orNull(c), nil
		}
		return c, nil
	case OpContains:
		l, err := one()
		if err != nil {
			return "", err
		}
		return expr + " LIKE " + l, nil
	case OpNotContains:
		l, err := one()
		if err != nil {
			return "", err
		}
		return orNull(expr + " NOT LIKE " + l), nil
	case OpIn, OpNotIn:
		if len(lits) == 0 {
			if f.Op == OpIn {
				return "FALSE", nil
			}
			return "TRUE", nil
		}
		list := "(" + strings.Join(lits, ", ") + ")"
		if f.Op == OpIn {
			return expr + " IN " + list, nil
		}
		return orNull(expr + " NOT IN " + list), nil
	}
	return "", badQuery("unknown operator %q", f.Op)
}

// buildWhere renders the tenant condition, filters and search.
func buildWhere(q Query) (string, error) {
	parts := []string{"`tenant` = " + quote(q.Tenant)}
	for _, anyOf := range q.Where {
		if len(anyOf) == 0 {
			continue
		}
		alts := make([]string, 0, len(anyOf))
		for _, f := range anyOf {
			c, err := condition(f)
			if err != nil {
				return "", err
			}
			alts = append(alts, c)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	if q.Search != "" && len(q.SearchFields) > 0 {
		alts := make([]string, 0, len(q.SearchFields))
		for _, f := range q.SearchFields {
			expr, _, err := fieldExpr(f)
			if err != nil {
				return "", err
			}
			alts = append(alts, "LOWER("+expr+") LIKE "+likeLiteral(strings.ToLower(q.Search)))
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND "), nil
}

// List implements Repository. The page and its total come from one
// snapshot of the table (listSnap): the COUNT and the SELECT read the same
// rows.
func (s *Store) List(ctx context.Context, tableName string, q Query) (Page, error) {
	t, err := s.table(tableName)
	if err != nil {
		return Page{}, err
	}
	s.refreshStats(ctx, tableName)
	if page, ok := s.listIndexed(t, q); ok {
		return page, nil
	}
	where, err := buildWhere(q)
	if err != nil {
		return Page{}, err
	}
	from := " FROM `" + tableName + "` WHERE " + where
	order := make([]string, 0, len(q.Sort)+2)
	for _, so := range q.Sort {
		expr, _, err := fieldExpr(so.Field)
		if err != nil {
			return Page{}, err
		}
		if so.Desc {
			expr += " DESC"
		}
		order = append(order, expr)
	}
	order = append(order, "`id`")
	stmt := "SELECT " + strings.Join(quotedColumns(), ", ") + from + " ORDER BY " + strings.Join(order, ", ")
	if q.Limit > 0 {
		stmt += " LIMIT " + strconv.Itoa(q.Limit)
	} else if q.Offset > 0 {
		stmt += " LIMIT 4611686018427387904"
	}
	if q.Offset > 0 {
		stmt += " OFFSET " + strconv.Itoa(q.Offset)
	}
	for try := 0; ; try++ {
		sn := &listSnap{t: t, locked: try >= listOptimisticTries}
		page, err := s.listSQL(withSnap(ctx, sn), sn, "SELECT COUNT(*)"+from, stmt, q)
		if err != nil || sn.locked || !sn.changed() {
			return page, err
		}
	}
}

// listOptimisticTries is how many times List runs without holding the read
// lock across its statements before it does (a retry is needed only when
// the two statements used different lookups and a write came between them).
const listOptimisticTries = 1

// listSQL runs a List's COUNT and SELECT under the snapshot sn (ctx carries
// it). When a statement did not read the table through the snapshot, the
// result is marked unsure (moved) unless the read lock is held throughout.
func (s *Store) listSQL(ctx context.Context, sn *listSnap, count, stmt string, q Query) (Page, error) {
	if sn.locked {
		sn.t.mu.RLock()
		defer sn.t.mu.RUnlock()
	}
	unsure := func(before int) {
		if sn.readCount() == before {
			sn.mu.Lock()
			sn.moved = true
			sn.mu.Unlock()
		}
	}
	_, rows, err := s.Query(ctx, count)
	if err != nil {
		return Page{}, fmt.Errorf("store: count: %w", err)
	}
	unsure(0)
	page := Page{Total: toInt(rows[0][0])}
	if q.Limit < 0 || page.Total == 0 {
		page.Records = []Record{}
		return page, nil
	}
	before := sn.readCount()
	_, rows, err = s.Query(ctx, stmt)
	if err != nil {
		return Page{}, fmt.Errorf("store: list: %w", err)
	}
	unsure(before)
	page.Records = make([]Record, 0, len(rows))
	for _, row := range rows {
		rec, err := fromRow(row)
		if err != nil {
			return Page{}, err
		}
		page.Records = append(page.Records, rec)
	}
	return page, nil
}

func quotedColumns() []string {
	out := make([]string, len(columnNames))
	for i, c := range columnNames {
		out[i] = "`" + c + "`"
	}
	return out
}

func toInt(v any) int {
	switch n := v.(type) {
	case int64:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	case uint64:
		return int(n)
	}
	return 0
}

// refreshStats runs ANALYZE TABLE when a table has at least doubled (and holds
// 64 rows or more) since it was last analysed. go-mysql-server's coster
// prefers the unique primary key over a selective secondary index unless it
// has statistics; refreshing on growth keeps that cost logarithmic in the
// number of writes.
func (s *Store) refreshStats(ctx context.Context, tableName string) {
	t := s.tables[tableName]
	t.mu.RLock()
	n := int64(t.primary.Len())
	t.mu.RUnlock()
	last := t.analyzed.Load()
	if n < 64 || n < 2*last || !t.analyzed.CompareAndSwap(last, n) {
		return
	}
	if _, _, err := s.Query(ctx, "ANALYZE TABLE `"+tableName+"`"); err != nil {
		s.logger.Warn("analyze table failed", "table", tableName, "error", err)
	}
}
