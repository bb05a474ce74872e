package reliability

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// simulatorWith starts a simulator with the defaults changed by mut and
// returns its admin target; on(adm, provider) is a provider on it.
func simulatorWith(mut func(*server.Config)) *target.Target {
	GinkgoHelper()
	return target.WithConfig("admin", mut)
}

func on(adm *target.Target, provider string) *target.Target {
	GinkgoHelper()
	t := target.For(provider)
	t.Kind, t.Server, t.BaseURL, t.AdminURL = target.InProcess, adm.Server, target.URLFor(adm.Server, provider), adm.BaseURL
	return t
}

// adminPost sends a mutating admin call (JSON content type, as the admin
// API requires).
func adminPost(adm *target.Target, path string, body []byte) *target.Response {
	GinkgoHelper()
	return adm.Do(target.Request{Method: "POST", Path: path, Body: body, Header: http.Header{"Content-Type": {"application/json"}}})
}

func reset(adm *target.Target, query string) {
	GinkgoHelper()
	r := adminPost(adm, "/reset"+query, nil)
	Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
}

// sideTable reads one side-table series of GET /metrics.
func sideTable(adm *target.Target, metric, table string) float64 {
	GinkgoHelper()
	r := adm.Do(target.Request{Method: "GET", Path: "/metrics"})
	Expect(r.Status).To(Equal(http.StatusOK))
	re := regexp.MustCompile(`(?m)^paysandbox_side_table_` + metric + `\{table="` + table + `"\} (\S+)$`)
	m := re.FindSubmatch(r.Body)
	Expect(m).NotTo(BeNil(), "no paysandbox_side_table_%s{table=%q} in /metrics", metric, table)
	v, err := strconv.ParseFloat(string(m[1]), 64)
	Expect(err).NotTo(HaveOccurred())
	return v
}

// tenantOf is the store tenant /state shows for the one row of a provider
// whose document contains marker.
func tenantOf(adm *target.Target, provider, marker string) string {
	GinkgoHelper()
	var dump map[string][]struct {
		Tenant string
		Doc    json.RawMessage
	}
	Expect(json.Unmarshal(adm.Do(target.Request{Method: "GET", Path: "/state/" + provider}).Body, &dump)).To(Succeed())
	for _, row := range dump[provider] {
		if strings.Contains(string(row.Doc), marker) {
			return row.Tenant
		}
	}
	Fail("no " + provider + " row with " + marker)
	return ""
}

// idem is a request with an idempotency header.
func idem(a account, header, key, method, path string, body []byte) *target.Response {
	GinkgoHelper()
	req := a.req(method, path, body)
	req.Header.Set(header, key)
	return a.t.Do(req)
}

func rapydID(r *target.Response) string {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
	return r.Object()["data"].(map[string]any)["id"].(string)
}

// rapydStatus is a Rapyd error's status object without its operation_id.
func rapydStatus(r *target.Response) map[string]any {
	GinkgoHelper()
	st := r.Object()["status"].(map[string]any)
	Expect(st["operation_id"]).NotTo(BeEmpty())
	delete(st, "operation_id")
	return st
}

const msgRapydIdemReused = "The request reused the idempotency value of an earlier request with a different method, path or body. The request was rejected. Corrective action: Use a new idempotency value for a new request."

var _ = Describe("side tables and reset", Label("reliability", "bounds"), func() {
	It("Rebilly: a request refused before the rate limit (a 32 KB organization id) leaves no window; windows are bounded, oldest dropped first", func() {
		adm := simulatorWith(func(c *server.Config) { c.Rebilly.RateMaxEntries = 3 })
		reb := on(adm, "rebilly")
		a := rebillyAccount(reb, target.Unique("bounds-"))
		for i := 0; i < 20; i++ {
			org := fmt.Sprintf("org%02d", i) + strings.Repeat("x", 32<<10)
			r := a.do("PUT", "/organizations/"+org+"/customers/cus-x", []byte(`{}`))
			errorShape("rebilly", r, http.StatusForbidden)
			Expect(r.Object()["title"]).To(Equal("Forbidden"))
			Expect(r.Header.Get("X-RateLimit-Remaining")).To(BeEmpty(), "not counted")
		}
		Expect(sideTable(adm, "entries", "rebilly_rate_windows")).To(BeZero())
		// Five organizations of one key are five windows, at most three kept.
		for i := 0; i < 5; i++ {
			r := a.do("POST", fmt.Sprintf("/organizations/org_%d/customers", i), []byte(`{}`))
			Expect(r.Status).To(Equal(http.StatusCreated), string(r.Body))
			Expect(r.Header.Get("X-RateLimit-Remaining")).To(Equal("2999"))
		}
		Expect(sideTable(adm, "entries", "rebilly_rate_windows")).To(BeEquivalentTo(3))
		Expect(sideTable(adm, "evictions_total", "rebilly_rate_windows")).To(BeEquivalentTo(2))
		// The newest window is still counting; the oldest starts again.
		Expect(a.do("POST", "/organizations/org_4/customers", []byte(`{}`)).Header.Get("X-RateLimit-Remaining")).To(Equal("2998"))
		Expect(a.do("POST", "/organizations/org_0/customers", []byte(`{}`)).Header.Get("X-RateLimit-Remaining")).To(Equal("2999"))
	})

	It("Rapyd: the idempotency cache is bounded in entries and bytes; an evicted or over-large response is not replayed but served anew", func() {
		adm := simulatorWith(func(c *server.Config) {
			c.Rapyd.IdempotentPosts, c.Rapyd.IdempotencyMaxEntries, c.Rapyd.IdempotencyMaxBytes = true, 2, 32<<10
		})
		a := rapydAccount(on(adm, "rapyd"), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		body := []byte(`{"name":"Bounded"}`)
		keys := []string{target.Unique("k1-"), target.Unique("k2-"), target.Unique("k3-")}
		ids := map[string]string{}
		for _, k := range keys {
			ids[k] = rapydID(idem(a, "idempotency", k, "POST", "/v1/customers", body))
		}
		Expect(sideTable(adm, "entries", "rapyd_idempotency")).To(BeEquivalentTo(2))
		Expect(sideTable(adm, "evictions_total", "rapyd_idempotency")).To(BeEquivalentTo(1))
		Expect(rapydID(idem(a, "idempotency", keys[2], "POST", "/v1/customers", body))).To(Equal(ids[keys[2]]), "a kept key replays")
		again := rapydID(idem(a, "idempotency", keys[0], "POST", "/v1/customers", body))
		Expect(again).NotTo(Equal(ids[keys[0]]), "the evicted key creates anew")

		// A response over 1/16 of the byte bound (2 KiB here) is not cached.
		big := []byte(`{"name":"Big","description":"` + strings.Repeat("d", 3000) + `"}`)
		k := target.Unique("big-")
		first := rapydID(idem(a, "idempotency", k, "POST", "/v1/customers", big))
		Expect(rapydID(idem(a, "idempotency", k, "POST", "/v1/customers", big))).NotTo(Equal(first))
		Expect(sideTable(adm, "refused_total", "rapyd_idempotency")).To(BeEquivalentTo(2))
		Expect(sideTable(adm, "bytes", "rapyd_idempotency")).To(BeNumerically("<=", 32<<10))
	})

	It("Rapyd: salts are remembered in a bounded table and reuse is still refused", func() {
		adm := simulatorWith(func(c *server.Config) { c.Rapyd.RejectSaltReuse, c.Rapyd.SaltMaxEntries = true, 2 })
		a := rapydAccount(on(adm, "rapyd"), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		first := a.req("GET", "/v1/customers", nil)
		Expect(a.t.Do(first).Status).To(Equal(http.StatusOK))
		errorShape("rapyd", a.t.Do(first), http.StatusUnauthorized)
		for i := 0; i < 4; i++ {
			Expect(a.do("GET", "/v1/customers", nil).Status).To(Equal(http.StatusOK))
		}
		Expect(sideTable(adm, "entries", "rapyd_salts")).To(BeEquivalentTo(2))
		Expect(sideTable(adm, "evictions_total", "rapyd_salts")).To(BeEquivalentTo(3))
	})

	It("POST /reset empties the side tables for the scope it resets", func() {
		adm := simulatorWith(func(c *server.Config) {
			c.Rebilly.EnforceRateLimit, c.Rebilly.RateLimit = true, 1
			c.Rapyd.IdempotentPosts = true
		})
		reb, pay, rap := on(adm, "rebilly"), on(adm, "payabli"), on(adm, "rapyd")

		// Rebilly: a tenant's reset ends its 429; another tenant's does not.
		ra, rb := rebillyAccount(reb, target.Unique("reset-a-")), rebillyAccount(reb, target.Unique("reset-b-"))
		markA, markB := target.Unique("ma"), target.Unique("mb")
		Expect(ra.do("POST", "/customers", []byte(`{"primaryAddress":{"firstName":"`+markA+`"}}`)).Status).To(Equal(http.StatusCreated))
		Expect(rb.do("POST", "/customers", []byte(`{"primaryAddress":{"firstName":"`+markB+`"}}`)).Status).To(Equal(http.StatusCreated))
		errorShape("rebilly", ra.do("POST", "/customers", []byte(`{}`)), http.StatusTooManyRequests)
		errorShape("rebilly", rb.do("POST", "/customers", []byte(`{}`)), http.StatusTooManyRequests)
		reset(adm, "?provider=rebilly&tenant="+url.QueryEscape(tenantOf(adm, "rebilly", markA)))
		Expect(ra.do("POST", "/customers", []byte(`{}`)).Status).To(Equal(http.StatusCreated), "tenant A's window is gone")
		errorShape("rebilly", rb.do("POST", "/customers", []byte(`{}`)), http.StatusTooManyRequests)
		reset(adm, "?provider=rebilly")
		Expect(rb.do("POST", "/customers", []byte(`{}`)).Status).To(Equal(http.StatusCreated), "the provider's reset drops every window")

		// Payabli: a key used before the reset is a new key after it.
		p := payabliAccount(pay, target.Unique("reset-token-"), "reset-entry")
		cust := []byte(`{"email":"` + target.Unique("reset-") + `@example.com"}`)
		key := target.Unique("idem-")
		Expect(idem(p, "idempotencyKey", key, "POST", "/Customer/single/reset-entry", cust).Status).To(Equal(http.StatusOK))
		errorShape("payabli", idem(p, "idempotencyKey", key, "POST", "/Customer/single/reset-entry", cust), http.StatusConflict)
		reset(adm, "?provider=payabli")
		r := idem(p, "idempotencyKey", key, "POST", "/Customer/single/reset-entry", cust)
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(r.Object()["isSuccess"]).To(BeTrue())

		// Rapyd: after a full reset an old key creates anew instead of
		// replaying a customer that no longer exists.
		a := rapydAccount(rap, rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		body := []byte(`{"name":"Reset"}`)
		rk := target.Unique("rk-")
		old := rapydID(idem(a, "idempotency", rk, "POST", "/v1/customers", body))
		Expect(rapydID(idem(a, "idempotency", rk, "POST", "/v1/customers", body))).To(Equal(old))
		reset(adm, "")
		fresh := rapydID(idem(a, "idempotency", rk, "POST", "/v1/customers", body))
		Expect(fresh).NotTo(Equal(old))
		Expect(a.do("GET", "/v1/customers/"+fresh, nil).Status).To(Equal(http.StatusOK))
		errorShape("rapyd", a.do("GET", "/v1/customers/"+old, nil), http.StatusBadRequest)
		Expect(sideTable(adm, "entries", "rapyd_idempotency")).To(BeEquivalentTo(1))
	})

	It("refuses an idempotency key reused with another path or body with the provider's own error, and changes nothing", func() {
		adm := simulatorWith(func(c *server.Config) { c.Rapyd.IdempotentPosts = true })
		a := rapydAccount(on(adm, "rapyd"), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		key := target.Unique("reuse-")
		id := rapydID(idem(a, "idempotency", key, "POST", "/v1/customers", []byte(`{"name":"First"}`)))
		want := map[string]any{"error_code": "ERROR_IDEMPOTENCY_KEY_REUSED", "status": "ERROR", "message": msgRapydIdemReused,
			"response_code": "ERROR_IDEMPOTENCY_KEY_REUSED"}
		r := idem(a, "idempotency", key, "POST", "/v1/customers/"+id, []byte(`{"name":"Updated"}`))
		errorShape("rapyd", r, http.StatusBadRequest)
		Expect(rapydStatus(r)).To(Equal(want))
		Expect(a.do("GET", "/v1/customers/"+id, nil).Object()["data"].(map[string]any)["name"]).To(Equal("First"), "the update was not applied")
		r = idem(a, "idempotency", key, "POST", "/v1/customers", []byte(`{"name":"Second"}`))
		errorShape("rapyd", r, http.StatusBadRequest)
		Expect(rapydStatus(r)).To(Equal(want))
		Expect(a.do("GET", "/v1/customers", nil).Object()["data"]).To(HaveLen(1))

		p := payabliAccount(on(adm, "payabli"), target.Unique("reuse-token-"), "reuse-entry")
		pk := target.Unique("pk-")
		email := target.Unique("reuse-") + "@example.com"
		Expect(idem(p, "idempotencyKey", pk, "POST", "/Customer/single/reuse-entry", []byte(`{"email":"`+email+`"}`)).Status).To(Equal(http.StatusOK))
		r = idem(p, "idempotencyKey", pk, "POST", "/Customer/single/reuse-entry", []byte(`{"email":"other-`+email+`"}`))
		Expect(r.Status).To(Equal(http.StatusConflict))
		Expect(string(r.Body)).To(Equal(`{"isSuccess":false,"responseText":"Declined","responseData":{"explanation":"This idempotencyKey was already used within the last 2 minutes by a different request (another method, path or body); this request was not processed.","todoAction":"Use a new idempotencyKey for a new request."}}`))
		r = idem(p, "idempotencyKey", pk, "POST", "/Customer/single/reuse-entry", []byte(`{"email":"`+email+`"}`))
		Expect(r.Status).To(Equal(http.StatusConflict))
		Expect(string(r.Body)).To(Equal(`{"isSuccess":false,"responseText":"Declined","responseData":{"explanation":"Duplicate request: this idempotencyKey was already used within the last 2 minutes by the same request, which was not processed again.","todoAction":"Use a new idempotencyKey for a new request, or wait 2 minutes."}}`))
		Expect(p.do("GET", "/Query/customers/reuse-entry", nil).Object()["Summary"].(map[string]any)["totalRecords"]).To(BeEquivalentTo("1"))
		// A key of any length costs the same: it is kept as a hash.
		long := strings.Repeat("k", 32<<10)
		Expect(idem(p, "idempotencyKey", long, "POST", "/Customer/single/reuse-entry", []byte(`{"email":"long-`+email+`"}`)).Status).To(Equal(http.StatusOK))
		Expect(sideTable(adm, "bytes", "payabli_idempotency")).To(BeNumerically("<", 1024))
	})

	It("Rapyd with --rapyd-idempotency-key-only compares only the header, as documented: a reused key replays the first response for another path or body", func() {
		adm := simulatorWith(func(c *server.Config) { c.Rapyd.IdempotentPosts, c.Rapyd.IdempotencyKeyOnly = true, true })
		a := rapydAccount(on(adm, "rapyd"), rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		key := target.Unique("keyonly-")
		first := idem(a, "idempotency", key, "POST", "/v1/customers", []byte(`{"name":"First"}`))
		id := rapydID(first)
		again := idem(a, "idempotency", key, "POST", "/v1/customers", []byte(`{"name":"Second"}`))
		Expect(again.Status).To(Equal(http.StatusOK))
		Expect(string(again.Body)).To(Equal(string(first.Body)), "the first response, byte for byte")
		upd := idem(a, "idempotency", key, "POST", "/v1/customers/"+id, []byte(`{"name":"Updated"}`))
		Expect(string(upd.Body)).To(Equal(string(first.Body)))
		Expect(a.do("GET", "/v1/customers", nil).Object()["data"]).To(HaveLen(1))
		Expect(a.do("GET", "/v1/customers/"+id, nil).Object()["data"].(map[string]any)["name"]).To(Equal("First"))
	})

	It("/seed answers with counts and ids, never the documents; refuses an oversized document with 413 and an oversized customer with the provider's answer", func() {
		adm := simulatorWith(func(c *server.Config) { c.SeedMaxBytes = 2 << 20 })
		key := target.Unique("seedkey-")
		big := strings.Repeat("v", 600<<10)
		doc := `{"rebilly":[{"account":{"apiKey":"` + key + `"},"customers":[` +
			`{"id":"cus-s1","customFields":{"note":"` + big + `"}},{"id":"cus-s2","customFields":{"note":"` + big + `"}},{"id":"cus-s3"}]}]}`
		r := adminPost(adm, "/seed", []byte(doc))
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(string(r.Body)).To(Equal(`{"seeded":3,"failed":0,"results":[` +
			`{"provider":"rebilly","group":0,"index":0,"status":201,"seeded":true,"id":"cus-s1"},` +
			`{"provider":"rebilly","group":0,"index":1,"status":201,"seeded":true,"id":"cus-s2"},` +
			`{"provider":"rebilly","group":0,"index":2,"status":201,"seeded":true,"id":"cus-s3"}]}`))
		reb := rebillyAccount(on(adm, "rebilly"), key)
		Expect(reb.do("GET", "/customers/cus-s2", nil).Status).To(Equal(http.StatusOK))

		over := `{"rebilly":[{"account":{"apiKey":"k"},"customers":[{"id":"cus-o","customFields":{"note":"` + strings.Repeat("v", 2<<20) + `"}}]}]}`
		r = adminPost(adm, "/seed", []byte(over))
		Expect(r.Status).To(Equal(http.StatusRequestEntityTooLarge))
		Expect(string(r.Body)).To(Equal(`{"error":"seed document larger than 2097152 bytes (--seed-max-bytes)"}`))
		Expect(on(adm, "rebilly").Do(target.Request{Method: "GET", Path: "/customers/cus-o", Header: http.Header{"REB-APIKEY": {"k"}}}).Status).To(Equal(http.StatusNotFound))

		// One customer over the provider's --max-body-bytes: Rebilly's own
		// 422 for it, 422 for the seed, the others seeded.
		tooBig := `{"rebilly":[{"account":{"apiKey":"` + key + `"},"customers":[{"id":"cus-t1"},{"id":"cus-t2","customFields":{"note":"` + strings.Repeat("v", 1<<20) + `"}}]}]}`
		r = adminPost(adm, "/seed", []byte(tooBig))
		Expect(r.Status).To(Equal(http.StatusUnprocessableEntity), string(r.Body))
		Expect(len(r.Body)).To(BeNumerically("<", 4096))
		var rep struct {
			Seeded, Failed int
			Results        []map[string]any
		}
		Expect(json.Unmarshal(r.Body, &rep)).To(Succeed())
		Expect(rep.Seeded).To(Equal(1))
		Expect(rep.Failed).To(Equal(1))
		Expect(rep.Results[1]["status"]).To(BeEquivalentTo(422))
		Expect(rep.Results[1]["response"]).To(HaveKeyWithValue("title", "Validation error"))
		Expect(rep.Results[1]).NotTo(HaveKey("id"))

		// serve --seed FILE has the same bound.
		file := filepath.Join(GinkgoT().TempDir(), "over.json")
		Expect(os.WriteFile(file, []byte(over), 0o600)).To(Succeed())
		cfg := server.DefaultConfig()
		cfg.Seed, cfg.SeedMaxBytes = []string{file}, 2<<20
		_, err := server.New(cfg, nil)
		Expect(err).To(MatchError("seed " + file + ": larger than 2097152 bytes (--seed-max-bytes)"))
	})

	It("Rapyd refuses an unknown access key before reading the body", func() {
		adm := simulatorWith(func(c *server.Config) { c.MaxBodyBytes = 256 })
		rap := on(adm, "rapyd")
		stranger := rapydAccount(rap, "rak_unknown", "rsk_unknown")
		r := stranger.do("POST", "/v1/customers", []byte(`{"name":"`+strings.Repeat("x", 4096)+`"}`))
		errorShape("rapyd", r, http.StatusUnauthorized)
		Expect(rapydStatus(r)).To(Equal(map[string]any{"error_code": "UNAUTHENTICATED_API_CALL", "status": "ERROR",
			"message":       "The request was rejected due to an authentication issue. Corrective action: Check the status of your account in the 'Account Details' page of the Client Portal.",
			"response_code": "UNAUTHENTICATED_API_CALL"}))

		// A body that never finishes: the answer still comes (the read
		// deadline only bounds a broken server; the read timeout is 30 s).
		u, err := url.Parse(rap.BaseURL)
		Expect(err).NotTo(HaveOccurred())
		c, err := net.Dial("tcp", u.Host)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(c.Close)
		h := stranger.headers("POST", "/v1/customers", nil)
		req := "POST /v1/customers HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n"
		for k := range h {
			req += k + ": " + h.Get(k) + "\r\n"
		}
		_, err = io.WriteString(c, req+"\r\n"+`{"name":"`+strings.Repeat("x", 1000))
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SetReadDeadline(time.Now().Add(10 * time.Second))).To(Succeed())
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		Expect(err).NotTo(HaveOccurred(), "the server answers without waiting for the body")
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		b, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(b)).To(ContainSubstring(`"error_code":"UNAUTHENTICATED_API_CALL"`))
	})
})
