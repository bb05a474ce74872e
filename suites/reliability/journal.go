package reliability

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// journalPage is GET /journal/{provider} as the specs read it.
type journalPage struct {
	Count   int `json:"count"`
	Entries []struct {
		RequestID     string              `json:"requestId"`
		Method        string              `json:"method"`
		Path          string              `json:"path"`
		Query         string              `json:"query"`
		Status        int                 `json:"status"`
		Headers       map[string][]string `json:"headers"`
		Body          string              `json:"body"`
		BodyTruncated bool                `json:"bodyTruncated"`
	} `json:"entries"`
}

// journalAdminGet reads an admin path of the simulator behind t (a loopback
// GET, which the admin listener serves without more headers).
func journalAdminGet(t *target.Target, path string) []byte {
	GinkgoHelper()
	res, err := t.Client.Get(t.AdminURL + path)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	Expect(res.StatusCode).To(Equal(http.StatusOK), "%s: %s", path, trunc(b))
	return b
}

func journalOf(t *target.Target, query string) (journalPage, []byte) {
	GinkgoHelper()
	raw := journalAdminGet(t, "/journal/rapyd"+query)
	var p journalPage
	Expect(json.Unmarshal(raw, &p)).To(Succeed())
	return p, raw
}

// journalEvictions reads paysandbox_journal_evictions_total for a provider
// and reason from GET /metrics.
func journalEvictions(t *target.Target, provider, reason string) int {
	GinkgoHelper()
	text := string(journalAdminGet(t, "/metrics"))
	re := regexp.MustCompile(`(?m)^paysandbox_journal_evictions_total\{provider="` + provider + `",reason="` + reason + `"\} (\d+)$`)
	m := re.FindStringSubmatch(text)
	Expect(m).NotTo(BeNil(), "no eviction counter for %s/%s in /metrics", provider, reason)
	n, err := strconv.Atoi(m[1])
	Expect(err).NotTo(HaveOccurred())
	return n
}

var _ = Describe("journal", Label("reliability", "journal"), func() {
	It("masks the card number and CVV of a signed Rapyd create, in its body and query string, and redacts secret-looking and configured headers", func() {
		t := target.WithConfig("rapyd", func(c *server.Config) { c.JournalRedactHeaders = []string{"x-tenant-pin"} })
		a := rapydAccount(t, rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		// no target.Unique digits in the body: 1 in 10 such runs passes Luhn and is masked too
		email := "journal.card@example.com"
		body := []byte(`{"name":"Journal Card","email":"` + email + `","payment_method":{"type":"us_visa_card","fields":{` +
			`"number":"4111111111111111","expiration_month":"10","expiration_year":"29","cvv":"123","name":"Journal Card"}},` +
			`"metadata":{"spaced":"4111 1111 1111 1111","bare":4242424242424242,"CVC2":987}}`)
		path := "/v1/customers?card=5555555555554444&cvc=321"
		req := a.req("POST", path, body)
		req.Header["secret_key"] = []string{rapydsign.DefaultSecretKey}
		req.Header.Set("X-Api-Key", "xk-journal-spec-secret")
		req.Header.Set("X-Tenant-Pin", "pin-journal-spec-secret")
		req.Header.Set("Idempotency", "journal-idem-1")
		r := t.Do(req)
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))

		page, raw := journalOf(t, "?method=POST&path=/v1/customers")
		Expect(page.Count).To(Equal(1))
		e := page.Entries[0]
		Expect(e.Status).To(Equal(http.StatusOK))
		Expect(e.Body).To(Equal(`{"name":"Journal Card","email":"` + email + `","payment_method":{"type":"us_visa_card","fields":{` +
			`"number":"411111******1111","expiration_month":"10","expiration_year":"29","cvv":"***","name":"Journal Card"}},` +
			`"metadata":{"spaced":"4111 11** **** 1111","bare":"424242******4242","CVC2":"***"}}`))
		Expect(json.Valid([]byte(e.Body))).To(BeTrue(), "a JSON body stays JSON")
		Expect(e.Query).To(Equal("card=555555******4444&cvc=***"))
		for _, h := range []string{"Secret_key", "X-Api-Key", "X-Tenant-Pin", "Access_key", "Signature", "Salt"} {
			Expect(e.Headers).To(HaveKeyWithValue(h, []string{"[redacted]"}), "header %s", h)
		}
		Expect(e.Headers).To(HaveKeyWithValue("Idempotency", []string{"journal-idem-1"}), "not a secret")
		Expect(e.Headers).To(HaveKeyWithValue("Content-Type", []string{"application/json"}))
		for _, secret := range []string{"4111111111111111", "4111 1111 1111 1111", "4242424242424242", "5555555555554444",
			`"cvv":"123"`, `"CVC2":987`, "cvc=321",
			rapydsign.DefaultSecretKey, "xk-journal-spec-secret", "pin-journal-spec-secret"} {
			Expect(string(raw)).NotTo(ContainSubstring(secret))
		}
	})

	It("bounds the journal in bytes: big requests evict the oldest entries, the answer stays under the bound and the evictions are counted", func() {
		const bound = 64 << 10
		t := target.WithConfig("rapyd", func(c *server.Config) { c.JournalMaxBytes = bound })
		a := rapydAccount(t, rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		Expect(journalEvictions(t, "rapyd", "bytes")).To(Equal(0))
		const sent = 40
		var last string
		for i := 0; i < sent; i++ {
			req := a.req("GET", "/v1/customers/cus_journal_"+strconv.Itoa(i), nil)
			req.Header.Set("X-Big", strings.Repeat("b", 30_000))
			r := t.Do(req)
			Expect(r.Status).To(Equal(http.StatusBadRequest), trunc(r.Body)) // Rapyd: ERROR_GET_CUSTOMER
			last = r.Header.Get("X-Request-Id")
		}
		page, raw := journalOf(t, "")
		Expect(len(raw)).To(BeNumerically("<=", bound), "GET /journal answers %d bytes", len(raw))
		Expect(page.Count).To(BeNumerically(">=", 1))
		Expect(page.Count).To(BeNumerically("<", sent))
		Expect(page.Entries[page.Count-1].RequestID).To(Equal(last), "the newest entry is kept")
		Expect(page.Entries[page.Count-1].Path).To(Equal("/v1/customers/cus_journal_" + strconv.Itoa(sent-1)))
		Expect(page.Entries[0].Path).To(Equal("/v1/customers/cus_journal_"+strconv.Itoa(sent-page.Count)), "oldest evicted first")
		Expect(journalEvictions(t, "rapyd", "bytes")).To(Equal(sent - page.Count))
		Expect(journalEvictions(t, "rapyd", "entries")).To(Equal(0))
	})

	It("keeps a single request larger than the byte bound, cut and flagged, instead of evicting everything", func() {
		const bound = 16 << 10
		t := target.WithConfig("rapyd", func(c *server.Config) { c.JournalMaxBytes = bound })
		a := rapydAccount(t, rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
		req := a.req("GET", "/v1/customers/cus_journal_big", nil)
		req.Header.Set("X-Big", strings.Repeat("b", 62_000))
		Expect(t.Do(req).Status).To(Equal(http.StatusBadRequest))

		page, raw := journalOf(t, "")
		Expect(len(raw)).To(BeNumerically("<=", bound))
		Expect(page.Count).To(Equal(1))
		e := page.Entries[0]
		Expect(e.BodyTruncated).To(BeTrue())
		Expect(e.Path).To(Equal("/v1/customers/cus_journal_big"))
		Expect(e.Headers["X-Big"]).To(HaveLen(1))
		Expect(e.Headers["X-Big"][0]).To(HavePrefix("bbbb"))
		Expect(len(e.Headers["X-Big"][0])).To(BeNumerically("<", bound))
		Expect(e.Headers["Signature"]).To(Equal([]string{"[redacted]"}))
	})
})
