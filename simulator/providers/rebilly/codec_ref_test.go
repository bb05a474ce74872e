package rebilly

// The reflective encoding/json implementation of the customer document that
// the hand-written codec in codec.go replaced, kept as the reference
// FuzzCodecMatchesReference holds the codec to, byte for byte. Its
// contact-item and tax-number encodings are the production fallbacks
// (contactItemsJSON, taxNumbersJSON), which are that code unchanged.

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// refDoc is what the store keeps in Record.Doc: the writable members as last
// written (write-only ones included, never rendered).
type refDoc struct {
	WebsiteID                   *string          `json:"websiteId,omitempty"`
	PaymentToken                *string          `json:"paymentToken,omitempty"`
	DefaultPaymentInstrumentID  *string          `json:"defaultPaymentInstrumentId,omitempty"`
	PreferredPayoutInstrumentID *string          `json:"preferredPayoutInstrumentId"`
	CustomFields                map[string]any   `json:"customFields"`
	PrimaryAddress              *json.RawMessage `json:"primaryAddress"`
	Locale                      *string          `json:"locale"`
	TaxNumbers                  *json.RawMessage `json:"taxNumbers"`
	LeadSource                  *json.RawMessage `json:"leadSource,omitempty"`
	PersonID                    *string          `json:"personId"`
	NotificationEmails          []string         `json:"notificationEmails"`
	OrganizationID              string           `json:"organizationId"`
}

// apply copies the writable members present in obj onto d (PUT merges:
// members the request omits keep their values; an explicit null clears).
func (d *refDoc) refApply(obj map[string]json.RawMessage) {
	for k, raw := range obj {
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		switch k {
		case "websiteId":
			d.WebsiteID = refStrPtr(raw)
		case "paymentToken":
			// single use: converted into a payment instrument in the real
			// system; the simulator keeps no instruments.
			d.PaymentToken = nil
		case "defaultPaymentInstrumentId":
			d.DefaultPaymentInstrumentID = refStrPtr(raw)
		case "preferredPayoutInstrumentId":
			d.PreferredPayoutInstrumentID = refStrPtr(raw)
		case "customFields":
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			d.CustomFields = m
		case "primaryAddress":
			if isNull {
				d.PrimaryAddress = nil
			} else {
				c := refWithHash(raw)
				d.PrimaryAddress = &c
			}
		case "locale":
			d.Locale = refStrPtr(raw)
		case "taxNumbers":
			if isNull {
				d.TaxNumbers = nil
			} else {
				c := json.RawMessage(taxNumbersJSON(raw))
				d.TaxNumbers = &c
			}
		case "leadSource":
			c := json.RawMessage(append([]byte(nil), raw...))
			d.LeadSource = &c
		case "personId":
			d.PersonID = refStrPtr(raw)
		case "notificationEmails":
			d.NotificationEmails = nil
			_ = json.Unmarshal(raw, &d.NotificationEmails)
		}
	}
}

func refStrPtr(raw json.RawMessage) *string {
	var s *string
	_ = json.Unmarshal(raw, &s)
	return s
}

// refContactKeys is the order of ContactObject members in responses.
var refContactKeys = []string{"firstName", "lastName", "organization", "address", "address2", "city", "region",
	"country", "postalCode", "phoneNumbers", "emails", "dob", "jobTitle"}

// refWithHash renders a contact with every member present (null or [] when
// unset) and a 40-hex SHA-1 hash of its values, so identical contacts compare
// equal. Unknown and read-only members are dropped.
func refWithHash(raw json.RawMessage) json.RawMessage {
	var in map[string]json.RawMessage
	_ = json.Unmarshal(raw, &in)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range refContactKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k) // plain ASCII names: no escaping needed
		b.WriteString(`":`)
		v, ok := in[k]
		switch {
		case ok && (k == "phoneNumbers" || k == "emails"):
			b.Write(contactItemsJSON(v))
		case ok:
			b.Write(refCompact(v))
		case k == "phoneNumbers" || k == "emails":
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

func refCompact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return []byte("null")
	}
	return b.Bytes()
}

// refContactSummary is what the top-level read-only mirrors come from.
type refContactSummary struct {
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Emails    []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
}

// mirror derives email, firstName and lastName from the primary address:
// the primary email (else the first one).
func (d *refDoc) refMirror() (email, first, last *string) {
	if d.PrimaryAddress == nil {
		return nil, nil, nil
	}
	var c refContactSummary
	_ = json.Unmarshal(*d.PrimaryAddress, &c)
	for i := range c.Emails {
		if c.Emails[i].Primary {
			email = &c.Emails[i].Value
			break
		}
	}
	if email == nil && len(c.Emails) > 0 {
		email = &c.Emails[0].Value
	}
	return email, c.FirstName, c.LastName
}

// toRecord fills the indexed columns from the document.
func (d *refDoc) refToRecord(rec *store.Record) error {
	email, first, last := d.refMirror()
	rec.Email, rec.FirstName, rec.LastName = refDeref(email), refDeref(first), refDeref(last)
	// Rebilly matches filters case-insensitively; the email column keeps the
	// lowercased value so an exact index lookup works.
	rec.Email = strings.ToLower(rec.Email)
	b, err := json.Marshal(d)
	rec.Doc = b
	return err
}

func refDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type refLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

type refMoney struct {
	Currency  string  `json:"currency"`
	Amount    float64 `json:"amount"`
	AmountUSD float64 `json:"amountUsd"`
}

// refCustomerOut is the response body, members in the documented order.
type refCustomerOut struct {
	ID                          string           `json:"id"`
	Email                       *string          `json:"email"`
	FirstName                   *string          `json:"firstName"`
	LastName                    *string          `json:"lastName"`
	WebsiteID                   *string          `json:"websiteId,omitempty"`
	DefaultPaymentInstrument    *json.RawMessage `json:"defaultPaymentInstrument"`
	PreferredPayoutInstrumentID *string          `json:"preferredPayoutInstrumentId"`
	CreatedTime                 string           `json:"createdTime"`
	UpdatedTime                 string           `json:"updatedTime"`
	CustomFields                map[string]any   `json:"customFields"`
	PrimaryAddress              *json.RawMessage `json:"primaryAddress"`
	Company                     *json.RawMessage `json:"company"`
	AverageValue                refMoney         `json:"averageValue"`
	PaymentCount                int              `json:"paymentCount"`
	LastPaymentTime             *string          `json:"lastPaymentTime"`
	LifetimeRevenue             refMoney         `json:"lifetimeRevenue"`
	InvoiceCount                int              `json:"invoiceCount"`
	Tags                        []any            `json:"tags"`
	Revision                    int64            `json:"revision"`
	HasFulfilledKyc             bool             `json:"hasFulfilledKyc"`
	OrganizationID              string           `json:"organizationId"`
	Locale                      *string          `json:"locale"`
	TaxNumbers                  *json.RawMessage `json:"taxNumbers"`
	PersonID                    *string          `json:"personId"`
	NotificationEmails          []string         `json:"notificationEmails"`
	Links                       []refLink        `json:"_links"`
}

// render builds the response object of a stored record.
func (p *Provider) refRender(rec store.Record, selfBase string) (refCustomerOut, error) {
	var d refDoc
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return refCustomerOut{}, err
	}
	return p.refRenderDoc(rec, &d, selfBase), nil
}

// renderDoc is render for a refDoc already in hand (the one a write just
// stored: rec.Doc is its encoding, so decoding it again would give d back;
// FuzzRebillyPut checks a PUT's answer is byte-identical to the next GET's).
func (p *Provider) refRenderDoc(rec store.Record, d *refDoc, selfBase string) refCustomerOut {
	email, first, last := d.refMirror()
	out := refCustomerOut{
		ID: rec.ID, Email: email, FirstName: first, LastName: last, WebsiteID: d.WebsiteID,
		PreferredPayoutInstrumentID: d.PreferredPayoutInstrumentID,
		CreatedTime:                 p.formatTime(rec.Created), UpdatedTime: p.formatTime(rec.Updated),
		CustomFields: d.CustomFields, PrimaryAddress: d.PrimaryAddress,
		AverageValue: refMoney{Currency: "USD"}, LifetimeRevenue: refMoney{Currency: "USD"},
		Tags: []any{}, Revision: rec.Revision, OrganizationID: d.OrganizationID,
		Locale: d.Locale, TaxNumbers: d.TaxNumbers, PersonID: d.PersonID, NotificationEmails: d.NotificationEmails,
		Links: []refLink{{Href: selfBase + "/customers/" + rec.ID, Rel: "self"}},
	}
	if out.CustomFields == nil {
		out.CustomFields = map[string]any{}
	}
	if out.NotificationEmails == nil {
		out.NotificationEmails = []string{}
	}
	return out
}
