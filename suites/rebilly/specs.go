// Package rebilly holds the Rebilly customer-API specs. They are registered
// at import, so the in-process suite (rebilly_suite_test.go) and the binary
// runner (suites/binary) run the same specs against their targets.
package rebilly

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

var (
	reCustomerID = regexp.MustCompile(`^cus_[0-9A-HJKMNP-TV-Z]{26}$`)
	reTime       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$`)
	reHash       = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

func fixture(name string) []byte { return target.Fixture("rebilly", name) }

// crockford is Crockford's base32 alphabet, most significant bits first.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// defaultOrganization is the organization an unbound key gets on the bare
// paths, from the documented rule (README "Rebilly", docs/providers/rebilly.md)
// rather than the simulator's code: "org_" + the first 26 Crockford base32
// characters of SHA-256(key).
func defaultOrganization(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "org_" + crockford.EncodeToString(sum[:])[:26]
}

// client sends Rebilly requests with one API key.
type client struct {
	t   *target.Target
	key string
}

func (c client) do(method, path string, body any, hdr ...string) *target.Response {
	GinkgoHelper()
	raw := target.Body(body)
	h := http.Header{}
	if c.key != "" {
		h.Set("REB-APIKEY", c.key)
	}
	if raw != nil {
		h.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return c.t.Do(target.Request{Method: method, Path: path, Header: h, Body: raw})
}

func problem(r *target.Response, status int, title string) map[string]any {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body: %s", r.Body)
	Expect(r.Header.Get("Content-Type")).To(HavePrefix("application/json"))
	m := r.Object()
	Expect(m["status"]).To(Equal(json.Number(strconv.Itoa(status))))
	Expect(m["title"]).To(Equal(title))
	Expect(m["type"]).To(Equal("about:blank"))
	return m
}

func invalidFields(r *target.Response) []string {
	GinkgoHelper()
	m := problem(r, http.StatusUnprocessableEntity, "Validation error")
	var out []string
	for _, f := range m["invalidFields"].([]any) {
		out = append(out, f.(map[string]any)["field"].(string))
	}
	return out
}

var _ = Describe("Rebilly customers", Label("rebilly"), func() {
	var (
		t   *target.Target
		api client
		org string
	)
	BeforeEach(func() {
		t = target.For("rebilly")
		api = client{t: t, key: target.Unique("key-")}
		org = target.Unique("org_")
	})

	Describe("POST /customers", func() {
		for _, prefix := range []string{"", "/organizations/ORG"} {
			prefix := prefix
			It("creates with a server id, Location and the request's fields mirrored"+map[bool]string{true: " (org path)", false: ""}[prefix != ""], func() {
				p := strings.ReplaceAll(prefix, "ORG", org)
				for _, path := range []string{p + "/customers", p + "/customers/"} {
					r := api.do("POST", path, fixture("customer-create-request.json"))
					Expect(r.Status).To(Equal(http.StatusCreated))
					c := r.Object()
					id := c["id"].(string)
					Expect(id).To(MatchRegexp(reCustomerID.String()))
					Expect(r.Header.Get("Location")).To(HaveSuffix(p + "/customers/" + id))
					Expect(r.Header.Get("X-RateLimit-Limit")).To(Equal("3000"))
					Expect(c["email"]).To(Equal("john.doe+test@grr.la"))
					Expect(c["firstName"]).To(Equal("John"))
					Expect(c["lastName"]).To(Equal("Doe"))
					Expect(c["revision"]).To(Equal(json.Number("1")))
					Expect(c["createdTime"]).To(MatchRegexp(reTime.String()))
					Expect(c["updatedTime"]).To(Equal(c["createdTime"]))
					Expect(c["primaryAddress"].(map[string]any)["hash"]).To(MatchRegexp(reHash.String()))
					Expect(c["customFields"]).To(Equal(map[string]any{}))
					Expect(c["tags"]).To(Equal([]any{}))
					Expect(c["paymentCount"]).To(Equal(json.Number("0")))
					Expect(c["_links"]).To(ContainElement(HaveKeyWithValue("rel", "self")))
					if prefix != "" {
						Expect(c["organizationId"]).To(Equal(org))
					} else {
						Expect(c["organizationId"]).To(Equal(defaultOrganization(api.key)))
					}
					got := api.do("GET", p+"/customers/"+id, nil)
					Expect(got.Status).To(Equal(http.StatusOK))
					Expect(got.Body).To(MatchJSON(r.Body))
				}
			})
		}

		It("puts a bare path's customer in the key's default organization, org_ + 26 Crockford base32 characters of SHA-256(key)", func() {
			// expected value computed outside Go (Python hashlib + base64.b32encode, alphabet mapped to Crockford's)
			const key, want = "rebilly-org-rule-key", "org_XWBC6M2V74VXZEDJ58S7C6TG7X"
			Expect(defaultOrganization(key)).To(Equal(want))
			c := client{t: t, key: key}
			r := c.do("POST", "/customers", `{}`)
			Expect(r.Status).To(Equal(http.StatusCreated), string(r.Body))
			Expect(r.Object()["organizationId"]).To(Equal(want))
			id := r.Object()["id"].(string)
			got := c.do("GET", "/organizations/"+want+"/customers/"+id, nil)
			Expect(got.Status).To(Equal(http.StatusOK), "the bare path and the default organization's path are one namespace")
			Expect(got.Object()).To(And(HaveKeyWithValue("id", id), HaveKeyWithValue("organizationId", want)))
		})

		It("stores every writable field of the all-fields request and never returns write-only ones", func() {
			r := api.do("POST", "/customers", fixture("customer-request.all-fields.json"))
			Expect(r.Status).To(Equal(http.StatusCreated))
			c := r.Object()
			Expect(c).NotTo(HaveKey("paymentToken"))
			Expect(c).NotTo(HaveKey("leadSource"))
			Expect(c).NotTo(HaveKey("defaultPaymentInstrumentId"))
			Expect(c["websiteId"]).To(Equal("web_0YV7DE4Z26DQSA1AC92FBJ7SEG"))
			Expect(c["locale"]).To(Equal("fr-FR"))
			Expect(c["customFields"]).To(Equal(map[string]any{"foo": "bar"}))
			Expect(c["notificationEmails"]).To(Equal([]any{"user@example.com"}))
			Expect(c["email"]).To(Equal("rebilly@example.com"))
			pa := c["primaryAddress"].(map[string]any)
			Expect(pa["country"]).To(Equal("GB"))
			Expect(pa["dob"]).To(Equal("1980-04-01"))
			tn := c["taxNumbers"].([]any)[0].(map[string]any)
			Expect(tn["value"]).To(Equal("GB980780684"))
			Expect(tn["isValid"]).To(BeNil())
		})

		It("ignores read-only fields an SDK sends back", func() {
			r := api.do("POST", "/customers", `{"id":"cus_mine","revision":99,"createdTime":"2000-01-01T00:00:00Z","email":"x@y.z","organizationId":"org_other","primaryAddress":{"firstName":"R","hash":"abc"}}`)
			Expect(r.Status).To(Equal(http.StatusCreated))
			c := r.Object()
			Expect(c["id"]).NotTo(Equal("cus_mine"))
			Expect(c["revision"]).To(Equal(json.Number("1")))
			Expect(c["email"]).To(BeNil())
			Expect(c["organizationId"]).NotTo(Equal("org_other"))
			Expect(c["primaryAddress"].(map[string]any)["hash"]).To(MatchRegexp(reHash.String()))
		})

		It("answers schema violations with 422 and dotted invalidFields", func() {
			r := api.do("POST", "/customers", `{"websiteId":5,"primaryAddress":{"firstName":"","country":"us","postalCode":"12#","dob":"1980-13-01",
				"emails":[{"label":"main","value":"not-an-email"},{"value":"a@b.c"}],"phoneNumbers":[{"label":"x"}]},
				"taxNumbers":[{"type":"vat","value":"1"}],"customFields":[],"notificationEmails":["ok@x.io","bad"],"locale":7}`)
			Expect(invalidFields(r)).To(ConsistOf(
				"websiteId", "primaryAddress.firstName", "primaryAddress.country", "primaryAddress.postalCode",
				"primaryAddress.dob", "primaryAddress.emails.0.value", "primaryAddress.emails.1.label",
				"primaryAddress.phoneNumbers.0.value", "taxNumbers.0.type", "customFields", "notificationEmails.1", "locale"))
		})

		It("answers malformed, non-object, duplicate-member and oversized bodies with 422, never 5xx", func() {
			for body, field := range map[string]string{
				`{"primaryAddress":`: "body",
				`[1,2]`:              "body",
				`null`:               "body",
				``:                   "body",
				`{"a":1} {"b":2}`:    "body",
				`{"primaryAddress":{"firstName":"a","firstName":"b"}}`: "primaryAddress.firstName",
				"{\"websiteId\":\"\xff\"}":                             "body",
			} {
				Expect(invalidFields(api.do("POST", "/customers", body))).To(Equal([]string{field}), "body %q", body)
			}
			big := `{"customFields":{"x":"` + strings.Repeat("a", 1<<20) + `"}}`
			Expect(invalidFields(api.do("POST", "/customers", big))).To(Equal([]string{"body"}))
		})

		It("accepts a JSON body without Content-Type (the PHP SDK sends none)", func() {
			r := t.Do(target.Request{Method: "POST", Path: "/customers", Header: http.Header{"REB-APIKEY": {api.key}},
				Body: fixture("customer-create-request.full-address.json")})
			Expect(r.Status).To(Equal(http.StatusCreated))
			Expect(r.Object()["primaryAddress"].(map[string]any)["country"]).To(Equal("US"))
		})
	})

	Describe("PUT /customers/{id}", func() {
		It("creates with 201 + Location, then updates with 200, revision +1, createdTime kept, omitted fields kept", func() {
			id := target.Unique("my-id-")
			r := api.do("PUT", "/customers/"+id, fixture("customer-create-request.json"))
			Expect(r.Status).To(Equal(http.StatusCreated))
			Expect(r.Header.Get("Location")).To(HaveSuffix("/customers/" + id))
			first := r.Object()
			Expect(first["id"]).To(Equal(id))

			r = api.do("PUT", "/customers/"+id, `{"customFields":{"tier":"gold"}}`)
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.Header.Get("Location")).To(BeEmpty())
			second := r.Object()
			Expect(second["revision"]).To(Equal(json.Number("2")))
			Expect(second["createdTime"]).To(Equal(first["createdTime"]))
			Expect(second["email"]).To(Equal("john.doe+test@grr.la"), "PUT merges: omitted members keep their values")
			Expect(second["customFields"]).To(Equal(map[string]any{"tier": "gold"}))

			r = api.do("PUT", "/customers/"+id, fixture("customer-upsert-request.json"))
			Expect(r.Status).To(Equal(http.StatusOK))
			third := r.Object()
			Expect(third["revision"]).To(Equal(json.Number("3")))
			Expect(third["firstName"]).To(Equal("Johnny"))
			Expect(third["email"]).To(Equal("johnny.doe+test@grr.la"))

			r = api.do("PUT", "/customers/"+id, `{"primaryAddress":null}`)
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.Object()["primaryAddress"]).To(BeNil())
			Expect(r.Object()["email"]).To(BeNil())
		})

		It("validates the id: at most 50 characters of [@~-.\\w]", func() {
			Expect(api.do("PUT", "/customers/"+strings.Repeat("a", 50), `{}`).Status).To(Equal(http.StatusCreated))
			Expect(api.do("PUT", "/customers/a@b~c-d.e_f", `{}`).Status).To(Equal(http.StatusCreated))
			for _, bad := range []string{strings.Repeat("a", 51), "has%20space", "semi%3Bcolon", "caf%C3%A9"} {
				Expect(invalidFields(api.do("PUT", "/customers/"+bad, `{}`))).To(Equal([]string{"id"}), bad)
			}
		})

		It("keeps every write under 1,000 concurrent PUTs of one id: one 201, the rest 200, exact revision", func() {
			id := target.Unique("hot-")
			const n = 1000
			statuses := make(chan int, n)
			var wg sync.WaitGroup
			sem := make(chan struct{}, 32)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					defer GinkgoRecover()
					sem <- struct{}{}
					defer func() { <-sem }()
					resp, err := t.Send(target.Request{Method: "PUT", Path: "/customers/" + id,
						Header: http.Header{"REB-APIKEY": {api.key}}, Body: []byte(fmt.Sprintf(`{"customFields":{"n":%d}}`, i))})
					Expect(err).NotTo(HaveOccurred())
					statuses <- resp.Status
				}(i)
			}
			wg.Wait()
			close(statuses)
			count := map[int]int{}
			for s := range statuses {
				count[s]++
			}
			Expect(count).To(Equal(map[int]int{http.StatusCreated: 1, http.StatusOK: n - 1}))
			Expect(api.do("GET", "/customers/"+id, nil).Object()["revision"]).To(Equal(json.Number(strconv.Itoa(n))))
		})
	})

	Describe("GET /customers/{id}", func() {
		It("answers 404 for an unknown id (the JS SDK's create-with-id relies on it)", func() {
			problem(api.do("GET", "/customers/never-created", nil), http.StatusNotFound, "Not Found")
		})
		It("never shows another key's customer", func() {
			id := api.do("POST", "/customers", `{}`).Object()["id"].(string)
			other := client{t: t, key: target.Unique("other-")}
			problem(other.do("GET", "/customers/"+id, nil), http.StatusNotFound, "Not Found")
			problem(other.do("DELETE", "/customers/"+id+"?targetCustomerId=x", nil), http.StatusNotFound, "Not Found")
			Expect(other.do("PUT", "/customers/"+id, `{}`).Status).To(Equal(http.StatusCreated), "the other key gets its own customer")
			Expect(api.do("GET", "/customers/"+id, nil).Object()["revision"]).To(Equal(json.Number("1")))
			Expect(other.do("GET", "/customers", nil).Header.Get("Pagination-Total")).To(Equal("1"))
		})
	})

	Describe("GET /customers", func() {
		var ids []string
		BeforeEach(func() {
			ids = nil
			for i, b := range []string{
				`{"primaryAddress":{"firstName":"Ann","lastName":"Zed","emails":[{"label":"m","value":"ann@example.com"}]},"customFields":{"tier":"gold"}}`,
				`{"primaryAddress":{"firstName":"Bob","lastName":"Young","emails":[{"label":"m","value":"bob@example.com"}]},"customFields":{"tier":"silver"}}`,
				`{"primaryAddress":{"firstName":"Cid","lastName":"Xu","emails":[{"label":"m","value":"cid@example.com"}]}}`,
			} {
				id := fmt.Sprintf("list-%d", i)
				Expect(api.do("PUT", "/organizations/"+org+"/customers/"+id, b).Status).To(Equal(http.StatusCreated))
				ids = append(ids, id)
			}
		})
		list := func(query string) ([]string, http.Header) {
			GinkgoHelper()
			r := api.do("GET", "/organizations/"+org+"/customers"+query, nil)
			Expect(r.Status).To(Equal(http.StatusOK), "%s", r.Body)
			out := []string{}
			for _, c := range r.Array() {
				out = append(out, c.(map[string]any)["id"].(string))
			}
			return out, r.Header
		}

		It("returns a bare array with Pagination-* headers, default limit 100", func() {
			got, h := list("")
			Expect(got).To(ConsistOf(ids))
			Expect(h.Get("Pagination-Total")).To(Equal("3"))
			Expect(h.Get("Pagination-Limit")).To(Equal("100"))
			Expect(h.Get("Pagination-Offset")).To(Equal("0"))
		})
		It("pages with limit and offset", func() {
			got, h := list("?sort=lastName&limit=2&offset=1")
			Expect(got).To(Equal([]string{"list-1", "list-0"}))
			Expect(h.Get("Pagination-Total")).To(Equal("3"))
			Expect(h.Get("Pagination-Limit")).To(Equal("2"))
			Expect(h.Get("Pagination-Offset")).To(Equal("1"))
			got, h = list("?limit=0")
			Expect(got).To(BeEmpty())
			Expect(h.Get("Pagination-Total")).To(Equal("3"))
		})
		It("sorts by comma lists with - for descending", func() {
			got, _ := list("?sort=-email")
			Expect(got).To(Equal([]string{"list-2", "list-1", "list-0"}))
			got, _ = list("?sort=lastName,-createdTime")
			Expect(got).To(Equal([]string{"list-2", "list-1", "list-0"}))
		})
		It("filters with the documented grammar", func() {
			for q, want := range map[string][]string{
				"filter=email:BOB@example.com":                                  {"list-1"},
				"filter=firstName:ann,cid":                                      {"list-0", "list-2"},
				"filter=firstName:!Ann,!Bob":                                    {"list-2"},
				"filter=lastName:Young;firstName:Bob":                           {"list-1"},
				"filter=lastName:Young;firstName:Ann":                           {},
				"filter=id:list-0,list-2":                                       {"list-0", "list-2"},
				"filter=customFields.tier:gold":                                 {"list-0"},
				"filter=customFields.tier:!gold":                                {"list-1", "list-2"},
				"filter=createdTime:2000-01-01T00:00:00Z..":                     {"list-0", "list-1", "list-2"},
				"filter=createdTime:..2000-01-01T00:00:00Z":                     {},
				"filter=updatedTime:2000-01-01T00:00:00Z..2999-01-01T00:00:00Z": {"list-0", "list-1", "list-2"},
				"q=young":   {"list-1"},
				"q=EXAMPLE": {"list-0", "list-1", "list-2"},
			} {
				got, _ := list("?" + q)
				Expect(got).To(ConsistOf(want), q)
			}
		})
		It("restricts members with fields, always keeping id", func() {
			r := api.do("GET", "/organizations/"+org+"/customers?fields=email,revision&filter=id:list-0", nil)
			Expect(r.Status).To(Equal(http.StatusOK))
			Expect(r.Array()).To(HaveLen(1))
			Expect(r.Array()[0]).To(Equal(map[string]any{"id": "list-0", "email": "ann@example.com", "revision": json.Number("1")}))
		})
		It("rejects out-of-range or malformed parameters with 422", func() {
			for q, field := range map[string]string{
				"limit=1001": "limit", "limit=-1": "limit", "limit=ten": "limit", "offset=1001": "offset",
				"sort=favouriteColour": "sort", "filter=favouriteColour:red": "filter", "filter=nocolon": "filter",
				"filter=createdTime:yesterday": "filter", "filter=email:@vipList": "filter",
			} {
				Expect(invalidFields(api.do("GET", "/organizations/"+org+"/customers?"+q, nil))).To(Equal([]string{field}), q)
			}
		})
	})

	Describe("DELETE /customers/{id}?targetCustomerId=", func() {
		It("merges the duplicate into the target: 204, duplicate gone, target keeps its data plus missing custom fields", func() {
			dup := target.Unique("dup-")
			keep := target.Unique("keep-")
			api.do("PUT", "/customers/"+dup, `{"customFields":{"a":"dup","b":"dup"}}`)
			api.do("PUT", "/customers/"+keep, `{"customFields":{"a":"keep"}}`)
			r := api.do("DELETE", "/customers/"+dup+"?targetCustomerId="+keep, nil)
			Expect(r.Status).To(Equal(http.StatusNoContent))
			Expect(r.Body).To(BeEmpty())
			Expect(r.Header.Get("X-RateLimit-Remaining")).NotTo(BeEmpty())
			problem(api.do("GET", "/customers/"+dup, nil), http.StatusNotFound, "Not Found")
			k := api.do("GET", "/customers/"+keep, nil).Object()
			Expect(k["customFields"]).To(Equal(map[string]any{"a": "keep", "b": "dup"}))
			Expect(k["revision"]).To(Equal(json.Number("2")))
		})
		It("requires a different, existing target", func() {
			id := target.Unique("solo-")
			api.do("PUT", "/customers/"+id, `{}`)
			Expect(invalidFields(api.do("DELETE", "/customers/"+id, nil))).To(Equal([]string{"targetCustomerId"}))
			Expect(invalidFields(api.do("DELETE", "/customers/"+id+"?targetCustomerId="+id, nil))).To(Equal([]string{"targetCustomerId"}))
			problem(api.do("DELETE", "/customers/"+id+"?targetCustomerId=missing", nil), http.StatusNotFound, "Not Found")
			problem(api.do("DELETE", "/customers/missing?targetCustomerId="+id, nil), http.StatusNotFound, "Not Found")
			Expect(api.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusOK), "a failed merge deletes nothing")
		})
	})

	Describe("authentication and routing", func() {
		It("answers 401 without a key on every operation", func() {
			anon := client{t: t}
			for _, op := range [][2]string{{"POST", "/customers"}, {"GET", "/customers"}, {"GET", "/customers/x"},
				{"PUT", "/customers/x"}, {"DELETE", "/customers/x?targetCustomerId=y"}, {"GET", "/organizations/o/customers"}} {
				problem(anon.do(op[0], op[1], `{}`), http.StatusUnauthorized, "Unauthorized")
			}
		})
		It("accepts Authorization: Bearer like a key", func() {
			r := t.Do(target.Request{Method: "GET", Path: "/customers", Header: http.Header{"Authorization": {"Bearer " + api.key}}})
			Expect(r.Status).To(Equal(http.StatusOK))
		})
		It("answers unknown routes with a 404 problem and wrong methods with 405, without redirects", func() {
			r := t.Do(target.Request{Method: "GET", Path: "/nope", Header: http.Header{"REB-APIKEY": {api.key}}, NoContract: true})
			problem(r, http.StatusNotFound, "Not Found")
			r = t.Do(target.Request{Method: "PATCH", Path: "/customers/x", Header: http.Header{"REB-APIKEY": {api.key}}, NoContract: true})
			problem(r, http.StatusMethodNotAllowed, "Method Not Allowed")
		})
	})
})

var _ = Describe("Rebilly configuration", Label("rebilly", "config"), func() {
	start := func(mut func(c *server.Config)) client {
		return client{t: target.WithConfig("rebilly", mut)}
	}

	It("accepts only configured keys and binds key=org keys to their organization", func() {
		c := start(func(cfg *server.Config) { cfg.Rebilly.APIKeys = []string{"bound=org_A", "free"} })
		c.key = "unknown"
		problem(c.do("GET", "/customers", nil), http.StatusUnauthorized, "Unauthorized")
		c.key = "bound"
		r := c.do("POST", "/customers", `{}`)
		Expect(r.Status).To(Equal(http.StatusCreated))
		Expect(r.Object()["organizationId"]).To(Equal("org_A"))
		Expect(c.do("GET", "/organizations/org_A/customers", nil).Header.Get("Pagination-Total")).To(Equal("1"))
		problem(c.do("GET", "/organizations/org_B/customers", nil), http.StatusForbidden, "Forbidden")
		problem(c.do("PUT", "/organizations/org_B/customers/x", `{}`), http.StatusForbidden, "Forbidden")
		c.key = "free"
		Expect(c.do("GET", "/organizations/org_A/customers", nil).Header.Get("Pagination-Total")).To(Equal("0"),
			"an unbound key is its own namespace even on the same organization id")
	})

	It("renders Z-suffixed times when asked", func() {
		c := start(func(cfg *server.Config) { cfg.Rebilly.TimeFormat = "zulu" })
		c.key = "k"
		Expect(c.do("POST", "/customers", `{}`).Object()["createdTime"]).To(MatchRegexp(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`))
	})

	It("enforces the rate limit with 429 and X-RateLimit-Retry-After when enabled", func() {
		c := start(func(cfg *server.Config) {
			cfg.Rebilly.EnforceRateLimit = true
			cfg.Rebilly.RateLimit = 2
			cfg.Rebilly.RateWindow = time.Hour
		})
		c.key = "k"
		Expect(c.do("POST", "/customers", `{}`).Header.Get("X-RateLimit-Remaining")).To(Equal("1"))
		Expect(c.do("POST", "/customers", `{}`).Header.Get("X-RateLimit-Remaining")).To(Equal("0"))
		r := c.do("POST", "/customers", `{}`)
		problem(r, http.StatusTooManyRequests, "Rate Limit Exceeded")
		retry, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Retry-After"), 10, 64)
		Expect(err).NotTo(HaveOccurred())
		Expect(retry).To(BeNumerically(">", time.Now().Unix()))
		Expect(c.do("GET", "/customers", nil).Status).To(Equal(http.StatusOK), "GETs are not limited")
	})

	It("rejects a bad time format at start", func() {
		cfg := server.DefaultConfig()
		cfg.Rebilly.TimeFormat = "sundial"
		_, err := server.New(cfg, nil)
		Expect(err).To(MatchError(ContainSubstring(`rebilly time format "sundial"`)))
	})
})
