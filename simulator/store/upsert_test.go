package store_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// Upsert runs its Mutator on a snapshot outside the write lock and commits
// only if the row is unchanged; these specs force the lost race by writing
// the row from inside the Mutator (possible only because no lock is held).
var _ = Describe("Upsert under a lost race", Label("store"), func() {
	var (
		s   *store.Store
		ctx = context.Background()
	)
	const tbl, tenant, id = store.TableRebilly, "t1", "hot"
	bump := func(cur *store.Record) (store.Record, bool, error) {
		next := store.Record{Revision: 1, Doc: []byte(`{}`)}
		if cur != nil {
			next = *cur
			next.Revision++
		}
		return next, true, nil
	}
	BeforeEach(func() {
		var err error
		s, err = store.Open(store.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		_, _, err = s.Upsert(ctx, tbl, tenant, id, bump)
		Expect(err).NotTo(HaveOccurred())
	})

	It("runs the Mutator again on the row the other write left, losing neither write", func() {
		var seen []int64
		rec, created, err := s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
			seen = append(seen, cur.Revision)
			if len(seen) == 1 {
				_, _, err := s.Upsert(ctx, tbl, tenant, id, bump) // gets there first
				Expect(err).NotTo(HaveOccurred())
			}
			return bump(cur)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(created).To(BeFalse())
		Expect(seen).To(Equal([]int64{1, 2}))
		Expect(rec.Revision).To(Equal(int64(3)))
		got, err := s.Get(ctx, tbl, tenant, id)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Revision).To(Equal(int64(3)))
	})

	It("notices a delete and re-create in between, and keeps the re-created row's seq", func() {
		var seen []int64
		var recreated store.Record
		rec, created, err := s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
			seen = append(seen, cur.Revision)
			if len(seen) == 1 {
				_, err := s.Delete(ctx, tbl, tenant, id)
				Expect(err).NotTo(HaveOccurred())
				recreated, _, err = s.Upsert(ctx, tbl, tenant, id, bump)
				Expect(err).NotTo(HaveOccurred())
			}
			return bump(cur)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(created).To(BeFalse())
		Expect(seen).To(Equal([]int64{1, 1}))
		Expect(rec.Revision).To(Equal(int64(2)))
		Expect(rec.Seq).To(Equal(recreated.Seq))
	})

	It("still finishes when it loses every optimistic try: the last run holds the lock", func() {
		calls := 0
		rec, _, err := s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
			calls++
			if calls <= 2 { // the optimistic tries; a write here on the locked run would deadlock
				_, _, err := s.Upsert(ctx, tbl, tenant, id, bump)
				Expect(err).NotTo(HaveOccurred())
			}
			return bump(cur)
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(calls).To(Equal(3))
		Expect(rec.Revision).To(Equal(int64(4)))
	})

	It("leaves the table usable when the Mutator panics, optimistic or locked", func() {
		for _, nested := range []int{0, 2} { // 0: panics on an optimistic run; 2: on the locked run
			calls := 0
			Expect(func() {
				_, _, _ = s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
					calls++
					if calls <= nested {
						_, _, err := s.Upsert(ctx, tbl, tenant, id, bump)
						Expect(err).NotTo(HaveOccurred())
						return bump(cur)
					}
					panic("mutator bug")
				})
			}).To(PanicWith("mutator bug"))
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _, _ = s.Upsert(ctx, tbl, tenant, id, bump)
			}()
			Eventually(done, "10s").Should(BeClosed(), "the table's lock was left held")
		}
		got, err := s.Get(ctx, tbl, tenant, id)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Revision).To(Equal(int64(5))) // 1 + 2 nested + 2 after the panics
	})

	It("answers from the snapshot when the Mutator declines or fails, writing nothing", func() {
		rec, created, err := s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
			return store.Record{}, false, nil
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(created).To(BeFalse())
		Expect(rec.Revision).To(Equal(int64(1)))
		_, _, err = s.Upsert(ctx, tbl, tenant, id, func(cur *store.Record) (store.Record, bool, error) {
			return store.Record{}, false, store.ErrNotFound
		})
		Expect(err).To(MatchError(store.ErrNotFound))
		got, _ := s.Get(ctx, tbl, tenant, id)
		Expect(got.Revision).To(Equal(int64(1)))
	})
})

// Every stored document is valid JSON (or empty), so providers read docs
// without checking them again.
var _ = Describe("Documents", Label("store"), func() {
	var (
		s   *store.Store
		ctx = context.Background()
	)
	BeforeEach(func() {
		var err error
		s, err = store.Open(store.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
	})

	It("refuses an insert or an upsert whose doc is not valid JSON, and changes nothing", func() {
		_, err := s.Insert(ctx, store.TableRebilly, store.Record{Tenant: "t", ID: "a", Doc: []byte(`{"k":`)})
		Expect(err).To(MatchError(store.ErrInvalidDoc))
		_, err = s.Get(ctx, store.TableRebilly, "t", "a")
		Expect(err).To(MatchError(store.ErrNotFound))

		_, err = s.Insert(ctx, store.TableRebilly, store.Record{Tenant: "t", ID: "a", Revision: 1, Doc: []byte(`{"k":1}`)})
		Expect(err).NotTo(HaveOccurred())
		_, _, err = s.Upsert(ctx, store.TableRebilly, "t", "a", func(cur *store.Record) (store.Record, bool, error) {
			next := *cur
			next.Revision++
			next.Doc = []byte(`{"k":1}}`)
			return next, true, nil
		})
		Expect(err).To(MatchError(store.ErrInvalidDoc))
		got, err := s.Get(ctx, store.TableRebilly, "t", "a")
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Revision).To(Equal(int64(1)))
		Expect(string(got.Doc)).To(Equal(`{"k":1}`))
	})

	It("stores an empty doc", func() {
		_, err := s.Insert(ctx, store.TableRebilly, store.Record{Tenant: "t", ID: "b"})
		Expect(err).NotTo(HaveOccurred())
	})
})
