package contracts_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/contracts"
)

func TestContracts(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "contracts")
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return h
}

func violations(err error) []string {
	GinkgoHelper()
	Expect(err).To(HaveOccurred())
	ve, ok := err.(*contracts.ValidationError)
	Expect(ok).To(BeTrue(), "%T: %v", err, err)
	out := []string{}
	for _, v := range ve.Violations {
		out = append(out, v.Where)
	}
	sort.Strings(out)
	return out
}

var _ = Describe("contract loading and path matching", Label("contracts"), func() {
	It("loads every provider", func() {
		Expect(contracts.Providers()).To(Equal([]string{"admin", "payabli", "rapyd", "rebilly"}))
		for _, p := range contracts.Providers() {
			c, err := contracts.Load(p)
			Expect(err).NotTo(HaveOccurred(), p)
			Expect(c.Operations()).NotTo(BeEmpty(), p)
		}
	})

	It("matches paths with and without a base prefix, literals before parameters", func() {
		c := contracts.MustLoad("rebilly")
		for path, want := range map[string]string{
			"/customers":                              "GET /customers",
			"/organizations/org_1/customers":          "GET /customers",
			"/customers/cus_1":                        "GET /customers/{id}",
			"/organizations/org_1/customers/cus_1":    "GET /customers/{id}",
			"/customers/cus_1/lead-source":            "GET /customers/{id}/lead-source",
			"/organizations/o/customers/c/timeline/t": "GET /customers/{id}/timeline/{messageId}",
		} {
			op, err := c.Operation("GET", path)
			Expect(err).NotTo(HaveOccurred(), path)
			Expect(op.String()).To(Equal(want), path)
		}
		_, err := c.Operation("GET", "/organizations/o/nope")
		Expect(err).To(MatchError(ContainSubstring("no operation GET /organizations/o/nope")))
		_, err = c.Operation("PATCH", "/customers/x")
		Expect(err).To(HaveOccurred())
	})

	It("strips Payabli's /api prefix, prefers literals and returns path parameters", func() {
		c := contracts.MustLoad("payabli")
		for path, want := range map[string]string{
			"/api/Customer/single/consent": "POST /Customer/single/{entry}",
			"/Customer/single/consent":     "POST /Customer/single/{entry}",
			"/api/Customer/4440/consent":   "POST /Customer/{customerId}/consent",
		} {
			op, err := c.Operation("POST", path)
			Expect(err).NotTo(HaveOccurred(), path)
			Expect(op.String()).To(Equal(want), path)
		}
		op, err := c.Operation("GET", "/api/Customer/link/4440/tx_9")
		Expect(err).NotTo(HaveOccurred())
		Expect(op.Params).To(Equal(map[string]string{"customerId": "4440", "transId": "tx_9"}))
		op, err = contracts.MustLoad("rebilly").Operation("GET", "/organizations/org_1/customers/cus_1")
		Expect(err).NotTo(HaveOccurred())
		Expect(op.Params).To(Equal(map[string]string{"id": "cus_1"}))
	})

	It("applies Rapyd's overlay on top of the 3.0 normalisation", func() {
		c := contracts.MustLoad("rapyd")
		Expect(c.ValidateSchema("Customer", []byte(`{"id":"cus_1","name":"N","payment_methods":null,"subscriptions":null,"discount":null}`))).To(Succeed())
		Expect(violations(c.ValidateSchema("Customer", []byte(`{"name":"N","addresses":[{"created_at":1.5}]}`)))).
			To(Equal([]string{"body/addresses/0/created_at"}))
	})

	It("reports a missing required member of a request body", func() {
		err := contracts.MustLoad("rapyd").ValidateRequestBody("POST", "/v1/customers", []byte(`{"email":"a@b.example"}`))
		Expect(violations(err)).To(Equal([]string{"body"}))
		Expect(err.Error()).To(ContainSubstring("name"))
	})

	It("records the overlay patches: list and merge declare 422", func() {
		c := contracts.MustLoad("rebilly")
		body := `{"status":422,"title":"Validation error","invalidFields":[{"field":"limit","message":"x"}]}`
		Expect(c.ValidateResponse("GET", "/customers", 422, jsonHeader(), []byte(body))).To(Succeed())
		Expect(c.ValidateResponse("DELETE", "/customers/a", 422, jsonHeader(), []byte(body))).To(Succeed())
	})

	It("has well-formed known unknowns for every provider", func() {
		where := regexp.MustCompile(`^(status|header/[A-Za-z0-9-]+|body(/[^/]+)*)$`)
		for _, p := range contracts.Providers() {
			if p == "admin" {
				continue // the project's own API: nothing about it is unknown
			}
			c := contracts.MustLoad(p)
			ops := map[string]bool{"*": true}
			for _, o := range c.Operations() {
				ops[o.String()] = true
			}
			seen := map[string]bool{}
			Expect(c.KnownUnknowns()).NotTo(BeEmpty(), p)
			for _, k := range c.KnownUnknowns() {
				Expect(k.ID).To(MatchRegexp(`^[a-z0-9]+(-[a-z0-9]+)*$`), p)
				Expect(seen[k.ID]).To(BeFalse(), "duplicate id %s/%s", p, k.ID)
				seen[k.ID] = true
				if strings.Contains(k.Operation, "|") || strings.HasSuffix(k.Operation, "/...") {
					Expect(k.Operation).To(MatchRegexp(`^[A-Z]+(\|[A-Z]+)* /\S+$`), "%s/%s", p, k.ID)
				} else {
					Expect(ops).To(HaveKey(k.Operation), "%s/%s", p, k.ID)
				}
				Expect([]string{k.Aspect, k.Question, k.Sources, k.Choice}).NotTo(ContainElement(""), "%s/%s", p, k.ID)
				for _, o := range k.Observe {
					Expect(o).To(MatchRegexp(where.String()), "%s/%s", p, k.ID)
				}
			}
		}
	})

	It("loads and validates concurrently", func() {
		body, err := os.ReadFile("../fixtures/rebilly/customer-response.json")
		Expect(err).NotTo(HaveOccurred())
		errs := make(chan error, 16)
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := contracts.Load("rebilly")
				if err == nil {
					err = c.ValidateResponse("GET", "/customers/cus_1", 200, jsonHeader(), body)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			Expect(err).NotTo(HaveOccurred())
		}
	})

	It("has known unknowns with a choice for every Rebilly entry", func() {
		for _, k := range contracts.MustLoad("rebilly").KnownUnknowns() {
			Expect(k.ID).NotTo(BeEmpty())
			Expect(k.Choice).NotTo(BeEmpty(), k.ID)
			Expect(k.Choice).NotTo(Equal("TBD"), k.ID)
		}
	})
})

var _ = Describe("ValidateResponse", Label("contracts"), func() {
	var c *contracts.Contract
	BeforeEach(func() { c = contracts.MustLoad("rebilly") })
	customer := func(mut func(m map[string]any)) []byte {
		raw, err := os.ReadFile("../fixtures/rebilly/customer-response.json")
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(raw, &m)).To(Succeed())
		if mut != nil {
			mut(m)
		}
		b, _ := json.Marshal(m)
		return b
	}

	It("accepts a valid response", func() {
		Expect(c.ValidateResponse("GET", "/customers/x", 200, jsonHeader(), customer(nil))).To(Succeed())
	})
	It("rejects a member of the wrong type", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers/x", 200, jsonHeader(), customer(func(m map[string]any) { m["revision"] = "one" })))).
			To(Equal([]string{"body/revision"}))
	})
	It("rejects a pattern violation deep in the body", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers/x", 200, jsonHeader(), customer(func(m map[string]any) {
			m["primaryAddress"].(map[string]any)["country"] = "usa"
		})))).To(ContainElement("body/primaryAddress/country"))
	})
	It("rejects an undeclared status", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers/x", 418, jsonHeader(), nil))).To(Equal([]string{"status"}))
	})
	It("rejects an undeclared content type", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers/x", 200, http.Header{"Content-Type": {"text/html"}}, customer(nil)))).
			To(Equal([]string{"content-type"}))
	})
	It("rejects a writeOnly member in a response", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers/x", 200, jsonHeader(), customer(func(m map[string]any) { m["paymentToken"] = "tok" })))).
			To(Equal([]string{"body/paymentToken"}))
	})
	It("rejects a declared header of the wrong type", func() {
		Expect(violations(c.ValidateResponse("GET", "/customers", 200, jsonHeader("Pagination-Total", "many"), []byte("[]")))).
			To(Equal([]string{"header Pagination-Total"}))
	})
	It("rejects a body where none is declared", func() {
		Expect(violations(c.ValidateResponse("DELETE", "/customers/x?targetCustomerId=y", 204, http.Header{}, []byte("{}")))).
			To(Equal([]string{"body"}))
		Expect(c.ValidateResponse("DELETE", "/customers/x", 204, http.Header{}, nil)).To(Succeed())
	})
	It("validates request bodies and named schemas", func() {
		Expect(c.ValidateRequestBody("POST", "/customers", []byte(`{"primaryAddress":{"country":"US"}}`))).To(Succeed())
		Expect(violations(c.ValidateRequestBody("POST", "/customers", []byte(`{"primaryAddress":{"country":"usa"}}`)))).
			To(ContainElement("body/primaryAddress/country"))
		Expect(violations(c.ValidateSchema("Customer", []byte(`{"revision":"x"}`)))).To(Equal([]string{"body/revision"}))
	})
})

// Known-bad responses: whatever validates them, each is rejected and the
// error names the operation, the place (status, header, JSON pointer) and
// what is wrong, so a suite's failure message says it without a debugger.
var _ = Describe("rejecting known-bad responses", Label("contracts"), func() {
	type bad struct {
		method, path string
		status       int
		header       http.Header
		body         func() []byte
		where        string
		says         []string
	}
	// Other violations may accompany where: primaryAddress is oneOf
	// [ContactObject, null], so the null branch's failure is listed too.
	others := map[string]bool{"a wrong type deep in an array": true}
	customer := func(mut func(m map[string]any)) func() []byte {
		return func() []byte {
			raw, err := os.ReadFile("../fixtures/rebilly/customer-response.json")
			Expect(err).NotTo(HaveOccurred())
			var m map[string]any
			Expect(json.Unmarshal(raw, &m)).To(Succeed())
			mut(m)
			b, _ := json.Marshal(m)
			return b
		}
	}
	list := func() []byte { return []byte("[]") }
	for name, b := range map[string]bad{
		"a status the operation does not declare": {"GET", "/organizations/o/customers/cus_1", 418, jsonHeader(), func() []byte { return nil },
			"status", []string{"GET /customers/{id}", "418 is not declared", "200"}},
		"a missing required member": {"GET", "/customers/cus_1", 200, jsonHeader(), customer(func(m map[string]any) {
			delete(m["defaultPaymentInstrument"].(map[string]any), "paymentInstrumentId")
		}), "body/defaultPaymentInstrument", []string{"GET /customers/{id}", "missing", "paymentInstrumentId"}},
		"a member of the wrong type": {"GET", "/customers/cus_1", 200, jsonHeader(), customer(func(m map[string]any) { m["revision"] = "one" }),
			"body/revision", []string{"GET /customers/{id}", "body/revision", "string", "integer"}},
		"a wrong type deep in an array": {"GET", "/customers/cus_1", 200, jsonHeader(), customer(func(m map[string]any) {
			m["primaryAddress"].(map[string]any)["emails"].([]any)[0].(map[string]any)["primary"] = "yes"
		}), "body/primaryAddress/emails/0/primary", []string{"body/primaryAddress/emails/0/primary", "boolean"}},
		"a header value that is not of its declared type": {"GET", "/customers", 200, jsonHeader("Pagination-Total", "many"), list,
			"header Pagination-Total", []string{"GET /customers", "header Pagination-Total", `"many"`, "integer"}},
		"an undeclared content type": {"GET", "/customers/cus_1", 200, http.Header{"Content-Type": {"text/html"}}, customer(func(map[string]any) {}),
			"content-type", []string{"GET /customers/{id}", "text/html", "application/json"}},
		"a path no operation has": {"GET", "/organizations/o/invoices/in_1", 200, jsonHeader(), list,
			"operation", []string{"no operation GET /organizations/o/invoices/in_1", "rebilly"}},
		"a method the path does not have": {"PATCH", "/customers/cus_1", 200, jsonHeader(), list,
			"operation", []string{"no operation PATCH /customers/cus_1"}},
	} {
		It("rejects "+name, func() {
			err := contracts.MustLoad("rebilly").ValidateResponse(b.method, b.path, b.status, b.header, b.body())
			if others[name] {
				Expect(violations(err)).To(ContainElement(b.where))
			} else {
				Expect(violations(err)).To(Equal([]string{b.where}))
			}
			for _, s := range b.says {
				Expect(err.Error()).To(ContainSubstring(s))
			}
		})
	}
	It("rejects a missing required member of a Rapyd envelope's 3.0 schema", func() {
		err := contracts.MustLoad("rapyd").ValidateRequestBody("POST", "/v1/customers", []byte(`{"name":7}`))
		Expect(violations(err)).To(Equal([]string{"body/name"}))
		Expect(err.Error()).To(And(ContainSubstring("POST /v1/customers"), ContainSubstring("number"), ContainSubstring("string")))
	})
})

var _ = Describe("fixtures", Label("contracts", "fixtures"), func() {
	type entry struct {
		Direction          string `json:"direction"`
		Method             string `json:"method"`
		Path               string `json:"path"`
		Status             int    `json:"status"`
		Source             string `json:"source"`
		Confidence         string `json:"confidence"`
		ExpectedViolations []struct {
			Where  string `json:"where"`
			Reason string `json:"reason"`
		} `json:"expectedViolations"`
	}
	dirs, _ := filepath.Glob("../fixtures/*/index.json")
	It("has fixture indexes", func() { Expect(dirs).NotTo(BeEmpty()) })
	for _, idxPath := range dirs {
		provider := filepath.Base(filepath.Dir(idxPath))
		raw, err := os.ReadFile(idxPath)
		if err != nil {
			panic(err)
		}
		var idx struct {
			Files map[string]entry `json:"files"`
		}
		if err := json.Unmarshal(raw, &idx); err != nil {
			panic(err)
		}
		names := make([]string, 0, len(idx.Files))
		for n := range idx.Files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			e := idx.Files[name]
			It(provider+"/"+name+" carries provenance and matches the contract", func() {
				Expect(e.Source).NotTo(BeEmpty())
				Expect(e.Confidence).NotTo(BeEmpty())
				body, err := os.ReadFile(filepath.Join(filepath.Dir(idxPath), name))
				Expect(err).NotTo(HaveOccurred())
				c := contracts.MustLoad(provider)
				switch e.Direction {
				case "response":
					err = c.ValidateResponse(e.Method, e.Path, e.Status, jsonHeader(), body)
				case "request":
					err = c.ValidateRequestBody(e.Method, e.Path, body)
				case "recording":
					checkRecording(c, body)
					return
				default:
					Skip("not a body: " + e.Direction)
				}
				if len(e.ExpectedViolations) == 0 {
					Expect(err).NotTo(HaveOccurred())
					return
				}
				want := []string{}
				for _, v := range e.ExpectedViolations {
					Expect(v.Reason).NotTo(BeEmpty(), v.Where)
					want = append(want, v.Where)
				}
				sort.Strings(want)
				Expect(violations(err)).To(Equal(want))
			})
		}
	}
})

// checkRecording checks a normalised recording (suites/drift format): every
// exchange names an operation of the contract and a status it declares.
// Bodies are normalised (placeholders for ids, times, personal data), so
// their schemas are checked when they are recorded, not here.
func checkRecording(c *contracts.Contract, raw []byte) {
	GinkgoHelper()
	var rec struct {
		Meta struct {
			Provider string `json:"provider"`
			Target   string `json:"target"`
			Recorded string `json:"recorded"`
		} `json:"meta"`
		Exchanges []struct {
			Step      string `json:"step"`
			Operation string `json:"operation"`
			Method    string `json:"method"`
			Path      string `json:"path"`
			Status    int    `json:"status"`
		} `json:"exchanges"`
	}
	Expect(json.Unmarshal(raw, &rec)).To(Succeed())
	Expect(rec.Meta.Provider).To(Equal(c.Meta().Provider))
	Expect(rec.Meta.Target).NotTo(BeEmpty())
	Expect(rec.Meta.Recorded).NotTo(BeEmpty())
	Expect(rec.Exchanges).NotTo(BeEmpty())
	for _, ex := range rec.Exchanges {
		path, _, _ := strings.Cut(ex.Path, "?")
		op, err := c.Operation(ex.Method, path)
		Expect(err).NotTo(HaveOccurred(), ex.Step)
		Expect(op.String()).To(Equal(ex.Operation), ex.Step)
		err = c.ValidateResponse(ex.Method, path, ex.Status, http.Header{"Content-Type": {"application/json"}}, nil)
		if ve, ok := err.(*contracts.ValidationError); ok {
			for _, v := range ve.Violations {
				Expect(v.Where).NotTo(Equal("status"), "%s: %s", ex.Step, v.Message)
			}
		}
	}
}
