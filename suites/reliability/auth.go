package reliability

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// endpoint is one operation of a provider, for a given customer id.
type endpoint struct {
	method, path string
	body         []byte
}

func endpoints(a account, id string) []endpoint {
	switch a.provider {
	case "rebilly":
		return []endpoint{{"GET", "/customers", nil}, {"POST", "/customers", []byte(`{}`)}, {"GET", "/customers/" + id, nil},
			{"PUT", "/customers/" + id, []byte(`{}`)}, {"DELETE", "/customers/" + id + "?targetCustomerId=cus-x", nil}}
	case "payabli":
		return []endpoint{{"POST", "/Customer/single/" + a.entry, []byte(`{"customerNumber":"X-1"}`)}, {"GET", "/Customer/" + id, nil},
			{"PUT", "/Customer/" + id, []byte(`{"firstname":"X"}`)}, {"DELETE", "/Customer/" + id, nil}, {"GET", "/Query/customers/" + a.entry, nil}}
	default:
		return []endpoint{{"POST", "/v1/customers", []byte(`{"name":"X"}`)}, {"GET", "/v1/customers", nil}, {"GET", "/v1/customers/" + id, nil},
			{"POST", "/v1/customers/" + id, []byte(`{"name":"X"}`)}, {"DELETE", "/v1/customers/" + id, nil}}
	}
}

// rejection is the exact answer to a bad credential.
type rejection struct {
	status int
	code   string // Rapyd error_code, Payabli responseText, Rebilly title
}

func assertRejected(provider string, r *target.Response, want rejection) {
	GinkgoHelper()
	errorShape(provider, r, want.status)
	m := r.Object()
	switch provider {
	case "rebilly":
		Expect(m["title"]).To(Equal(want.code))
	case "payabli":
		Expect(m["responseText"]).To(Equal(want.code))
	default:
		Expect(m["status"].(map[string]any)["error_code"]).To(Equal(want.code))
	}
}

var _ = Describe("authentication and isolation", Label("reliability", "auth"), func() {
	var reb, pay, rap *target.Target
	BeforeEach(func() {
		reb = target.WithConfig("rebilly", func(c *server.Config) { c.Rebilly.APIKeys = []string{"key-a=org_a", "key-b=org_b"} })
		pay = target.WithConfig("payabli", func(c *server.Config) { c.Payabli.Tokens = []string{"tok-a=entry-a", "tok-b=entry-b"} })
		rap = target.WithConfig("rapyd", func(c *server.Config) { c.Rapyd.Keys = []string{"rak_a=rsk_a", "rak_b=rsk_b"} })
	})

	It("rejects every endpoint without a credential, with a wrong one, and with another tenant's", func() {
		type matrix struct {
			owner, other, wrong account
			none                account
			noneWant, wrongWant rejection
			// otherWant is the answer per endpoint index to the other tenant.
			otherWant []rejection
		}
		ms := []matrix{
			{owner: rebillyAccount(reb, "key-a"), other: rebillyAccount(reb, "key-b"), wrong: rebillyAccount(reb, "key-zz"), none: rebillyAccount(reb, ""),
				noneWant: rejection{401, "Unauthorized"}, wrongWant: rejection{401, "Unauthorized"},
				// other tenant: its own (empty) collection answers; the customer is not found
				otherWant: []rejection{{200, ""}, {201, ""}, {404, "Not Found"}, {201, ""}, {404, "Not Found"}}},
			{owner: payabliAccount(pay, "tok-a", "entry-a"), other: payabliAccount(pay, "tok-b", "entry-a"), wrong: payabliAccount(pay, "tok-zz", "entry-a"), none: payabliAccount(pay, "", "entry-a"),
				noneWant: rejection{401, "Unauthorized"}, wrongWant: rejection{401, "Unauthorized"},
				otherWant: []rejection{{401, "Unauthorized"}, {400, "Declined"}, {400, "Declined"}, {400, "Declined"}, {401, "Unauthorized"}}},
			{owner: rapydAccount(rap, "rak_a", "rsk_a"), other: rapydAccount(rap, "rak_b", "rsk_b"), wrong: rapydAccount(rap, "rak_zz", "rsk_zz"), none: rapydAccount(rap, "", ""),
				noneWant: rejection{400, "MISSING_AUTHENTICATION_HEADERS"}, wrongWant: rejection{401, "UNAUTHENTICATED_API_CALL"},
				otherWant: []rejection{{200, ""}, {200, ""}, {400, "ERROR_GET_CUSTOMER"}, {400, "INVALID_CUSTOMER_ID"}, {400, "ERROR_DELETE_CUSTOMER"}}},
		}
		for _, m := range ms {
			id := m.owner.create("auth")
			before := m.owner.snapshot(id)
			for i, e := range endpoints(m.owner, id) {
				what := fmt.Sprintf("%s %s %s", m.owner.provider, e.method, e.path)
				r := m.none.t.Do(m.none.req(e.method, e.path, e.body))
				By(what + " without a credential")
				assertRejected(m.owner.provider, r, m.noneWant)
				By(what + " with a wrong credential")
				assertRejected(m.owner.provider, m.wrong.do(e.method, e.path, e.body), m.wrongWant)
				By(what + " with another tenant's credential")
				ow := m.otherWant[i]
				r = m.other.do(e.method, e.path, e.body)
				if ow.status < 300 {
					Expect(r.Status).To(Equal(ow.status), "%s: %s", what, r.Body)
				} else {
					assertRejected(m.owner.provider, r, ow)
				}
			}
			Expect(string(m.owner.snapshot(id))).To(Equal(string(before)), "%s: the owner's customer is untouched", m.owner.provider)
		}
		// Rebilly: a key bound to org_b may not use org_a's path.
		r := reb.Do(target.Request{Method: "GET", Path: "/organizations/org_a/customers", Header: http.Header{"REB-APIKEY": {"key-b"}}})
		assertRejected("rebilly", r, rejection{403, "Forbidden"})
	})

	It("never lets one tenant read, list, update or delete another's customer (every provider)", func() {
		pairs := [][2]account{
			{rebillyAccount(target.For("rebilly"), target.Unique("iso-a-")), rebillyAccount(target.For("rebilly"), target.Unique("iso-b-"))},
			{payabliAccount(target.For("payabli"), target.Unique("iso-a-"), "shared-entry"), payabliAccount(target.For("payabli"), target.Unique("iso-b-"), "shared-entry")},
			{rapydAccount(rap, "rak_a", "rsk_a"), rapydAccount(rap, "rak_b", "rsk_b")},
		}
		for _, p := range pairs {
			a, b := p[0], p[1]
			marker := target.Unique("isoMarker")
			id := a.create(marker)
			before := a.snapshot(id)
			b.create("iso-b") // b has a customer of its own, so its list is not trivially empty
			for _, e := range endpoints(a, id) {
				// B may create its own customer under the same id (Rebilly's
				// namespaces are per tenant); A's data must never show.
				r := b.do(e.method, e.path, e.body)
				Expect(string(r.Body)).NotTo(ContainSubstring(marker), "%s %s %s leaked A's customer", a.provider, e.method, e.path)
			}
			Expect(string(a.snapshot(id))).To(Equal(string(before)), "%s: A's customer unchanged", a.provider)
		}
	})

	It("rejects tampered Rapyd requests: body, path, query, method, timestamp, salt", func() {
		a := rapydAccount(rap, "rak_a", "rsk_a")
		id := a.create("tamper")
		signed := func(method, path string, body []byte, ts time.Time, salt string) http.Header {
			h := http.Header{}
			t := strconv.FormatInt(ts.Unix(), 10)
			h.Set("access_key", "rak_a")
			h.Set("salt", salt)
			h.Set("timestamp", t)
			h.Set("signature", rapydsign.Sign(method, path, salt, t, "rak_a", "rsk_a", body))
			h.Set("Content-Type", "application/json")
			return h
		}
		send := func(method, path string, body []byte, h http.Header) *target.Response {
			return rap.Do(target.Request{Method: method, Path: path, Body: body, Header: h, NoContract: true})
		}
		now := time.Now()
		body := []byte(`{"name":"Tampered?"}`)
		good := signed("POST", "/v1/customers/"+id, body, now, "goodsalt123456")
		unauth := rejection{401, "UNAUTHENTICATED_API_CALL"}
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, []byte(`{"name":"Tampered!"}`), good), unauth)
		assertRejected("rapyd", send("POST", "/v1/customers/"+id+"x", body, good), unauth)
		assertRejected("rapyd", send("POST", "/v1/customers/"+id+"?a=1", body, good), unauth)
		assertRejected("rapyd", send("DELETE", "/v1/customers/"+id, body, good), unauth)
		h := good.Clone()
		h.Set("timestamp", strconv.FormatInt(now.Unix()+1, 10))
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, h), unauth)
		h = good.Clone()
		h.Set("salt", "othersalt12345")
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, h), unauth)
		h = good.Clone()
		h.Set("signature", strings.ToLower(h.Get("signature")))
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, h), unauth)
		// Correctly signed but stale or from the future.
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, signed("POST", "/v1/customers/"+id, body, now.Add(-10*time.Minute), "stalesalt1234")), unauth)
		assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, signed("POST", "/v1/customers/"+id, body, now.Add(10*time.Minute), "futuresalt123")), unauth)
		// Malformed salt (the documented rule, known unknown salt-rules:
		// 1-128 printable ASCII characters without spaces).
		for _, s := range []string{"with space", strings.Repeat("s", 129), "tab	salt"} {
			assertRejected("rapyd", send("POST", "/v1/customers/"+id, body, signed("POST", "/v1/customers/"+id, body, now, s)), unauth)
		}
		// Nothing above changed the customer; the untampered request works.
		Expect(a.do("GET", "/v1/customers/"+id, nil).Object()["data"].(map[string]any)["name"]).To(Equal("Rel tamper"))
		ok := send("POST", "/v1/customers/"+id, body, good)
		Expect(ok.Status).To(Equal(http.StatusOK), string(ok.Body))

		// Reused salt, when that option is on.
		strict := target.WithConfig("rapyd", func(c *server.Config) { c.Rapyd.RejectSaltReuse, c.Rapyd.Keys = true, []string{"rak_a=rsk_a"} })
		h1 := signed("GET", "/v1/customers", nil, now, "reusedsalt1234")
		Expect(strict.Do(target.Request{Method: "GET", Path: "/v1/customers", Header: h1}).Status).To(Equal(http.StatusOK))
		assertRejected("rapyd", strict.Do(target.Request{Method: "GET", Path: "/v1/customers", Header: signed("GET", "/v1/customers", nil, now, "reusedsalt1234"), NoContract: true}), unauth)
	})
})
