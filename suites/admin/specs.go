// Package admin holds the specs of the operations/admin listener, checked
// against contracts/admin like every provider response.
package admin

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

// jsonType is the header every mutating admin call needs (the admin API
// answers 415 without it, so a cross-origin form post cannot reset or seed).
func jsonType() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func get(t *target.Target, path string) *target.Response {
	GinkgoHelper()
	return t.Do(target.Request{Method: "GET", Path: path})
}

// rebillyPut creates a Rebilly customer with its own key, through the provider
// listener that sits next to the admin one.
func rebillyPut(reb *target.Target, key, id, body string) *target.Response {
	GinkgoHelper()
	return reb.Do(target.Request{Method: "PUT", Path: "/customers/" + id, Body: []byte(body),
		Header: http.Header{"REB-APIKEY": {key}, "Content-Type": {"application/json"}}})
}

var _ = Describe("admin and operations", Label("admin"), func() {
	var adm, reb *target.Target
	BeforeEach(func() {
		adm = target.For("admin")
		reb = target.For("rebilly")
	})

	It("reports liveness and readiness", func() {
		Expect(get(adm, "/healthz").Body).To(MatchJSON(`{"status":"ok"}`))
		r := get(adm, "/readyz")
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(r.Body).To(MatchJSON(`{"status":"ready"}`))
	})

	It("journals what an app sent, with credentials redacted, and finds it by method, path, status and time", func() {
		key, id := target.Unique("journal-key-"), target.Unique("journal-")
		before := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
		Expect(rebillyPut(reb, key, id, `{"customFields":{"from":"journal spec"}}`).Status).To(Equal(http.StatusCreated))
		Expect(rebillyPut(reb, key, id, `{"customFields":{"again":true}}`).Status).To(Equal(http.StatusOK))

		r := get(adm, "/journal/rebilly?method=PUT&path=/customers/"+id)
		Expect(r.Status).To(Equal(http.StatusOK))
		var page struct {
			Count   int `json:"count"`
			Entries []struct {
				Method, Path, Body, RequestID string
				Status                        int
				Headers                       map[string][]string
			} `json:"entries"`
		}
		Expect(json.Unmarshal(r.Body, &page)).To(Succeed())
		Expect(page.Count).To(Equal(2))
		first := page.Entries[0]
		Expect(first.Status).To(Equal(http.StatusCreated), "oldest first")
		Expect(first.Body).To(Equal(`{"customFields":{"from":"journal spec"}}`))
		Expect(first.Headers["Reb-Apikey"]).To(Equal([]string{"[redacted]"}))
		Expect(string(r.Body)).NotTo(ContainSubstring(key))
		Expect(first.RequestID).To(HaveLen(32))

		Expect(get(adm, "/journal/rebilly?path=/customers/"+id+"&status=200").Object()["count"]).To(Equal(json.Number("1")))
		Expect(get(adm, "/journal/rebilly?path=/customers/"+id+"&since="+before).Object()["count"]).To(Equal(json.Number("2")))
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		Expect(get(adm, "/journal/rebilly?path=/customers/"+id+"&since="+future).Object()["count"]).To(Equal(json.Number("0")))
		Expect(get(adm, "/journal/rebilly?path=/customers/"+strings.TrimSuffix(id, id[len(id)-4:])+"*&method=PUT").Object()["count"]).To(Equal(json.Number("2")), "prefix match")
	})

	It("answers bad journal queries and unknown providers with an error body", func() {
		Expect(get(adm, "/journal/nope").Status).To(Equal(http.StatusNotFound))
		Expect(get(adm, "/journal/rebilly?status=ok").Status).To(Equal(http.StatusBadRequest))
		Expect(get(adm, "/journal/rebilly?since=yesterday").Status).To(Equal(http.StatusBadRequest))
		Expect(get(adm, "/state/nope").Status).To(Equal(http.StatusNotFound))
		Expect(adm.Do(target.Request{Method: "POST", Path: "/reset?tenant=x", Header: jsonType()}).Status).To(Equal(http.StatusBadRequest))
		Expect(adm.Do(target.Request{Method: "POST", Path: "/reset?provider=nope", Header: jsonType()}).Status).To(Equal(http.StatusNotFound))
		r := adm.Do(target.Request{Method: "GET", Path: "/nope", NoContract: true})
		Expect(r.Status).To(Equal(http.StatusNotFound))
		Expect(r.Body).To(MatchJSON(`{"error":"no such admin endpoint"}`))
	})

	It("exposes Prometheus metrics by provider, route template and status, and customers stored", func() {
		key, id := target.Unique("metrics-key-"), target.Unique("metrics-")
		Expect(rebillyPut(reb, key, id, `{}`).Status).To(Equal(http.StatusCreated))
		r := get(adm, "/metrics")
		Expect(r.Status).To(Equal(http.StatusOK))
		text := string(r.Body)
		Expect(text).To(ContainSubstring(`paysandbox_requests_total{provider="rebilly",route="/customers/{id}",status="201"}`))
		Expect(text).To(ContainSubstring(`paysandbox_request_duration_seconds_bucket{provider="rebilly",route="/customers/{id}",le="0.001"}`))
		Expect(text).To(MatchRegexp(`paysandbox_customers\{provider="rebilly"\} [1-9]`))
		// Every provider labels by template, also when a request is rejected
		// before routing (Rapyd checks the signature first).
		pay := target.For("payabli").Do(target.Request{Method: "GET", Path: "/Customer/999999999",
			Header: http.Header{"requestToken": {key}}, NoContract: true})
		Expect(pay.Status).To(Equal(http.StatusBadRequest))
		rap := target.For("rapyd").Do(target.Request{Method: "GET", Path: "/v1/customers/cus_x", NoContract: true})
		Expect(rap.Status).To(Equal(http.StatusBadRequest))
		text = string(get(adm, "/metrics").Body)
		Expect(text).To(ContainSubstring(`paysandbox_requests_total{provider="payabli",route="/api/Customer/{customerId}",status="400"}`))
		Expect(text).To(ContainSubstring(`paysandbox_requests_total{provider="rapyd",route="/v1/customers/{customer}",status="400"}`))
		Expect(text).To(ContainSubstring(`paysandbox_customers{provider="payabli"}`))
		Expect(text).NotTo(ContainSubstring(id), "no ids in labels: routes are templates")
	})

	It("dumps state and resets one tenant", func() {
		key, id := target.Unique("state-key-"), target.Unique("state-")
		Expect(rebillyPut(reb, key, id, `{"customFields":{"k":"v"}}`).Status).To(Equal(http.StatusCreated))
		var dump map[string][]struct {
			Tenant, ID string
			Revision   int
			Doc        map[string]any
		}
		Expect(json.Unmarshal(get(adm, "/state/rebilly").Body, &dump)).To(Succeed())
		tenant := ""
		for _, row := range dump["rebilly"] {
			if row.ID == id {
				tenant = row.Tenant
				Expect(row.Revision).To(Equal(1))
				Expect(row.Doc["customFields"]).To(Equal(map[string]any{"k": "v"}))
			}
		}
		Expect(tenant).NotTo(BeEmpty())
		Expect(tenant).NotTo(ContainSubstring(key), "tenants never show a credential")
		Expect(adm.Do(target.Request{Method: "POST", Path: "/reset?provider=rebilly&tenant=" + tenant, Header: jsonType()}).Status).To(Equal(http.StatusOK))
		r := reb.Do(target.Request{Method: "GET", Path: "/customers/" + id, Header: http.Header{"REB-APIKEY": {key}}})
		Expect(r.Status).To(Equal(http.StatusNotFound))
		var all map[string]json.RawMessage
		Expect(json.Unmarshal(get(adm, "/state").Body, &all)).To(Succeed())
		Expect(all).To(HaveKey("payabli"))
		Expect(all).To(HaveKey("rapyd"))
	})
})

var _ = Describe("admin on a dedicated simulator", Label("admin", "config"), func() {
	It("resets everything, clears a journal, and bounds the journal", func() {
		adm := target.WithConfig("admin", func(c *server.Config) { c.JournalSize = 3 })
		reb := target.For("rebilly")
		reb.BaseURL, reb.Kind = target.URLFor(adm.Server, "rebilly"), target.InProcess
		for i := 0; i < 5; i++ {
			Expect(rebillyPut(reb, "k", target.Unique("bound-"), `{}`).Status).To(Equal(http.StatusCreated))
		}
		Expect(get(adm, "/journal/rebilly").Object()["count"]).To(Equal(json.Number("3")))
		Expect(adm.Do(target.Request{Method: "DELETE", Path: "/journal/rebilly", Header: jsonType()}).Status).To(Equal(http.StatusNoContent))
		Expect(get(adm, "/journal/rebilly").Object()["count"]).To(Equal(json.Number("0")))

		Expect(adm.Do(target.Request{Method: "POST", Path: "/reset", Header: jsonType()}).Body).To(MatchJSON(`{"reset":"ok","provider":"","tenant":""}`))
		var dump map[string][]any
		Expect(json.Unmarshal(get(adm, "/state").Body, &dump)).To(Succeed())
		Expect(dump).To(Equal(map[string][]any{"rebilly": {}, "payabli": {}, "rapyd": {}}))
	})
})
