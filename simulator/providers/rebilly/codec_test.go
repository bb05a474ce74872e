package rebilly

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/store"
)

var codecSeeds = []string{
	`{}`,
	`{"websiteId":"w<1>","locale":"en-US","personId":null,"preferredPayoutInstrumentId":"p&1","defaultPaymentInstrumentId":"d"}`,
	`{"primaryAddress":{"firstName":"Ada \u00e9 \/","lastName":"Lovelace","city":"London","country":"GB","postalCode":"N1 9GU",` +
		`"dob":"1815-12-10","organization":null,"hash":"x","extra":[1],` +
		`"emails":[{"label":"work","value":"a@b.co"},{"label":"home","value":"c@d.co","primary":true}],` +
		`"phoneNumbers":[{"label":"m","value":"+1 <555>","primary":false}]}}`,
	`{"primaryAddress":{"emails":[{"label":"x","value":"e@f.gh","Primary":true}],"phoneNumbers":[{"LABEL":"y","label":"z","value":"1"}]}}`,
	`{"primaryAddress":{"first\u004eame":"Esc","emails":[]}}`,
	`{"primaryAddress":null,"taxNumbers":null,"customFields":{}}`,
	`{"customFields":{"b":[1.50,2e3,{"z":true}],"a":"<x>","c":12345678901234567890,"d":1e400}}`,
	`{"taxNumbers":[{"type":"eu-vat","value":"DE123","isDefault":true,"isValid":"no"},{"type":"other","value":"x","ISVALID":1}]}`,
	`{"taxNumbers":[{"type":"other","value":"x","TYPE":"eu-vat"}]}`,
	`{"leadSource":{"source":"a < b","medium":null, "referrer" : "https://x\u2028"},"notificationEmails":["a@b.co","c@d.co"]}`,
	`{"notificationEmails":[],"paymentToken":"tok","id":"ignored","email":"read@only.co","tags":[]}`,
	` {"locale":"fr","personId":"\ud83d\ude00"} `,
	`{"a":1,"a":2}`, `[`, `null`, `{"x":1} x`, `{"x":1}}`, "",
}

// FuzzCodecMatchesReference holds the hand-written customer codec to the
// reflective encoding/json implementation it replaced (codec_ref_test.go): for a
// body applied to a new customer and then a second body applied on top (a
// PUT's merge), the validation errors, the indexed columns, the stored
// document and the rendered response must all be byte-identical.
func FuzzCodecMatchesReference(f *testing.F) {
	for _, a := range codecSeeds {
		f.Add([]byte(a), []byte(codecSeeds[2]))
		f.Add([]byte(codecSeeds[2]), []byte(a))
	}
	p := &Provider{timeFmt: "2006-01-02T15:04:05Z07:00"}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		rec := store.Record{Tenant: "t", ID: "cus-1", Created: now, Updated: now, Revision: 1}
		ref := rec
		var d doc
		var rd refDoc
		for i, body := range [][]byte{first, second} {
			obj, errs := decodeBody(body)
			if slowObj, slowErrs := decodeBodySlow(bytes.TrimSpace(body)); !reflect.DeepEqual(errs, slowErrs) ||
				(errs == nil && !reflect.DeepEqual(obj, slowObj)) {
				t.Fatalf("decodeBody(%q) = %v %v; through the Decoder: %v %v", body, obj, errs, slowObj, slowErrs)
			}
			if errs == nil {
				errs = validateCustomer(obj)
			}
			if errs != nil {
				return
			}
			if i > 0 {
				var err error
				if d, err = decodeDoc(rec.Doc); err != nil {
					t.Fatal(err)
				}
				rd = refDoc{}
				if err := json.Unmarshal(ref.Doc, &rd); err != nil {
					t.Fatal(err)
				}
				rec.Revision++
				ref.Revision++
			}
			d.organizationID, rd.OrganizationID = "org<1>", "org<1>"
			d.apply(obj)
			rd.refApply(obj)
			d.toRecord(&rec, d.mirror())
			if err := rd.refToRecord(&ref); err != nil {
				t.Fatal(err)
			}
			if string(rec.Doc) != string(ref.Doc) {
				t.Fatalf("body %d %q stored\n%s\nreference\n%s", i, body, rec.Doc, ref.Doc)
			}
			if rec.Email != ref.Email || rec.FirstName != ref.FirstName || rec.LastName != ref.LastName {
				t.Fatalf("body %d %q columns %q %q %q, reference %q %q %q", i, body,
					rec.Email, rec.FirstName, rec.LastName, ref.Email, ref.FirstName, ref.LastName)
			}
			want, _ := json.Marshal(p.refRenderDoc(ref, &rd, "http://h"))
			if got := p.appendCustomer(nil, &rec, &d, d.mirror(), "http://h"); string(got) != string(want) {
				t.Fatalf("body %d %q rendered\n%s\nreference\n%s", i, body, got, want)
			}
			if got, err := p.render(&rec, "http://h"); err != nil || string(got) != string(want) {
				t.Fatalf("body %d %q rendered from the store\n%s (%v)\nreference\n%s", i, body, got, err, want)
			}
		}
	})
}

func TestDecodeDocRefusesNonObjects(t *testing.T) {
	for _, b := range []string{``, `[]`, `null`, `"x"`} {
		if _, err := decodeDoc([]byte(b)); err == nil {
			t.Errorf("decodeDoc(%q) accepted", b)
		}
	}
}
