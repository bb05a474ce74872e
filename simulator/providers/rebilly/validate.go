package rebilly

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

// Validation of a Customer request body against the writable part of the
// official Customer schema. Read-only members are accepted and ignored (the
// SDKs resend what they received); unknown members are ignored (the schema
// has no additionalProperties: false). Field paths are dotted, array items by
// index: primaryAddress.emails.0.value.

var (
	reCountry    = regexp.MustCompile(`^[A-Z]{2}$`)
	rePostalCode = regexp.MustCompile(`^[\w\s\-]+$`)
	reTagLike    = regexp.MustCompile(`^[@~\-\.\w]+$`)
	reLocale     = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`)
)

// writable lists the Customer members a request may set.
var writable = map[string]bool{
	"websiteId": true, "paymentToken": true, "defaultPaymentInstrumentId": true,
	"preferredPayoutInstrumentId": true, "customFields": true, "primaryAddress": true, "locale": true,
	"taxNumbers": true, "leadSource": true, "personId": true, "notificationEmails": true,
}

type checker struct{ errs []invalidField }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, invalidField{Field: field, Message: fmt.Sprintf(format, args...)})
}

// decodeBody parses a request body as a JSON object, rejecting duplicate
// member names and trailing data. It returns the members as raw JSON.
func decodeBody(body []byte) (map[string]json.RawMessage, []invalidField) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && utf8.Valid(trimmed) && jsonx.Valid(trimmed) {
		// the common case without encoding/json's reflection: one
		// validating scan, then members sliced out of the body
		obj := jsonx.Members(trimmed)
		if mayRepeatKeys(trimmed) {
			if dup := duplicateKey(trimmed); dup != "" {
				return nil, []invalidField{{Field: dup, Message: "Duplicate member " + strconv.Quote(dup) + "."}}
			}
		}
		return obj, nil
	}
	return decodeBodySlow(trimmed)
}

// decodeBodySlow is decodeBody through encoding/json's Decoder, whose errors
// name what is wrong with a body that is not a valid JSON object.
func decodeBodySlow(trimmed []byte) (map[string]json.RawMessage, []invalidField) {
	if len(trimmed) == 0 {
		return nil, []invalidField{{Field: "body", Message: "A JSON object is required."}}
	}
	if !utf8.Valid(trimmed) {
		return nil, []invalidField{{Field: "body", Message: "The body is not valid UTF-8."}}
	}
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&obj); err != nil || obj == nil {
		msg := "Malformed JSON."
		if err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				msg = "The body must be a JSON object."
			}
		} else {
			msg = "The body must be a JSON object."
		}
		return nil, []invalidField{{Field: "body", Message: msg}}
	}
	if dec.More() {
		return nil, []invalidField{{Field: "body", Message: "Malformed JSON: unexpected data after the object."}}
	}
	if mayRepeatKeys(trimmed) {
		if dup := duplicateKey(trimmed); dup != "" {
			return nil, []invalidField{{Field: dup, Message: "Duplicate member " + strconv.Quote(dup) + "."}}
		}
	}
	return obj, nil
}

// mayRepeatKeys is duplicateKey's fast pre-check over one valid JSON value,
// without allocating per token: false means no object repeats a member
// name. It answers true when two raw names of one object are equal or a
// name contains an escape or invalid UTF-8 (which only the exact check can
// compare).
func mayRepeatKeys(body []byte) bool {
	// One shared stack of the names seen, each frame owning a tail of it: a
	// nested object's names are dropped when it closes, before its parent
	// reads another name, so a frame's names stay contiguous. The arrays
	// keep ordinary bodies off the heap.
	type frame struct {
		obj, wantKey bool
		start        int                 // this object's first name in keys
		set          map[string]struct{} // past 16 names
	}
	var frameBuf [8]frame
	var keyBuf [32][]byte
	stack, keys := frameBuf[:0], keyBuf[:0]
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{':
			stack = append(stack, frame{obj: true, wantKey: true, start: len(keys)})
		case '[':
			stack = append(stack, frame{start: len(keys)})
		case '}', ']':
			if n := len(stack); n > 0 {
				keys = keys[:stack[n-1].start]
				stack = stack[:n-1]
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].obj {
				stack[n-1].wantKey = true
			}
		case '"':
			start, escaped := i+1, false
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					escaped = true
					i++
				}
			}
			n := len(stack)
			if n == 0 || !stack[n-1].obj || !stack[n-1].wantKey {
				continue
			}
			f := &stack[n-1]
			f.wantKey = false
			key := body[start:min(i, len(body))]
			if escaped || !utf8.Valid(key) {
				// escapes and invalid UTF-8 (which decodes to U+FFFD) can make
				// different raw names equal: leave it to the exact check
				return true
			}
			if f.set != nil {
				if _, dup := f.set[string(key)]; dup {
					return true
				}
				f.set[string(key)] = struct{}{}
				continue
			}
			for _, k := range keys[f.start:] {
				if bytes.Equal(k, key) {
					return true
				}
			}
			keys = append(keys, key)
			if len(keys)-f.start > 16 {
				f.set = make(map[string]struct{}, 2*(len(keys)-f.start))
				for _, k := range keys[f.start:] {
					f.set[string(k)] = struct{}{}
				}
			}
		}
	}
	return false
}

// duplicateKey returns the dotted path of the first member that appears twice
// in one object, or "".
func duplicateKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		obj   bool
		keys  map[string]bool
		path  string
		index int
		key   string
		want  bool // next string token is a key
	}
	var stack []*frame
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.obj {
			return join(f.path, f.key)
		}
		return join(f.path, strconv.Itoa(f.index))
	}
	after := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.obj {
			f.want = true
		} else {
			f.index++
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{obj: true, keys: map[string]bool{}, path: child(), want: true})
			case '[':
				stack = append(stack, &frame{path: child()})
			default:
				stack = stack[:len(stack)-1]
				after()
			}
		case string:
			if f := top(stack); f != nil && f.obj && f.want {
				if f.keys[t] {
					return join(f.path, t)
				}
				f.keys[t] = true
				f.key, f.want = t, false
				continue
			}
			after()
		default:
			after()
		}
	}
}

func top[T any](s []*T) *T {
	if len(s) == 0 {
		return nil
	}
	return s[len(s)-1]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// validateCustomer checks every writable member present in obj.
func validateCustomer(obj map[string]json.RawMessage) []invalidField {
	c := &checker{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !writable[k] {
			continue
		}
		v := jsonx.Value(obj[k]) // obj holds valid JSON values only
		switch k {
		case "websiteId":
			c.str(k, v, 50, false, nil)
		case "paymentToken":
			c.str(k, v, 255, false, nil)
		case "defaultPaymentInstrumentId", "preferredPayoutInstrumentId", "personId":
			c.str(k, v, 50, true, nil)
		case "locale":
			c.str(k, v, 50, true, reLocale)
		case "customFields":
			if _, ok := v.(map[string]any); !ok {
				c.add(k, "customFields must be an object.")
			}
		case "primaryAddress":
			if v != nil {
				c.contact(k, v)
			}
		case "taxNumbers":
			c.taxNumbers(k, v)
		case "leadSource":
			c.leadSource(k, v)
		case "notificationEmails":
			arr, ok := v.([]any)
			if !ok {
				c.add(k, "notificationEmails must be an array.")
				break
			}
			for i, e := range arr {
				c.email(join(k, strconv.Itoa(i)), e, 255)
			}
		}
	}
	return c.errs
}

// str checks a string member: type, length (in characters), pattern.
func (c *checker) str(field string, v any, max int, nullable bool, re *regexp.Regexp) {
	if v == nil {
		if !nullable {
			c.add(field, "%s must be a string.", leaf(field))
		}
		return
	}
	s, ok := v.(string)
	if !ok {
		c.add(field, "%s must be a string.", leaf(field))
		return
	}
	if n := utf8.RuneCountInString(s); n > max {
		c.add(field, "%s must be at most %d characters long.", leaf(field), max)
		return
	}
	if re != nil && !re.MatchString(s) {
		c.add(field, "%s is invalid.", leaf(field))
	}
}

// bmpText is the ContactObject text pattern ^[\u0000-\uFFFF]+$: non-empty,
// Basic Multilingual Plane only.
func (c *checker) bmpText(field string, v any, max int) {
	if v == nil {
		return
	}
	s, ok := v.(string)
	if !ok {
		c.add(field, "%s must be a string.", leaf(field))
		return
	}
	if s == "" {
		c.add(field, "%s must not be empty.", leaf(field))
		return
	}
	if utf8.RuneCountInString(s) > max {
		c.add(field, "%s must be at most %d characters long.", leaf(field), max)
		return
	}
	for _, r := range s {
		if r > 0xFFFF {
			c.add(field, "%s contains unsupported characters.", leaf(field))
			return
		}
	}
}

func (c *checker) email(field string, v any, max int) {
	s, ok := v.(string)
	if !ok {
		c.add(field, "%s must be a string.", leaf(field))
		return
	}
	if utf8.RuneCountInString(s) > max {
		c.add(field, "%s must be at most %d characters long.", leaf(field), max)
		return
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s || a.Name != "" {
		c.add(field, "%s must be a valid email address.", leaf(field))
	}
}

// contactLimits are the ContactObject text members and their lengths.
var contactLimits = map[string]int{"firstName": 45, "lastName": 45, "organization": 255, "address": 60,
	"address2": 60, "city": 45, "region": 45, "jobTitle": 255}

func (c *checker) contact(field string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(field, "%s must be an object or null.", field)
		return
	}
	for _, k := range sortedKeys(m) {
		sub, f := m[k], join(field, k)
		if max, ok := contactLimits[k]; ok {
			c.bmpText(f, sub, max)
			continue
		}
		switch k {
		case "country":
			c.str(f, sub, 2, true, reCountry)
		case "postalCode":
			c.str(f, sub, 10, true, rePostalCode)
		case "dob":
			if sub == nil {
				break
			}
			s, ok := sub.(string)
			if _, err := time.Parse("2006-01-02", s); !ok || err != nil {
				c.add(f, "dob must be a date (YYYY-MM-DD).")
			}
		case "emails", "phoneNumbers":
			arr, ok := sub.([]any)
			if !ok {
				c.add(f, "%s must be an array.", k)
				break
			}
			for i, item := range arr {
				c.contactItem(join(f, strconv.Itoa(i)), item, k == "emails")
			}
		}
	}
}

func (c *checker) contactItem(field string, v any, isEmail bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(field, "%s must be an object.", field)
		return
	}
	label, ok := m["label"]
	if !ok {
		c.add(join(field, "label"), "label is required.")
	} else {
		c.str(join(field, "label"), label, 45, false, nil)
	}
	value, ok := m["value"]
	switch {
	case !ok:
		c.add(join(field, "value"), "value is required.")
	case isEmail:
		c.email(join(field, "value"), value, 255)
	default:
		c.str(join(field, "value"), value, 50, false, nil)
	}
	if p, ok := m["primary"]; ok {
		if _, isBool := p.(bool); !isBool {
			c.add(join(field, "primary"), "primary must be a boolean.")
		}
	}
}

func (c *checker) taxNumbers(field string, v any) {
	if v == nil {
		return
	}
	arr, ok := v.([]any)
	if !ok {
		c.add(field, "taxNumbers must be an array or null.")
		return
	}
	for i, item := range arr {
		f := join(field, strconv.Itoa(i))
		m, ok := item.(map[string]any)
		if !ok {
			c.add(f, "%s must be an object.", f)
			continue
		}
		switch t := m["type"]; t {
		case "eu-vat", "other":
		case nil:
			c.add(join(f, "type"), "type is required.")
		default:
			c.add(join(f, "type"), "type must be one of: eu-vat, other.")
		}
		if val, ok := m["value"]; !ok {
			c.add(join(f, "value"), "value is required.")
		} else {
			c.str(join(f, "value"), val, 255, false, nil)
		}
		if d, ok := m["isDefault"]; ok {
			if _, isBool := d.(bool); !isBool {
				c.add(join(f, "isDefault"), "isDefault must be a boolean.")
			}
		}
	}
}

func (c *checker) leadSource(field string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.add(field, "leadSource must be an object.")
		return
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "medium", "source", "campaign", "term", "content", "affiliate", "subAffiliate", "salesAgent", "clickId", "path":
			c.str(join(field, k), m[k], 512, true, nil)
		case "referrer":
			c.str(join(field, k), m[k], 2083, true, nil)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func leaf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return path
}

// validID checks a client-chosen customer id (path parameter).
func validID(id string) bool {
	return id != "" && len(id) <= 50 && reTagLike.MatchString(id)
}

// readObject reads the request body (within the body limit) and answers a
// body that is not a valid Customer object with a 422; ok is false then.
func (p *Provider) readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	body, err := httpx.ReadBody(w, r, p.deps.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		validationProblem(w, r, []invalidField{{Field: "body", Message: "The request body exceeds " + strconv.FormatInt(p.deps.MaxBodyBytes, 10) + " bytes."}})
		return nil, false
	}
	if err != nil {
		validationProblem(w, r, []invalidField{{Field: "body", Message: "The request body could not be read."}})
		return nil, false
	}
	obj, errs := decodeBody(body)
	if errs == nil {
		errs = validateCustomer(obj)
	}
	if len(errs) > 0 {
		validationProblem(w, r, errs)
		return nil, false
	}
	return obj, true
}
