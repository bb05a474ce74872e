package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// hostileValues are filter values that would break, or change, a statement
// they were spliced into. Each carries the marker "zqv" so that the test can
// look for it in the statement's text.
var hostileValues = []string{
	`zqv O'Brien`, `zqv back\slash`, `zqv 100%`, `zqv _under_`, "zqv nul\x00byte", `zqv' OR 1=1 --`,
	`zqv" OR ""="`, `zqv\'; DROP TABLE rebilly_customers; --`, "zqv ünïcødé ✓ 𝄞", `zqv %_\%\_`,
	"zqv line\nbreak\r\x1a", "zqv `backtick`", "zqv :v1 ?",
}

// listShapes builds every shape of List query List sends through SQL, with
// the text values v and the JSON member name m.
func listShapes(tenant, v, m string, n int64, at time.Time) []Query {
	path := "$.customFields." + m
	return []Query{
		{Tenant: tenant, Where: []Any{{{Field: "email", Op: OpEq, Values: []any{v}}}}},
		{Tenant: tenant, Where: []Any{{{Field: "email", Op: OpNe, Values: []any{v}}}, {{Field: path, Op: OpGt, Values: []any{v}}}}},
		{Tenant: tenant, Where: []Any{{{Field: "first_name", Op: OpGe, Values: []any{v}, Fold: true}, {Field: "last_name", Op: OpLt, Values: []any{v}}}}},
		{Tenant: tenant, Where: []Any{{{Field: path, Op: OpLe, Values: []any{v}, Fold: true}}}},
		{Tenant: tenant, Where: []Any{{{Field: path, Op: OpContains, Values: []any{v}}}, {{Field: "id", Op: OpNotContains, Values: []any{v}, Fold: true}}}},
		{Tenant: tenant, Where: []Any{{{Field: "ext_key", Op: OpIn, Values: []any{v, v + v}}}, {{Field: path, Op: OpNotIn, Values: []any{v}}}}},
		{Tenant: tenant, Where: []Any{{{Field: "revision", Op: OpGe, Values: []any{n}}}, {{Field: "created_time", Op: OpLt, Values: []any{at}}}}},
		{Tenant: tenant, Where: []Any{{{Field: "seq", Op: OpIn, Values: []any{n, int(n)}}}, {{Field: "updated_time", Op: OpEq, Values: []any{at}}}}},
		{Tenant: tenant, Search: v, SearchFields: []string{"email", path, "$.name"}},
		{Tenant: tenant, Where: []Any{{{Field: "$.list[3]." + m, Op: OpEq, Values: []any{v}}}},
			Sort: []Sort{{Field: path, Desc: true}, {Field: "created_time"}}, Limit: 20, Offset: 40},
		{Tenant: tenant, Where: []Any{{{Field: "id", Op: OpIn}}, {{Field: "id", Op: OpNotIn}}}, Offset: 3},
	}
}

// The text of every statement List builds is the same whatever the values:
// each value (the tenant's, a filter's, the search's, a JSON path's member
// names) reaches the engine only as a bind variable.
func TestListStatementsHoldNoValue(t *testing.T) {
	at := time.Date(2026, 12, 4, 20, 0, 0, 123456000, time.UTC)
	plain := listShapes("t", "x", "m", 1, at)
	for i, hostile := range hostileValues {
		member := fmt.Sprintf("zqv_member%d", i)
		for j, q := range listShapes(hostile, hostile, member, -9223372036854775808, at.Add(time.Hour)) {
			count, countBinds, stmt, stmtBinds, err := listStatements(TableRebilly, q)
			if err != nil {
				t.Fatalf("value %q, shape %d: %v", hostile, j, err)
			}
			wantCount, _, wantStmt, _, err := listStatements(TableRebilly, plain[j])
			if err != nil {
				t.Fatal(err)
			}
			if count != wantCount || stmt != wantStmt {
				t.Errorf("value %q, shape %d: the text depends on the values:\n%s\n%s\nwant\n%s\n%s", hostile, j, count, stmt, wantCount, wantStmt)
			}
			if strings.Contains(count+stmt, "zqv") {
				t.Errorf("value %q, shape %d: a value is in the text: %s / %s", hostile, j, count, stmt)
			}
			if got := countBinds["v1"]; !boundString(got, hostile) {
				t.Errorf("value %q, shape %d: the tenant is bound as %#v", hostile, j, got)
			}
			for name := range countBinds {
				if !strings.Contains(count, ":"+name) || !sameExpr(countBinds[name], stmtBinds[name]) {
					t.Errorf("shape %d: COUNT binding %s is not the SELECT's or not used", j, name)
				}
			}
			for name := range stmtBinds {
				if !strings.Contains(stmt, ":"+name) {
					t.Errorf("shape %d: SELECT binding %s is unused", j, name)
				}
			}
		}
	}
}

func boundString(e sqlparser.Expr, want string) bool {
	v, ok := e.(*sqlparser.SQLVal)
	return ok && v.Type == sqlparser.StrVal && string(v.Val) == want
}

func sameExpr(a, b sqlparser.Expr) bool {
	x, ok1 := a.(*sqlparser.SQLVal)
	y, ok2 := b.(*sqlparser.SQLVal)
	return ok1 && ok2 && x.Type == y.Type && string(x.Val) == string(y.Val)
}

// The values are bound exactly: the pattern of a contains filter escapes
// LIKE's metacharacters and its escape character, folded values are
// lowercased, integers and times keep their value.
func TestListBindings(t *testing.T) {
	at := time.Date(2026, 12, 4, 20, 0, 0, 123456000, time.FixedZone("x", 3600))
	q := Query{Tenant: "T'1", Where: []Any{
		{{Field: "$.a.b", Op: OpContains, Values: []any{`A%_\`}, Fold: true}},
		{{Field: "revision", Op: OpLt, Values: []any{int64(-7)}}, {Field: "created_time", Op: OpGe, Values: []any{at}}},
	}}
	_, _, stmt, b, err := listStatements(TableRapyd, q)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"v1": "T'1", "v2": "$.a.b", "v3": "$.a", "v4": `%a\%\_\\%`, "v5": "-7", "v6": "2026-12-04 19:00:00.123456"}
	if len(b) != len(want) {
		t.Fatalf("bindings %v, want %v (statement %s)", b, want, stmt)
	}
	for name, v := range want {
		got, ok := b[name].(*sqlparser.SQLVal)
		if !ok || string(got.Val) != v {
			t.Errorf("binding %s = %#v, want %q (statement %s)", name, b[name], v, stmt)
		}
	}
	if got := b["v5"].(*sqlparser.SQLVal).Type; got != sqlparser.IntVal {
		t.Errorf("the integer is bound as type %v", got)
	}
}

// List leaves nothing in the engine's prepared-statement cache: each
// statement's session is dropped after it ran.
func TestListLeavesNoPreparedStatement(t *testing.T) {
	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Insert(ctx, TableRebilly, Record{Tenant: "t", ID: "a", Email: "a@x", Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	first := sql.NewBaseSession().ID()
	for i := 0; i < 3; i++ {
		p, err := s.List(ctx, TableRebilly, Query{Tenant: "t", Where: []Any{{{Field: "email", Op: OpEq, Values: []any{"a@x"}}}}})
		if err != nil || p.Total != 1 || len(p.Records) != 1 {
			t.Fatalf("list: %v %+v", err, p)
		}
	}
	last := sql.NewBaseSession().ID()
	if last-first < 2 {
		t.Fatalf("the lists opened no session (ids %d..%d)", first, last)
	}
	for id := first + 1; id < last; id++ {
		if n := len(s.engine.PreparedDataCache.CachedStatementsForSession(id)); n != 0 {
			t.Errorf("session %d left %d prepared statements", id, n)
		}
	}
}
