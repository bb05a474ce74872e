package store

import (
	"context"
	"regexp"
	"time"
)

var reTransaction = regexp.MustCompile(`(?is)^\s*(/\*.*?\*/\s*)*(BEGIN|START\s+TRANSACTION|SAVEPOINT|SET\s+(@@(SESSION\.|GLOBAL\.)?|SESSION\s+|GLOBAL\s+)?AUTOCOMMIT\s*=\s*(0|OFF|FALSE)|XA\s)`)

// refuseTransaction returns ErrTransactions for statements that would open an
// explicit transaction.
func refuseTransaction(query string) error {
	if reTransaction.MatchString(query) {
		return ErrTransactions
	}
	return nil
}

func toTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

var reReadOnly = regexp.MustCompile(`(?is)^\s*(/\*.*?\*/\s*)*(SELECT|SHOW|EXPLAIN|DESCRIBE|DESC|USE)\b`)

// isWrite reports whether a statement may write. Anything not recognisably
// read-only counts as a write.
func isWrite(query string) bool { return !reReadOnly.MatchString(query) }

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
	for _, name := range Tables {
		s.tables[name].mu.Lock()
	}
	return context.WithValue(ctx, heldKey{}, true), func() {
		for i := len(Tables) - 1; i >= 0; i-- {
			s.tables[Tables[i]].mu.Unlock()
		}
	}
}
