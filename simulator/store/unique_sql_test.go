package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dolthub/go-mysql-server/sql"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

var _ = Describe("unique columns through SQL", Label("store", "atomicity"), func() {
	var (
		s   *store.Store
		ctx context.Context
		t0  = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	)
	BeforeEach(func() {
		var err error
		s, err = store.Open(store.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		ctx = context.Background()
		for _, id := range []string{"a", "b"} {
			_, err := s.Insert(ctx, store.TableRapyd, store.Record{Tenant: "t1", ID: id, ExtKey: "ew_" + id, Created: t0, Updated: t0, Doc: []byte(`{}`)})
			Expect(err).NotTo(HaveOccurred())
		}
	})
	holders := func(ext string) []string {
		GinkgoHelper()
		got, err := s.GetBy(ctx, store.TableRapyd, "t1", "ext_key", ext)
		Expect(err).NotTo(HaveOccurred())
		out := []string{}
		for _, r := range got {
			out = append(out, r.ID)
		}
		return out
	}
	insert := func(id, ext, tail string) error {
		_, _, err := s.Query(ctx, fmt.Sprintf("INSERT INTO rapyd_customers (tenant, id, seq, email, first_name, last_name, ext_key, created_time, updated_time, revision, doc) "+
			"VALUES ('t1', '%s', 0, '', '', '', '%s', '2026-11-22 10:00:00', '2026-11-22 10:00:00', 1, '{}')%s", id, ext, tail))
		return err
	}

	It("refuses INSERT and UPDATE that would duplicate a unique value with MySQL's duplicate-entry error", func() {
		err := insert("c", "ew_a", "")
		Expect(err).To(HaveOccurred())
		Expect(sql.ErrUniqueKeyViolation.Is(sql.UnwrapError(err))).To(BeTrue(), "%v", err)
		Expect(err.Error()).To(ContainSubstring("ext_key"))
		_, _, err = s.Query(ctx, "UPDATE rapyd_customers SET ext_key = 'ew_a' WHERE tenant = 't1' AND id = 'b'")
		Expect(sql.ErrUniqueKeyViolation.Is(sql.UnwrapError(err))).To(BeTrue(), "%v", err)
		Expect(holders("ew_a")).To(Equal([]string{"a"}))
		Expect(holders("ew_b")).To(Equal([]string{"b"}))
		// "" is exempt, a row keeps its own value, other tenants are apart.
		Expect(insert("e1", "", "")).To(Succeed())
		Expect(insert("e2", "", "")).To(Succeed())
		_, _, err = s.Query(ctx, "UPDATE rapyd_customers SET revision = revision + 1 WHERE tenant = 't1'")
		Expect(err).NotTo(HaveOccurred())
		_, _, err = s.Query(ctx, "UPDATE rapyd_customers SET id = 'a2' WHERE tenant = 't1' AND id = 'a'")
		Expect(err).NotTo(HaveOccurred(), "a row renamed with its own value")
		Expect(holders("ew_a")).To(Equal([]string{"a2"}))
		_, _, err = s.Query(ctx, "INSERT INTO rapyd_customers (tenant, id, seq, email, first_name, last_name, ext_key, created_time, updated_time, revision, doc) "+
			"VALUES ('t2', 'c', 0, '', '', '', 'ew_a', '2026-11-22 10:00:00', '2026-11-22 10:00:00', 1, '{}')")
		Expect(err).NotTo(HaveOccurred())
	})

	It("lets REPLACE and INSERT … ON DUPLICATE KEY UPDATE act on the holder, as MySQL does for a unique index", func() {
		Expect(insert("c", "ew_a", " ON DUPLICATE KEY UPDATE revision = 7")).To(Succeed())
		a, err := s.Get(ctx, store.TableRapyd, "t1", "a")
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Revision).To(Equal(int64(7)))
		_, err = s.Get(ctx, store.TableRapyd, "t1", "c")
		Expect(err).To(MatchError(store.ErrNotFound))
		_, _, err = s.Query(ctx, "REPLACE INTO rapyd_customers (tenant, id, seq, email, first_name, last_name, ext_key, created_time, updated_time, revision, doc) "+
			"VALUES ('t1', 'c', 0, '', '', '', 'ew_a', '2026-11-22 10:00:00', '2026-11-22 10:00:00', 1, '{}')")
		Expect(err).NotTo(HaveOccurred())
		Expect(holders("ew_a")).To(Equal([]string{"c"}))
		_, err = s.Get(ctx, store.TableRapyd, "t1", "a")
		Expect(err).To(MatchError(store.ErrNotFound), "REPLACE removed the holder")
	})

	It("lets exactly one of concurrent SQL and typed writers claim a value", func() {
		for round := 0; round < 30; round++ {
			ext := fmt.Sprintf("ew_r%d", round)
			var wg sync.WaitGroup
			start := make(chan struct{})
			results := make([]error, 8)
			for w := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					id := fmt.Sprintf("r%d-%d", round, w)
					if w%2 == 0 {
						results[w] = insert(id, ext, "")
						return
					}
					_, results[w] = s.Insert(ctx, store.TableRapyd, store.Record{Tenant: "t1", ID: id, ExtKey: ext, Created: t0, Updated: t0, Doc: []byte(`{}`)})
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, err := range results {
				if err == nil {
					ok++
				} else {
					Expect(sql.ErrUniqueKeyViolation.Is(sql.UnwrapError(err)) || errors.Is(err, store.ErrDuplicateKey)).To(BeTrue(), "%v", err)
				}
			}
			Expect(ok).To(Equal(1), "round %d", round)
			Expect(holders(ext)).To(HaveLen(1))
		}
	})
})
