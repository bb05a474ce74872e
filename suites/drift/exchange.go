// Package drift records HTTP exchanges of a scenario run, normalises them
// (secrets and personal data redacted, ids and timestamps replaced by
// placeholders) and compares two runs of the same scenarios — live sandbox
// vs simulator, or a recording vs the simulator — into a report of what
// drifted, per endpoint, with known differences allow-listed.
package drift

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Exchange is one normalised request/response pair.
type Exchange struct {
	Scenario  string            `json:"scenario"`
	Step      string            `json:"step"`
	Operation string            `json:"operation"` // contract operation, e.g. "PUT /customers/{id}"
	Method    string            `json:"method"`
	Path      string            `json:"path"` // normalised concrete path
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      any               `json:"body,omitempty"`
}

// Meta describes a recording.
type Meta struct {
	Provider    string    `json:"provider"`
	Target      string    `json:"target"` // "live", "simulator", "recording"
	Recorded    time.Time `json:"recorded"`
	ToolVersion string    `json:"toolVersion"`
	Note        string    `json:"note,omitempty"`
}

// Recording is a whole run: what a fixture file under
// fixtures/<provider>/recorded/ holds.
type Recording struct {
	Meta      Meta       `json:"meta"`
	Exchanges []Exchange `json:"exchanges"`
}

// HeadersOfInterest are kept (normalised); every other header is dropped,
// which also keeps credentials out of recordings.
var HeadersOfInterest = []string{
	"Content-Type", "Location", "Pagination-Total", "Pagination-Limit", "Pagination-Offset",
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Retry-After",
}

// Normalizer turns raw exchanges into comparable, shareable ones.
type Normalizer struct {
	// Secrets are literal values (keys, tokens) to scrub wherever they occur.
	Secrets []string
	// PersonalFields are JSON member names (case-insensitive) whose string
	// values are personal data and get replaced.
	PersonalFields []string
	// Volatile lists run-specific literals (unique ids and names a run
	// generated) replaced by PhUnique, so two runs line up.
	Volatile func() []string
}

// DefaultPersonalFields covers the customer fields of all three providers.
var DefaultPersonalFields = []string{
	"email", "firstName", "lastName", "name", "firstname", "lastname", "phone", "phone_number",
	"phoneNumber", "address", "address1", "address2", "address_line_1", "city", "zip", "postalCode",
	"value", "organization", "company", "dob", "billingEmail", "billingPhone", "shippingAddress",
	"shippingAddress1", "shippingCity", "shippingZip", "description", "line_1", "line_2",
}

var (
	reEmail   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	reTime    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$`)
	reID      = regexp.MustCompile(`\b(cus|org|web|inst|prs|tmln|ewallet|card|other)_[0-9A-Za-z]{8,}\b`)
	reULID    = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{26}\b`)
	reUUID    = regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
	reBaseURL = regexp.MustCompile(`https?://[^/\s"?#]+`)
	reNumSeg  = regexp.MustCompile(`/\d+(/|$)`)
	reHex40   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	unixRange = [2]float64{1e9, 1e10} // plausible Unix-seconds timestamps
)

// Placeholders used by normalisation.
const (
	PhID       = "<id>"
	PhTime     = "<time>"
	PhUnixTime = "<unix-time>"
	PhEmail    = "redacted@example.invalid"
	PhPersonal = "<redacted>"
	PhSecret   = "<secret>"
	PhHash     = "<hash>"
	PhUnique   = "<unique>"
	PhBase     = "<base>"
)

// Normalize builds an Exchange from a raw response.
func (n *Normalizer) Normalize(scenario, step, operation, method, path string, status int, header http.Header, body []byte) Exchange {
	ex := Exchange{Scenario: scenario, Step: step, Operation: operation, Method: method, Status: status}
	ex.Path = n.text(path, false)
	ex.Path = reNumSeg.ReplaceAllString(ex.Path, "/"+PhID+"$1")
	for _, h := range HeadersOfInterest {
		if v := header.Get(h); v != "" {
			if ex.Headers == nil {
				ex.Headers = map[string]string{}
			}
			if h == "Content-Type" {
				v, _, _ = strings.Cut(v, ";")
			}
			if h == "X-RateLimit-Remaining" || h == "X-RateLimit-Retry-After" {
				v = "<number>"
			}
			ex.Headers[h] = n.text(v, false)
		}
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			ex.Body = PhPersonal + " (non-JSON body)"
		} else {
			ex.Body = n.value("", v)
		}
	}
	return ex
}

func (n *Normalizer) personal(key string) bool {
	fields := n.PersonalFields
	if fields == nil {
		fields = DefaultPersonalFields
	}
	for _, f := range fields {
		if strings.EqualFold(f, key) {
			return true
		}
	}
	return false
}

func (n *Normalizer) value(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, sub := range t {
			out[k] = n.value(k, sub)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, sub := range t {
			out[i] = n.value(key, sub)
		}
		return out
	case string:
		if t != "" && isIDKey(key) {
			return PhID
		}
		if t != "" && n.personal(key) {
			if reEmail.MatchString(t) {
				return PhEmail
			}
			return PhPersonal
		}
		return n.text(t, true)
	case json.Number:
		if f, err := t.Float64(); err == nil && f >= unixRange[0] && f < unixRange[1] && isTimeKey(key) {
			return PhUnixTime
		}
		if isIDKey(key) {
			return PhID
		}
		return t
	}
	return v
}

func isTimeKey(k string) bool {
	k = strings.ToLower(k)
	return strings.HasSuffix(k, "_at") || strings.HasSuffix(k, "time") || strings.HasSuffix(k, "date") || k == "timestamp"
}

func isIDKey(k string) bool {
	k = strings.ToLower(k)
	return k == "id" || strings.HasSuffix(k, "id") && k != "paid"
}

// text scrubs secrets, emails, ids and timestamps inside a string.
func (n *Normalizer) text(s string, whole bool) string {
	for _, sec := range n.Secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, PhSecret)
		}
	}
	if n.Volatile != nil {
		vs := n.Volatile()
		sort.Slice(vs, func(i, j int) bool { return len(vs[i]) > len(vs[j]) })
		for _, v := range vs {
			if v != "" {
				s = strings.ReplaceAll(s, v, PhUnique)
			}
		}
	}
	if whole && reTime.MatchString(s) {
		return PhTime
	}
	if whole && reHex40.MatchString(s) {
		return PhHash
	}
	s = reBaseURL.ReplaceAllString(s, PhBase)
	s = reEmail.ReplaceAllString(s, PhEmail)
	s = reID.ReplaceAllString(s, PhID)
	s = reUUID.ReplaceAllString(s, PhID)
	s = reULID.ReplaceAllString(s, PhID)
	return s
}

// Sort orders exchanges by scenario and step for stable files and reports.
func Sort(ex []Exchange) {
	sort.SliceStable(ex, func(i, j int) bool {
		if ex[i].Scenario != ex[j].Scenario {
			return ex[i].Scenario < ex[j].Scenario
		}
		return ex[i].Step < ex[j].Step
	})
}
