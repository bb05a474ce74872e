package rapyd

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"regexp"
	"unicode/utf8"

	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

var rePhone = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// fieldError is a validation failure with Rapyd's code and message.
type fieldError struct{ code, msg string }

// apply validates a create or update body and copies its members onto c.
// Unknown members are ignored; an empty string clears a string member.
func (c *customer) apply(body []byte, create bool) *fieldError {
	dataMissing := &fieldError{codeDataMissing, msgDataMissing}
	var in map[string]json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		in = map[string]json.RawMessage{}
	} else if trimmed[0] != '{' || !utf8.Valid(trimmed) || !jsonx.Valid(trimmed) {
		// what encoding/json would refuse to decode into a map (or
		// decode as a nil map, for null)
		return dataMissing
	} else {
		in = jsonx.Members(trimmed)
	}
	str := func(k string, dst *string, bad *fieldError) *fieldError {
		raw, ok := in[k]
		if !ok {
			return nil
		}
		switch jsonx.Kind(raw) {
		case '"':
			*dst = jsonx.Unquote(raw)
		case 'n': // encoding/json leaves a string unchanged for null
			*dst = ""
		default:
			return bad
		}
		return nil
	}
	if create {
		if _, ok := in["name"]; !ok {
			return &fieldError{codeInvalidName, msgInvalidName}
		}
	}
	// Work on a copy so a rejected request changes nothing.
	next := *c
	checks := []struct {
		key string
		dst *string
		bad *fieldError
	}{
		{"name", &next.Name, &fieldError{codeInvalidName, msgInvalidName}},
		{"email", &next.Email, &fieldError{codeInvalidEmail, msgInvalidEmail}},
		{"phone_number", &next.PhoneNumber, &fieldError{codeInvalidPhone, msgInvalidPhone}},
		{"description", &next.Description, dataMissing},
		{"invoice_prefix", &next.InvoicePrefix, dataMissing},
		{"business_vat_id", &next.BusinessVatID, dataMissing},
		{"ewallet", &next.Ewallet, dataMissing},
		{"default_payment_method", &next.DefaultPaymentMethod, dataMissing},
	}
	for _, ch := range checks {
		if err := str(ch.key, ch.dst, ch.bad); err != nil {
			return err
		}
	}
	if next.Name == "" && create {
		return &fieldError{codeInvalidName, msgInvalidName}
	}
	if next.Email != "" {
		if a, err := mail.ParseAddress(next.Email); err != nil || a.Address != next.Email || len(next.Email) > 512 {
			return &fieldError{codeInvalidEmail, msgInvalidEmail}
		}
	}
	if next.PhoneNumber != "" && !rePhone.MatchString(next.PhoneNumber) {
		return &fieldError{codeInvalidPhone, msgInvalidPhone}
	}
	if raw, ok := in["metadata"]; ok {
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			return dataMissing
		}
		if m == nil {
			next.Metadata = json.RawMessage("{}")
		} else {
			next.Metadata = compactJSON(raw)
		}
	}
	if raw, ok := in["addresses"]; ok {
		var a []map[string]any
		if json.Unmarshal(raw, &a) != nil {
			return dataMissing
		}
		if a == nil {
			next.Addresses = json.RawMessage("[]")
		} else {
			next.Addresses = compactJSON(raw)
		}
	}
	*c = next
	return nil
}
