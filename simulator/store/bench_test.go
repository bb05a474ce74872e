package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/sql"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// Benchmarks: go test -run '^$' -bench . -benchmem ./simulator/store/
// Results and targets are recorded in docs/BENCHMARKS.md.

var sizes = []int{1_000, 10_000, 100_000}

var (
	loadedMu sync.Mutex
	loaded   = map[int]*store.Store{}
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func record(i int) store.Record {
	return store.Record{Tenant: "t", ID: fmt.Sprintf("cus_%08d", i), Email: fmt.Sprintf("user%d@example.com", i),
		FirstName: "First", LastName: fmt.Sprintf("Last%d", i), Created: t0.Add(time.Duration(i) * time.Millisecond),
		Updated: t0, Revision: 1, Doc: []byte(`{"primaryAddress":{"firstName":"First","lastName":"Last"},"customFields":{}}`)}
}

// storeWith returns a store holding n rows of one tenant (built once per n).
func storeWith(b *testing.B, n int) *store.Store {
	loadedMu.Lock()
	defer loadedMu.Unlock()
	if s, ok := loaded[n]; ok {
		return s
	}
	s, err := store.Open(store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < n; i++ {
		if _, err := s.Insert(ctx, store.TableRebilly, record(i)); err != nil {
			b.Fatal(err)
		}
	}
	loaded[n] = s
	return s
}

func bump(cur *store.Record) (store.Record, bool, error) {
	if cur == nil {
		return store.Record{Revision: 1, Created: t0, Updated: t0}, true, nil
	}
	next := *cur
	next.Revision++
	return next, true, nil
}

func BenchmarkLoad100k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		s, _ := store.Open(store.Options{})
		ctx := context.Background()
		for j := 0; j < 100_000; j++ {
			if _, err := s.Insert(ctx, store.TableRebilly, record(j)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkPointOps(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes {
		s := storeWith(b, n)
		b.Run(fmt.Sprintf("Get/rows=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.Get(ctx, store.TableRebilly, "t", fmt.Sprintf("cus_%08d", i%n)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("GetByEmail/rows=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if got, err := s.GetBy(ctx, store.TableRebilly, "t", "email", fmt.Sprintf("user%d@example.com", i%n)); err != nil || len(got) != 1 {
					b.Fatal(err, len(got))
				}
			}
		})
		b.Run(fmt.Sprintf("Upsert/rows=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := s.Upsert(ctx, store.TableRebilly, "t", fmt.Sprintf("cus_%08d", i%n), bump); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("GetParallel/rows=%d", n), func(b *testing.B) {
			var ctr atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(ctr.Add(1))
					if _, err := s.Get(ctx, store.TableRebilly, "t", fmt.Sprintf("cus_%08d", i%n)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run(fmt.Sprintf("UpsertParallel/rows=%d", n), func(b *testing.B) {
			var ctr atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(ctr.Add(1))
					if _, _, err := s.Upsert(ctx, store.TableRebilly, "t", fmt.Sprintf("cus_%08d", i%n), bump); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run(fmt.Sprintf("SQLPointSelect/rows=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				_, rows, err := s.Query(ctx, fmt.Sprintf("SELECT * FROM rebilly_customers WHERE tenant = 't' AND id = 'cus_%08d'", i%n))
				if err != nil || len(rows) != 1 {
					b.Fatal(err, len(rows))
				}
			}
		})
		if n <= 10_000 {
			// A filtered page goes through SQL (a COUNT and a SELECT over one
			// snapshot); linear in the tenant's rows.
			b.Run(fmt.Sprintf("ListFiltered/rows=%d", n), func(b *testing.B) {
				q := store.Query{Tenant: "t", Where: []store.Any{{{Field: "revision", Op: store.OpGe, Values: []any{int64(1)}}}},
					Sort: []store.Sort{{Field: "created_time", Desc: true}}, Limit: 20}
				for i := 0; i < b.N; i++ {
					p, err := s.List(ctx, store.TableRebilly, q)
					if err != nil || len(p.Records) != 20 {
						b.Fatal(err, len(p.Records))
					}
				}
			})
		}
		if n <= 10_000 {
			// A filtered page with text values: an IN list, a folded
			// contains on a JSON path, and the search (nine values bound).
			b.Run(fmt.Sprintf("ListFilteredText/rows=%d", n), func(b *testing.B) {
				q := store.Query{Tenant: "t", Where: []store.Any{
					{{Field: "email", Op: store.OpIn, Values: []any{"user1@example.com", "user2@example.com", "user3@example.com", "nobody@example.com"}}},
					{{Field: "$.primaryAddress.firstName", Op: store.OpContains, Values: []any{"IRS"}, Fold: true}}},
					Search: "example", SearchFields: []string{"email", "last_name"}, Sort: []store.Sort{{Field: "created_time", Desc: true}}, Limit: 20}
				for i := 0; i < b.N; i++ {
					p, err := s.List(ctx, store.TableRebilly, q)
					if err != nil || len(p.Records) != 3 || p.Total != 3 {
						b.Fatal(err, len(p.Records))
					}
				}
			})
		}
		for _, off := range []int{0, n / 2} {
			b.Run(fmt.Sprintf("ListPage/rows=%d/offset=%d", n, off), func(b *testing.B) {
				q := store.Query{Tenant: "t", Sort: []store.Sort{{Field: "created_time"}}, Limit: 20, Offset: off}
				for i := 0; i < b.N; i++ {
					p, err := s.List(ctx, store.TableRebilly, q)
					if err != nil || len(p.Records) != 20 {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkMemoryBackend measures go-mysql-server's bundled memory backend at
// 1k rows (same schema shape, one secondary index) for comparison.
func BenchmarkMemoryBackend(b *testing.B) {
	db := memory.NewDatabase("bench")
	pro := memory.NewDBProvider(db)
	e := sqle.NewDefault(pro)
	newCtx := func() *sql.Context {
		sess := memory.NewSession(sql.NewBaseSession(), pro)
		sess.SetCurrentDatabase("bench")
		return sql.NewContext(context.Background(), sql.WithSession(sess))
	}
	exec := func(q string) []sql.Row {
		ctx := newCtx()
		_, it, _, err := e.Query(ctx, q)
		if err != nil {
			b.Fatal(err, q)
		}
		rows, err := sql.RowIterToRows(ctx, it)
		if err != nil {
			b.Fatal(err, q)
		}
		return rows
	}
	exec("CREATE TABLE c (tenant VARCHAR(100), id VARCHAR(100), email VARCHAR(320), revision BIGINT, doc JSON, PRIMARY KEY (tenant, id), KEY idx_email (tenant, email))")
	const n = 1000
	for i := 0; i < n; i++ {
		exec(fmt.Sprintf("INSERT INTO c VALUES ('t', 'cus_%08d', 'user%d@example.com', 1, '{}')", i, i))
	}
	b.Run("SQLPointSelect/rows=1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			exec(fmt.Sprintf("SELECT * FROM c WHERE tenant = 't' AND id = 'cus_%08d'", i%n))
		}
	})
	b.Run("SQLUpsert/rows=1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			exec(fmt.Sprintf("INSERT INTO c VALUES ('t', 'cus_%08d', 'x@y', 1, '{}') ON DUPLICATE KEY UPDATE revision = revision + 1", i%n))
		}
	})
}

// BenchmarkSQLUpsert is the same upsert statement on this backend.
func BenchmarkSQLUpsert(b *testing.B) {
	ctx := context.Background()
	for _, n := range sizes {
		s := storeWith(b, n)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				q := fmt.Sprintf("INSERT INTO rebilly_customers (tenant,id,seq,email,first_name,last_name,ext_key,created_time,updated_time,revision,doc) "+
					"VALUES ('t','cus_%08d',0,'x@y','','','','2026-01-01 00:00:00','2026-01-01 00:00:00',1,'{}') ON DUPLICATE KEY UPDATE revision = revision + 1", i%n)
				if _, _, err := s.Query(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
