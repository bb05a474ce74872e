package store_test

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
)

var _ = Describe("SQL over the store's tables", Label("store"), func() {
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
	})
	ids := func(q string) []string {
		_, rows, err := s.Query(ctx, q)
		ExpectWithOffset(1, err).NotTo(HaveOccurred(), q)
		out := []string{}
		for _, r := range rows {
			out = append(out, fmt.Sprint(r[0]))
		}
		return out
	}

	It("answers primary-key and unique-index lookups from the index, not a scan", func() {
		for _, q := range []string{
			"SELECT * FROM rebilly_customers WHERE tenant = 't1' AND id = 'a'",
			"UPDATE rebilly_customers SET revision = 2 WHERE tenant = 't1' AND id = 'a'",
			"DELETE FROM rebilly_customers WHERE tenant = 't1' AND id = 'a'",
		} {
			plan, err := s.Plan(ctx, q)
			Expect(err).NotTo(HaveOccurred())
			Expect(plan).To(ContainSubstring("IndexedTableAccess(rebilly_customers)"), q)
			Expect(plan).To(ContainSubstring("index: [rebilly_customers.tenant,rebilly_customers.id]"), q)
			Expect(plan).To(ContainSubstring("[t1, t1], [a, a]"), q)
		}
		plan, err := s.Plan(ctx, "SELECT * FROM payabli_customers WHERE tenant = 't1' AND seq = 7")
		Expect(err).NotTo(HaveOccurred())
		Expect(plan).To(ContainSubstring("index: [payabli_customers.tenant,payabli_customers.seq]"))
		plan, err = s.Plan(ctx, "SELECT * FROM rebilly_customers WHERE tenant = 't1' ORDER BY created_time, id LIMIT 10 OFFSET 5")
		Expect(err).NotTo(HaveOccurred())
		Expect(plan).To(ContainSubstring("IndexedTableAccess"), "a tenant's page reads only that tenant's range")
	})

	It("uses the secondary email index once the table has statistics (refreshed as it grows)", func() {
		for i := 0; i < 200; i++ {
			_, err := s.Insert(ctx, store.TableRebilly, store.Record{Tenant: fmt.Sprint("t", i%4), ID: fmt.Sprint("c", i),
				Email: fmt.Sprintf("u%d@x", i), Created: t0, Updated: t0, Doc: []byte(`{}`)})
			Expect(err).NotTo(HaveOccurred())
		}
		q := "SELECT * FROM rebilly_customers WHERE tenant = 't1' AND email = 'u5@x'"
		plan, err := s.Plan(ctx, q)
		Expect(err).NotTo(HaveOccurred())
		Expect(plan).To(ContainSubstring("index: [rebilly_customers.tenant,rebilly_customers.id]"), "no statistics yet: the coster prefers the unique key")
		_, err = s.List(ctx, store.TableRebilly, store.Query{Tenant: "t1"}) // the list path refreshes statistics
		Expect(err).NotTo(HaveOccurred())
		plan, err = s.Plan(ctx, q)
		Expect(err).NotTo(HaveOccurred())
		Expect(plan).To(ContainSubstring("index: [rebilly_customers.tenant,rebilly_customers.email]"))
		Expect(plan).To(ContainSubstring("[t1, t1], [u5@x, u5@x]"))
		Expect(ids("SELECT id FROM rebilly_customers WHERE tenant = 't1' AND email = 'u5@x'")).To(Equal([]string{"c5"}))
	})

	It("returns the same rows through index ranges as through a full scan (random data)", func() {
		rng := rand.New(rand.NewSource(GinkgoRandomSeed()))
		tenants := []string{"t1", "t2", "t3"}
		for i := 0; i < 300; i++ {
			_, err := s.Insert(ctx, store.TableRapyd, store.Record{
				Tenant: tenants[rng.Intn(3)], ID: fmt.Sprintf("id%03d", rng.Intn(1000)),
				Email: fmt.Sprintf("e%d@x", rng.Intn(20)), Created: t0.Add(time.Duration(rng.Intn(50)) * time.Minute),
				Updated: t0, Revision: 1, Doc: []byte(`{}`),
			})
			if err != nil {
				Expect(err).To(MatchError(store.ErrExists))
			}
		}
		_, _, err := s.Query(ctx, "ANALYZE TABLE rapyd_customers") // lets the coster pick the email index
		Expect(err).NotTo(HaveOccurred())
		for i := 0; i < 75; i++ {
			tn := tenants[rng.Intn(3)]
			var cond string
			switch i % 5 {
			case 4:
				cond = fmt.Sprintf("email = 'e%d@x'", rng.Intn(20))
			case 0:
				cond = fmt.Sprintf("id = 'id%03d'", rng.Intn(1000))
			case 1:
				cond = fmt.Sprintf("id BETWEEN 'id%03d' AND 'id%03d'", rng.Intn(500), 500+rng.Intn(500))
			case 2:
				cond = fmt.Sprintf("seq >= %d AND seq < %d", rng.Intn(150), 150+rng.Intn(150))
			case 3:
				cond = fmt.Sprintf("id > 'id%03d'", rng.Intn(1000))
			}
			indexed := ids(fmt.Sprintf("SELECT id FROM rapyd_customers WHERE tenant = '%s' AND %s ORDER BY id", tn, cond))
			// CONCAT defeats every index: the engine must scan.
			scanned := ids(fmt.Sprintf("SELECT id FROM rapyd_customers WHERE CONCAT(tenant, '') = '%s' AND %s ORDER BY id", tn, strings.NewReplacer("id ", "CONCAT(id, '') ", "seq ", "(seq + 0) ", "email ", "CONCAT(email, '') ").Replace(cond)))
			Expect(indexed).To(Equal(scanned), "tenant %s, %s", tn, cond)
		}
	})

	It("answers unfiltered and seq-range list pages from the B-trees exactly as SQL does (random data)", func() {
		rng := rand.New(rand.NewSource(GinkgoRandomSeed()))
		tenants := []string{"t", "t\x00", "t1", "u"}
		for i := 0; i < 400; i++ {
			_, err := s.Insert(ctx, store.TableRebilly, store.Record{
				Tenant: tenants[rng.Intn(len(tenants))], ID: fmt.Sprintf("id%03d", rng.Intn(1000)),
				// few distinct times, so created_time ties are common
				Created: t0.Add(time.Duration(rng.Intn(8)) * time.Second), Updated: t0, Revision: 1, Doc: []byte(`{}`),
			})
			if err != nil {
				Expect(err).To(MatchError(store.ErrExists))
			}
		}
		// A filter every row passes sends the same query through SQL.
		viaSQL := store.Any{{Field: "revision", Op: store.OpGe, Values: []any{int64(0)}}}
		idsOf := func(p store.Page) []string {
			out := []string{}
			for _, r := range p.Records {
				out = append(out, r.Tenant+"/"+r.ID)
			}
			return out
		}
		sorts := [][]store.Sort{nil, {{Field: "created_time"}}, {{Field: "created_time", Desc: true}},
			{{Field: "seq"}}, {{Field: "seq", Desc: true}}, {{Field: "id", Desc: true}}}
		for i := 0; i < 200; i++ {
			q := store.Query{Tenant: tenants[rng.Intn(len(tenants))], Sort: sorts[rng.Intn(len(sorts))],
				Limit: rng.Intn(30) - 1, Offset: rng.Intn(120)}
			if len(q.Sort) == 1 && q.Sort[0].Field == "seq" && rng.Intn(2) == 0 {
				ops := []store.Op{store.OpGt, store.OpGe, store.OpLt, store.OpLe}
				for j := rng.Intn(3); j > 0; j-- {
					q.Where = append(q.Where, store.Any{{Field: "seq", Op: ops[rng.Intn(4)], Values: []any{int64(rng.Intn(450))}}})
				}
			}
			fast, err := s.List(ctx, store.TableRebilly, q)
			Expect(err).NotTo(HaveOccurred())
			q.Where = append(q.Where, viaSQL)
			slow, err := s.List(ctx, store.TableRebilly, q)
			Expect(err).NotTo(HaveOccurred())
			Expect(fast.Total).To(Equal(slow.Total), "%+v", q)
			Expect(idsOf(fast)).To(Equal(idsOf(slow)), "%+v", q)
			if len(fast.Records) > 0 {
				Expect(fast.Records[0]).To(Equal(slow.Records[0]))
			}
		}
	})

	It("writes through SQL with the same rules as the typed API", func() {
		_, err := s.Insert(ctx, store.TableRebilly, store.Record{Tenant: "t1", ID: "a", Revision: 1, Created: t0, Updated: t0, Doc: []byte(`{"n":1}`)})
		Expect(err).NotTo(HaveOccurred())
		ins := "INSERT INTO rebilly_customers (tenant,id,seq,email,first_name,last_name,ext_key,created_time,updated_time,revision,doc) " +
			"VALUES ('t1','a',0,'','','','','2026-01-01 00:00:00','2026-01-01 00:00:00',1,'{}') ON DUPLICATE KEY UPDATE revision = revision + 10"
		_, _, err = s.Query(ctx, ins)
		Expect(err).NotTo(HaveOccurred())
		r, _ := s.Get(ctx, store.TableRebilly, "t1", "a")
		Expect(r.Revision).To(Equal(int64(11)))
		Expect(r.Doc).To(MatchJSON(`{"n":1}`), "the update touched only revision")

		_, _, err = s.Query(ctx, "REPLACE INTO rebilly_customers (tenant,id,seq,email,first_name,last_name,ext_key,created_time,updated_time,revision,doc) "+
			"VALUES ('t1','b',0,'b@x','','','','2026-01-01 00:00:00','2026-01-01 00:00:00',1,'{\"k\":\"v\"}')")
		Expect(err).NotTo(HaveOccurred())
		b, err := s.Get(ctx, store.TableRebilly, "t1", "b")
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Seq).To(BeNumerically(">", r.Seq), "a row inserted through SQL gets a fresh seq")
		Expect(b.Doc).To(MatchJSON(`{"k":"v"}`))
		got, _ := s.GetBy(ctx, store.TableRebilly, "t1", "email", "b@x")
		Expect(got).To(HaveLen(1), "secondary indexes follow SQL writes")

		_, _, err = s.Query(ctx, "DELETE FROM rebilly_customers WHERE tenant = 't1' AND id = 'a'")
		Expect(err).NotTo(HaveOccurred())
		_, err = s.Get(ctx, store.TableRebilly, "t1", "a")
		Expect(err).To(MatchError(store.ErrNotFound))
	})

	It("refuses explicit transactions with a clear error", func() {
		for _, q := range []string{"BEGIN", "start transaction", "/* c */ START TRANSACTION READ ONLY", "SET autocommit = 0", "SET @@session.autocommit=OFF", "SAVEPOINT x"} {
			_, _, err := s.Query(ctx, q)
			Expect(err).To(MatchError(store.ErrTransactions), q)
		}
		_, _, err := s.Query(ctx, "SELECT 1")
		Expect(err).NotTo(HaveOccurred())
	})

	It("loses no write: 1,000 concurrent upserts of one key, and SQL updates racing typed ones", func() {
		const n = 1000
		var wg sync.WaitGroup
		created := make(chan bool, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer GinkgoRecover()
				_, c, err := s.Upsert(ctx, store.TableRebilly, "t1", "hot", func(cur *store.Record) (store.Record, bool, error) {
					if cur == nil {
						return store.Record{Revision: 1, Created: t0, Updated: t0}, true, nil
					}
					next := *cur
					next.Revision++
					return next, true, nil
				})
				Expect(err).NotTo(HaveOccurred())
				created <- c
			}()
		}
		wg.Wait()
		close(created)
		creations := 0
		for c := range created {
			if c {
				creations++
			}
		}
		Expect(creations).To(Equal(1))
		r, _ := s.Get(ctx, store.TableRebilly, "t1", "hot")
		Expect(r.Revision).To(Equal(int64(n)))

		for i := 0; i < 100; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				defer GinkgoRecover()
				_, _, err := s.Query(ctx, "UPDATE rebilly_customers SET revision = revision + 1 WHERE tenant = 't1' AND id = 'hot'")
				Expect(err).NotTo(HaveOccurred())
			}()
			go func() {
				defer wg.Done()
				defer GinkgoRecover()
				_, _, err := s.Upsert(ctx, store.TableRebilly, "t1", "hot", func(cur *store.Record) (store.Record, bool, error) {
					next := *cur
					next.Revision++
					return next, true, nil
				})
				Expect(err).NotTo(HaveOccurred())
			}()
		}
		wg.Wait()
		r, _ = s.Get(ctx, store.TableRebilly, "t1", "hot")
		Expect(r.Revision).To(Equal(int64(n + 200)))
	})

	It("serves the MySQL wire protocol on loopback for inspection", func() {
		addr, err := s.ServeMySQL("127.0.0.1:0", true)
		Expect(err).NotTo(HaveOccurred())
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		Expect(conn.SetReadDeadline(time.Now().Add(5 * time.Second))).To(Succeed())
		hdr := make([]byte, 5)
		_, err = io.ReadFull(conn, hdr)
		Expect(err).NotTo(HaveOccurred())
		Expect(hdr[4]).To(Equal(byte(10)), "MySQL protocol version 10 handshake")
		_, err = s.ServeMySQL("127.0.0.1:0", true)
		Expect(err).To(MatchError(ContainSubstring("already running")))
	})

	It("evaluates the REGEXP functions (Go regexp stand-in for ICU, positions in characters)", func() {
		one := func(q string) string {
			_, rows, err := s.Query(ctx, q)
			ExpectWithOffset(1, err).NotTo(HaveOccurred(), q)
			ExpectWithOffset(1, rows).To(HaveLen(1), q)
			return fmt.Sprint(rows[0][0])
		}
		Expect(one("SELECT REGEXP_LIKE('Ada Lovelace', 'love')")).To(Equal("0"))
		Expect(one("SELECT REGEXP_LIKE('Ada Lovelace', 'love', 'i')")).To(Equal("1"))
		Expect(one("SELECT 'abc' REGEXP '^a.c$'")).To(Equal("1"))
		Expect(one("SELECT REGEXP_INSTR('ÄB abc déf', '[a-z]+', 1, 2)")).To(Equal("8"))
		Expect(one("SELECT REGEXP_INSTR('ÄB abc déf', '[a-z]+', 1, 1, 1)")).To(Equal("7"))
		Expect(one("SELECT REGEXP_SUBSTR('ÄB abc déf', '[a-z]+', 5)")).To(Equal("bc"))
		Expect(one("SELECT REGEXP_REPLACE('abc def ghi', '[a-z]', 'X')")).To(Equal("XXX XXX XXX"))
		Expect(one("SELECT REGEXP_REPLACE('abc def ghi', '([a-z]+)', '<$1>', 1, 2)")).To(Equal("abc <def> ghi"))
		_, _, err := s.Query(ctx, "SELECT REGEXP_LIKE('x', '(')")
		Expect(err).To(HaveOccurred(), "an invalid pattern is an error, not a panic")
	})

	It("lists tables through SHOW TABLES", func() {
		got := ids("SHOW TABLES")
		sort.Strings(got)
		Expect(got).To(Equal([]string{"payabli_customers", "rapyd_customers", "rebilly_customers"}))
	})
})
