package rebilly

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/paysandbox/paysandbox/simulator/jsonx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// doc is what the store keeps in Record.Doc: the writable members as last
// written (write-only ones included, never rendered). Each member is held as
// its canonical JSON fragment — the bytes encoding/json.Marshal writes for
// it — so storing and answering are concatenation, not reflection; nil means
// null (or absent, for the members the encoding omits when unset).
// FuzzCodecMatchesReference holds every byte to the reflective encoding the
// codec replaced (codec_ref_test.go).
type doc struct {
	websiteID                   []byte // string; omitted when nil
	defaultPaymentInstrumentID  []byte // string; omitted when nil
	preferredPayoutInstrumentID []byte // string
	customFields                []byte // object
	primaryAddress              []byte // contact object with its hash
	locale                      []byte // string
	taxNumbers                  []byte // array
	leadSource                  []byte // object; omitted when nil
	personID                    []byte // string
	notificationEmails          []byte // array of strings
	organizationID              string
}

// errDoc reports a stored document the codec cannot read.
var errDoc = errors.New("rebilly: stored customer document is not a JSON object")

// appendTo appends the stored encoding of d.
func (d *doc) appendTo(b []byte) []byte {
	b = append(b, '{')
	if d.websiteID != nil {
		b = append(append(b, `"websiteId":`...), d.websiteID...)
		b = append(b, ',')
	}
	if d.defaultPaymentInstrumentID != nil {
		b = append(append(b, `"defaultPaymentInstrumentId":`...), d.defaultPaymentInstrumentID...)
		b = append(b, ',')
	}
	b = appendMember(b, `"preferredPayoutInstrumentId":`, d.preferredPayoutInstrumentID, "null")
	b = appendMember(b, `,"customFields":`, d.customFields, "null")
	b = appendMember(b, `,"primaryAddress":`, d.primaryAddress, "null")
	b = appendMember(b, `,"locale":`, d.locale, "null")
	b = appendMember(b, `,"taxNumbers":`, d.taxNumbers, "null")
	if d.leadSource != nil {
		b = append(append(b, `,"leadSource":`...), d.leadSource...)
	}
	b = appendMember(b, `,"personId":`, d.personID, "null")
	b = appendMember(b, `,"notificationEmails":`, d.notificationEmails, "null")
	b = append(b, `,"organizationId":`...)
	b = jsonx.AppendString(b, d.organizationID)
	return append(b, '}')
}

func appendMember(b []byte, name string, frag []byte, unset string) []byte {
	b = append(b, name...)
	if frag == nil {
		return append(b, unset...)
	}
	return append(b, frag...)
}

// decodeDoc reads a stored document. The fragments alias b. The store
// holds valid JSON only (store.ErrInvalidDoc), so b is not checked again.
func decodeDoc(b []byte) (doc, error) {
	var d doc
	frag := func(v []byte) []byte {
		if jsonx.Kind(v) == 'n' {
			return nil
		}
		return v
	}
	if !jsonx.Object(b, func(k, v []byte) bool {
		switch string(k) {
		case "websiteId":
			d.websiteID = frag(v)
		case "defaultPaymentInstrumentId":
			d.defaultPaymentInstrumentID = frag(v)
		case "preferredPayoutInstrumentId":
			d.preferredPayoutInstrumentID = frag(v)
		case "customFields":
			d.customFields = frag(v)
		case "primaryAddress":
			d.primaryAddress = frag(v)
		case "locale":
			d.locale = frag(v)
		case "taxNumbers":
			d.taxNumbers = frag(v)
		case "leadSource":
			d.leadSource = frag(v)
		case "personId":
			d.personID = frag(v)
		case "notificationEmails":
			d.notificationEmails = frag(v)
		case "organizationId":
			d.organizationID = jsonx.Unquote(v)
		}
		return true
	}) {
		return doc{}, errDoc
	}
	return d, nil
}

// apply copies the writable members present in obj (a validated request
// body) onto d. PUT merges: members the request omits keep their values; an
// explicit null clears.
func (d *doc) apply(obj map[string]json.RawMessage) {
	for k, raw := range obj {
		isNull := jsonx.Kind(raw) == 'n'
		switch k {
		case "websiteId":
			d.websiteID = strFrag(raw)
		case "paymentToken":
			// single use: converted into a payment instrument in the real
			// system; the simulator keeps no instruments and stores nothing.
		case "defaultPaymentInstrumentId":
			d.defaultPaymentInstrumentID = strFrag(raw)
		case "preferredPayoutInstrumentId":
			d.preferredPayoutInstrumentID = strFrag(raw)
		case "customFields":
			d.customFields = customFieldsFrag(raw)
		case "primaryAddress":
			if isNull {
				d.primaryAddress = nil
			} else {
				d.primaryAddress = jsonx.AppendCanonical(nil, withHash(raw))
			}
		case "locale":
			d.locale = strFrag(raw)
		case "taxNumbers":
			if isNull {
				d.taxNumbers = nil
			} else {
				d.taxNumbers = taxNumbersOut(raw)
			}
		case "leadSource":
			d.leadSource = jsonx.AppendCanonical(nil, raw)
		case "personId":
			d.personID = strFrag(raw)
		case "notificationEmails":
			d.notificationEmails = stringsFrag(raw)
		}
	}
}

// strFrag is a string member's fragment (nil for null or another type).
func strFrag(raw []byte) []byte {
	if jsonx.Kind(raw) != '"' {
		return nil
	}
	return jsonx.AppendString(nil, jsonx.Unquote(raw))
}

// customFieldsFrag re-encodes an object as encoding/json does a decoded
// map[string]any: keys sorted, numbers as float64.
func customFieldsFrag(raw []byte) []byte {
	if t := jsonx.Trim(raw); len(t) == 2 && t[0] == '{' {
		return []byte("{}")
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

// stringsFrag re-encodes an array of strings (nil for anything else).
func stringsFrag(raw []byte) []byte {
	if jsonx.Kind(raw) != '[' {
		return nil
	}
	b := []byte{'['}
	ok := true
	jsonx.Array(raw, func(i int, v []byte) bool {
		if jsonx.Kind(v) != '"' {
			ok = false
			return false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonx.AppendString(b, jsonx.Unquote(v))
		return true
	})
	if !ok {
		var s []string
		_ = json.Unmarshal(raw, &s)
		out, _ := json.Marshal(s)
		return out
	}
	return append(b, ']')
}

// contactKeys is the order of ContactObject members in responses.
var contactKeys = [...]string{"firstName", "lastName", "organization", "address", "address2", "city", "region",
	"country", "postalCode", "phoneNumbers", "emails", "dob", "jobTitle"}

const (
	contactPhoneNumbers = 9
	contactEmails       = 10
)

// withHash renders a contact with every member present (null or [] when
// unset) and a 40-hex SHA-1 hash of its values, so identical contacts compare
// equal. Unknown and read-only members are dropped.
func withHash(raw []byte) []byte {
	var vals [len(contactKeys)][]byte
	jsonx.Object(raw, func(k, v []byte) bool {
		name := jsonx.KeyBytes(k)
		for i, c := range contactKeys {
			if c == string(name) {
				vals[i] = v
				break
			}
		}
		return true
	})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range contactKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k) // plain ASCII names: no escaping needed
		b.WriteString(`":`)
		v := vals[i]
		isList := i == contactPhoneNumbers || i == contactEmails
		switch {
		case v != nil && isList:
			b.Write(contactItems(v))
		case v != nil:
			if k := jsonx.Kind(v); k != '{' && k != '[' {
				b.Write(v) // a scalar Object passes is already compact
			} else if json.Compact(&b, v) != nil {
				b.WriteString("null")
			}
		case isList:
			b.WriteString("[]")
		default:
			b.WriteString("null")
		}
	}
	sum := sha1.Sum(b.Bytes()[1:])
	b.WriteString(`,"hash":"`)
	b.WriteString(hex.EncodeToString(sum[:]))
	b.WriteString(`"}`)
	return b.Bytes()
}

// itemFields reads the members of an array of flat objects into fields
// (exact names; each must have the JSON kind given, '"' string or 'b'
// boolean) and calls each for every item. It answers false — leave the
// array to encoding/json — for anything else encoding/json would read
// differently: a non-array, a non-object item, a wrong kind, or a member
// whose name matches a field's only case-insensitively.
func itemFields(raw []byte, names []string, kinds string, each func(vals [][]byte)) bool {
	if jsonx.Kind(raw) != '[' {
		return false
	}
	ok := true
	vals := make([][]byte, len(names))
	jsonx.Array(raw, func(_ int, item []byte) bool {
		clear(vals)
		if !jsonx.Object(item, func(k, v []byte) bool {
			name := jsonx.KeyBytes(k)
			for i, n := range names {
				if string(name) == n {
					kind := jsonx.Kind(v)
					if kinds[i] == 'b' && (kind == 't' || kind == 'f') || kinds[i] == kind {
						vals[i] = v
						return true
					}
					ok = false
					return false
				}
				if strings.EqualFold(string(name), n) {
					ok = false
					return false
				}
			}
			return true
		}) {
			ok = false
		}
		if ok {
			each(vals)
		}
		return ok
	})
	return ok
}

var contactItemNames = []string{"label", "value", "primary"}

// contactItems keeps label, value and primary (default false) of each item.
func contactItems(raw []byte) []byte {
	b := []byte{'['}
	n := 0
	if itemFields(raw, contactItemNames, `""b`, func(v [][]byte) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"label":`...)
		b = jsonx.AppendString(b, jsonx.Unquote(v[0]))
		b = append(b, `,"value":`...)
		b = jsonx.AppendString(b, jsonx.Unquote(v[1]))
		b = append(b, `,"primary":`...)
		b = strconv.AppendBool(b, jsonx.Kind(v[2]) == 't')
		b = append(b, '}')
	}) {
		return append(b, ']')
	}
	return contactItemsJSON(raw)
}

// contactItemsJSON is contactItems through encoding/json: the answer for
// anything itemFields leaves to it, and the reference the fast path is
// fuzzed against (FuzzCodecMatchesReference).
func contactItemsJSON(raw []byte) []byte {
	var items []struct {
		Label   string `json:"label"`
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	}
	_ = json.Unmarshal(raw, &items)
	if items == nil {
		return []byte("[]")
	}
	out, _ := json.Marshal(items)
	return out
}

// taxNumberNames are the members taxNumbersOut reads; isValid is read-only
// and always rendered null, so its value (of any kind, under any case of its
// name) is never read.
var taxNumberNames = []string{"type", "value", "isDefault"}

// taxNumbersOut keeps the writable members and adds the read-only isValid
// (null: the simulator does not call VIES).
func taxNumbersOut(raw []byte) []byte {
	b := []byte{'['}
	n := 0
	fast := itemFields(raw, taxNumberNames, `""b`, func(v [][]byte) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"type":`...)
		b = jsonx.AppendString(b, jsonx.Unquote(v[0]))
		b = append(b, `,"value":`...)
		b = jsonx.AppendString(b, jsonx.Unquote(v[1]))
		b = append(b, `,"isDefault":`...)
		b = strconv.AppendBool(b, jsonx.Kind(v[2]) == 't')
		b = append(b, `,"isValid":null}`...)
	})
	if fast {
		return append(b, ']')
	}
	return taxNumbersJSON(raw)
}

// taxNumbersJSON is taxNumbersOut through encoding/json (see
// contactItemsJSON).
func taxNumbersJSON(raw []byte) []byte {
	var items []struct {
		Type      string `json:"type"`
		Value     string `json:"value"`
		IsDefault bool   `json:"isDefault"`
		IsValid   *bool  `json:"isValid"`
	}
	_ = json.Unmarshal(raw, &items)
	if items == nil {
		return []byte("[]")
	}
	for i := range items {
		items[i].IsValid = nil
	}
	out, _ := json.Marshal(items)
	return out
}

// mirrors are the top-level read-only members derived from the primary
// address: its primary email (else the first one), first and last name.
type mirrors struct {
	email, first, last          string
	hasEmail, hasFirst, hasLast bool
}

func (d *doc) mirror() mirrors {
	var m mirrors
	if d.primaryAddress == nil {
		return m
	}
	jsonx.Object(d.primaryAddress, func(k, v []byte) bool {
		switch string(k) {
		case "firstName":
			if jsonx.Kind(v) == '"' {
				m.first, m.hasFirst = jsonx.Unquote(v), true
			}
		case "lastName":
			if jsonx.Kind(v) == '"' {
				m.last, m.hasLast = jsonx.Unquote(v), true
			}
		case "emails":
			var first []byte
			jsonx.Array(v, func(i int, item []byte) bool {
				var value []byte
				primary := false
				jsonx.Object(item, func(k, v []byte) bool {
					switch string(k) {
					case "value":
						value = v
					case "primary":
						primary = jsonx.Kind(v) == 't'
					}
					return true
				})
				if i == 0 {
					first = value
				}
				if primary {
					first = value
					return false
				}
				return true
			})
			if first != nil {
				m.email, m.hasEmail = jsonx.Unquote(first), true
			}
		}
		return true
	})
	return m
}

// toRecord fills the indexed columns and the stored document from d.
func (d *doc) toRecord(rec *store.Record, m mirrors) {
	// Rebilly matches filters case-insensitively; the email column keeps the
	// lowercased value so an exact index lookup works.
	rec.Email, rec.FirstName, rec.LastName = strings.ToLower(m.email), m.first, m.last
	rec.Doc = d.appendTo(make([]byte, 0, 512))
}

const zeroMoney = `{"currency":"USD","amount":0,"amountUsd":0}`

// appendCustomer appends the response body of a stored record, members in
// the documented order.
func (p *Provider) appendCustomer(b []byte, rec *store.Record, d *doc, m mirrors, selfBase string) []byte {
	optStr := func(b []byte, name string, has bool, s string) []byte {
		b = append(b, name...)
		if !has {
			return append(b, "null"...)
		}
		return jsonx.AppendString(b, s)
	}
	b = append(b, `{"id":`...)
	b = jsonx.AppendString(b, rec.ID)
	b = optStr(b, `,"email":`, m.hasEmail, m.email)
	b = optStr(b, `,"firstName":`, m.hasFirst, m.first)
	b = optStr(b, `,"lastName":`, m.hasLast, m.last)
	if d.websiteID != nil {
		b = append(append(b, `,"websiteId":`...), d.websiteID...)
	}
	b = append(b, `,"defaultPaymentInstrument":null`...)
	b = appendMember(b, `,"preferredPayoutInstrumentId":`, d.preferredPayoutInstrumentID, "null")
	b = append(b, `,"createdTime":`...)
	b = jsonx.AppendString(b, p.formatTime(rec.Created))
	b = append(b, `,"updatedTime":`...)
	b = jsonx.AppendString(b, p.formatTime(rec.Updated))
	b = appendMember(b, `,"customFields":`, d.customFields, "{}")
	b = appendMember(b, `,"primaryAddress":`, d.primaryAddress, "null")
	b = append(b, `,"company":null,"averageValue":`+zeroMoney+`,"paymentCount":0,"lastPaymentTime":null,"lifetimeRevenue":`+
		zeroMoney+`,"invoiceCount":0,"tags":[],"revision":`...)
	b = strconv.AppendInt(b, rec.Revision, 10)
	b = append(b, `,"hasFulfilledKyc":false,"organizationId":`...)
	b = jsonx.AppendString(b, d.organizationID)
	b = appendMember(b, `,"locale":`, d.locale, "null")
	b = appendMember(b, `,"taxNumbers":`, d.taxNumbers, "null")
	b = appendMember(b, `,"personId":`, d.personID, "null")
	b = appendMember(b, `,"notificationEmails":`, d.notificationEmails, "[]")
	b = append(b, `,"_links":[{"href":`...)
	b = jsonx.AppendString(b, selfBase+"/customers/"+rec.ID)
	return append(b, `,"rel":"self"}]}`...)
}

// render is the response body of a stored record.
func (p *Provider) render(rec *store.Record, selfBase string) ([]byte, error) {
	d, err := decodeDoc(rec.Doc)
	if err != nil {
		return nil, err
	}
	return p.appendCustomer(make([]byte, 0, 1024), rec, &d, d.mirror(), selfBase), nil
}

func (p *Provider) formatTime(t time.Time) string { return t.UTC().Format(p.timeFmt) }
