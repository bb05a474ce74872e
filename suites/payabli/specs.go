// Package payabli holds the Payabli customer-API specs. They are registered at
// import, so the in-process suite (payabli_suite_test.go) and the binary
// runner (suites/binary) run the same specs against their targets.
package payabli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

const reTime = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`

func fixture(name string) []byte { return target.Fixture("payabli", name) }

func fixtureObject(name string) map[string]any {
	GinkgoHelper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(fixture(name)))
	dec.UseNumber()
	Expect(dec.Decode(&m)).To(Succeed())
	return m
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// client sends Payabli requests with one token.
type client struct {
	t     *target.Target
	token string
}

func (c client) do(method, path string, body any, hdr ...string) *target.Response {
	GinkgoHelper()
	raw := target.Body(body)
	h := http.Header{}
	if c.token != "" {
		h.Set("requestToken", c.token)
	}
	if raw != nil {
		h.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			h.Del(hdr[i])
		} else {
			h.Set(hdr[i], hdr[i+1])
		}
	}
	return c.t.Do(target.Request{Method: method, Path: path, Header: h, Body: raw})
}

// create posts body to entry and returns the responseData record.
func (c client) create(entry string, body map[string]any, query string) map[string]any {
	GinkgoHelper()
	r := c.do("POST", "/Customer/single/"+entry+query, body)
	Expect(r.Status).To(Equal(http.StatusOK), "body: %s", r.Body)
	m := r.Object()
	Expect(m["isSuccess"]).To(BeTrue())
	Expect(m["responseText"]).To(Equal("Success"))
	return m["responseData"].(map[string]any)
}

// errorBody asserts the Payabli error shape and returns the explanation.
func errorBody(r *target.Response, status int, text string) string {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body: %s", r.Body)
	Expect(r.Header.Get("Content-Type")).To(HavePrefix("application/json"))
	m := r.Object()
	Expect(m["isSuccess"]).To(BeFalse())
	Expect(m["responseText"]).To(Equal(text))
	data := m["responseData"].(map[string]any)
	Expect(keysOf(data)).To(Equal([]string{"explanation", "todoAction"}))
	Expect(data["todoAction"]).NotTo(BeEmpty())
	return data["explanation"].(string)
}

// newCustomer is the official create example with unique identifiers.
func newCustomer() map[string]any {
	GinkgoHelper()
	m := fixtureObject("customer-create-request.json")
	m["email"] = target.Unique("irene") + "@example.com"
	m["customerNumber"] = target.Unique("C-")
	return m
}

func idOf(rec map[string]any) string {
	GinkgoHelper()
	n, ok := rec["customerId"].(json.Number)
	Expect(ok).To(BeTrue(), "customerId %v is not a number", rec["customerId"])
	_, err := n.Int64()
	Expect(err).NotTo(HaveOccurred(), "customerId %v is not an integer", n)
	return n.String()
}

var _ = Describe("Payabli customers", Label("payabli"), func() {
	var (
		t     *target.Target
		api   client
		entry string
	)
	BeforeEach(func() {
		t = target.For("payabli")
		api = client{t: t, token: target.Unique("tok-")}
		entry = target.Unique("e")
	})

	Describe("POST /Customer/single/{entry}", func() {
		It("creates with an integer customerId and the official record shape", func() {
			req := newCustomer()
			req["phone"] = "(555) 555-0100"
			req["additionalFields"] = map[string]any{"key": "value"}
			req["additionalData"] = map[string]any{"ignored": "yes"}
			r := api.do("POST", "/Customer/single/"+entry, req)
			Expect(r.Status).To(Equal(http.StatusOK))
			m := r.Object()
			want := fixtureObject("customer-create-response.json")
			Expect(keysOf(m)).To(Equal(keysOf(want)))
			rec := m["responseData"].(map[string]any)
			Expect(keysOf(rec)).To(Equal(keysOf(want["responseData"].(map[string]any))))
			idOf(rec)
			Expect(rec["Firstname"]).To(Equal("Irene"))
			Expect(rec["Lastname"]).To(Equal("Canizales"))
			Expect(rec["Email"]).To(Equal(req["email"]))
			Expect(rec["customerNumber"]).To(Equal(req["customerNumber"]))
			Expect(rec["Address1"]).To(Equal("123 Bishop's Trail"))
			Expect(rec["Address"]).To(BeNil())
			Expect(rec["Phone"]).To(Equal("+15555550100"))
			Expect(rec["TimeZone"]).To(Equal(json.Number("-5")))
			Expect(rec["customerStatus"]).To(Equal(json.Number("0")))
			Expect(rec["Balance"]).To(Equal(json.Number("0")))
			Expect(rec["MFA"]).To(BeFalse())
			Expect(rec["IdentifierFields"]).To(Equal([]any{"email"}))
			Expect(rec["AdditionalFields"]).To(Equal(map[string]any{"key": "value"}))
			Expect(rec["PaypointEntryname"]).To(Equal(entry))
			Expect(rec["pageidentifier"]).To(Equal("null"))
			Expect(rec["Created"]).To(MatchRegexp(reTime))
			Expect(rec["LastUpdated"]).To(Equal(rec["Created"]))
			Expect(rec["Subscriptions"]).To(BeNil())
			Expect(rec["StoredMethods"]).To(BeNil())
			Expect(rec["customerSummary"]).To(Equal(map[string]any{"NumberofTransactions": json.Number("0"),
				"RecentTransactions": []any{}, "TotalAmountTransactions": json.Number("0"), "TotalNetAmountTransactions": json.Number("0")}))
			Expect(string(r.Body)).NotTo(ContainSubstring("ignored"))
		})

		It("accepts application/*+json, a trailing slash and PascalCase request keys", func() {
			body := map[string]any{"Email": target.Unique("p") + "@example.com", "Firstname": "Ann"}
			r := api.do("POST", "/Customer/single/"+entry+"/", body, "Content-Type", "application/*+json")
			Expect(r.Status).To(Equal(http.StatusOK), "body: %s", r.Body)
			rec := r.Object()["responseData"].(map[string]any)
			Expect(rec["Email"]).To(Equal(body["Email"]))
			Expect(rec["Firstname"]).To(Equal("Ann"))
		})

		It("returns the existing customer when the identifier matches (default flags)", func() {
			req := newCustomer()
			first := api.create(entry, req, "")
			again := newCustomer()
			again["email"] = req["email"]
			again["city"] = "Elsewhere"
			second := api.create(entry, again, "")
			Expect(idOf(second)).To(Equal(idOf(first)))
			Expect(second["City"]).To(Equal("Mountain City"))
		})

		It("matches on customerNumber when no identifier field matches", func() {
			req := newCustomer()
			first := api.create(entry, req, "")
			again := newCustomer()
			again["customerNumber"] = req["customerNumber"]
			Expect(idOf(api.create(entry, again, ""))).To(Equal(idOf(first)))
		})

		It("matches on the configured default identifiers when identifierFields is absent", func() {
			fn, ln := target.Unique("F"), target.Unique("L")
			first := api.create(entry, map[string]any{"firstname": fn, "lastname": ln}, "")
			second := api.create(entry, map[string]any{"firstname": strings.ToLower(fn), "lastname": ln, "city": "X"}, "")
			Expect(idOf(second)).To(Equal(idOf(first)))
		})

		It("does not match customers of another entry", func() {
			req := newCustomer()
			first := api.create(entry, req, "")
			other := api.create(target.Unique("e"), req, "")
			Expect(idOf(other)).NotTo(Equal(idOf(first)))
		})

		It("overwrites the match with replaceExisting=1", func() {
			req := newCustomer()
			req["additionalFields"] = map[string]any{"a": "1"}
			first := api.create(entry, req, "")
			repl := map[string]any{"email": req["email"], "identifierFields": []string{"email"}, "city": "Knoxville"}
			second := api.create(entry, repl, "?replaceExisting=1")
			Expect(idOf(second)).To(Equal(idOf(first)))
			Expect(second["City"]).To(Equal("Knoxville"))
			Expect(second["Firstname"]).To(BeNil())
			Expect(second["customerNumber"]).To(BeNil())
			Expect(second["AdditionalFields"]).To(Equal(map[string]any{}))
			Expect(second["Created"]).To(Equal(first["Created"]))
			got := api.do("GET", "/Customer/"+idOf(first), nil)
			Expect(got.Object()["City"]).To(Equal("Knoxville"))
		})

		It("always creates with forceCustomerCreation=true", func() {
			req := newCustomer()
			first := api.create(entry, req, "")
			second := api.create(entry, req, "?forceCustomerCreation=true")
			Expect(idOf(second)).NotTo(Equal(idOf(first)))
			l := api.do("GET", "/Query/customers/"+entry, nil)
			Expect(l.Object()["Summary"].(map[string]any)["totalRecords"]).To(Equal(json.Number("2")))
		})

		It("creates exactly one customer from concurrent creates with one identifier", func() {
			req := newCustomer()
			ids := make([]string, 100)
			var wg sync.WaitGroup
			for i := range ids {
				wg.Add(1)
				go func(i int) {
					defer GinkgoRecover()
					defer wg.Done()
					ids[i] = idOf(api.create(entry, req, ""))
				}(i)
			}
			wg.Wait()
			for _, id := range ids {
				Expect(id).To(Equal(ids[0]))
			}
			l := api.do("GET", "/Query/customers/"+entry+"?limitRecord=0", nil)
			Expect(l.Object()["Summary"].(map[string]any)["totalRecords"]).To(Equal(json.Number("1")))
		})

		It("refuses a request without a usable identifier", func() {
			r := api.do("POST", "/Customer/single/"+entry, map[string]any{"identifierFields": []string{"email"}, "firstname": "A"})
			want := fixtureObject("error-400-invalid-customer-identifiers.synthesized.json")
			Expect(errorBody(r, http.StatusBadRequest, want["responseText"].(string))).To(Equal("Invalid customer identifiers: email"))
			Expect(keysOf(r.Object())).To(Equal(keysOf(want)))
			r = api.do("POST", "/Customer/single/"+entry, map[string]any{"city": "Nowhere"})
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(Equal("Invalid customer identifiers: email, firstname+lastname"))
		})

		It("answers a repeated idempotencyKey with 409", func() {
			key := target.Unique("idem-")
			r := api.do("POST", "/Customer/single/"+entry, newCustomer(), "idempotencyKey", key)
			Expect(r.Status).To(Equal(http.StatusOK))
			r = api.do("POST", "/Customer/single/"+entry, newCustomer(), "idempotencyKey", key)
			Expect(errorBody(r, http.StatusConflict, "Declined")).To(ContainSubstring("idempotencyKey"))
			r = api.do("POST", "/Customer/single/"+entry, newCustomer(), "idempotencyKey", target.Unique("idem-"))
			Expect(r.Status).To(Equal(http.StatusOK))
		})

		DescribeTable("rejects invalid bodies with 400",
			func(body string, contentType string, explanation string) {
				r := api.do("POST", "/Customer/single/"+entry, body, "Content-Type", contentType)
				Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(ContainSubstring(explanation))
			},
			Entry("malformed JSON", `{"email":`, "application/json", "not a valid JSON object"),
			Entry("an array", `[]`, "application/json", "not a valid JSON object"),
			Entry("empty body", ``, "application/json", "empty"),
			Entry("customerNumber > 250", fmt.Sprintf(`{"email":"a@b.co","customerNumber":%q}`, strings.Repeat("x", 251)), "application/json", "'customerNumber': maximum length is 250"),
			Entry("email > 320", fmt.Sprintf(`{"email":"%s@b.co"}`, strings.Repeat("x", 320)), "application/json", "'email': maximum length is 320"),
			Entry("invalid email", `{"email":"not-an-email"}`, "application/json", "not a valid email"),
			Entry("shippingAddress1 > 100", fmt.Sprintf(`{"email":"a@b.co","shippingAddress1":%q}`, strings.Repeat("x", 101)), "application/json", "'shippingAddress1': maximum length is 100"),
			Entry("shippingZip > 50", fmt.Sprintf(`{"email":"a@b.co","shippingZip":%q}`, strings.Repeat("1", 51)), "application/json", "'shippingZip': maximum length is 50"),
			Entry("customerStatus not in enum", `{"email":"a@b.co","customerStatus":2}`, "application/json", "'customerStatus': 2 is not one of"),
			Entry("customerStatus wrong type", `{"email":"a@b.co","customerStatus":"1"}`, "application/json", "'customerStatus': expected an integer"),
			Entry("firstname wrong type", `{"email":"a@b.co","firstname":5}`, "application/json", "'firstname': expected a string"),
			Entry("timeZone out of range", `{"email":"a@b.co","timeZone":13}`, "application/json", "Invalid TimeZone"),
			Entry("additionalFields wrong type", `{"email":"a@b.co","additionalFields":[1]}`, "application/json", "'additionalFields'"),
			Entry("text/plain body", `{"email":"a@b.co"}`, "text/plain", "Unsupported Content-Type"),
		)

		It("rejects an oversized body with 400", func() {
			big := `{"email":"a@b.co","city":"` + strings.Repeat("x", 2<<20) + `"}`
			r := api.do("POST", "/Customer/single/"+entry, big)
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(ContainSubstring("exceeds"))
		})

		It("rejects bad flag values and an over-long entry", func() {
			r := api.do("POST", "/Customer/single/"+entry+"?replaceExisting=2", newCustomer())
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(ContainSubstring("replaceExisting"))
			r = api.do("POST", "/Customer/single/"+entry+"?forceCustomerCreation=maybe", newCustomer())
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(ContainSubstring("forceCustomerCreation"))
			r = api.do("POST", "/Customer/single/"+strings.Repeat("e", 51), newCustomer())
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(Equal("Invalid entrypoint name."))
			Expect(r.Object()["responseCode"]).To(Equal(json.Number("3001")))
		})
	})

	Describe("GET /Customer/{customerId}", func() {
		It("returns the bare record with the official keys and casing", func() {
			rec := api.create(entry, newCustomer(), "")
			r := api.do("GET", "/Customer/"+idOf(rec), nil)
			Expect(r.Status).To(Equal(http.StatusOK))
			got := r.Object()
			Expect(keysOf(got)).To(Equal(keysOf(fixtureObject("customer-get-response.json"))))
			Expect(got).To(Equal(rec))
		})

		It("answers unknown, malformed and other tenants' ids as not found", func() {
			rec := api.create(entry, newCustomer(), "")
			Expect(errorBody(api.do("GET", "/Customer/999999999999", nil), http.StatusBadRequest, "Declined")).To(Equal("Customer 999999999999 not found."))
			other := client{t: t, token: target.Unique("tok-")}
			Expect(errorBody(other.do("GET", "/Customer/"+idOf(rec), nil), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
			Expect(errorBody(other.do("PUT", "/Customer/"+idOf(rec), map[string]any{"city": "x"}), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
			Expect(errorBody(other.do("DELETE", "/Customer/"+idOf(rec), nil), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
			Expect(errorBody(api.do("GET", "/Customer/abc", nil), http.StatusBadRequest, "Declined")).To(ContainSubstring("Invalid customerId"))
		})
	})

	Describe("PUT /Customer/{customerId}", func() {
		It("updates only the sent fields and merges additionalFields", func() {
			req := newCustomer()
			req["additionalFields"] = map[string]any{"a": "1", "b": "2"}
			rec := api.create(entry, req, "")
			upd := fixtureObject("customer-update-request.json")
			upd["additionalFields"] = map[string]any{"b": "20", "c": "3"}
			r := api.do("PUT", "/Customer/"+idOf(rec), upd)
			Expect(r.Status).To(Equal(http.StatusOK))
			env := r.Object()
			Expect(env).To(Equal(map[string]any{"responseCode": json.Number("1"), "isSuccess": true, "pageIdentifier": "null",
				"roomId": json.Number("0"), "responseData": " ", "responseText": "Success"}))
			for k, v := range fixtureObject("customer-update-response.json") {
				Expect(env).To(HaveKeyWithValue(k, v))
			}
			got := api.do("GET", "/Customer/"+idOf(rec), nil).Object()
			Expect(got["Address1"]).To(Equal("145 Bishop's Trail"))
			Expect(got["Email"]).To(Equal(req["email"]))
			Expect(got["customerNumber"]).To(Equal(req["customerNumber"]))
			Expect(got["AdditionalFields"]).To(Equal(map[string]any{"a": "1", "b": "20", "c": "3"}))
			Expect(got["Created"]).To(Equal(rec["Created"]))
		})

		It("rejects invalid values with 400 and leaves the customer unchanged", func() {
			rec := api.create(entry, newCustomer(), "")
			r := api.do("PUT", "/Customer/"+idOf(rec), map[string]any{"customerStatus": 7})
			Expect(errorBody(r, http.StatusBadRequest, "Declined")).To(ContainSubstring("customerStatus"))
			Expect(api.do("GET", "/Customer/"+idOf(rec), nil).Object()).To(Equal(rec))
		})
	})

	Describe("DELETE /Customer/{customerId}", func() {
		It("deletes; afterwards the customer is gone", func() {
			rec := api.create(entry, newCustomer(), "")
			r := api.do("DELETE", "/Customer/"+idOf(rec), nil)
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.Body).To(MatchJSON(fixture("customer-delete-response.json")))
			Expect(errorBody(api.do("GET", "/Customer/"+idOf(rec), nil), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
			Expect(errorBody(api.do("PUT", "/Customer/"+idOf(rec), map[string]any{"city": "x"}), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
			Expect(errorBody(api.do("DELETE", "/Customer/"+idOf(rec), nil), http.StatusBadRequest, "Declined")).To(ContainSubstring("not found"))
		})
	})

	Describe("GET /Query/customers/{entry}", func() {
		var ids []string
		BeforeEach(func() {
			ids = nil
			for i, c := range []map[string]any{
				{"firstname": "Ann", "lastname": "Alpha", "email": "ann@alpha.example", "city": "Austin", "balance": 5, "customerStatus": 1, "additionalFields": map[string]any{"tier": "gold"}},
				{"firstname": "Bob", "lastname": "Beta", "email": "bob@beta.example", "city": "Boston", "balance": 25, "customerStatus": 0, "additionalFields": map[string]any{"tier": "silver"}},
				{"firstname": "Cid", "lastname": "Gamma", "email": "cid@gamma.example", "city": "Austin", "balance": 100, "customerStatus": 85},
			} {
				c["customerNumber"] = fmt.Sprintf("N-%d", i)
				ids = append(ids, idOf(api.create(entry, c, "")))
			}
			api.create(target.Unique("e"), map[string]any{"email": "other@entry.example"}, "")
		})

		list := func(query string) ([]string, map[string]any) {
			GinkgoHelper()
			r := api.do("GET", "/Query/customers/"+entry+query, nil)
			Expect(r.Status).To(Equal(http.StatusOK), "body: %s", r.Body)
			m := r.Object()
			Expect(keysOf(m)).To(Equal([]string{"Records", "Summary"}))
			var got []string
			for _, rec := range m["Records"].([]any) {
				got = append(got, idOf(rec.(map[string]any)))
			}
			return got, m["Summary"].(map[string]any)
		}

		It("lists the entry's customers with the official item keys and Summary", func() {
			got, sum := list("")
			Expect(got).To(ConsistOf(ids))
			want := fixtureObject("customer-list-response.json")
			Expect(keysOf(sum)).To(Equal(keysOf(want["Summary"].(map[string]any))))
			Expect(sum["totalRecords"]).To(Equal(json.Number("3")))
			Expect(sum["pageSize"]).To(Equal(json.Number("20")))
			Expect(sum["totalPages"]).To(Equal(json.Number("1")))
			r := api.do("GET", "/Query/customers/"+entry, nil)
			item := r.Object()["Records"].([]any)[0].(map[string]any)
			Expect(keysOf(item)).To(Equal(keysOf(want["Records"].([]any)[0].(map[string]any))))
		})

		It("pages with fromRecord/limitRecord and sorts with sortBy", func() {
			got, sum := list("?sortBy=asc(customerId)&fromRecord=1&limitRecord=1")
			Expect(got).To(Equal([]string{ids[1]}))
			Expect(sum["totalRecords"]).To(Equal(json.Number("3")))
			Expect(sum["pageSize"]).To(Equal(json.Number("1")))
			Expect(sum["totalPages"]).To(Equal(json.Number("3")))
			got, _ = list("?sortBy=desc(balance)&limitRecord=0")
			Expect(got).To(Equal([]string{ids[2], ids[1], ids[0]}))
			got, _ = list("?sortBy=asc(firstname)&limitRecord=-1")
			Expect(got).To(Equal([]string{ids[0], ids[1], ids[2]}))
		})

		DescribeTable("filters with field(cond)=value",
			func(query string, want ...int) {
				got, sum := list("?sortBy=asc(customerId)&" + query)
				var exp []string
				for _, i := range want {
					exp = append(exp, ids[i])
				}
				Expect(got).To(Equal(exp))
				Expect(sum["totalRecords"]).To(Equal(json.Number(fmt.Sprint(len(want)))))
			},
			Entry("city eq", "city(eq)=austin", 0, 2),
			Entry("city empty cond", "city()=Boston", 1),
			Entry("firstname ne", "firstname(ne)=Bob", 0, 2),
			Entry("lastname ct", "lastname(ct)=amm", 2),
			Entry("email nct", "email(nct)=alpha", 1, 2),
			Entry("customernumber eq", "customernumber(eq)=N-1", 1),
			Entry("status in", "status(in)=1|85", 0, 2),
			Entry("status nin", "status(nin)=1|85", 1),
			Entry("balance gt", "balance(gt)=20", 1, 2),
			Entry("balance le", "balance(le)=25", 0, 1),
			Entry("name ct", "name(ct)=bo", 1),
			Entry("additional field", "additional-tier(eq)=gold", 0),
			Entry("createdDate ge", "createdDate(ge)=2000-01-01", 0, 1, 2),
			Entry("createdDate lt", "createdDate(lt)=2000-01-01"),
			Entry("two filters AND", "city(eq)=Austin&balance(lt)=50", 0),
			Entry("unknown field ignored", "nosuch(eq)=x", 0, 1, 2),
			Entry("parameters= prefix ignored", "parameters=city(eq)=Boston", 0, 1, 2),
		)

		It("rejects unsupported conditions and bad numbers with 400", func() {
			for _, q := range []string{"?name(eq)=x", "?balance(gt)=abc", "?limitRecord=x", "?createdDate(gt)=notadate"} {
				r := api.do("GET", "/Query/customers/"+entry+q, nil)
				errorBody(r, http.StatusBadRequest, "Declined")
			}
		})
	})

	Describe("authentication and routing", func() {
		It("answers a missing token with 401 in the documented body", func() {
			noTok := client{t: t}
			for _, r := range []*target.Response{
				noTok.do("POST", "/Customer/single/"+entry, newCustomer()),
				noTok.do("GET", "/Customer/1", nil),
				noTok.do("GET", "/Query/customers/"+entry, nil),
			} {
				Expect(r.Status).To(Equal(http.StatusUnauthorized))
				Expect(r.Body).To(MatchJSON(fixture("error-401-unauthorized.synthesized.json")))
			}
		})

		It("accepts an OAuth Bearer token as a credential", func() {
			tok := target.Unique("bearer-")
			r := client{t: t}.do("POST", "/Customer/single/"+entry, newCustomer(), "Authorization", "Bearer "+tok)
			Expect(r.Status).To(Equal(http.StatusOK))
			id := idOf(r.Object()["responseData"].(map[string]any))
			Expect(client{t: t, token: tok}.do("GET", "/Customer/"+id, nil).Status).To(Equal(http.StatusOK))
		})

		It("answers unknown routes and methods in the Payabli error shape", func() {
			r, err := t.Send(target.Request{Method: "GET", Path: "/Nope", Header: http.Header{"Requesttoken": {api.token}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(errorBody(r, http.StatusNotFound, "Not Found")).To(ContainSubstring("/api/Nope"))
			r, err = t.Send(target.Request{Method: "PATCH", Path: "/Customer/1", Header: http.Header{"Requesttoken": {api.token}}})
			Expect(err).NotTo(HaveOccurred())
			errorBody(r, http.StatusMethodNotAllowed, "Method Not Allowed")
		})
	})
})

var _ = Describe("Payabli configured tokens", Label("payabli", "config"), func() {
	var (
		base string
		do   func(token, method, path string, body any) *target.Response
	)
	BeforeEach(func() {
		cfg := server.DefaultConfig()
		cfg.Payabli.Tokens = []string{"org-token", "pp-token=entryA|entryB", "pp2-token=entryC"}
		srv, err := target.StartInProcess(cfg)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Shutdown)
		base = target.URLFor(srv, "payabli")
		t := target.For("payabli")
		tt := *t
		tt.BaseURL = base
		do = func(token, method, path string, body any) *target.Response {
			GinkgoHelper()
			return client{t: &tt, token: token}.do(method, path, body)
		}
	})

	It("answers an unknown token with 401", func() {
		r := do("not-configured", "GET", "/Query/customers/entryA", nil)
		Expect(r.Status).To(Equal(http.StatusUnauthorized))
		Expect(r.Body).To(MatchJSON(fixture("error-401-unauthorized.synthesized.json")))
	})

	It("refuses a token on an entry it does not own and hides that entry's customers", func() {
		r := do("pp-token", "POST", "/Customer/single/entryA", newCustomer())
		Expect(r.Status).To(Equal(http.StatusOK))
		id := idOf(r.Object()["responseData"].(map[string]any))
		for _, r := range []*target.Response{
			do("pp-token", "POST", "/Customer/single/entryC", newCustomer()),
			do("pp-token", "GET", "/Query/customers/entryC", nil),
		} {
			Expect(errorBody(r, http.StatusUnauthorized, "Unauthorized")).To(Equal("The token is not authorized for entrypoint entryC."))
		}
		Expect(do("pp-token", "GET", "/Customer/"+id, nil).Status).To(Equal(http.StatusOK))
		Expect(do("pp2-token", "GET", "/Customer/"+id, nil).Status).To(Equal(http.StatusBadRequest))
		Expect(do("org-token", "GET", "/Customer/"+id, nil).Status).To(Equal(http.StatusBadRequest))
		Expect(do("org-token", "GET", "/Query/customers/"+url.PathEscape("anyEntry"), nil).Status).To(Equal(http.StatusOK))
	})
})
