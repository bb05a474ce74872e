package store

import (
	"context"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/sql"
)

// lockedStats serialises the engine's statistics provider. go-mysql-server's
// in-memory provider keeps its statistics in a plain map: ANALYZE TABLE
// (refreshStats, run from List as a table grows) writes it while other
// statements' analyzers read it — a data race, and a fatal "concurrent map
// read and map write" waiting to happen under concurrent lists.
//
// The lock is a leaf for every method but AnalyzeTable, which reads the
// table's rows while holding it. So that no lock cycle can form with a
// reader holding a table's read lock while it plans (a List's snapshot),
// AnalyzeTable first takes every table's write lock, unless its statement
// holds them already (lock order: tables, then statistics).
type lockedStats struct {
	mu      sync.RWMutex
	inner   sql.StatsProvider
	lockAll func(context.Context) (context.Context, func())
}

var _ sql.StatsProvider = (*lockedStats)(nil)

// guardStats installs lockedStats around an engine's statistics provider;
// lockAll takes every table's write lock (Store.lockAll).
func guardStats(e *sqle.Engine, lockAll func(context.Context) (context.Context, func())) {
	c := e.Analyzer.Catalog
	if _, done := c.StatsProvider.(*lockedStats); !done {
		c.StatsProvider = &lockedStats{inner: c.StatsProvider, lockAll: lockAll}
	}
}

func (l *lockedStats) GetTableStats(ctx *sql.Context, db string, table sql.Table) ([]sql.Statistic, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.inner.GetTableStats(ctx, db, table)
}

func (l *lockedStats) AnalyzeTable(ctx *sql.Context, table sql.Table, db string) error {
	if !held(ctx) {
		locked, unlock := l.lockAll(ctx)
		defer unlock()
		ctx = ctx.WithContext(locked)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.AnalyzeTable(ctx, table, db)
}

func (l *lockedStats) SetStats(ctx *sql.Context, stats sql.Statistic) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.SetStats(ctx, stats)
}

func (l *lockedStats) GetStats(ctx *sql.Context, qual sql.StatQualifier, cols []string) (sql.Statistic, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.inner.GetStats(ctx, qual, cols)
}

func (l *lockedStats) DropStats(ctx *sql.Context, qual sql.StatQualifier, cols []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.DropStats(ctx, qual, cols)
}

func (l *lockedStats) DropDbStats(ctx *sql.Context, db string, flush bool) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inner.DropDbStats(ctx, db, flush)
}

func (l *lockedStats) RowCount(ctx *sql.Context, db string, table sql.Table) (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.inner.RowCount(ctx, db, table)
}

func (l *lockedStats) DataLength(ctx *sql.Context, db string, table sql.Table) (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.inner.DataLength(ctx, db, table)
}
