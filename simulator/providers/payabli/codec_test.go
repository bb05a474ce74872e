package payabli

import (
	"testing"
)

// docString answers only where decoding the whole document would give the
// same string, and defers to the decoder everywhere else.
func TestDocString(t *testing.T) {
	for _, c := range []struct {
		doc, want string
		ok        bool
	}{
		{`{"Created":"2026-01-02","PaypointEntryname":"e"}`, "2026-01-02", true},
		{`{"Created":"a\u003cb"}`, "a<b", true},
		{`{"created":"x"}`, "", false},
		{`{"Created":"x","CREATED":"y"}`, "", false},
		{`{"Created":null}`, "", false},
		{`{"Created":1}`, "", false},
		{`{}`, "", false},
		{`{"Created":`, "", false},
		{`[]`, "", false},
	} {
		got, ok := docString([]byte(c.doc), "Created")
		if got != c.want || ok != c.ok {
			t.Errorf("docString(%s) = %q %v, want %q %v", c.doc, got, ok, c.want, c.ok)
		}
	}
}
