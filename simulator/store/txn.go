package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/vt/sqlparser"
)

// Statements are classified on their parsed form (the vitess AST the engine
// itself executes), never on their text: a comment, a WITH clause or a
// VALUES statement cannot make a read look like a write or the reverse.

// parseFirst parses the first statement of query with the parser options
// the engine uses. It returns sqlparser.ErrEmpty for a query holding only
// comments or delimiters.
func parseFirst(ctx context.Context, query string, opts sqlparser.ParserOptions) (sqlparser.Statement, error) {
	stmt, _, err := sqlparser.ParseOneWithOptions(ctx, sql.RemoveSpaceAndDelimiter(query, ';'), opts)
	return stmt, err
}

// refuseTransaction returns ErrTransactions for statements that would open an
// explicit transaction. A statement that does not parse is left to the
// engine, which refuses it with its own syntax error.
func refuseTransaction(query string) error {
	stmt, err := parseFirst(context.Background(), query, sqlparser.ParserOptions{})
	if err != nil {
		return nil
	}
	if opensTransaction(stmt) {
		return ErrTransactions
	}
	return nil
}

// opensTransaction reports BEGIN / START TRANSACTION, savepoints and any
// change of autocommit other than to a literal 1 / ON / TRUE.
func opensTransaction(stmt sqlparser.Statement) bool {
	switch s := stmt.(type) {
	case *sqlparser.Begin, *sqlparser.Savepoint, *sqlparser.RollbackSavepoint, *sqlparser.ReleaseSavepoint:
		return true
	case *sqlparser.Set:
		for _, e := range s.Exprs {
			if e.Scope != sqlparser.SetScope_User && strings.EqualFold(e.Name.String(), "autocommit") && !literallyOn(e.Expr) {
				return true
			}
		}
	}
	return false
}

func literallyOn(e sqlparser.Expr) bool {
	switch v := e.(type) {
	case *sqlparser.SQLVal:
		switch strings.ToLower(string(v.Val)) {
		case "1", "on", "true":
			return true
		}
	case sqlparser.BoolVal:
		return bool(v)
	case *sqlparser.ColName:
		switch strings.ToLower(v.Name.String()) {
		case "on", "true":
			return true
		}
	}
	return false
}

// isWrite reports whether a statement may write. A statement that does not
// parse counts as a write (it takes the locks only as long as the engine
// needs to refuse it); one holding only comments does not.
func isWrite(query string) bool {
	stmt, err := parseFirst(context.Background(), query, sqlparser.ParserOptions{})
	if errors.Is(err, sqlparser.ErrEmpty) {
		return false
	}
	if err != nil {
		return true
	}
	return writes(stmt)
}

// writes reports whether a parsed statement may change a table's rows. Only
// statement kinds that cannot are reads (SELECT in all its forms — WITH,
// VALUES, TABLE, set operations —, SHOW, EXPLAIN without ANALYZE, USE, SET,
// KILL, COMMIT/ROLLBACK, ANALYZE TABLE, PREPARE/DEALLOCATE); anything else
// counts as a write.
func writes(stmt sqlparser.Statement) bool {
	switch s := stmt.(type) {
	case *sqlparser.Select, *sqlparser.SetOp, *sqlparser.ParenSelect, *sqlparser.Show, *sqlparser.Use,
		*sqlparser.Set, *sqlparser.OtherRead, *sqlparser.Kill, *sqlparser.Commit, *sqlparser.Rollback,
		*sqlparser.Analyze, *sqlparser.Prepare, *sqlparser.Deallocate, *sqlparser.ShowGrants, *sqlparser.ShowPrivileges:
		return false
	case *sqlparser.Explain:
		return s.Analyze && writes(s.Statement)
	}
	return true
}

func toTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

type heldKey struct{}

// held reports whether the statement running under ctx already holds every
// table's write lock.
func held(ctx context.Context) bool {
	v, _ := ctx.Value(heldKey{}).(bool)
	return v
}

// lockAll takes every table's write lock (in a fixed order, so two writers
// never deadlock) for one SQL write statement: its reads and writes then see
// and change the rows atomically, and no typed upsert can slip in between the
// statement's read of a row and its write (no lost update).
func (s *Store) lockAll(ctx context.Context) (context.Context, func()) {
	for _, name := range s.names {
		s.tables[name].mu.Lock()
	}
	return context.WithValue(ctx, heldKey{}, true), func() {
		for i := len(s.names) - 1; i >= 0; i-- {
			s.tables[s.names[i]].mu.Unlock()
		}
	}
}
