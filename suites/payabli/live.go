package payabli

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/target"
)

// Live scenarios assert only what the contract declares; the customer they
// create is deleted again.
var _ = Describe("Payabli live sandbox", Label("payabli", "live"), Ordered, func() {
	var (
		api   client
		entry string
	)
	BeforeAll(func() {
		lt := target.ForLive("payabli")
		api = client{t: lt.Target, token: lt.Creds["PAYABLI_SANDBOX_TOKEN"]}
		entry = lt.Creds["PAYABLI_SANDBOX_ENTRY"]
	})

	It("creates, reads, updates, lists and deletes a customer", func() {
		rec := api.create(entry, newCustomer(), "")
		id := idOf(rec)
		deleted := false
		DeferCleanup(func() {
			if !deleted {
				api.do("DELETE", "/Customer/"+id, nil)
			}
		})
		Expect(api.do("GET", "/Customer/"+id, nil).Status).To(Equal(http.StatusOK))
		Expect(api.do("PUT", "/Customer/"+id, map[string]any{"firstname": "Updated"}).Status).To(Equal(http.StatusOK))
		Expect(api.do("GET", "/Query/customers/"+entry+"?limitRecord=2", nil).Status).To(Equal(http.StatusOK))
		Expect(api.do("DELETE", "/Customer/"+id, nil).Status).To(Equal(http.StatusOK))
		deleted = true
	})

	It("refuses a request without a token", func() {
		anon := client{t: api.t}
		Expect(anon.do("GET", "/Query/customers/"+entry, nil).Status).To(Equal(http.StatusUnauthorized))
	})
})
