package rapyd

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/target"
)

// Live scenarios assert only what the contract declares; every customer they
// create is deleted again.
var _ = Describe("Rapyd live sandbox", Label("rapyd", "live"), Ordered, func() {
	var api Client
	BeforeAll(func() {
		lt := target.ForLive("rapyd")
		api = Client{T: lt.Target, Keys: Keys{lt.Creds["RAPYD_SANDBOX_ACCESS_KEY"], lt.Creds["RAPYD_SANDBOX_SECRET_KEY"]}}
	})

	It("creates, retrieves, updates, lists and deletes a customer", func() {
		d := data(api.Do("POST", "/v1/customers", `{"name":"`+target.Unique("paysandbox live ")+`","email":"live@example.com","metadata":{"paysandbox":true}}`))
		id := d["id"].(string)
		deleted := false
		DeferCleanup(func() {
			if !deleted {
				api.Do("DELETE", "/v1/customers/"+id, "")
			}
		})
		Expect(data(api.Do("GET", "/v1/customers/"+id, ""))["id"]).To(Equal(id))
		Expect(data(api.Do("POST", "/v1/customers/"+id, `{"description":"updated by paysandbox"}`))["description"]).To(Equal("updated by paysandbox"))
		Expect(api.Do("GET", "/v1/customers?limit=1", "").Status).To(Equal(http.StatusOK))
		Expect(data(api.Do("DELETE", "/v1/customers/"+id, ""))["deleted"]).To(BeTrue())
		deleted = true
		rapydError(api.Do("GET", "/v1/customers/"+id, ""), 400, "ERROR_GET_CUSTOMER", "*")
	})

	It("rejects a wrong signature and missing headers", func() {
		s := api.Sign("GET", "/v1/customers", nil)
		s.Signature = "d3Jvbmc="
		rapydError(api.Send(s, true), 401, "UNAUTHENTICATED_API_CALL", "*")
		r := api.T.Do(target.Request{Method: "GET", Path: "/v1/customers"})
		rapydError(r, 400, "MISSING_AUTHENTICATION_HEADERS", "*")
	})
})
