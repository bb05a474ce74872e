package store

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// List answers a Query with one SELECT (and one COUNT) through the SQL
// engine. No value of the query — the tenant, a filter's or the search's
// values, a JSON path — is ever part of the statement's text: each is a bind
// variable (:v1, :v2, …) that the engine substitutes as a literal when it
// builds the plan (sqle.Engine.QueryWithBindings). The text holds only
// column names from the fixed list below, operators, and the placeholders;
// a JSON path must still match reJSONPath, so that the store can see its
// steps (jsonExpr guards every level).

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

// binds collects one statement's bind variables.
type binds map[string]sqlparser.Expr

// add binds e to the next placeholder and returns the placeholder's text.
func (b binds) add(e sqlparser.Expr) string {
	name := "v" + strconv.Itoa(len(b)+1)
	b[name] = e
	return ":" + name
}

func (b binds) str(s string) string { return b.add(sqlparser.NewStrVal([]byte(s))) }
func (b binds) num(n int64) string  { return b.add(sqlparser.NewIntVal(strconv.AppendInt(nil, n, 10))) }

// datetime binds t as the DATETIME(6) text the columns compare with.
func (b binds) datetime(t time.Time) string {
	return b.str(t.UTC().Format("2006-01-02 15:04:05.000000"))
}

// fieldExpr returns the SQL expression of a field and its kind; a JSON
// path's steps are bound in b.
func fieldExpr(field string, b binds) (string, colKind, error) {
	if k, ok := listColumns[field]; ok {
		return "`" + field + "`", k, nil
	}
	if strings.HasPrefix(field, "$") {
		if !reJSONPath.MatchString(field) {
			return "", 0, badQuery("invalid JSON path %q", field)
		}
		return jsonExpr(field, b), kText, nil
	}
	return "", 0, badQuery("unknown field %q", field)
}

var reJSONStep = regexp.MustCompile(`\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]`)

// jsonExpr extracts a validated path as text. Each intermediate level is
// guarded with CASE WHEN JSON_TYPE(...) so that a JSON null (or scalar) on the
// way gives SQL NULL, as MySQL does, instead of go-mysql-server's "get
// attribute from null object" error. Portable to MySQL/MariaDB. The path and
// its prefixes are bind variables.
func jsonExpr(path string, b binds) string {
	steps := reJSONStep.FindAllString(path, -1)
	expr := "JSON_UNQUOTE(JSON_EXTRACT(`doc`, " + b.str(path) + "))"
	prefix := "$"
	prefixes := make([]string, 0, len(steps))
	for _, st := range steps[:len(steps)-1] {
		prefix += st
		prefixes = append(prefixes, prefix)
	}
	for i := len(prefixes) - 1; i >= 0; i-- {
		expr = "CASE WHEN JSON_TYPE(JSON_EXTRACT(`doc`, " + b.str(prefixes[i]) + ")) IN ('OBJECT', 'ARRAY') THEN " + expr + " END"
	}
	return expr
}

// bindValue binds one comparison value of a column of kind kind.
func bindValue(v any, kind colKind, b binds) (string, error) {
	switch kind {
	case kInt:
		switch n := v.(type) {
		case int64:
			return b.num(n), nil
		case int:
			return b.num(int64(n)), nil
		}
		return "", badQuery("want an integer, got %T", v)
	case kTime:
		t, ok := v.(time.Time)
		if !ok {
			return "", badQuery("want a time, got %T", v)
		}
		return b.datetime(t), nil
	}
	s, ok := v.(string)
	if !ok {
		return "", badQuery("want a string, got %T", v)
	}
	return b.str(s), nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likePattern is the LIKE pattern matching s anywhere, its metacharacters
// (and the escape character) escaped.
func likePattern(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

func condition(f Filter, b binds) (string, error) {
	expr, kind, err := fieldExpr(f.Field, b)
	if err != nil {
		return "", err
	}
	fold := f.Fold && kind == kText
	if fold {
		expr = "LOWER(" + expr + ")"
	}
	args := make([]string, 0, len(f.Values))
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
			args = append(args, b.str(likePattern(s)))
			continue
		}
		a, err := bindValue(v, kind, b)
		if err != nil {
			return "", fmt.Errorf("%s: %w", f.Field, err)
		}
		args = append(args, a)
	}
	one := func() (string, error) {
		if len(args) != 1 {
			return "", badQuery("%s on %s wants exactly one value", f.Op, f.Field)
		}
		return args[0], nil
	}
	// NULL (a missing JSON member) matches only the negative operators.
	orNull := func(c string) string { return "(" + c + " OR " + expr + " IS NULL)" }
	switch f.Op {
	case OpEq, OpNe, OpGt, OpGe, OpLt, OpLe:
		a, err := one()
		if err != nil {
			return "", err
		}
		op := map[Op]string{OpEq: "=", OpNe: "<>", OpGt: ">", OpGe: ">=", OpLt: "<", OpLe: "<="}[f.Op]
		c := expr + " " + op + " " + a
		if f.Op == OpNe {
			return orNull(c), nil
		}
		return c, nil
	case OpContains:
		a, err := one()
		if err != nil {
			return "", err
		}
		return expr + " LIKE " + a, nil
	case OpNotContains:
		a, err := one()
		if err != nil {
			return "", err
		}
		return orNull(expr + " NOT LIKE " + a), nil
	case OpIn, OpNotIn:
		if len(args) == 0 {
			if f.Op == OpIn {
				return "FALSE", nil
			}
			return "TRUE", nil
		}
		list := "(" + strings.Join(args, ", ") + ")"
		if f.Op == OpIn {
			return expr + " IN " + list, nil
		}
		return orNull(expr + " NOT IN " + list), nil
	}
	return "", badQuery("unknown operator %q", f.Op)
}

// buildWhere renders the tenant condition, filters and search, their values
// bound in b.
func buildWhere(q Query, b binds) (string, error) {
	parts := []string{"`tenant` = " + b.str(q.Tenant)}
	for _, anyOf := range q.Where {
		if len(anyOf) == 0 {
			continue
		}
		alts := make([]string, 0, len(anyOf))
		for _, f := range anyOf {
			c, err := condition(f, b)
			if err != nil {
				return "", err
			}
			alts = append(alts, c)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	if q.Search != "" && len(q.SearchFields) > 0 {
		alts := make([]string, 0, len(q.SearchFields))
		pattern := ""
		for _, f := range q.SearchFields {
			expr, _, err := fieldExpr(f, b)
			if err != nil {
				return "", err
			}
			if pattern == "" {
				pattern = b.str(likePattern(strings.ToLower(q.Search)))
			}
			alts = append(alts, "LOWER("+expr+") LIKE "+pattern)
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	return strings.Join(parts, " AND "), nil
}

// listStatements builds a List's COUNT and SELECT with their bind
// variables (the COUNT's are the SELECT's without the ORDER BY's).
func listStatements(tableName string, q Query) (count string, countBinds binds, stmt string, stmtBinds binds, err error) {
	b := binds{}
	where, err := buildWhere(q, b)
	if err != nil {
		return "", nil, "", nil, err
	}
	from := " FROM `" + tableName + "` WHERE " + where
	countBinds = maps.Clone(b)
	order := make([]string, 0, len(q.Sort)+2)
	for _, so := range q.Sort {
		expr, _, err := fieldExpr(so.Field, b)
		if err != nil {
			return "", nil, "", nil, err
		}
		if so.Desc {
			expr += " DESC"
		}
		order = append(order, expr)
	}
	order = append(order, "`id`")
	stmt = "SELECT " + selectColumns + from + " ORDER BY " + strings.Join(order, ", ")
	if q.Limit > 0 {
		stmt += " LIMIT " + strconv.Itoa(q.Limit)
	} else if q.Offset > 0 {
		stmt += " LIMIT 4611686018427387904"
	}
	if q.Offset > 0 {
		stmt += " OFFSET " + strconv.Itoa(q.Offset)
	}
	return "SELECT COUNT(*)" + from, countBinds, stmt, b, nil
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
	count, countBinds, stmt, stmtBinds, err := listStatements(tableName, q)
	if err != nil {
		return Page{}, err
	}
	for try := 0; ; try++ {
		sn := &listSnap{t: t, locked: try >= listOptimisticTries}
		page, err := s.listSQL(withSnap(ctx, sn), sn, count, countBinds, stmt, stmtBinds, q)
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
func (s *Store) listSQL(ctx context.Context, sn *listSnap, count string, countBinds binds, stmt string, stmtBinds binds, q Query) (Page, error) {
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
	rows, err := s.queryBound(ctx, count, countBinds)
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
	rows, err = s.queryBound(ctx, stmt, stmtBinds)
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

// selectColumns is every column, quoted, in row order.
var selectColumns = func() string {
	out := make([]string, len(columnNames))
	for i, c := range columnNames {
		out[i] = "`" + c + "`"
	}
	return strings.Join(out, ", ")
}()

// queryBound runs one SELECT that the store built itself (List's) with its
// values as bind variables: the engine substitutes them as literals when it
// builds the plan, so no value is ever parsed as SQL. The statement is
// parsed once here and handed to the engine as this session's prepared
// statement (without it, QueryWithBindings would parse and bind the text a
// second time); the session is dropped afterwards, so the engine's prepared
// statement cache does not grow. The statement is a read: no locks are
// taken beyond each table's read lock while its rows are copied.
func (s *Store) queryBound(ctx context.Context, query string, b binds) ([]sql.Row, error) {
	sctx := s.NewContext(ctx)
	query = sql.RemoveSpaceAndDelimiter(query, ';')
	parsed, _, err := s.engine.Parser.ParseOneWithOptions(sctx, query, sql.LoadSqlMode(sctx).ParserOptions())
	if err != nil {
		return nil, err
	}
	cache := s.engine.PreparedDataCache
	id := sctx.Session.ID()
	cache.CacheStmt(id, query, parsed)
	defer cache.DeleteSessionData(id)
	_, iter, _, err := s.engine.QueryWithBindings(sctx, query, nil, b, nil)
	if err != nil {
		return nil, err
	}
	return sql.RowIterToRows(sctx, iter)
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
