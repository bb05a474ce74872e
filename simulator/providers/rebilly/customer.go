package rebilly

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// doc is what the store keeps in Record.Doc: the writable members as last
// written (write-only ones included, never rendered).
type doc struct {
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
func (d *doc) apply(obj map[string]json.RawMessage) {
	for k, raw := range obj {
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		switch k {
		case "websiteId":
			d.WebsiteID = strPtr(raw)
		case "paymentToken":
			// single use: converted into a payment instrument in the real
			// system; the simulator keeps no instruments.
			d.PaymentToken = nil
		case "defaultPaymentInstrumentId":
			d.DefaultPaymentInstrumentID = strPtr(raw)
		case "preferredPayoutInstrumentId":
			d.PreferredPayoutInstrumentID = strPtr(raw)
		case "customFields":
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			d.CustomFields = m
		case "primaryAddress":
			if isNull {
				d.PrimaryAddress = nil
			} else {
				c := withHash(raw)
				d.PrimaryAddress = &c
			}
		case "locale":
			d.Locale = strPtr(raw)
		case "taxNumbers":
			if isNull {
				d.TaxNumbers = nil
			} else {
				c := taxNumbersOut(raw)
				d.TaxNumbers = &c
			}
		case "leadSource":
			c := json.RawMessage(append([]byte(nil), raw...))
			d.LeadSource = &c
		case "personId":
			d.PersonID = strPtr(raw)
		case "notificationEmails":
			d.NotificationEmails = nil
			_ = json.Unmarshal(raw, &d.NotificationEmails)
		}
	}
}

func strPtr(raw json.RawMessage) *string {
	var s *string
	_ = json.Unmarshal(raw, &s)
	return s
}

// contactKeys is the order of ContactObject members in responses.
var contactKeys = []string{"firstName", "lastName", "organization", "address", "address2", "city", "region",
	"country", "postalCode", "phoneNumbers", "emails", "dob", "jobTitle"}

// withHash renders a contact with every member present (null or [] when
// unset) and a 40-hex SHA-1 hash of its values, so identical contacts compare
// equal. Unknown and read-only members are dropped.
func withHash(raw json.RawMessage) json.RawMessage {
	var in map[string]json.RawMessage
	_ = json.Unmarshal(raw, &in)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range contactKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k) // plain ASCII names: no escaping needed
		b.WriteString(`":`)
		v, ok := in[k]
		switch {
		case ok && (k == "phoneNumbers" || k == "emails"):
			b.Write(contactItems(v))
		case ok:
			b.Write(compact(v))
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

// contactItems keeps label, value and primary (default false) of each item.
func contactItems(raw json.RawMessage) []byte {
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

// taxNumbersOut keeps the writable members and adds the read-only isValid
// (null: the simulator does not call VIES).
func taxNumbersOut(raw json.RawMessage) json.RawMessage {
	var items []struct {
		Type      string `json:"type"`
		Value     string `json:"value"`
		IsDefault bool   `json:"isDefault"`
		IsValid   *bool  `json:"isValid"`
	}
	_ = json.Unmarshal(raw, &items)
	if items == nil {
		return json.RawMessage("[]")
	}
	for i := range items {
		items[i].IsValid = nil
	}
	out, _ := json.Marshal(items)
	return out
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return []byte("null")
	}
	return b.Bytes()
}

// contactSummary is what the top-level read-only mirrors come from.
type contactSummary struct {
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
	Emails    []struct {
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
}

// mirror derives email, firstName and lastName from the primary address:
// the primary email (else the first one).
func (d *doc) mirror() (email, first, last *string) {
	if d.PrimaryAddress == nil {
		return nil, nil, nil
	}
	var c contactSummary
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
func (d *doc) toRecord(rec *store.Record) error {
	email, first, last := d.mirror()
	rec.Email, rec.FirstName, rec.LastName = deref(email), deref(first), deref(last)
	// Rebilly matches filters case-insensitively; the email column keeps the
	// lowercased value so an exact index lookup works.
	rec.Email = strings.ToLower(rec.Email)
	b, err := json.Marshal(d)
	rec.Doc = b
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

type money struct {
	Currency  string  `json:"currency"`
	Amount    float64 `json:"amount"`
	AmountUSD float64 `json:"amountUsd"`
}

// customerOut is the response body, members in the documented order.
type customerOut struct {
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
	AverageValue                money            `json:"averageValue"`
	PaymentCount                int              `json:"paymentCount"`
	LastPaymentTime             *string          `json:"lastPaymentTime"`
	LifetimeRevenue             money            `json:"lifetimeRevenue"`
	InvoiceCount                int              `json:"invoiceCount"`
	Tags                        []any            `json:"tags"`
	Revision                    int64            `json:"revision"`
	HasFulfilledKyc             bool             `json:"hasFulfilledKyc"`
	OrganizationID              string           `json:"organizationId"`
	Locale                      *string          `json:"locale"`
	TaxNumbers                  *json.RawMessage `json:"taxNumbers"`
	PersonID                    *string          `json:"personId"`
	NotificationEmails          []string         `json:"notificationEmails"`
	Links                       []link           `json:"_links"`
}

// render builds the response object of a stored record.
func (p *Provider) render(rec store.Record, selfBase string) (customerOut, error) {
	var d doc
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return customerOut{}, err
	}
	return p.renderDoc(rec, &d, selfBase), nil
}

// renderDoc is render for a doc already in hand (the one a write just
// stored: rec.Doc is its encoding, so decoding it again would give d back;
// FuzzRebillyPut checks a PUT's answer is byte-identical to the next GET's).
func (p *Provider) renderDoc(rec store.Record, d *doc, selfBase string) customerOut {
	email, first, last := d.mirror()
	out := customerOut{
		ID: rec.ID, Email: email, FirstName: first, LastName: last, WebsiteID: d.WebsiteID,
		PreferredPayoutInstrumentID: d.PreferredPayoutInstrumentID,
		CreatedTime:                 p.formatTime(rec.Created), UpdatedTime: p.formatTime(rec.Updated),
		CustomFields: d.CustomFields, PrimaryAddress: d.PrimaryAddress,
		AverageValue: money{Currency: "USD"}, LifetimeRevenue: money{Currency: "USD"},
		Tags: []any{}, Revision: rec.Revision, OrganizationID: d.OrganizationID,
		Locale: d.Locale, TaxNumbers: d.TaxNumbers, PersonID: d.PersonID, NotificationEmails: d.NotificationEmails,
		Links: []link{{Href: selfBase + "/customers/" + rec.ID, Rel: "self"}},
	}
	if out.CustomFields == nil {
		out.CustomFields = map[string]any{}
	}
	if out.NotificationEmails == nil {
		out.NotificationEmails = []string{}
	}
	return out
}

func (p *Provider) formatTime(t time.Time) string { return t.UTC().Format(p.timeFmt) }
