package rapyd

import (
	"encoding/json"
	"testing"
)

// FuzzSuccessDoc holds the hand-written success envelope to the
// encoding/json one for every document and operation id.
func FuzzSuccessDoc(f *testing.F) {
	f.Add([]byte(`{"id":"cus_1","name":"Ada <L> & co","metadata":{"a": [1, 2.50]},"addresses":[]}`), "0b1c-\u2028")
	f.Add([]byte(` { "x" : "\u00e9 \/" } `), "")
	f.Add([]byte(`null`), "op")
	f.Add([]byte{}, "op")
	f.Fuzz(func(t *testing.T, doc []byte, opID string) {
		if len(doc) > 0 && !json.Valid(doc) {
			return // documents come from the store: valid JSON only
		}
		want := successBodyWith(json.RawMessage(doc), opID)
		if len(doc) == 0 {
			want = successBodyWith(json.RawMessage(nil), opID)
		}
		if got := successDoc(doc, opID); string(got) != string(want) {
			t.Fatalf("successDoc(%q, %q) =\n%s\nencoding/json:\n%s", doc, opID, got, want)
		}
	})
}

// FuzzCustomerJSON holds the hand-written customer encoding to
// encoding/json's, for any strings and any valid raw members.
func FuzzCustomerJSON(f *testing.F) {
	f.Add("cus_1", "Ada <L>", "a@b.co", "+1415", "\u2028\xff", `{"a": [1, 2.50]}`, `[]`, `null`, int64(1700000000), true)
	f.Add("", "", "", "", "", ``, ` [ {"x" : "\/"} ] `, `{}`, int64(-1), false)
	f.Fuzz(func(t *testing.T, id, name, email, phone, other, metadata, addresses, discount string, created int64, delinquent bool) {
		for _, raw := range []string{metadata, addresses, discount} {
			if raw != "" && !json.Valid([]byte(raw)) {
				return
			}
		}
		raw := func(s string) json.RawMessage {
			if s == "" {
				return nil
			}
			return json.RawMessage(s)
		}
		c := customer{ID: id, Delinquent: delinquent, Discount: raw(discount), Name: name, DefaultPaymentMethod: other,
			Description: other, Email: email, PhoneNumber: phone, InvoicePrefix: other, Addresses: raw(addresses),
			PaymentMethods: raw(discount), Subscriptions: raw(metadata), CreatedAt: created, Metadata: raw(metadata),
			BusinessVatID: name, Ewallet: email}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Fatalf("appendJSON =\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
