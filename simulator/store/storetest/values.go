package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// valueSpecs registers the specs of hostile values in List: whatever a
// value holds, it is compared as data — exactly — and never changes the
// query (issue #17: filtered lists use placeholders, not quoted literals).
// repo returns the spec's fresh repository.
func valueSpecs(repo func() store.Repository) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	const tbl = store.TableRebilly
	values := []string{
		`O'Brien`, `O''Brien`, `back\slash`, `back\\slash`, `100%`, `1000`, `a_b`, `axb`, "nul\x00byte", "nulbyte",
		`' OR 1=1 --`, `' OR '1'='1`, `" OR ""="`, `\'; DROP TABLE rebilly_customers; --`, `%`, `_`, `\`, `\%`, `\_`,
		"ünïcødé ✓ 𝄞", "ÜNÏCØDÉ ✓ 𝄞", "line\nbreak\r\x1a", "`backtick`", ":v1", "?", "$.name", "",
	}

	Context("List with hostile values", func() {
		var r store.Repository
		id := func(i int) string { return fmt.Sprintf("r%02d", i) }
		BeforeEach(func() {
			r = repo()
			for i, v := range values {
				doc, err := json.Marshal(map[string]any{"name": v, "nested": map[string]string{"v": v}})
				Expect(err).NotTo(HaveOccurred())
				_, err = r.Insert(ctx, tbl, store.Record{Tenant: "t1", ID: id(i), Email: v, FirstName: v, LastName: "L", ExtKey: v,
					Created: t0, Updated: t0, Revision: 1, Doc: doc})
				Expect(err).NotTo(HaveOccurred())
			}
		})
		list := func(q store.Query) []string {
			GinkgoHelper()
			p, err := r.List(ctx, tbl, q)
			Expect(err).NotTo(HaveOccurred(), "%+v", q)
			out := []string{}
			for _, rec := range p.Records {
				out = append(out, rec.ID)
			}
			Expect(p.Total).To(Equal(len(out)), "%+v", q)
			return out
		}
		// where is the ids of the rows whose value match keeps.
		where := func(match func(string) bool) []string {
			out := []string{}
			for j, v := range values {
				if match(v) {
					out = append(out, id(j))
				}
			}
			return out
		}
		one := func(field string, op store.Op, fold bool, vals ...any) store.Query {
			return store.Query{Tenant: "t1", Where: []store.Any{{{Field: field, Op: op, Values: vals, Fold: fold}}}, Limit: 1000}
		}

		It("matches each value exactly with every operator, on columns and JSON paths, folded or not", func() {
			for _, v := range values {
				eq := func(x string) bool { return x == v }
				for _, field := range []string{"email", "first_name", "ext_key", "$.name", "$.nested.v"} {
					Expect(list(one(field, store.OpEq, false, v))).To(Equal(where(eq)), "%s = %q", field, v)
					Expect(list(one(field, store.OpNe, false, v))).To(Equal(where(func(x string) bool { return x != v })), "%s <> %q", field, v)
					Expect(list(one(field, store.OpIn, false, v, "no such value"))).To(Equal(where(eq)), "%s IN %q", field, v)
					Expect(list(one(field, store.OpNotIn, false, v))).To(Equal(where(func(x string) bool { return x != v })), "%s NOT IN %q", field, v)
					Expect(list(one(field, store.OpGt, false, v))).To(Equal(where(func(x string) bool { return x > v })), "%s > %q", field, v)
					Expect(list(one(field, store.OpLe, false, v))).To(Equal(where(func(x string) bool { return x <= v })), "%s <= %q", field, v)
					Expect(list(one(field, store.OpContains, false, v))).To(Equal(where(func(x string) bool { return strings.Contains(x, v) })), "%s contains %q", field, v)
					Expect(list(one(field, store.OpNotContains, false, v))).To(Equal(where(func(x string) bool { return !strings.Contains(x, v) })), "%s not contains %q", field, v)
					folded := func(x string) bool { return strings.ToLower(x) == strings.ToLower(v) }
					Expect(list(one(field, store.OpEq, true, v))).To(Equal(where(folded)), "%s = %q folded", field, v)
					foldedIn := func(x string) bool { return strings.Contains(strings.ToLower(x), strings.ToLower(v)) }
					Expect(list(one(field, store.OpContains, true, v))).To(Equal(where(foldedIn)), "%s contains %q folded", field, v)
				}
				search := store.Query{Tenant: "t1", Search: v, SearchFields: []string{"email", "$.name"}, Limit: 1000}
				if v == "" {
					Expect(list(search)).To(HaveLen(len(values)), "an empty search keeps every row")
					continue
				}
				Expect(list(search)).To(Equal(where(func(x string) bool {
					return strings.Contains(strings.ToLower(x), strings.ToLower(v))
				})), "search %q", v)
			}
		})

		It("sorts by a JSON path in byte order and keeps each tenant's rows, whatever the tenant's name", func() {
			byName := slices.Clone(values)
			slices.Sort(byName)
			want := []string{}
			for _, v := range byName {
				want = append(want, id(slices.Index(values, v)))
			}
			Expect(list(store.Query{Tenant: "t1", Where: []store.Any{{{Field: "revision", Op: store.OpEq, Values: []any{int64(1)}}}},
				Sort: []store.Sort{{Field: "$.name"}}, Limit: 1000})).To(Equal(want))

			for i, tenant := range values {
				if tenant == "" {
					continue
				}
				_, err := r.Insert(ctx, tbl, store.Record{Tenant: tenant, ID: "own", Email: tenant, Created: t0, Updated: t0, Revision: 1, Doc: []byte(`{}`)})
				Expect(err).NotTo(HaveOccurred())
				for _, q := range []store.Query{
					{Tenant: tenant, Where: []store.Any{{{Field: "revision", Op: store.OpEq, Values: []any{int64(1)}}}}},
					{Tenant: tenant, Where: []store.Any{{{Field: "email", Op: store.OpContains, Values: []any{""}}}}},
					{Tenant: tenant, Search: tenant, SearchFields: []string{"email"}},
				} {
					Expect(list(q)).To(Equal([]string{"own"}), "tenant %q (%d), query %+v", tenant, i, q)
				}
			}
			Expect(list(store.Query{Tenant: "t1", Where: []store.Any{{{Field: "revision", Op: store.OpEq, Values: []any{int64(1)}}}}, Limit: 1000})).
				To(HaveLen(len(values)), "no other tenant's row reached t1")
		})
	})
}
