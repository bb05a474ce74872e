package journal

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzMask: masking never panics; a body that was valid JSON stays valid
// JSON and every card-security-code member in it holds "***"; no card-like
// digit run survives (checkNoCard), in a body or a query string, cut or
// not; a cut value masked again (Fit) keeps that guarantee.
//
//	go test -run '^$' -fuzz FuzzMask -fuzztime 60s ./simulator/journal/
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		benchRapydBody, benchRebillyBody, benchCardBody,
		`{"number":4111111111111111,"cvv":123}`, `[4111111111111111.4111111111111111e4111111111111111]`,
		`number=4111+1111+1111+1111&card[cvc]=123`, `n=4111%201111%201111%201111&card%5Bcvv%5D=1`,
		`{"t":"12 4111 1111 1111 1111 5500 0000 0000 0004"}`, `{"cvv":{"a":["}",1]},"x":"\"cvv\":1"}`,
		`{"\u0063vc":"1","security_code":null}`, `{"a":"4111111111111111`, "%%204111%2D1111 1111-1111",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, truncated bool) {
		out := MaskBody(in, truncated)
		if err := checkNoCard(out, truncated); err != nil {
			t.Fatalf("body %q: %v", in, err)
		}
		if json.Valid([]byte(in)) {
			if !json.Valid([]byte(out)) {
				t.Fatalf("valid JSON %q became %q", in, out)
			}
			var v any
			d := json.NewDecoder(strings.NewReader(out))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatal(err)
			}
			checkCVVMembers(t, v, out)
		}
		q := MaskQuery(in, truncated)
		if err := checkNoCard(q, truncated); err != nil {
			t.Fatalf("query %q: %v", in, err)
		}
		for _, c := range []int{len(out) / 2, len(out) - 1} {
			if c >= 0 {
				if err := checkNoCard(mask(out[:c], true, modeDigits), true); err != nil {
					t.Fatalf("cut %q: %v", out[:c], err)
				}
			}
		}
	})
}

func checkCVVMembers(t *testing.T, v any, out string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if cvvName(k, false) {
				if x != SecretMask {
					t.Fatalf("member %q holds %v in %s", k, x, out)
				}
				continue
			}
			checkCVVMembers(t, x, out)
		}
	case []any:
		for _, x := range v {
			checkCVVMembers(t, x, out)
		}
	}
}
