package rapyd

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

// customer is the stored document and the response object; members in the
// order real Rapyd responses carry them.
type customer struct {
	ID                   string          `json:"id"`
	Delinquent           bool            `json:"delinquent"`
	Discount             json.RawMessage `json:"discount"`
	Name                 string          `json:"name"`
	DefaultPaymentMethod string          `json:"default_payment_method"`
	Description          string          `json:"description"`
	Email                string          `json:"email"`
	PhoneNumber          string          `json:"phone_number"`
	InvoicePrefix        string          `json:"invoice_prefix"`
	Addresses            json.RawMessage `json:"addresses"`
	PaymentMethods       json.RawMessage `json:"payment_methods"`
	Subscriptions        json.RawMessage `json:"subscriptions"`
	CreatedAt            int64           `json:"created_at"`
	Metadata             json.RawMessage `json:"metadata"`
	BusinessVatID        string          `json:"business_vat_id"`
	Ewallet              string          `json:"ewallet"`
}

// appendJSON appends c as encoding/json.Marshal encodes it, without
// reflection (FuzzCustomerJSON). The raw members are valid JSON: constants,
// validated request members, or a stored document's.
func (c *customer) appendJSON(b []byte) []byte {
	str := func(b []byte, name, v string) []byte {
		return jsonx.AppendString(append(b, name...), v)
	}
	b = str(b, `{"id":`, c.ID)
	b = append(b, `,"delinquent":`...)
	b = strconv.AppendBool(b, c.Delinquent)
	b = jsonx.AppendCanonical(append(b, `,"discount":`...), c.Discount)
	b = str(b, `,"name":`, c.Name)
	b = str(b, `,"default_payment_method":`, c.DefaultPaymentMethod)
	b = str(b, `,"description":`, c.Description)
	b = str(b, `,"email":`, c.Email)
	b = str(b, `,"phone_number":`, c.PhoneNumber)
	b = str(b, `,"invoice_prefix":`, c.InvoicePrefix)
	b = jsonx.AppendCanonical(append(b, `,"addresses":`...), c.Addresses)
	b = jsonx.AppendCanonical(append(b, `,"payment_methods":`...), c.PaymentMethods)
	b = jsonx.AppendCanonical(append(b, `,"subscriptions":`...), c.Subscriptions)
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, c.CreatedAt, 10)
	b = jsonx.AppendCanonical(append(b, `,"metadata":`...), c.Metadata)
	b = str(b, `,"business_vat_id":`, c.BusinessVatID)
	b = str(b, `,"ewallet":`, c.Ewallet)
	return append(b, '}')
}

func newCustomer(createdAt int64) customer {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return customer{
		ID: "cus_" + hex.EncodeToString(b[:]), Discount: json.RawMessage("null"), Addresses: json.RawMessage("[]"),
		PaymentMethods: json.RawMessage("null"), Subscriptions: json.RawMessage("null"),
		Metadata: json.RawMessage("{}"), CreatedAt: createdAt,
	}
}

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

func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
