package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// parallel runs n calls of fn on their own goroutines, all released at once,
// and waits for them.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// pooled gives a target a transport that keeps enough idle connections for
// the concurrency it is about to see.
func pooled(t *target.Target, conns int) *target.Target {
	c := *t
	c.Client = &http.Client{Timeout: t.Client.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	return &c
}

var _ = Describe("concurrency", Label("reliability", "concurrency"), func() {
	It("1,000 concurrent Rebilly PUTs of one id: one 201, 999 200s, every revision once, none lost", func() {
		a := rebillyAccount(pooled(target.For("rebilly"), 64), target.Unique("conc-"))
		id := target.Unique("cus-conc-")
		const n = 1000
		statuses := make([]int, n)
		revisions := make([]int, n)
		errs := make([]error, n)
		parallel(n, func(i int) {
			body := []byte(fmt.Sprintf(`{"customFields":{"writer":%d}}`, i))
			r, err := a.t.Send(a.req("PUT", "/customers/"+id, body))
			if err != nil {
				errs[i] = err
				return
			}
			statuses[i] = r.Status
			var m struct{ Revision int }
			errs[i] = json.Unmarshal(r.Body, &m)
			revisions[i] = m.Revision
		})
		for _, err := range errs {
			Expect(err).NotTo(HaveOccurred())
		}
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		Expect(count).To(Equal(map[int]int{http.StatusCreated: 1, http.StatusOK: n - 1}))
		sort.Ints(revisions)
		for i, r := range revisions {
			Expect(r).To(Equal(i+1), "each write got its own revision")
		}
		final := a.do("GET", "/customers/"+id, nil).Object()
		Expect(final["revision"]).To(Equal(json.Number(strconv.Itoa(n))))
		// The last writer's value is the stored one: the one that got revision n.
		Expect(final["customFields"]).To(HaveKey("writer"))
	})

	It("100 concurrent Payabli creates with one identifier: one customer, every answer that customer", func() {
		a := payabliAccount(pooled(target.For("payabli"), 32), target.Unique("conc-"), "conc-entry")
		email := target.Unique("conc-") + "@example.com"
		const n = 100
		ids := make([]string, n)
		parallel(n, func(i int) {
			body := []byte(fmt.Sprintf(`{"email":%q,"firstname":"Same","lastname":"Person %d"}`, email, i))
			r, err := a.t.Send(a.req("POST", "/Customer/single/"+a.entry, body))
			if err != nil || r.Status != http.StatusOK {
				return
			}
			var m struct {
				ResponseData struct {
					CustomerID json.Number `json:"customerId"`
				} `json:"responseData"`
			}
			if json.Unmarshal(r.Body, &m) == nil {
				ids[i] = m.ResponseData.CustomerID.String()
			}
		})
		for i := range ids {
			Expect(ids[i]).NotTo(BeEmpty(), "create %d failed", i)
			Expect(ids[i]).To(Equal(ids[0]), "the documented outcome: the existing customer is returned")
		}
		list := a.do("GET", "/Query/customers/"+a.entry+"?email(eq)="+email, nil).Object()
		Expect(list["Summary"].(map[string]any)["totalRecords"]).To(Equal(json.Number("1")))
	})

	It("concurrent update, delete and get of one Rapyd customer are consistent with a serial order", func() {
		a := rapydAccount(pooled(target.For("rapyd"), 64), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		id := a.create("serial")
		path := "/v1/customers/" + id
		var deleted atomic.Bool
		var deletes, seenAfterDelete atomic.Int32
		written := sync.Map{}
		written.Store("Rel serial", true)
		var bad []string
		var mu sync.Mutex
		fail := func(format string, args ...any) {
			mu.Lock()
			bad = append(bad, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
		parallel(60, func(i int) {
			for k := 0; k < 10; k++ {
				startedAfterDelete := deleted.Load()
				var r *target.Response
				var err error
				switch {
				case i < 30: // updaters
					name := fmt.Sprintf("writer-%d-%d", i, k)
					written.Store(name, true)
					r, err = a.t.Send(a.req("POST", path, []byte(`{"name":"`+name+`"}`)))
				case i < 57: // readers
					r, err = a.t.Send(a.req("GET", path, nil))
				default: // three deleters, on their last rounds
					if k < 7 {
						continue
					}
					r, err = a.t.Send(a.req("DELETE", path, nil))
				}
				if err != nil {
					fail("transport: %v", err)
					return
				}
				switch {
				case r.Status == http.StatusOK && i >= 57:
					deletes.Add(1)
					deleted.Store(true)
				case r.Status == http.StatusOK:
					if startedAfterDelete {
						seenAfterDelete.Add(1)
					}
					var m struct {
						Data struct{ Name string } `json:"data"`
					}
					if json.Unmarshal(r.Body, &m) != nil {
						fail("bad body %s", r.Body)
					} else if _, ok := written.Load(m.Data.Name); !ok {
						fail("read a name nobody wrote: %q", m.Data.Name)
					}
				case r.Status == http.StatusBadRequest:
					// not found: only possible once a delete has succeeded (it may
					// still be in flight for this observer)
				default:
					fail("unexpected %d %s", r.Status, r.Body)
				}
			}
		})
		Expect(bad).To(BeEmpty())
		Expect(deletes.Load()).To(Equal(int32(1)), "exactly one DELETE succeeds")
		Expect(seenAfterDelete.Load()).To(Equal(int32(0)), "no request started after the delete answered found the customer")
		r := a.do("GET", path, nil)
		Expect(r.Status).To(Equal(http.StatusBadRequest))
	})

	It("revisions only move forward for every observer under concurrent Rebilly writes and reads", func() {
		a := rebillyAccount(pooled(target.For("rebilly"), 32), target.Unique("mono-"))
		id := a.create("mono")
		var bad atomic.Int32
		parallel(24, func(i int) {
			last := 0
			for k := 0; k < 25; k++ {
				var r *target.Response
				var err error
				if i%3 == 0 {
					r, err = a.t.Send(a.req("PUT", "/customers/"+id, []byte(`{"customFields":{"k":`+strconv.Itoa(k)+`}}`)))
				} else {
					r, err = a.t.Send(a.req("GET", "/customers/"+id, nil))
				}
				if err != nil || r.Status != http.StatusOK {
					bad.Add(1)
					return
				}
				var m struct{ Revision int }
				if json.Unmarshal(r.Body, &m) != nil || m.Revision < last {
					bad.Add(1)
					return
				}
				last = m.Revision
			}
		})
		Expect(bad.Load()).To(BeZero())
		Expect(a.do("GET", "/customers/"+id, nil).Object()["revision"]).To(Equal(json.Number(strconv.Itoa(1 + 8*25))))
	})
})
