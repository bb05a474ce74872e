package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// atomicitySpecs registers the specs of unique columns, Atomic and List
// snapshots (issue #16). repo returns the spec's fresh repository.
func atomicitySpecs(repo func() store.Repository) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	// The table with a unique column, and one without.
	const uniq, plain = store.TableRapyd, store.TableRebilly
	row := func(tenant, id, ext string) store.Record {
		return store.Record{Tenant: tenant, ID: id, ExtKey: ext, Email: id + "@x", Created: t0, Updated: t0, Revision: 1, Doc: []byte(`{}`)}
	}
	setExt := func(ext string) store.Mutator {
		return func(cur *store.Record) (store.Record, bool, error) {
			if cur == nil {
				return row("", "", ext), true, nil
			}
			next := *cur
			next.ExtKey, next.Revision = ext, cur.Revision+1
			return next, true, nil
		}
	}
	holders := func(table, tenant, ext string) []string {
		GinkgoHelper()
		got, err := repo().GetBy(ctx, table, tenant, "ext_key", ext)
		Expect(err).NotTo(HaveOccurred())
		out := []string{}
		for _, r := range got {
			out = append(out, r.ID)
		}
		return out
	}
	duplicate := func(err error, holder string) {
		GinkgoHelper()
		Expect(err).To(MatchError(store.ErrDuplicateKey))
		var de *store.DuplicateKeyError
		Expect(errors.As(err, &de)).To(BeTrue(), "%v is a *DuplicateKeyError", err)
		Expect(*de).To(Equal(store.DuplicateKeyError{Table: uniq, Column: "ext_key", Holder: holder}))
	}

	Context("unique columns", func() {
		It("declares rapyd_customers.ext_key unique and the other tables' columns not", func() {
			Expect(store.UniqueColumns(uniq)).To(Equal([]string{"ext_key"}))
			Expect(store.UniqueColumns(plain)).To(BeEmpty())
			Expect(store.UniqueColumns(store.TablePayabli)).To(BeEmpty())
		})

		It("refuses, on Insert and Upsert, a second row of a tenant with a non-empty unique value, and writes nothing", func() {
			r := repo()
			_, err := r.Insert(ctx, uniq, row("t1", "a", "ew_1"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, uniq, row("t1", "b", "ew_1"))
			duplicate(err, "a")
			_, err = r.Get(ctx, uniq, "t1", "b")
			Expect(err).To(MatchError(store.ErrNotFound))
			// Upsert creating a row with the value.
			_, created, err := r.Upsert(ctx, uniq, "t1", "c", setExt("ew_1"))
			duplicate(err, "a")
			Expect(created).To(BeFalse())
			_, err = r.Get(ctx, uniq, "t1", "c")
			Expect(err).To(MatchError(store.ErrNotFound))
			// Upsert moving an existing row onto the value.
			_, err = r.Insert(ctx, uniq, row("t1", "d", "ew_2"))
			Expect(err).NotTo(HaveOccurred())
			_, _, err = r.Upsert(ctx, uniq, "t1", "d", setExt("ew_1"))
			duplicate(err, "a")
			got, _ := r.Get(ctx, uniq, "t1", "d")
			Expect(got.ExtKey).To(Equal("ew_2"))
			Expect(got.Revision).To(Equal(int64(1)))
			Expect(holders(uniq, "t1", "ew_1")).To(Equal([]string{"a"}))
			// The holder may rewrite itself with its own value.
			_, _, err = r.Upsert(ctx, uniq, "t1", "a", setExt("ew_1"))
			Expect(err).NotTo(HaveOccurred())
			// "" is exempt; other tenants and tables are independent.
			for _, id := range []string{"e1", "e2", "e3"} {
				_, err = r.Insert(ctx, uniq, row("t1", id, ""))
				Expect(err).NotTo(HaveOccurred())
			}
			_, _, err = r.Upsert(ctx, uniq, "t1", "d", setExt(""))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, uniq, row("t2", "b", "ew_1"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, plain, row("t1", "p1", "ew_1"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, plain, row("t1", "p2", "ew_1"))
			Expect(err).NotTo(HaveOccurred(), "a column that is not declared unique takes duplicates")
			// Releasing the value (update or delete) frees it.
			_, _, err = r.Upsert(ctx, uniq, "t1", "a", setExt("ew_3"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, uniq, row("t1", "b", "ew_1"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Delete(ctx, uniq, "t1", "b")
			Expect(err).NotTo(HaveOccurred())
			_, _, err = r.Upsert(ctx, uniq, "t1", "c", setExt("ew_1"))
			Expect(err).NotTo(HaveOccurred())
			Expect(holders(uniq, "t1", "ew_1")).To(Equal([]string{"c"}))
		})

		It("lets exactly one of many concurrent writers claim a value, on Insert and Upsert alike", func() {
			r := repo()
			const rounds, writers = 40, 16
			for round := 0; round < rounds; round++ {
				ext := fmt.Sprintf("ew_race_%d", round)
				for w := 0; w < writers/2; w++ {
					_, err := r.Insert(ctx, uniq, row("t1", fmt.Sprintf("u%d-%d", round, w), ""))
					Expect(err).NotTo(HaveOccurred())
				}
				var won, lost atomic.Int32
				var other error
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := make(chan struct{})
				for w := 0; w < writers; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						var err error
						if w%2 == 0 { // an update of an existing row
							_, _, err = r.Upsert(ctx, uniq, "t1", fmt.Sprintf("u%d-%d", round, w/2), setExt(ext))
						} else { // a new row
							_, err = r.Insert(ctx, uniq, row("t1", fmt.Sprintf("n%d-%d", round, w), ext))
						}
						switch {
						case err == nil:
							won.Add(1)
						case errors.Is(err, store.ErrDuplicateKey):
							lost.Add(1)
						default:
							mu.Lock()
							other = err
							mu.Unlock()
						}
					}()
				}
				close(start)
				wg.Wait()
				Expect(other).NotTo(HaveOccurred())
				Expect([]int32{won.Load(), lost.Load()}).To(Equal([]int32{1, writers - 1}), "round %d", round)
				Expect(holders(uniq, "t1", ext)).To(HaveLen(1), "round %d", round)
			}
		})
	})

	Context("Atomic", func() {
		merge := func(cur []*store.Record) ([]store.Change, error) {
			from, into := cur[0], cur[1]
			if from == nil || into == nil {
				return nil, store.ErrNotFound
			}
			next := *into
			next.Revision += from.Revision // the rows' "weight" moves with the merge
			return []store.Change{{Delete: true}, {Put: &next}}, nil
		}

		It("applies puts, deletes and keeps over several rows in one step, and returns their new states in order", func() {
			r := repo()
			_, err := r.Insert(ctx, plain, row("t1", "a", ""))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, plain, row("t1", "b", ""))
			Expect(err).NotTo(HaveOccurred())
			kept, _ := r.Get(ctx, plain, "t1", "b")
			var seen []*store.Record
			out, err := r.Atomic(ctx, plain, "t1", []string{"a", "b", "new", "gone"}, func(cur []*store.Record) ([]store.Change, error) {
				seen = cur
				put := *cur[0]
				put.Email, put.ID, put.Tenant, put.Doc = "a2@x", "ignored", "ignored", []byte(`{"v":2}`)
				created := row("x", "y", "")
				return []store.Change{{Put: &put}, {}, {Put: &created}, {Delete: true}}, nil
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(seen).To(HaveLen(4))
			Expect(seen[0].ID).To(Equal("a"))
			Expect(seen[1].ID).To(Equal("b"))
			Expect(seen[2]).To(BeNil())
			Expect(seen[3]).To(BeNil())
			Expect(out).To(HaveLen(4))
			Expect([]string{out[0].Tenant, out[0].ID, out[0].Email}).To(Equal([]string{"t1", "a", "a2@x"}), "tenant and id as in the call")
			Expect(string(out[0].Doc)).To(Equal(`{"v":2}`))
			Expect(out[1].ID).To(Equal("b"))
			Expect(out[1].Seq).To(Equal(kept.Seq))
			Expect([]string{out[2].Tenant, out[2].ID}).To(Equal([]string{"t1", "new"}))
			Expect(out[2].Seq).To(BeNumerically(">", kept.Seq), "a new row gets a new seq")
			Expect(out[3]).To(Equal(store.Record{}))
			a, _ := r.Get(ctx, plain, "t1", "a")
			Expect(a.Email).To(Equal("a2@x"))
			Expect(a.Seq).To(Equal(out[0].Seq))
			got, _ := r.GetBy(ctx, plain, "t1", "email", "a2@x")
			Expect(got).To(HaveLen(1), "indexes follow the new version")

			out, err = r.Atomic(ctx, plain, "t1", []string{"a", "b"}, merge)
			Expect(err).NotTo(HaveOccurred())
			Expect(out[0]).To(Equal(store.Record{}))
			Expect(out[1].Revision).To(Equal(int64(2)))
			_, err = r.Get(ctx, plain, "t1", "a")
			Expect(err).To(MatchError(store.ErrNotFound))
			n, _ := r.Count(ctx, plain, "t1")
			Expect(n).To(Equal(2))
		})

		It("writes nothing when the mutator fails, a document is invalid, a unique value would be duplicated, or the call is malformed", func() {
			r := repo()
			_, err := r.Insert(ctx, uniq, row("t1", "a", "ew_a"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, uniq, row("t1", "b", "ew_b"))
			Expect(err).NotTo(HaveOccurred())
			_, err = r.Insert(ctx, uniq, row("t1", "c", "ew_c"))
			Expect(err).NotTo(HaveOccurred())
			before := func() []store.Record {
				p, err := r.List(ctx, uniq, store.Query{Tenant: "t1"})
				Expect(err).NotTo(HaveOccurred())
				return p.Records
			}
			was := before()
			boom := errors.New("boom")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func([]*store.Record) ([]store.Change, error) { return nil, boom })
			Expect(err).To(MatchError(boom))
			// The first change is fine, the second is not: neither is applied.
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				bad := *cur[1]
				bad.Doc = []byte(`{"broken"`)
				return []store.Change{{Delete: true}, {Put: &bad}}, nil
			})
			Expect(err).To(MatchError(store.ErrInvalidDoc))
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				next := *cur[1]
				next.ExtKey = "ew_c" // held by c, which the call does not rewrite
				return []store.Change{{Delete: true}, {Put: &next}}, nil
			})
			duplicate(err, "c")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				x, y := *cur[0], *cur[1]
				x.ExtKey, y.ExtKey = "ew_new", "ew_new"
				return []store.Change{{Put: &x}, {Put: &y}}, nil
			})
			Expect(err).To(MatchError(store.ErrDuplicateKey), "two rows of one call cannot end with one value")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				y := *cur[1]
				y.ExtKey = "ew_a" // a keeps its value
				return []store.Change{{}, {Put: &y}}, nil
			})
			duplicate(err, "a")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func([]*store.Record) ([]store.Change, error) {
				return []store.Change{{Delete: true}}, nil
			})
			Expect(err).To(HaveOccurred(), "one change per row")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				return []store.Change{{Delete: true, Put: cur[0]}, {}}, nil
			})
			Expect(err).To(HaveOccurred(), "put and delete of one row")
			_, err = r.Atomic(ctx, uniq, "t1", []string{"a", "a"}, merge)
			Expect(err).To(HaveOccurred(), "an id twice")
			_, err = r.Atomic(ctx, "no_such_table", "t1", []string{"a"}, merge)
			Expect(err).To(MatchError(store.ErrUnknownTable))
			Expect(before()).To(Equal(was))
			// Moving a unique value between the call's own rows is fine.
			out, err := r.Atomic(ctx, uniq, "t1", []string{"a", "b"}, func(cur []*store.Record) ([]store.Change, error) {
				y := *cur[1]
				y.ExtKey = cur[0].ExtKey
				return []store.Change{{Delete: true}, {Put: &y}}, nil
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(out[1].ExtKey).To(Equal("ew_a"))
			Expect(holders(uniq, "t1", "ew_a")).To(Equal([]string{"b"}))
		})

		It("loses nothing under concurrent merges along a chain and writes to the merged-away row", func() {
			// Each row's Revision is its weight. Merges A→B and B→C run with
			// upserts that add weight to A (creating A again once it is
			// gone). However they interleave, the weight of the survivors
			// is what was there plus what was added: a merge that read a
			// row and deleted it later would drop what landed in between.
			r := repo()
			const rounds = 60
			for round := 0; round < rounds; round++ {
				tenant := "chain-" + strconv.Itoa(round)
				for _, id := range []string{"A", "B", "C"} {
					_, err := r.Insert(ctx, plain, row(tenant, id, ""))
					Expect(err).NotTo(HaveOccurred())
				}
				const adders = 6
				var wg sync.WaitGroup
				start := make(chan struct{})
				errs := make([]error, 2+adders)
				for g := 0; g < 2+adders; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						switch g {
						case 0:
							_, errs[g] = r.Atomic(ctx, plain, tenant, []string{"A", "B"}, merge)
						case 1:
							_, errs[g] = r.Atomic(ctx, plain, tenant, []string{"B", "C"}, merge)
						default:
							_, _, errs[g] = r.Upsert(ctx, plain, tenant, "A", func(cur *store.Record) (store.Record, bool, error) {
								if cur == nil {
									return row(tenant, "A", ""), true, nil
								}
								next := *cur
								next.Revision++
								return next, true, nil
							})
						}
					}()
				}
				close(start)
				wg.Wait()
				for g, err := range errs {
					if g == 0 && errors.Is(err, store.ErrNotFound) {
						continue // B was merged into C first: A→B has no target
					}
					Expect(err).NotTo(HaveOccurred())
				}
				p, err := r.List(ctx, plain, store.Query{Tenant: tenant})
				Expect(err).NotTo(HaveOccurred())
				weight := int64(0)
				for _, rec := range p.Records {
					weight += rec.Revision
				}
				Expect(weight).To(Equal(int64(3+adders)), "round %d: %d rows left", round, len(p.Records))
			}
		})
	})

	Context("List snapshot", func() {
		It("reads a page and its total from one snapshot under concurrent inserts, through every list path", func() {
			r := repo()
			const writers, perWriter = 4, 750
			var wg sync.WaitGroup
			var done atomic.Int32
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer done.Add(1)
					defer GinkgoRecover()
					for i := 0; i < perWriter; i++ {
						rec := row("t1", fmt.Sprintf("w%d-%04d", w, i), "")
						rec.Doc = []byte(`{"kind":"x"}`)
						rec.Created = t0.Add(time.Duration(i) * time.Second)
						_, err := r.Insert(ctx, plain, rec)
						Expect(err).NotTo(HaveOccurred())
					}
				}()
			}
			queries := []store.Query{
				{Tenant: "t1", Limit: 100_000}, // the index-served page
				{Tenant: "t1", Limit: 100_000, Sort: []store.Sort{{Field: "created_time", Desc: true}}},
				{Tenant: "t1", Limit: 100_000, Where: []store.Any{{{Field: "$.kind", Op: store.OpEq, Values: []any{"x"}}}}}, // SQL
				{Tenant: "t1", Limit: 100_000, Where: []store.Any{{{Field: "$.kind", Op: store.OpEq, Values: []any{"x"}}}}, Sort: []store.Sort{{Field: "created_time", Desc: true}}},
				{Tenant: "t1", Search: "@x", SearchFields: []string{"email"}},
			}
			// Several listers at once: the table grows under them, so the
			// store also refreshes its statistics while others plan queries.
			const listers = 3
			var mu sync.Mutex
			lists, mismatches := 0, []string{}
			var lg sync.WaitGroup
			for l := 0; l < listers; l++ {
				lg.Add(1)
				go func() {
					defer lg.Done()
					defer GinkgoRecover()
					for n := l; ; n++ {
						finished := done.Load() == writers
						k := n % len(queries)
						p, err := r.List(ctx, plain, queries[k])
						Expect(err).NotTo(HaveOccurred())
						mu.Lock()
						lists++
						if p.Total != len(p.Records) {
							mismatches = append(mismatches, fmt.Sprintf("query %d: total %d, %d records", k, p.Total, len(p.Records)))
						}
						mu.Unlock()
						if finished && n >= l+len(queries) {
							return
						}
					}
				}()
			}
			lg.Wait()
			wg.Wait()
			Expect(mismatches).To(BeEmpty(), "of %d lists", lists)
			p, err := r.List(ctx, plain, queries[2])
			Expect(err).NotTo(HaveOccurred())
			Expect([]int{p.Total, len(p.Records)}).To(Equal([]int{writers * perWriter, writers * perWriter}))
		})
	})
}
