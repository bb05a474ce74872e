package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// The races of issue #16 ("Atomicity the tests do not cover yet"), at the
// HTTP level. Each runs enough rounds that the old check-then-write code
// failed it every time, and checks an outcome every serial order allows.

// rapydEwalletInUse is Rapyd's answer to a create or update whose ewallet
// another customer holds.
const rapydEwalletInUse = "The request tried to create or update a customer, but the wallet ID provided is already in use by another customer. The request was rejected. Corrective action: Create a new wallet."

var reOperationID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// expectEwalletInUse asserts the exact Rapyd error body for a taken ewallet.
func expectEwalletInUse(r *target.Response) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusBadRequest), "body: %s", r.Body)
	var m struct {
		Status map[string]string `json:"status"`
	}
	Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "%s", r.Body)
	var all map[string]json.RawMessage
	Expect(json.Unmarshal(r.Body, &all)).To(Succeed())
	Expect(all).To(HaveLen(1), "only a status object: %s", r.Body)
	Expect(reOperationID.MatchString(m.Status["operation_id"])).To(BeTrue(), "operation_id %q", m.Status["operation_id"])
	delete(m.Status, "operation_id")
	Expect(m.Status).To(Equal(map[string]string{
		"error_code":    "ERROR_CREATE_CUSTOMER",
		"status":        "ERROR",
		"message":       rapydEwalletInUse,
		"response_code": "ERROR_CREATE_CUSTOMER",
	}))
}

// rapydEwallet returns the ewallet of a Rapyd customer response.
func rapydEwallet(r *target.Response) string {
	GinkgoHelper()
	var m struct {
		Data struct {
			ID      string `json:"id"`
			Ewallet string `json:"ewallet"`
		} `json:"data"`
	}
	Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "%s", r.Body)
	return m.Data.Ewallet
}

// bulky is a customFields object with key: value and 100 more members
// named after key (a merge takes longer to decode and merge them, which
// widens the window the old code left open between its read and its write).
func bulky(key, value string) string { return bulkyN(key, value, 100) }

// bulkyN is bulky with n more members.
func bulkyN(key, value string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{%q:%q`, key, value)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `,"%s_%03d":"%s"`, key, i, value)
	}
	return b.String() + "}"
}

// rebillyFields returns a Rebilly customer's custom fields, or nil and false
// when it does not exist.
func rebillyFields(a account, id string) (map[string]any, bool) {
	GinkgoHelper()
	r := a.do("GET", "/customers/"+id, nil)
	if r.Status == http.StatusNotFound {
		return nil, false
	}
	Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
	f, _ := r.Object()["customFields"].(map[string]any)
	if f == nil {
		f = map[string]any{}
	}
	return f, true
}

var _ = Describe("atomicity", Label("reliability", "concurrency", "atomicity"), func() {
	Context("Rapyd ewallet uniqueness", func() {
		var a account
		BeforeEach(func() {
			a = rapydAccount(pooled(target.For("rapyd"), 32), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		})

		It("answers a taken ewallet with Rapyd's error, on create and on update", func() {
			w := target.Unique("ewallet_")
			r := a.do("POST", "/v1/customers", []byte(`{"name":"Holder","ewallet":"`+w+`"}`))
			Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
			expectEwalletInUse(a.do("POST", "/v1/customers", []byte(`{"name":"Second","ewallet":"`+w+`"}`)))
			other := a.create("ewallet-other")
			expectEwalletInUse(a.do("POST", "/v1/customers/"+other, []byte(`{"ewallet":"`+w+`"}`)))
			Expect(rapydEwallet(a.do("GET", "/v1/customers/"+other, nil))).To(BeEmpty(), "the refused update changed nothing")
		})

		// Rounds run in parallel batches; each claimant carries a large
		// metadata object (more work between the old code's check and its
		// write).
		const batch, writers = 1, 8
		claims := func(round int, claim func(i int, w, meta string) (*target.Response, error)) (string, []*target.Response) {
			w := target.Unique("ewallet_")
			meta := bulkyN("round", strconv.Itoa(round), 300)
			resps := make([]*target.Response, writers)
			parallel(writers, func(i int) {
				r, err := claim(i, w, meta)
				Expect(err).NotTo(HaveOccurred())
				resps[i] = r
			})
			return w, resps
		}
		// bulkyRapyd creates n customers with large metadata and returns
		// their ids.
		bulkyRapyd := func(n int) []string {
			GinkgoHelper()
			ids := make([]string, n)
			for i := range ids {
				r := a.do("POST", "/v1/customers", []byte(fmt.Sprintf(`{"name":"Updated %d","metadata":%s}`, i, bulky("m", "v"))))
				Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
				ids[i] = r.Object()["data"].(map[string]any)["id"].(string)
			}
			return ids
		}
		winners := func(w string, resps []*target.Response) int {
			GinkgoHelper()
			won := 0
			for _, r := range resps {
				if r.Status == http.StatusOK {
					won++
					Expect(rapydEwallet(r)).To(Equal(w))
					continue
				}
				expectEwalletInUse(r)
			}
			return won
		}

		It("lets exactly one of concurrent updates claim a free ewallet; the others get Rapyd's error", func() {
			const rounds = 100
			var mu sync.Mutex
			var bad []string
			for start := 0; start < rounds; start += batch {
				parallel(batch, func(b int) {
					round := start + b
					ids := bulkyRapyd(writers)
					w, resps := claims(round, func(i int, w, meta string) (*target.Response, error) {
						return a.t.Send(a.req("POST", "/v1/customers/"+ids[i], []byte(`{"ewallet":"`+w+`","metadata":`+meta+`}`)))
					})
					won := winners(w, resps)
					holders := 0
					for _, id := range ids {
						if rapydEwallet(a.do("GET", "/v1/customers/"+id, nil)) == w {
							holders++
						}
					}
					if won != 1 || holders != 1 {
						mu.Lock()
						bad = append(bad, fmt.Sprintf("round %d: %d updates succeeded, %d customers hold the ewallet", round, won, holders))
						mu.Unlock()
					}
				})
			}
			Expect(bad).To(BeEmpty(), "of %d rounds", rounds)
		})

		It("lets exactly one of concurrent creates and updates claim a free ewallet; the others get Rapyd's error", func() {
			const rounds = 400
			var mu sync.Mutex
			var bad []string
			for start := 0; start < rounds; start += batch {
				parallel(batch, func(b int) {
					round := start + b
					ids := bulkyRapyd(writers / 2)
					w, resps := claims(round, func(i int, w, meta string) (*target.Response, error) {
						if i < len(ids) {
							return a.t.Send(a.req("POST", "/v1/customers/"+ids[i], []byte(`{"ewallet":"`+w+`","metadata":`+meta+`}`)))
						}
						return a.t.Send(a.req("POST", "/v1/customers", []byte(fmt.Sprintf(`{"name":"Claimant %d","ewallet":%q,"metadata":%s}`, i, w, meta))))
					})
					if won := winners(w, resps); won != 1 {
						mu.Lock()
						bad = append(bad, fmt.Sprintf("round %d: %d writers claimed one ewallet", round, won))
						mu.Unlock()
					}
					// The value stays taken: one more claim is refused.
					expectEwalletInUse(a.do("POST", "/v1/customers", []byte(`{"name":"Late","ewallet":"`+w+`"}`)))
				})
			}
			Expect(bad).To(BeEmpty(), "of %d rounds", rounds)
		})
	})

	Context("Rebilly merge", func() {
		var a account
		BeforeEach(func() {
			a = rebillyAccount(pooled(target.For("rebilly"), 64), target.Unique("merge-"))
		})
		put := func(id, fields string) {
			GinkgoHelper()
			r, err := a.t.Send(a.req("PUT", "/customers/"+id, []byte(`{"customFields":`+fields+`}`)))
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(http.StatusCreated), "%s", r.Body)
		}

		It("never loses A's custom fields when merges A→B and B→C run concurrently", func() {
			const rounds, batch = 500, 25
			var mu sync.Mutex
			var lost []string
			for start := 0; start < rounds; start += batch {
				parallel(batch, func(i int) {
					round := start + i
					A, B, C := fmt.Sprintf("A-%d", round), fmt.Sprintf("B-%d", round), fmt.Sprintf("C-%d", round)
					put(A, bulky("fromA", "a"))
					put(B, bulky("fromB", "b"))
					put(C, bulky("fromC", "c"))
					statuses := make([]int, 2)
					parallel(2, func(k int) {
						path := "/customers/" + A + "?targetCustomerId=" + B
						if k == 1 {
							path = "/customers/" + B + "?targetCustomerId=" + C
						}
						r, err := a.t.Send(a.req("DELETE", path, nil))
						Expect(err).NotTo(HaveOccurred())
						statuses[k] = r.Status
					})
					// Serial orders: A→B then B→C (both 204; C holds all three),
					// or B→C then A→B (404: its target is gone; A stays).
					Expect(statuses[1]).To(Equal(http.StatusNoContent))
					Expect(statuses[0]).To(BeElementOf(http.StatusNoContent, http.StatusNotFound))
					have := map[string]bool{}
					for _, id := range []string{A, B, C} {
						f, _ := rebillyFields(a, id)
						for k := range f {
							have[k] = true
						}
					}
					if !have["fromA"] || !have["fromB"] || !have["fromC"] {
						mu.Lock()
						lost = append(lost, fmt.Sprintf("round %d (A→B %d): survivors hold fromA %v, fromB %v, fromC %v", round, statuses[0], have["fromA"], have["fromB"], have["fromC"]))
						mu.Unlock()
					}
				})
			}
			Expect(lost).To(BeEmpty(), "of %d rounds", rounds)
		})

		It("never loses a PUT to the customer being merged away: it lands before the merge (and is merged) or after (201, a new customer)", func() {
			// PUTs replace customFields wholesale, so the writers share one
			// key: the last PUT before the merge is carried into B, and the
			// first PUT after it creates A again (201).
			const rounds, batch, writers = 600, 25, 2
			var mu sync.Mutex
			var lost []string
			for start := 0; start < rounds; start += batch {
				parallel(batch, func(i int) {
					round := start + i
					A, B := fmt.Sprintf("dup-%d", round), fmt.Sprintf("keep-%d", round)
					put(A, bulky("orig", "a"))
					put(B, bulky("keep", "b"))
					statuses := make([]int, 1+writers)
					parallel(1+writers, func(k int) {
						var r *target.Response
						var err error
						if k == 0 {
							r, err = a.t.Send(a.req("DELETE", "/customers/"+A+"?targetCustomerId="+B, nil))
						} else {
							r, err = a.t.Send(a.req("PUT", "/customers/"+A, []byte(fmt.Sprintf(`{"customFields":{"put":"writer %d"}}`, k))))
						}
						Expect(err).NotTo(HaveOccurred())
						statuses[k] = r.Status
					})
					Expect(statuses[0]).To(Equal(http.StatusNoContent))
					recreated := false
					for k := 1; k <= writers; k++ {
						Expect(statuses[k]).To(BeElementOf(http.StatusOK, http.StatusCreated))
						recreated = recreated || statuses[k] == http.StatusCreated
					}
					fa, aExists := rebillyFields(a, A)
					fb, ok := rebillyFields(a, B)
					Expect(ok).To(BeTrue())
					var problem string
					switch {
					case recreated && (!aExists || fa["put"] == nil):
						problem = fmt.Sprintf("a PUT answered 201 but %s (exists %v) holds put=%v", A, aExists, fa["put"])
					case !recreated && aExists:
						problem = fmt.Sprintf("no PUT answered 201 but %s exists (put=%v)", A, fa["put"])
					case !recreated && fb["put"] == nil:
						problem = fmt.Sprintf("every PUT answered 200, before the merge, but the merged %s lacks put (orig=%v)", B, fb["orig"])
					}
					if problem != "" {
						mu.Lock()
						lost = append(lost, fmt.Sprintf("round %d (PUTs %v): %s", round, statuses[1:], problem))
						mu.Unlock()
					}
				})
			}
			Expect(lost).To(BeEmpty(), "of %d rounds", rounds)
		})
	})

	Context("list totals under concurrent inserts", func() {
		// Listing with a limit above the count returns every record: the total
		// must be exactly the number of records in that same answer.
		It("Payabli totalRecords equals the records returned", func() {
			p := payabliAccount(pooled(target.For("payabli"), 32), target.Unique("total-"), "total-entry")
			const inserters, perInserter, listers = 4, 60, 4
			var mu sync.Mutex
			var bad []string
			lists := 0
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(done)
				defer GinkgoRecover()
				parallel(inserters, func(i int) {
					for k := 0; k < perInserter; k++ {
						p.create(fmt.Sprintf("total%d-%d", i, k))
					}
				})
			}()
			parallel(listers, func(int) {
				for {
					finished := false
					select {
					case <-done:
						finished = true
					default:
					}
					r, err := p.t.Send(p.req("GET", "/Query/customers/"+p.entry+"?limitRecord=5000", nil))
					Expect(err).NotTo(HaveOccurred())
					Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
					var m struct {
						Records []json.RawMessage
						Summary struct {
							TotalRecords int `json:"totalRecords"`
						}
					}
					Expect(json.Unmarshal(r.Body, &m)).To(Succeed())
					mu.Lock()
					lists++
					if m.Summary.TotalRecords != len(m.Records) {
						bad = append(bad, fmt.Sprintf("totalRecords %d, %d records", m.Summary.TotalRecords, len(m.Records)))
					}
					mu.Unlock()
					if finished {
						return
					}
				}
			})
			wg.Wait()
			Expect(bad).To(BeEmpty(), "of %d lists", lists)
			final := p.do("GET", "/Query/customers/"+p.entry+"?limitRecord=5000", nil).Object()
			Expect(final["Summary"].(map[string]any)["totalRecords"]).To(Equal(json.Number(strconv.Itoa(inserters * perInserter))))
		})

		It("Rebilly Pagination-Total equals the records returned, filtered and unfiltered", func() {
			a := rebillyAccount(pooled(target.For("rebilly"), 32), target.Unique("total-"))
			const inserters, perInserter, listers = 4, 100, 4
			var mu sync.Mutex
			var bad []string
			lists := 0
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(done)
				defer GinkgoRecover()
				parallel(inserters, func(i int) {
					for k := 0; k < perInserter; k++ {
						a.create(fmt.Sprintf("total%d-%d", i, k))
					}
				})
			}()
			paths := []string{
				"/customers?limit=1000&filter=firstName:Rel", // SQL
				"/customers?limit=1000&q=rel",                // SQL (search)
				"/customers?limit=1000",                      // index-served page
			}
			parallel(listers, func(l int) {
				for n := 0; ; n++ {
					finished := false
					select {
					case <-done:
						finished = true
					default:
					}
					r, err := a.t.Send(a.req("GET", paths[(l+n)%len(paths)], nil))
					Expect(err).NotTo(HaveOccurred())
					Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
					var recs []json.RawMessage
					Expect(json.Unmarshal(r.Body, &recs)).To(Succeed())
					total, err := strconv.Atoi(r.Header.Get("Pagination-Total"))
					Expect(err).NotTo(HaveOccurred())
					mu.Lock()
					lists++
					if total != len(recs) {
						bad = append(bad, fmt.Sprintf("%s: Pagination-Total %d, %d records", paths[(l+n)%len(paths)], total, len(recs)))
					}
					mu.Unlock()
					if finished {
						return
					}
				}
			})
			wg.Wait()
			Expect(bad).To(BeEmpty(), "of %d lists", lists)
			r := a.do("GET", "/customers?limit=1000&filter=firstName:Rel", nil)
			Expect(r.Header.Get("Pagination-Total")).To(Equal(strconv.Itoa(inserters * perInserter)))
		})
	})
})
