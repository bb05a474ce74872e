package store

import (
	"context"
	"encoding/binary"
	"math"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/expression"
	"github.com/dolthub/go-mysql-server/sql/expression/function"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/mysql"
)

// The inspection engine differs from the store's own in what its SQL can
// reach: LOAD_FILE is always NULL (no FILE privilege), the string functions
// that can make a large value out of a small statement are bounded (a
// max_allowed_packet-style check before the value is built, which the
// engine does not do itself), and its parser refuses what the listener
// never runs (guardParser).

// newInspectionEngine builds the listener's engine over db.
func newInspectionEngine(db *database, opts MySQLOptions) *sqle.Engine {
	e := newEngineFor(&inspectionProvider{dbProvider: &dbProvider{db: db}, funcs: inspectionFunctions(opts.MaxResultBytes)}, opts.ReadOnly)
	e.Parser = guardParser{Parser: e.Parser}
	return e
}

// inspectionProvider is the listener's database provider; as a
// sql.FunctionProvider it overrides the built-in functions in funcs.
type inspectionProvider struct {
	*dbProvider
	funcs map[string]sql.Function
}

func (p *inspectionProvider) Function(_ *sql.Context, name string) (sql.Function, bool) {
	f, ok := p.funcs[strings.ToLower(name)]
	return f, ok
}

// sizeBound returns an upper bound, in bytes, of the value a function
// returns for the evaluated arguments (before it builds it).
type sizeBound func(ctx *sql.Context, args []any) int64

var boundedFunctions = map[string]sizeBound{
	"repeat": func(ctx *sql.Context, a []any) int64 { return satMul(argLen(a, 0), argInt(ctx, a, 1)) },
	"space":  func(ctx *sql.Context, a []any) int64 { return argInt(ctx, a, 0) },
	"lpad":   padBound,
	"rpad":   padBound,
	"replace": func(_ *sql.Context, a []any) int64 {
		s, from, to := argString(a, 0), argString(a, 1), argString(a, 2)
		if from == "" || len(to) <= len(from) {
			return int64(len(s))
		}
		return satAdd(int64(len(s)), satMul(int64(strings.Count(s, from)), int64(len(to)-len(from))))
	},
	"insert": func(_ *sql.Context, a []any) int64 { return argLen(a, 0) + argLen(a, 3) },
	"regexp_replace": func(_ *sql.Context, a []any) int64 {
		// Every position may match, and every $n of the replacement may
		// copy the whole subject.
		s, repl := argLen(a, 0), argString(a, 2)
		refs := int64(strings.Count(repl, "$") + strings.Count(repl, `\`))
		return satAdd(s, satMul(s+1, satAdd(int64(len(repl)), satMul(refs, s))))
	},
	"concat":    sumBound,
	"concat_ws": sumBound,
	"to_base64": func(_ *sql.Context, a []any) int64 { return argLen(a, 0)*4/3 + argLen(a, 0)/57 + 4 },
	"hex":       func(_ *sql.Context, a []any) int64 { return 2*argLen(a, 0) + 16 },
	"export_set": func(_ *sql.Context, a []any) int64 {
		return 64 * (max(argLen(a, 1), argLen(a, 2)) + argLen(a, 3) + 1)
	},
	"uncompress": func(_ *sql.Context, a []any) int64 {
		b := argBytes(a, 0)
		if len(b) < 4 {
			return int64(len(b))
		}
		return int64(binary.LittleEndian.Uint32(b[:4]))
	},
}

func padBound(ctx *sql.Context, a []any) int64 {
	per := int64(max(maxRuneLen(argString(a, 0)), maxRuneLen(argString(a, 2)), 1))
	return satMul(argInt(ctx, a, 1), per)
}

func sumBound(_ *sql.Context, a []any) int64 {
	var n int64
	for i := range a {
		n += argLen(a, i)
	}
	if len(a) > 1 {
		n += argLen(a, 0) * int64(len(a)-2) // concat_ws: a separator between each value
	}
	return n
}

func inspectionFunctions(limit int64) map[string]sql.Function {
	out := map[string]sql.Function{}
	for _, f := range function.BuiltIns {
		name := strings.ToLower(f.FunctionName())
		orig := f
		if name == "load_file" {
			out[name] = sql.FunctionN{Name: name, Fn: func(args ...sql.Expression) (sql.Expression, error) {
				e, err := orig.NewInstance(args)
				if err != nil {
					return nil, err
				}
				return noFile{e}, nil
			}}
			continue
		}
		bound, ok := boundedFunctions[name]
		if !ok {
			continue
		}
		out[name] = sql.FunctionN{Name: name, Fn: func(args ...sql.Expression) (sql.Expression, error) {
			e, err := orig.NewInstance(args)
			if err != nil {
				return nil, err
			}
			return &boundedFunc{Expression: e, name: name, bound: bound, limit: limit}, nil
		}}
	}
	return out
}

// noFile is LOAD_FILE for a session without the FILE privilege: NULL.
type noFile struct{ sql.Expression }

func (noFile) Eval(*sql.Context, sql.Row) (any, error) { return nil, nil }

func (n noFile) WithChildren(children ...sql.Expression) (sql.Expression, error) {
	e, err := n.Expression.WithChildren(children...)
	if err != nil {
		return nil, err
	}
	return noFile{e}, nil
}

func (noFile) FunctionName() string { return "load_file" }
func (noFile) Description() string {
	return "returns NULL: the inspection listener has no FILE privilege"
}

// boundedFunc evaluates its arguments once, refuses when the result would
// pass the per-value limit or the statement's remaining budget, and only
// then lets the engine's function build the value (from the evaluated
// arguments, so nothing is evaluated twice).
type boundedFunc struct {
	sql.Expression
	name  string
	bound sizeBound
	limit int64
}

func (b *boundedFunc) Eval(ctx *sql.Context, row sql.Row) (any, error) {
	children := b.Expression.Children()
	args := make([]any, len(children))
	lits := make([]sql.Expression, len(children))
	for i, c := range children {
		v, err := c.Eval(ctx, row)
		if err != nil {
			return nil, err
		}
		args[i] = v
		lits[i] = expression.NewLiteral(v, c.Type())
	}
	budget := budgetOf(ctx)
	if n := b.bound(ctx, args); n > b.limit || budget != nil && !budget.fits(n) {
		return nil, valueTooLarge(b.name, b.limit)
	}
	e, err := b.Expression.WithChildren(lits...)
	if err != nil {
		return nil, err
	}
	v, err := e.Eval(ctx, row)
	if err != nil {
		return nil, err
	}
	if n := valueLen(v); n > b.limit || budget != nil && !budget.spend(n) {
		return nil, valueTooLarge(b.name, b.limit)
	}
	return v, nil
}

func (b *boundedFunc) WithChildren(children ...sql.Expression) (sql.Expression, error) {
	e, err := b.Expression.WithChildren(children...)
	if err != nil {
		return nil, err
	}
	return &boundedFunc{Expression: e, name: b.name, bound: b.bound, limit: b.limit}, nil
}

func (b *boundedFunc) CollationCoercibility(ctx *sql.Context) (sql.CollationID, byte) {
	if cc, ok := b.Expression.(sql.CollationCoercible); ok {
		return cc.CollationCoercibility(ctx)
	}
	return sql.Collation_binary, 7
}

func (b *boundedFunc) FunctionName() string { return b.name }
func (b *boundedFunc) Description() string {
	if fe, ok := b.Expression.(sql.FunctionExpression); ok {
		return fe.Description()
	}
	return b.name
}

func valueTooLarge(name string, limit int64) error {
	return mysql.NewSQLError(errAllowedPacketOverflowed, mysql.SSUnknownSQLState,
		"Result of %s() would be larger than the inspection listener's bound of %d bytes per statement (--mysql-max-result-bytes)", name, limit)
}

// budget is what string functions may still produce in one statement.
type budget struct {
	left atomic.Int64
}

type budgetKey struct{}

func withBudget(ctx context.Context, n int64) context.Context {
	b := &budget{}
	b.left.Store(n)
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetOf(ctx context.Context) *budget {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	return b
}

func (b *budget) fits(n int64) bool { return n <= b.left.Load() }

func (b *budget) spend(n int64) bool { return b.left.Add(-n) >= 0 }

func valueLen(v any) int64 {
	switch s := v.(type) {
	case string:
		return int64(len(s))
	case []byte:
		return int64(len(s))
	}
	return 0
}

func argBytes(a []any, i int) []byte {
	if i >= len(a) {
		return nil
	}
	switch v := a[i].(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

func argString(a []any, i int) string {
	if i >= len(a) || a[i] == nil {
		return ""
	}
	switch v := a[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	s, _, err := types.LongText.Convert(context.Background(), a[i])
	if err != nil {
		return ""
	}
	str, _ := s.(string)
	return str
}

func argLen(a []any, i int) int64 {
	if i >= len(a) || a[i] == nil {
		return 0
	}
	switch v := a[i].(type) {
	case string:
		return int64(len(v))
	case []byte:
		return int64(len(v))
	}
	return int64(len(argString(a, i)))
}

// argInt is an integer argument as the engine converts it (0 when it
// cannot: the function then fails or returns NULL on its own).
func argInt(ctx *sql.Context, a []any, i int) int64 {
	if i >= len(a) || a[i] == nil {
		return 0
	}
	v, _, err := types.Int64.Convert(ctx, a[i])
	if err != nil {
		return 0
	}
	n, _ := v.(int64)
	return max(n, 0)
}

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func maxRuneLen(s string) int {
	m := 0
	for _, r := range s {
		m = max(m, utf8.RuneLen(r))
	}
	return m
}
