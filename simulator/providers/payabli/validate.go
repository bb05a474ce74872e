package payabli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

// CustomerData is a parsed create/update body. A nil pointer means the key was
// absent or null (not changed on update).
type CustomerData struct {
	str              map[string]*string // lowercase request key → value
	CustomerStatus   *int
	Balance          *float64
	TimeZone         *int
	AdditionalFields map[string]*string
	hasAdditional    bool
	IdentifierFields []*string
	hasIdentifiers   bool
}

// stringField describes one string member of CustomerData.
type stringField struct {
	key    string // lowercase request key
	max    int    // 0 = no documented limit
	record func(r *Record) **string
}

var stringFields = []stringField{
	{"customernumber", 250, func(r *Record) **string { return &r.CustomerNumber }},
	{"customerusername", 0, func(r *Record) **string { return &r.CustomerUsername }},
	{"customerpsw", 0, nil}, // accepted, never stored or returned
	{"company", 0, func(r *Record) **string { return &r.Company }},
	{"firstname", 0, func(r *Record) **string { return &r.Firstname }},
	{"lastname", 0, func(r *Record) **string { return &r.Lastname }},
	{"phone", 0, func(r *Record) **string { return &r.Phone }},
	{"email", 320, func(r *Record) **string { return &r.Email }},
	{"address", 0, func(r *Record) **string { return &r.Address }},
	{"address1", 0, func(r *Record) **string { return &r.Address1 }},
	{"city", 0, func(r *Record) **string { return &r.City }},
	{"state", 0, func(r *Record) **string { return &r.State }},
	{"zip", 0, func(r *Record) **string { return &r.Zip }},
	{"country", 0, func(r *Record) **string { return &r.Country }},
	{"shippingaddress", 250, func(r *Record) **string { return &r.ShippingAddress }},
	{"shippingaddress1", 100, func(r *Record) **string { return &r.ShippingAddress1 }},
	{"shippingcity", 250, func(r *Record) **string { return &r.ShippingCity }},
	{"shippingstate", 0, func(r *Record) **string { return &r.ShippingState }},
	{"shippingzip", 50, func(r *Record) **string { return &r.ShippingZip }},
	{"shippingcountry", 0, func(r *Record) **string { return &r.ShippingCountry }},
	{"createdat", 0, nil}, // accepted and ignored: Created is set by the simulator
}

var stringFieldByKey = func() map[string]*stringField {
	m := map[string]*stringField{}
	for i := range stringFields {
		m[stringFields[i].key] = &stringFields[i]
	}
	return m
}()

const fixAction = "Correct the request body and send it again."

func typeError(key, want string) *apiError {
	return badRequest(fmt.Sprintf("Invalid value for field '%s': expected %s.", key, want), fixAction)
}

// parseCustomerData decodes a body with case-insensitive keys, checks types,
// lengths and enums. Unknown keys (e.g. additionalData) are ignored.
func parseCustomerData(body []byte) (*CustomerData, *apiError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badRequest("The request body is empty.", "Send a JSON object with the customer fields.")
	}
	var raw map[string]json.RawMessage
	if body[0] == '{' && jsonx.Valid(body) {
		// what encoding/json would decode, without its reflection
		raw = jsonx.Members(body)
	} else if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("The request body is not a valid JSON object: "+jsonErr(err), "Send a JSON object with the customer fields.")
	}
	if raw == nil {
		return nil, badRequest("The request body must be a JSON object.", "Send a JSON object with the customer fields.")
	}
	d := &CustomerData{str: map[string]*string{}}
	for k, v := range raw {
		key := strings.ToLower(k)
		null := bytes.Equal(v, []byte("null"))
		if f, ok := stringFieldByKey[key]; ok {
			if null {
				continue
			}
			if jsonx.Kind(v) != '"' {
				return nil, typeError(f.key, "a string")
			}
			s := jsonx.Unquote(v)
			if f.max > 0 && utf8.RuneCountInString(s) > f.max {
				return nil, badRequest(fmt.Sprintf("Invalid value for field '%s': maximum length is %d characters.", k, f.max), fixAction)
			}
			d.str[key] = &s
			continue
		}
		switch key {
		case "customerstatus":
			if null {
				continue
			}
			n, err := intValue(v)
			if err != nil {
				return nil, typeError("customerStatus", "an integer")
			}
			switch n {
			case -99, 0, 1, 85:
			default:
				return nil, badRequest(fmt.Sprintf("Invalid value for field 'customerStatus': %d is not one of -99, 0, 1, 85.", n), fixAction)
			}
			d.CustomerStatus = &n
		case "timezone":
			if null {
				continue
			}
			n, err := intValue(v)
			if err != nil {
				return nil, typeError("timeZone", "an integer")
			}
			if n < -12 || n > 12 {
				e := badRequest("Invalid TimeZone: the value must be between -12 and 12.", fixAction)
				e.code = 3004
				return nil, e
			}
			d.TimeZone = &n
		case "balance":
			if null {
				continue
			}
			var f float64
			if err := json.Unmarshal(v, &f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, typeError("balance", "a number")
			}
			d.Balance = &f
		case "additionalfields":
			if null {
				continue
			}
			var m map[string]*string
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, typeError("additionalFields", "an object of string values")
			}
			d.AdditionalFields, d.hasAdditional = m, true
		case "identifierfields":
			if null {
				continue
			}
			var a []*string
			if err := json.Unmarshal(v, &a); err != nil {
				return nil, typeError("identifierFields", "an array of strings")
			}
			d.IdentifierFields, d.hasIdentifiers = a, true
		}
	}
	if e := d.str["email"]; e != nil && *e != "" {
		if a, err := mail.ParseAddress(*e); err != nil || a.Address != *e {
			return nil, badRequest(fmt.Sprintf("Invalid value for field 'email': %q is not a valid email address.", *e), fixAction)
		}
	}
	return d, nil
}

func intValue(v json.RawMessage) (int, error) {
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, fmt.Errorf("not an integer")
	}
	return int(f), nil
}

func jsonErr(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	case errors.As(err, &te):
		return "expected an object"
	}
	return "malformed JSON"
}

// value returns the request value of an identifier field name ("" = none).
func (d *CustomerData) value(field string) string {
	if s := d.str[field]; s != nil {
		return strings.TrimSpace(*s)
	}
	if v := d.AdditionalFields[field]; v != nil {
		return strings.TrimSpace(*v)
	}
	for k, v := range d.AdditionalFields {
		if strings.EqualFold(k, field) && v != nil {
			return strings.TrimSpace(*v)
		}
	}
	return ""
}

// apply copies the present members onto r (create and partial update).
func (d *CustomerData) apply(r *Record) {
	for i := range stringFields {
		f := &stringFields[i]
		if f.record == nil {
			continue
		}
		if v := d.str[f.key]; v != nil {
			s := *v
			if f.key == "phone" {
				s = normalizePhone(s)
			}
			*f.record(r) = &s
		}
	}
	if d.CustomerStatus != nil {
		r.CustomerStatus = *d.CustomerStatus
	}
	if d.Balance != nil {
		r.Balance = *d.Balance
	}
	if d.TimeZone != nil {
		r.TimeZone = *d.TimeZone
	}
	if d.hasAdditional {
		if r.AdditionalFields == nil {
			r.AdditionalFields = map[string]*string{}
		}
		for k, v := range d.AdditionalFields {
			r.AdditionalFields[k] = v
		}
	}
	if d.hasIdentifiers {
		r.IdentifierFields = d.IdentifierFields
	}
}

// normalizePhone renders US-style numbers in E.164 ((555) 555-0100 →
// +15555550100); anything else is kept as sent.
func normalizePhone(s string) string {
	var digits []byte
	plus := strings.HasPrefix(strings.TrimSpace(s), "+")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '(' || c == ')' || c == '-' || c == '.' || c == '+':
		default:
			return s
		}
	}
	switch {
	case plus && len(digits) >= 8 && len(digits) <= 15:
		return "+" + string(digits)
	case len(digits) == 10:
		return "+1" + string(digits)
	case len(digits) == 11 && digits[0] == '1':
		return "+" + string(digits)
	}
	return s
}

const maxEntryLen = 50

// readCustomerData checks the content type, reads and parses the body.
func (p *Provider) readCustomerData(w http.ResponseWriter, r *http.Request) (*CustomerData, *apiError) {
	d, _, aerr := p.readCustomerBody(w, r)
	return d, aerr
}

// readCustomerBody is readCustomerData that also returns the raw body.
func (p *Provider) readCustomerBody(w http.ResponseWriter, r *http.Request) (*CustomerData, []byte, *apiError) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == "text/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
			return nil, nil, &apiError{status: http.StatusBadRequest,
				explanation: fmt.Sprintf("Unsupported Content-Type %q.", ct), todo: "Send the body as application/json."}
		}
	}
	body, err := httpx.ReadBody(w, r, p.deps.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		return nil, nil, badRequest(fmt.Sprintf("The request body exceeds %d bytes.", p.deps.MaxBodyBytes), "Send a smaller request body.")
	}
	if err != nil {
		return nil, nil, badRequest("The request body could not be read.", "Send the request again.")
	}
	d, aerr := parseCustomerData(body)
	return d, body, aerr
}

func validEntry(entry string) *apiError {
	if entry == "" || len(entry) > maxEntryLen {
		e := badRequest("Invalid entrypoint name.", "Use the paypoint entrypoint name (at most 50 characters).")
		e.code = 3001
		return e
	}
	return nil
}
