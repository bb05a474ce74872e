// Package reliability holds the hostile-input, authentication, isolation,
// concurrency and limits specs of every provider (issue #9). They run against
// any simulator target (in-process by default, or a URL); some start their
// own simulator to change limits.
package reliability

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// account is one set of credentials of one provider.
type account struct {
	provider string
	t        *target.Target
	// rebilly: key; payabli: token (+ entry); rapyd: access/secret
	key, entry, secret string
}

func rebillyAccount(t *target.Target, key string) account {
	return account{provider: "rebilly", t: t, key: key}
}

func payabliAccount(t *target.Target, token, entry string) account {
	return account{provider: "payabli", t: t, key: token, entry: entry}
}

func rapydAccount(t *target.Target, access, secret string) account {
	return account{provider: "rapyd", t: t, key: access, secret: secret}
}

// headers returns the credential headers (and, for Rapyd, the signature of
// this exact request).
func (a account) headers(method, path string, body []byte) http.Header {
	h := http.Header{}
	switch a.provider {
	case "rebilly":
		if a.key != "" {
			h.Set("REB-APIKEY", a.key)
		}
	case "payabli":
		if a.key != "" {
			h.Set("requestToken", a.key)
		}
	case "rapyd":
		if a.key != "" {
			s, ts := rapydsign.Salt(), strconv.FormatInt(time.Now().Unix(), 10)
			h.Set("access_key", a.key)
			h.Set("salt", s)
			h.Set("timestamp", ts)
			h.Set("signature", rapydsign.Sign(method, path, s, ts, a.key, a.secret, body))
		}
	}
	return h
}

// req builds a request with credentials and a JSON content type.
func (a account) req(method, path string, body []byte) target.Request {
	h := a.headers(method, path, body)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return target.Request{Method: method, Path: path, Header: h, Body: body}
}

func (a account) do(method, path string, body []byte) *target.Response {
	GinkgoHelper()
	return a.t.Do(a.req(method, path, body))
}

// create makes one valid customer and returns its id.
func (a account) create(tag string) string {
	GinkgoHelper()
	switch a.provider {
	case "rebilly":
		id := target.Unique("rel-")
		r := a.do("PUT", "/customers/"+id, []byte(`{"primaryAddress":{"firstName":"Rel","lastName":"`+tag+`"}}`))
		Expect(r.Status).To(Equal(http.StatusCreated), string(r.Body))
		return id
	case "payabli":
		body, _ := json.Marshal(map[string]any{"customerNumber": target.Unique("REL-"), "firstname": "Rel", "lastname": tag,
			"email": target.Unique("rel-") + "@example.com"})
		r := a.do("POST", "/Customer/single/"+a.entry, body)
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		data := r.Object()["responseData"].(map[string]any)
		return data["customerId"].(json.Number).String()
	default:
		r := a.do("POST", "/v1/customers", []byte(`{"name":"Rel `+tag+`","email":"`+target.Unique("rel-")+`@example.com"}`))
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		return r.Object()["data"].(map[string]any)["id"].(string)
	}
}

// customerPath is the path of one customer.
func (a account) customerPath(id string) string {
	switch a.provider {
	case "rebilly":
		return "/customers/" + id
	case "payabli":
		return "/Customer/" + id
	default:
		return "/v1/customers/" + id
	}
}

// snapshot is the customer as a GET returns it (for "unchanged" checks).
func (a account) snapshot(id string) []byte {
	GinkgoHelper()
	r := a.do("GET", a.customerPath(id), nil)
	Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
	if a.provider == "rapyd" { // drop the per-request operation_id
		var m map[string]any
		Expect(json.Unmarshal(r.Body, &m)).To(Succeed())
		b, _ := json.Marshal(m["data"])
		return b
	}
	return bytes.Clone(r.Body)
}

// errorShape asserts the provider's own error body for status.
func errorShape(provider string, r *target.Response, status int) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body: %s", r.Body)
	var m map[string]any
	Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "error body is JSON: %q", r.Body)
	switch provider {
	case "rebilly":
		Expect(m).To(HaveKeyWithValue("status", BeNumerically("==", status)))
		Expect(m).To(HaveKey("title"))
		Expect(m).To(HaveKey("detail"))
	case "payabli":
		Expect(m).To(HaveKeyWithValue("isSuccess", false))
		Expect(m).To(HaveKey("responseText"))
		Expect(m).To(HaveKey("responseData"))
	default:
		st, ok := m["status"].(map[string]any)
		Expect(ok).To(BeTrue(), "Rapyd envelope: %s", r.Body)
		Expect(st).To(HaveKeyWithValue("status", "ERROR"))
		Expect(st["error_code"]).NotTo(BeEmpty())
		Expect(st).To(HaveKey("operation_id"))
	}
}
