package rebilly

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/target"
)

// Live scenarios assert only what the contract declares (statuses, bodies
// valid against the definition — checked on every response by target.Do);
// known unknowns such as the date style are recorded, not asserted. The
// sandbox has no plain customer delete, so created customers stay (unique
// ids per run keep runs apart).
var _ = Describe("Rebilly live sandbox", Label("rebilly", "live"), Ordered, func() {
	var (
		api client
		org string
	)
	BeforeAll(func() {
		lt := target.ForLive("rebilly")
		api = client{t: lt.Target, key: lt.Creds["REBILLY_SANDBOX_API_KEY"]}
		org = lt.Creds["REBILLY_SANDBOX_ORGANIZATION_ID"]
	})

	It("upserts, reads and lists a customer", func() {
		base := "/organizations/" + org + "/customers/"
		id := target.Unique("paysandbox-live-")
		r := api.do("PUT", base+id, fixture("customer-create-request.json"))
		Expect(r.Status).To(Equal(http.StatusCreated))
		Expect(r.Header.Get("Location")).NotTo(BeEmpty())
		Expect(api.do("GET", base+id, nil).Status).To(Equal(http.StatusOK))
		r = api.do("PUT", base+id, fixture("customer-upsert-request.json"))
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Object()["revision"]).To(Equal(json.Number("2")))
		r = api.do("GET", "/organizations/"+org+"/customers?filter=id:"+id+"&limit=10", nil)
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Array()).To(HaveLen(1))
		Expect(r.Header.Get("Pagination-Total")).To(Equal("1"))
	})

	It("answers errors with the declared statuses", func() {
		Expect(api.do("GET", "/organizations/"+org+"/customers/"+target.Unique("missing-"), nil).Status).To(Equal(http.StatusNotFound))
		Expect(api.do("POST", "/organizations/"+org+"/customers", `{"primaryAddress":{"country":"usa"}}`).Status).To(Equal(http.StatusUnprocessableEntity))
		anon := client{t: api.t}
		Expect(anon.do("GET", "/organizations/"+org+"/customers", nil).Status).To(Equal(http.StatusUnauthorized))
	})
})
