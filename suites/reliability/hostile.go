package reliability

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// A hostile case: one request and the exact answer the provider gives it.
type hostile struct {
	class string
	req   target.Request
	// want is the exact status; a 2xx means the request is valid and must be
	// stored (and, when echo is set, returned verbatim).
	want int
	// echo: field → value that a following GET must return unchanged.
	echo map[string]string
	// write: the request targets the fixture customer, whose state must be
	// unchanged when the request is rejected.
	write bool
}

// Values that must be stored and returned exactly: SQL metacharacters,
// quotes, escapes, LIKE wildcards, comment markers, Unicode.
var verbatim = []string{
	`O'Brien`, `"; DROP TABLE customers; --`, `' OR '1'='1`, `\\'\"`, `%_%`, `a\nb\tc`, `/* */ -- #`,
	"Zoë 山田 🙂", `{"json":"inside"}`, "`backtick`", `$1 ?? :name @x`, `NULL`, `\u0000-looking`,
	`'; SELECT SLEEP(5); --`, `1; DELETE FROM rebilly_customers`, `\\server\share`, `<script>alert(1)</script>`,
	`%00`, `../../etc/passwd`, `a' AND JSON_EXTRACT(doc,'$.x')='`, `™®©`, "tab\there", `)))`, "''", `""`,
	"Ünïcödé ÆØÅ", `\`,
}

// malformed are bodies that are not one JSON object.
var malformed = []string{
	``, ` `, `{`, `}`, `{"a":}`, `{"a" 1}`, `{,}`, `{"a":1,}`, `{'a':1}`, `{"a":NaN}`, `{"a":Infinity}`,
	`{"a":01}`, `{"a":1}{}`, `{"a":1} x`, `{/*c*/}`, `{"a":"\x"}`, `{"a":"unterminated}`, `nul`, `[1,2`,
	`{"a":tru}`, `{"a":-}`, `{"a":1e}`, `{"a":.5}`, `{"a":+1}`, `{"a":"` + "\x01" + `"}`, "\xef\xbb\xbf{}",
	`[]`, `[{}]`, `"text"`, `42`, `true`, `null`,
}

// providerSpec describes what the corpus needs to know about a provider.
type providerSpec struct {
	name string
	// valid is a valid update body for the fixture customer.
	valid map[string]any
	// textFields accept any text (verbatim values go there).
	textFields []string
	// typed are the fields whose wrong-typed values must be rejected.
	typed []string
	// update is the method+path that updates the fixture customer.
	update func(a account, id string) (string, string)
	// create is the method+path that creates a customer.
	create func(a account) (string, string)
	// bodyError is the status for any invalid body.
	bodyError int
	// readBack extracts a field's value from a GET of the customer.
	readBack func(snapshot []byte, field string) any
	// unknownOK: unknown members are ignored (2xx) rather than rejected.
	unknownOK bool
	// dupKeys: status for a body with a repeated member.
	dupKeys int
	// badUTF8: status for invalid UTF-8 inside a string.
	badUTF8 int
	// notFound: status for a well-formed id that does not exist (GET).
	notFound int
	// badID: status for a path id that cannot be an id (GET).
	badID int
	// list, listBad: list path, and out-of-range queries with their status.
	list    string
	listBad map[string]int
}

func field(snapshot []byte, path ...string) any {
	var v any
	_ = json.Unmarshal(snapshot, &v)
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

var specs = []providerSpec{
	{
		name:  "rebilly",
		valid: map[string]any{"primaryAddress": map[string]any{"firstName": "Ada", "lastName": "Lovelace", "city": "London"}, "customFields": map[string]any{}},
		textFields: []string{"primaryAddress.firstName", "primaryAddress.lastName", "primaryAddress.organization",
			"primaryAddress.address", "primaryAddress.address2", "primaryAddress.city", "primaryAddress.jobTitle"},
		typed: []string{"primaryAddress", "primaryAddress.firstName", "primaryAddress.lastName", "primaryAddress.city",
			"primaryAddress.address", "primaryAddress.country", "websiteId", "locale", "customFields", "taxNumbers",
			"notificationEmails", "defaultPaymentInstrumentId", "personId"},
		update:    func(a account, id string) (string, string) { return "PUT", "/customers/" + id },
		create:    func(a account) (string, string) { return "POST", "/customers" },
		bodyError: http.StatusUnprocessableEntity,
		readBack: func(s []byte, f string) any {
			return field(s, strings.Split(f, ".")...)
		},
		unknownOK: true, dupKeys: http.StatusUnprocessableEntity, badUTF8: http.StatusUnprocessableEntity,
		notFound: http.StatusNotFound, badID: http.StatusNotFound,
		list: "/customers",
		listBad: map[string]int{"limit=-1": 422, "limit=1001": 422, "limit=abc": 422, "offset=-5": 422, "offset=1e3": 422,
			"sort=nope": 422, "filter=nope:1": 422, "filter=createdTime:yesterday..": 422, "limit=99999999999999999999": 422},
	},
	{
		name: "payabli",
		valid: map[string]any{"firstname": "Ada", "lastname": "Lovelace", "city": "London", "company": "Engines",
			"address1": "12 St James's Square", "state": "LDN", "zip": "SW1Y 4JH", "phone": "5555555555"},
		textFields: []string{"firstname", "lastname", "company", "address", "address1", "city", "shippingaddress", "shippingcity"},
		typed:      []string{"firstname", "lastname", "company", "address", "city", "state", "zip", "phone", "email", "customerNumber"},
		update:     func(a account, id string) (string, string) { return "PUT", "/Customer/" + id },
		create:     func(a account) (string, string) { return "POST", "/Customer/single/" + a.entry },
		bodyError:  http.StatusBadRequest,
		readBack: func(s []byte, f string) any {
			var m map[string]any
			_ = json.Unmarshal(s, &m)
			for k, v := range m {
				if strings.EqualFold(k, f) {
					return v
				}
			}
			return nil
		},
		unknownOK: true, dupKeys: http.StatusOK, badUTF8: http.StatusOK,
		notFound: http.StatusBadRequest, badID: http.StatusBadRequest,
		list: "/Query/customers/%s",
		// Documented choices (known unknown list-defaults): negative fromRecord
		// counts from 0, limitRecord <= 0 means all, unknown fields and sorts
		// are ignored; unparsable numbers and dates, and exportFormat, are 400.
		listBad: map[string]int{"limitRecord=abc": 400, "fromRecord=x": 400, "limitRecord=1.5": 400, "balance(gt)=abc": 400,
			"exportFormat=csv": 400, "limitRecord=-1": 200, "fromRecord=-1": 200, "sortBy=sideways(x)": 200, "nosuchfield(eq)=1": 200},
	},
	{
		name: "rapyd",
		valid: map[string]any{"name": "Ada Lovelace", "description": "analytical engines", "metadata": map[string]any{"k": "v", "n": 1},
			"invoice_prefix": "ADA-"},
		textFields: []string{"name", "description", "business_vat_id", "invoice_prefix"},
		typed:      []string{"name", "email", "description", "phone_number", "metadata", "business_vat_id", "ewallet"},
		update:     func(a account, id string) (string, string) { return "POST", "/v1/customers/" + id },
		create:     func(a account) (string, string) { return "POST", "/v1/customers" },
		bodyError:  http.StatusBadRequest,
		readBack:   func(s []byte, f string) any { return field(s, f) },
		unknownOK:  true, dupKeys: http.StatusOK, badUTF8: http.StatusBadRequest,
		notFound: http.StatusBadRequest, badID: http.StatusBadRequest,
		list:    "/v1/customers",
		listBad: map[string]int{"limit=0": 400, "limit=101": 400, "limit=-3": 400, "limit=x": 400, "starting_after=cus_nope": 400, "ending_before=%27%3B--": 400},
	},
}

// set assigns v at a dotted path in a copy of m.
func set(m map[string]any, path string, v any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	cur := out
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = v
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// corpus generates the provider's hostile requests against fixture customer id.
func corpus(ps providerSpec, a account, id string) []hostile {
	var out []hostile
	um, up := ps.update(a, id)
	cm, cp := ps.create(a)
	write := func(class string, body []byte, want int, echo map[string]string) {
		out = append(out, hostile{class: class, req: a.req(um, up, body), want: want, echo: echo, write: true})
	}
	validBody := mustJSON(ps.valid)
	// Every proper prefix of a valid body, for update and create.
	for i := 0; i < len(validBody); i++ {
		if i == 0 && ps.name == "rapyd" {
			write("empty-update", validBody[:i], http.StatusOK, nil) // Rapyd: nothing to change
			continue
		}
		write("truncated", validBody[:i], ps.bodyError, nil)
		out = append(out, hostile{class: "truncated-create", req: a.req(cm, cp, validBody[:i]), want: ps.bodyError})
	}
	for _, m := range malformed {
		if ps.name == "rapyd" && strings.TrimSpace(m) == "" {
			write("empty-update", []byte(m), http.StatusOK, nil)
			continue
		}
		write("malformed", []byte(m), ps.bodyError, nil)
	}
	// Wrong types in every typed field.
	for _, f := range ps.typed {
		for _, v := range []any{12345, -1.5e300, true, false, []any{"a"}, map[string]any{"x": 1}} {
			if f == "primaryAddress" || f == "metadata" || f == "customFields" {
				if _, isMap := v.(map[string]any); isMap {
					continue // objects are the right type there
				}
			}
			if f == "taxNumbers" || f == "notificationEmails" {
				if _, isArr := v.([]any); isArr {
					continue
				}
			}
			write("wrong-type:"+f, mustJSON(set(ps.valid, f, v)), ps.bodyError, nil)
			out = append(out, hostile{class: "wrong-type-create:" + f, req: a.req(cm, cp, mustJSON(set(createBody(ps, a), f, v))), want: ps.bodyError})
		}
	}
	// Huge numbers and deep nesting where any JSON is allowed.
	for _, raw := range []string{`1e400`, `-1e400`, `18446744073709551616`, `123456789012345678901234567890`, `1e-400`, `-0`} {
		// An unknown member is ignored whatever number it holds.
		body := strings.Replace(string(validBody), `{`, `{"zzUnknownNumber":`+raw+`,`, 1)
		want := ps.bodyError
		if ps.unknownOK {
			want = http.StatusOK
		}
		write("huge-number", []byte(body), want, nil)
	}
	for _, depth := range []int{64, 1000, 20000} {
		nested := strings.Repeat(`{"a":`, depth) + `1` + strings.Repeat(`}`, depth)
		body := strings.Replace(string(validBody), `{`, `{"zzDeep":`+nested+`,`, 1)
		want := http.StatusOK
		if depth > 10000 {
			want = ps.bodyError // beyond the decoder's nesting limit
		}
		if !ps.unknownOK {
			want = ps.bodyError
		}
		write(fmt.Sprintf("deep-nesting-%d", depth), []byte(body), want, nil)
	}
	// Verbatim text in every free-text field.
	for _, f := range ps.textFields {
		for i, v := range verbatim {
			if ps.name == "rebilly" && strings.ContainsFunc(v, func(r rune) bool { return r > 0xFFFF }) {
				// Rebilly's choice: characters outside the BMP are refused (known
				// unknown); nothing is stored.
				write(fmt.Sprintf("verbatim-refused:%s#%d", f, i), mustJSON(set(ps.valid, f, v)), http.StatusUnprocessableEntity, nil)
				continue
			}
			write(fmt.Sprintf("verbatim:%s#%d", f, i), mustJSON(set(ps.valid, f, v)), http.StatusOK, map[string]string{f: v})
			out = append(out, hostile{class: fmt.Sprintf("verbatim-create:%s#%d", f, i), req: a.req(cm, cp, mustJSON(set(createBody(ps, a), f, v))), want: createOK(ps.name)})
		}
	}
	// Unknown members, nulls for unknown members.
	for i, extra := range []string{`"zzUnknown":"x"`, `"zzNull":null`, `"zzObj":{"a":[1,2,{"b":null}]}`, `"__proto__":{"x":1}`} {
		body := strings.Replace(string(validBody), `{`, `{`+extra+`,`, 1)
		want := ps.bodyError
		if ps.unknownOK {
			want = http.StatusOK
		}
		write(fmt.Sprintf("unknown-field#%d", i), []byte(body), want, nil)
	}
	// A repeated member.
	first := ps.textFields[0]
	if !strings.Contains(first, ".") {
		body := strings.Replace(string(validBody), `{`, `{"`+first+`":"dup",`, 1)
		write("duplicate-key", []byte(body), ps.dupKeys, nil)
	}
	// Invalid UTF-8 inside a string.
	if !strings.Contains(first, ".") {
		body := strings.Replace(string(validBody), `{`, `{"zzBad":"a`+"\xff\xfe"+`b",`, 1)
		write("invalid-utf8", []byte(body), ps.badUTF8, nil)
	}
	// Long strings: fits the body limit but not a field; over the body limit.
	huge := strings.Repeat("x", 1<<20+10)
	write("over-body-limit", mustJSON(set(ps.valid, ps.textFields[0], huge)), ps.bodyError, nil)
	// Content types.
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"} {
		r := a.req(um, up, validBody)
		if ct == "" {
			r.Header.Del("Content-Type")
		} else {
			r.Header.Set("Content-Type", ct)
		}
		out = append(out, hostile{class: "content-type:" + ct, req: r, want: contentTypeWant(ps.name, ct), write: true})
	}
	// Ids: traversal, overlong, odd bytes — on GET.
	for _, bad := range []string{"..%2F..%2Fetc%2Fpasswd", "%2e%2e", strings.Repeat("a", 300), "%00", "%27%20OR%20%271%27%3D%271", "a%2Fb", "%E2%80%AE"} {
		p := strings.Replace(a.customerPath("ID"), "ID", bad, 1)
		r := a.req("GET", p, nil)
		r.NoContract = true
		want := ps.badID
		if strings.Contains(bad, "%2F") {
			// decodes to more path segments: no route (Rapyd answers every
			// unknown route 401 UNAUTHORIZED_API_CALL)
			want = map[string]int{"rebilly": 404, "payabli": 404, "rapyd": 401}[ps.name]
		}
		out = append(out, hostile{class: "bad-id:" + bad, req: r, want: want})
	}
	r := a.req("GET", a.customerPath("99999999"+strings.Repeat("9", 8)), nil)
	out = append(out, hostile{class: "unknown-id", req: r, want: ps.notFound})
	// List queries out of range.
	list := ps.list
	if strings.Contains(list, "%s") {
		list = fmt.Sprintf(list, a.entry)
	}
	for q, want := range ps.listBad {
		out = append(out, hostile{class: "list:" + q, req: a.req("GET", list+"?"+q, nil), want: want})
	}
	return out
}

// contentTypeWant: Rebilly and Rapyd read the body as JSON whatever the
// Content-Type says; Payabli declines a non-JSON type (known unknown
// content-type) but accepts a missing one.
func contentTypeWant(provider, ct string) int {
	if provider == "payabli" && (ct == "text/plain" || ct == "application/x-www-form-urlencoded") {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// createBody is a valid create body for a new customer.
func createBody(ps providerSpec, a account) map[string]any {
	if ps.name == "payabli" {
		return set(ps.valid, "customerNumber", target.Unique("HC-"))
	}
	return ps.valid
}

// createOK is the status of a successful create.
func createOK(provider string) int {
	if provider == "rebilly" {
		return http.StatusCreated
	}
	return http.StatusOK
}

var _ = Describe("hostile input", Label("reliability", "hostile"), func() {
	for _, ps := range specs {
		ps := ps
		It(fmt.Sprintf("answers %s's hostile corpus (≥ 500 requests) with its own errors, no 5xx, state intact", ps.name), func() {
			t := target.For(ps.name)
			var a account
			switch ps.name {
			case "rebilly":
				a = rebillyAccount(t, target.Unique("hostile-"))
			case "payabli":
				a = payabliAccount(t, target.Unique("hostile-"), "hostile-entry")
			default:
				a = rapydAccount(t, rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey)
			}
			id := a.create("hostile")
			cases := corpus(ps, a, id)
			AddReportEntry(ps.name+" corpus size", len(cases))
			var failures []string
			for _, c := range cases {
				before := a.snapshot(id)
				if c.write && c.want < 300 {
					// valid writes change the fixture; restore afterwards
					before = nil
				}
				resp, err := t.Send(c.req)
				Expect(err).NotTo(HaveOccurred(), c.class)
				if resp.Status >= 500 {
					failures = append(failures, fmt.Sprintf("%s: %d %s", c.class, resp.Status, trunc(resp.Body)))
					continue
				}
				if resp.Status != c.want {
					failures = append(failures, fmt.Sprintf("%s: got %d want %d: %s", c.class, resp.Status, c.want, trunc(resp.Body)))
					continue
				}
				if c.want >= 400 {
					if !c.req.NoContract {
						t.Check(c.req, resp)
					}
					errorShape(ps.name, resp, c.want)
				}
				if before != nil {
					Expect(string(a.snapshot(id))).To(Equal(string(before)), "%s changed the customer", c.class)
				}
				for f, v := range c.echo {
					got := ps.readBack(a.snapshot(id), f)
					if got != v {
						failures = append(failures, fmt.Sprintf("%s: stored %q, read back %v", c.class, v, got))
					}
				}
			}
			Expect(failures).To(BeEmpty(), "%d of %d cases", len(failures), len(cases))
			Expect(len(cases)).To(BeNumerically(">=", 500), "corpus size")
		})
	}
})

func trunc(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
