// Package storetest is the conformance suite every store.Repository must
// pass: the embedded store runs it, and a future store on a real
// MySQL-compatible server can run the same specs.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// DescribeRepository registers the conformance specs for a repository factory. Each
// spec gets a fresh repository.
func DescribeRepository(name string, newRepo func() store.Repository) bool {
	return Describe("Repository conformance: "+name, Label("store"), func() {
		var (
			repo store.Repository
			ctx  context.Context
			t0   time.Time
		)
		const tbl = store.TableRebilly
		BeforeEach(func() {
			repo = newRepo()
			ctx = context.Background()
			t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		})
		rec := func(tenant, id string, minute int, email string, doc string) store.Record {
			return store.Record{Tenant: tenant, ID: id, Email: email, FirstName: "F" + id, LastName: "L" + id,
				Created: t0.Add(time.Duration(minute) * time.Minute), Updated: t0, Revision: 1, Doc: []byte(doc)}
		}
		ids := func(p store.Page) []string {
			out := []string{}
			for _, r := range p.Records {
				out = append(out, r.ID)
			}
			return out
		}

		It("inserts, gets, and refuses a duplicate key", func() {
			in, err := repo.Insert(ctx, tbl, rec("t1", "a", 0, "a@x", `{"k":1}`))
			Expect(err).NotTo(HaveOccurred())
			Expect(in.Seq).To(BeNumerically(">", 0))
			got, err := repo.Get(ctx, tbl, "t1", "a")
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Email).To(Equal("a@x"))
			Expect(got.Created.Equal(t0)).To(BeTrue())
			Expect(got.Doc).To(MatchJSON(`{"k":1}`))
			_, err = repo.Insert(ctx, tbl, rec("t1", "a", 0, "", `{}`))
			Expect(err).To(MatchError(store.ErrExists))
		})

		It("assigns increasing, never reused sequence numbers and decimal ids for empty ids", func() {
			a, _ := repo.Insert(ctx, tbl, rec("t1", "", 0, "", `{}`))
			b, _ := repo.Insert(ctx, tbl, rec("t1", "", 0, "", `{}`))
			Expect(a.ID).To(Equal(fmt.Sprint(a.Seq)))
			Expect(b.Seq).To(BeNumerically(">", a.Seq))
			_, err := repo.Delete(ctx, tbl, "t1", b.ID)
			Expect(err).NotTo(HaveOccurred())
			c, _ := repo.Insert(ctx, tbl, rec("t1", "", 0, "", `{}`))
			Expect(c.Seq).To(BeNumerically(">", b.Seq))
		})

		It("answers not found for unknown ids and unknown tables", func() {
			_, err := repo.Get(ctx, tbl, "t1", "nope")
			Expect(err).To(MatchError(store.ErrNotFound))
			_, err = repo.Delete(ctx, tbl, "t1", "nope")
			Expect(err).To(MatchError(store.ErrNotFound))
			_, err = repo.Get(ctx, "no_such_table", "t1", "a")
			Expect(errors.Is(err, store.ErrUnknownTable)).To(BeTrue())
		})

		It("upserts: creates, updates with the current row, keeps seq, aborts and propagates errors", func() {
			bump := func(cur *store.Record) (store.Record, bool, error) {
				if cur == nil {
					return rec("t1", "ignored", 0, "u@x", `{"n":1}`), true, nil
				}
				next := *cur
				next.Revision++
				next.Doc = []byte(fmt.Sprintf(`{"n":%d}`, next.Revision))
				return next, true, nil
			}
			r1, created, err := repo.Upsert(ctx, tbl, "t1", "u", bump)
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeTrue())
			Expect(r1.ID).To(Equal("u"), "the store writes the id it was called with")
			r2, created, err := repo.Upsert(ctx, tbl, "t1", "u", bump)
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeFalse())
			Expect(r2.Revision).To(Equal(int64(2)))
			Expect(r2.Seq).To(Equal(r1.Seq))
			Expect(r2.Doc).To(MatchJSON(`{"n":2}`))

			r3, created, err := repo.Upsert(ctx, tbl, "t1", "u", func(*store.Record) (store.Record, bool, error) {
				return store.Record{}, false, nil
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(created).To(BeFalse())
			Expect(r3.Revision).To(Equal(int64(2)), "an aborted upsert leaves the row")

			boom := errors.New("boom")
			_, _, err = repo.Upsert(ctx, tbl, "t1", "v", func(*store.Record) (store.Record, bool, error) {
				return store.Record{}, false, boom
			})
			Expect(err).To(MatchError(boom))
			_, err = repo.Get(ctx, tbl, "t1", "v")
			Expect(err).To(MatchError(store.ErrNotFound))
		})

		It("looks rows up by secondary columns, exactly and per tenant, in seq order", func() {
			repo.Insert(ctx, tbl, rec("t1", "b", 0, "same@x", `{}`))
			repo.Insert(ctx, tbl, rec("t1", "a", 0, "same@x", `{}`))
			repo.Insert(ctx, tbl, rec("t1", "c", 0, "SAME@x", `{}`))
			repo.Insert(ctx, tbl, rec("t2", "d", 0, "same@x", `{}`))
			got, err := repo.GetBy(ctx, tbl, "t1", "email", "same@x")
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(HaveLen(2))
			Expect([]string{got[0].ID, got[1].ID}).To(Equal([]string{"b", "a"}))
			x := rec("t1", "e", 0, "", `{}`)
			x.ExtKey = "cust-1"
			ins, _ := repo.Insert(ctx, tbl, x)
			got, _ = repo.GetBy(ctx, tbl, "t1", "ext_key", "cust-1")
			Expect(got).To(HaveLen(1))
			got, _ = repo.GetBy(ctx, tbl, "t1", "seq", ins.Seq)
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal("e"))
			_, err = repo.GetBy(ctx, tbl, "t1", "first_name", "x")
			Expect(errors.Is(err, store.ErrBadQuery)).To(BeTrue())
		})

		It("looks rows up by first and last name, case-insensitively, per tenant, in seq order", func() {
			named := func(tenant, id, first, last string) store.Record {
				r := rec(tenant, id, 0, id+"@x", `{}`)
				r.FirstName, r.LastName = first, last
				return r
			}
			repo.Insert(ctx, tbl, named("t1", "n1", "Ada", "Lovelace"))
			repo.Insert(ctx, tbl, named("t1", "n2", "ADA", "lovelace"))
			repo.Insert(ctx, tbl, named("t1", "n3", "Ada", "Byron"))
			repo.Insert(ctx, tbl, named("t2", "n4", "Ada", "Lovelace"))
			repo.Insert(ctx, tbl, named("t1", "n5", "Ad", "aLovelace"))
			got, err := repo.GetBy(ctx, tbl, "t1", "name", [2]string{"ada", "LOVELACE"})
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(HaveLen(2))
			Expect([]string{got[0].ID, got[1].ID}).To(Equal([]string{"n1", "n2"}))
			_, _, err = repo.Upsert(ctx, tbl, "t1", "n1", func(cur *store.Record) (store.Record, bool, error) {
				next := *cur
				next.LastName = "King"
				return next, true, nil
			})
			Expect(err).NotTo(HaveOccurred())
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"Ada", "Lovelace"})
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal("n2"))
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"Ada", "King"})
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal("n1"))
			_, err = repo.Delete(ctx, tbl, "t1", "n2")
			Expect(err).NotTo(HaveOccurred())
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"Ada", "Lovelace"})
			Expect(got).To(BeEmpty())
			_, err = repo.GetBy(ctx, tbl, "t1", "name", "Ada Lovelace")
			Expect(errors.Is(err, store.ErrBadQuery)).To(BeTrue())
		})

		It("keeps every index on the current version when an update changes or keeps its columns", func() {
			repo.Insert(ctx, tbl, rec("t1", "a", 0, "a@x", `{"v":1}`))
			repo.Insert(ctx, tbl, rec("t1", "b", 1, "b@x", `{"v":1}`))
			repo.Insert(ctx, tbl, rec("t1", "c", 2, "c@x", `{"v":1}`))
			update := func(id string, change func(*store.Record)) {
				_, _, err := repo.Upsert(ctx, tbl, "t1", id, func(cur *store.Record) (store.Record, bool, error) {
					next := *cur
					change(&next)
					return next, true, nil
				})
				ExpectWithOffset(1, err).NotTo(HaveOccurred())
			}
			// Only the document changes: every lookup returns the new version.
			update("a", func(r *store.Record) { r.Doc = []byte(`{"v":2}`) })
			got, _ := repo.GetBy(ctx, tbl, "t1", "email", "a@x")
			Expect(got).To(HaveLen(1))
			Expect(string(got[0].Doc)).To(Equal(`{"v":2}`))
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"Fa", "La"})
			Expect(got).To(HaveLen(1))
			Expect(string(got[0].Doc)).To(Equal(`{"v":2}`))
			p, err := repo.List(ctx, tbl, store.Query{Tenant: "t1", Sort: []store.Sort{{Field: "created_time"}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(ids(p)).To(Equal([]string{"a", "b", "c"}))
			Expect(string(p.Records[0].Doc)).To(Equal(`{"v":2}`))
			// Email, external key, names and created time change: the old
			// keys find nothing, the new ones find the row, orders follow.
			update("a", func(r *store.Record) {
				r.Email, r.ExtKey, r.FirstName, r.Created = "z@x", "ext-a", "Zed", t0.Add(3*time.Minute)
			})
			got, _ = repo.GetBy(ctx, tbl, "t1", "email", "a@x")
			Expect(got).To(BeEmpty())
			got, _ = repo.GetBy(ctx, tbl, "t1", "email", "z@x")
			Expect(got).To(HaveLen(1))
			Expect(got[0].ID).To(Equal("a"))
			got, _ = repo.GetBy(ctx, tbl, "t1", "ext_key", "ext-a")
			Expect(got).To(HaveLen(1))
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"Fa", "La"})
			Expect(got).To(BeEmpty())
			got, _ = repo.GetBy(ctx, tbl, "t1", "name", [2]string{"zed", "la"})
			Expect(got).To(HaveLen(1))
			p, _ = repo.List(ctx, tbl, store.Query{Tenant: "t1", Sort: []store.Sort{{Field: "created_time"}}})
			Expect(ids(p)).To(Equal([]string{"b", "c", "a"}))
			p, _ = repo.List(ctx, tbl, store.Query{Tenant: "t1", Where: []store.Any{{{Field: "email", Op: store.OpEq, Values: []any{"z@x"}}}}})
			Expect(ids(p)).To(Equal([]string{"a"}))
			p, _ = repo.List(ctx, tbl, store.Query{Tenant: "t1", Sort: []store.Sort{{Field: "seq", Desc: true}}})
			Expect(ids(p)).To(Equal([]string{"c", "b", "a"}))
			// Delete after updates leaves no trace in any index.
			_, err = repo.Delete(ctx, tbl, "t1", "a")
			Expect(err).NotTo(HaveOccurred())
			for _, q := range []struct {
				col string
				val any
			}{{"email", "z@x"}, {"ext_key", "ext-a"}, {"name", [2]string{"Zed", "La"}}} {
				got, _ = repo.GetBy(ctx, tbl, "t1", q.col, q.val)
				Expect(got).To(BeEmpty(), q.col)
			}
			p, _ = repo.List(ctx, tbl, store.Query{Tenant: "t1", Sort: []store.Sort{{Field: "created_time"}}})
			Expect(ids(p)).To(Equal([]string{"b", "c"}))
			Expect(p.Total).To(Equal(2))
		})

		It("isolates tenants in every operation", func() {
			repo.Insert(ctx, tbl, rec("t1", "a", 0, "a@x", `{}`))
			_, err := repo.Get(ctx, tbl, "t2", "a")
			Expect(err).To(MatchError(store.ErrNotFound))
			_, err = repo.Delete(ctx, tbl, "t2", "a")
			Expect(err).To(MatchError(store.ErrNotFound))
			p, err := repo.List(ctx, tbl, store.Query{Tenant: "t2"})
			Expect(err).NotTo(HaveOccurred())
			Expect(p.Total).To(Equal(0))
			_, created, _ := repo.Upsert(ctx, tbl, "t2", "a", func(cur *store.Record) (store.Record, bool, error) {
				Expect(cur).To(BeNil())
				return rec("t2", "a", 0, "", `{}`), true, nil
			})
			Expect(created).To(BeTrue())
			n1, _ := repo.Count(ctx, tbl, "t1")
			n2, _ := repo.Count(ctx, tbl, "t2")
			all, _ := repo.Count(ctx, tbl, "")
			Expect([]int{n1, n2, all}).To(Equal([]int{1, 1, 2}))
			Expect(repo.Tenants(ctx, tbl)).To(Equal([]string{"t1", "t2"}))
			Expect(repo.Reset(ctx, tbl, "t1")).To(Succeed())
			Expect(repo.Tenants(ctx, tbl)).To(Equal([]string{"t2"}))
			Expect(repo.Reset(ctx, "", "")).To(Succeed())
			all, _ = repo.Count(ctx, tbl, "")
			Expect(all).To(Equal(0))
		})

		Context("List", func() {
			BeforeEach(func() {
				// created minutes: c=0, a=1, b=1 (tie broken by id), d=2
				repo.Insert(ctx, tbl, rec("t1", "c", 0, "carol@x", `{"name":"Carol","tags":{"vip":"yes"}}`))
				repo.Insert(ctx, tbl, rec("t1", "b", 1, "bob@x", `{"name":"Bob"}`))
				repo.Insert(ctx, tbl, rec("t1", "a", 1, "alice@x", `{"name":"alice","tags":{"vip":"no"}}`))
				repo.Insert(ctx, tbl, rec("t1", "d", 2, "dave@x", `{"name":"O'Brien \\ 100%_"}`))
				repo.Insert(ctx, tbl, rec("t2", "z", 0, "carol@x", `{"name":"Carol"}`))
			})
			list := func(q store.Query) store.Page {
				q.Tenant = "t1"
				p, err := repo.List(ctx, tbl, q)
				ExpectWithOffset(1, err).NotTo(HaveOccurred())
				return p
			}
			f := func(field string, op store.Op, vals ...any) store.Any {
				return store.Any{{Field: field, Op: op, Values: vals}}
			}

			It("sorts with the primary key as the final tie-breaker and pages", func() {
				Expect(ids(list(store.Query{Sort: []store.Sort{{Field: "created_time"}}}))).To(Equal([]string{"c", "a", "b", "d"}))
				Expect(ids(list(store.Query{Sort: []store.Sort{{Field: "created_time", Desc: true}}}))).To(Equal([]string{"d", "a", "b", "c"}))
				p := list(store.Query{Sort: []store.Sort{{Field: "created_time"}}, Limit: 2, Offset: 1})
				Expect(ids(p)).To(Equal([]string{"a", "b"}))
				Expect(p.Total).To(Equal(4))
				Expect(ids(list(store.Query{Sort: []store.Sort{{Field: "$.name"}}, Offset: 3}))).To(Equal([]string{"a"}))
				p = list(store.Query{Limit: -1})
				Expect(p.Records).To(BeEmpty())
				Expect(p.Total).To(Equal(4))
			})

			It("filters with every operator, AND of ORs, fold and JSON paths", func() {
				t1 := t0.Add(time.Minute)
				Expect(ids(list(store.Query{Where: []store.Any{f("email", store.OpEq, "bob@x")}}))).To(Equal([]string{"b"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("email", store.OpNe, "bob@x")}}))).To(Equal([]string{"a", "c", "d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("created_time", store.OpGt, t1)}}))).To(Equal([]string{"d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("created_time", store.OpGe, t1)}}))).To(Equal([]string{"a", "b", "d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("created_time", store.OpLt, t1)}}))).To(Equal([]string{"c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("created_time", store.OpLe, t1)}}))).To(Equal([]string{"a", "b", "c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("id", store.OpIn, "a", "d", "zz")}}))).To(Equal([]string{"a", "d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("id", store.OpNotIn, "a", "d")}}))).To(Equal([]string{"b", "c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpContains, "o")}}))).To(Equal([]string{"b", "c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpNotContains, "o")}}))).To(Equal([]string{"a", "d"}))
				Expect(ids(list(store.Query{Where: []store.Any{{{Field: "$.name", Op: store.OpEq, Values: []any{"ALICE"}, Fold: true}}}}))).To(Equal([]string{"a"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpEq, "ALICE")}}))).To(BeEmpty())
				Expect(ids(list(store.Query{Where: []store.Any{
					{{Field: "id", Op: store.OpEq, Values: []any{"a"}}, {Field: "id", Op: store.OpEq, Values: []any{"b"}}},
					f("$.name", store.OpEq, "Bob"),
				}}))).To(Equal([]string{"b"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("revision", store.OpEq, int64(1))}}))).To(HaveLen(4))
			})

			It("treats a missing JSON member as NULL: only negative operators match it", func() {
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpEq, "yes")}}))).To(Equal([]string{"c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpNe, "yes")}}))).To(Equal([]string{"a", "b", "d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpIn, "yes", "no")}}))).To(Equal([]string{"a", "c"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpNotIn, "yes")}}))).To(Equal([]string{"a", "b", "d"}))
				_, err := repo.Insert(ctx, tbl, rec("t1", "n", 3, "", `{"tags":null,"list":[{"k":"v"}]}`))
				Expect(err).NotTo(HaveOccurred())
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpEq, "yes")}}))).To(Equal([]string{"c"}), "a null on the path is NULL, not an error")
				Expect(ids(list(store.Query{Where: []store.Any{f("$.tags.vip", store.OpNe, "yes")}}))).To(Equal([]string{"a", "b", "d", "n"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.list[0].k", store.OpEq, "v")}}))).To(Equal([]string{"n"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name.deeper", store.OpEq, "x")}}))).To(BeEmpty(), "a scalar on the path is NULL")
			})

			It("matches quotes, backslashes and LIKE metacharacters literally", func() {
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpEq, `O'Brien \ 100%_`)}}))).To(Equal([]string{"d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpContains, "%_")}}))).To(Equal([]string{"d"}))
				Expect(ids(list(store.Query{Where: []store.Any{f("$.name", store.OpContains, "_")}}))).To(Equal([]string{"d"}))
				Expect(ids(list(store.Query{Search: `'; DROP TABLE x; --`, SearchFields: []string{"id", "$.name"}}))).To(BeEmpty())
			})

			It("returns documents byte for byte, member order included", func() {
				p := list(store.Query{Where: []store.Any{f("id", store.OpEq, "c")}})
				Expect(p.Records).To(HaveLen(1))
				Expect(string(p.Records[0].Doc)).To(Equal(`{"name":"Carol","tags":{"vip":"yes"}}`))
				_, err := repo.Insert(ctx, tbl, rec("t1", "z", 0, "", `{"b":1,"a":2}`))
				Expect(err).NotTo(HaveOccurred())
				p = list(store.Query{Where: []store.Any{f("id", store.OpEq, "z")}})
				Expect(string(p.Records[0].Doc)).To(Equal(`{"b":1,"a":2}`))
			})

			It("searches text fields case-insensitively", func() {
				Expect(ids(list(store.Query{Search: "CAR", SearchFields: []string{"email", "$.name"}}))).To(Equal([]string{"c"}))
			})

			It("rejects unknown fields, bad JSON paths and mistyped values", func() {
				for _, q := range []store.Query{
					{Tenant: "t1", Where: []store.Any{f("nope", store.OpEq, "x")}},
					{Tenant: "t1", Where: []store.Any{f("$.a') OR 1=1 --", store.OpEq, "x")}},
					{Tenant: "t1", Where: []store.Any{f("created_time", store.OpEq, "yesterday")}},
					{Tenant: "t1", Where: []store.Any{f("revision", store.OpEq, "1")}},
					{Tenant: "t1", Sort: []store.Sort{{Field: "nope"}}},
				} {
					_, err := repo.List(ctx, tbl, q)
					Expect(errors.Is(err, store.ErrBadQuery)).To(BeTrue(), "query %+v gave %v", q, err)
				}
			})
		})

		It("keeps every write under concurrent upserts of one key and of many keys", func() {
			const n = 200
			var wg sync.WaitGroup
			var mu sync.Mutex
			createdCount := 0
			for i := 0; i < n; i++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					_, created, err := repo.Upsert(ctx, tbl, "t1", "hot", func(cur *store.Record) (store.Record, bool, error) {
						if cur == nil {
							return store.Record{Revision: 1, Created: t0, Updated: t0}, true, nil
						}
						next := *cur
						next.Revision++
						return next, true, nil
					})
					Expect(err).NotTo(HaveOccurred())
					if created {
						mu.Lock()
						createdCount++
						mu.Unlock()
					}
				}()
				go func(i int) {
					defer wg.Done()
					_, err := repo.Insert(ctx, tbl, rec("t1", fmt.Sprintf("k%03d", i), 0, "", `{}`))
					Expect(err).NotTo(HaveOccurred())
				}(i)
			}
			wg.Wait()
			Expect(createdCount).To(Equal(1))
			hot, err := repo.Get(ctx, tbl, "t1", "hot")
			Expect(err).NotTo(HaveOccurred())
			Expect(hot.Revision).To(Equal(int64(n)))
			count, _ := repo.Count(ctx, tbl, "t1")
			Expect(count).To(Equal(n + 1))
		})

		atomicitySpecs(func() store.Repository { return repo })
		valueSpecs(func() store.Repository { return repo })
	})
}
