package rapyd

import (
	"strings"
	"testing"
)

func TestApplyValidation(t *testing.T) {
	cases := []struct {
		body   string
		create bool
		code   string // "" = accepted
	}{
		{`{"name":"A"}`, true, ""},
		{``, true, codeInvalidName},
		{`{}`, true, codeInvalidName},
		{`{"name":""}`, true, codeInvalidName},
		{`{"name":null}`, true, codeInvalidName},
		{`{"name":1}`, true, codeInvalidName},
		{`{"name":"A","email":"a@b.co"}`, true, ""},
		{`{"name":"A","email":"Ann <a@b.co>"}`, true, codeInvalidEmail},
		{`{"name":"A","email":"` + strings.Repeat("a", 510) + `@b.co"}`, true, codeInvalidEmail},
		{`{"name":"A","phone_number":"+14155559993"}`, true, ""},
		{`{"name":"A","phone_number":"4155559993"}`, true, codeInvalidPhone},
		{`{"name":"A","phone_number":"+0123"}`, true, codeInvalidPhone},
		{`{"name":"A","metadata":"x"}`, true, codeDataMissing},
		{`{"name":"A","addresses":[1]}`, true, codeDataMissing},
		{`{"name":"A","description":5}`, true, codeDataMissing},
		{`{"name":"A","unknown":{"x":1}}`, true, ""},
		{`[]`, true, codeDataMissing},
		{`{"name":"A"`, true, codeDataMissing},
		{"{\"name\":\"\xff\"}", true, codeDataMissing},
		{``, false, ""},
		{`{"email":""}`, false, ""},
		{`{"name":""}`, false, ""},
	}
	for _, c := range cases {
		cust := newCustomer(1)
		err := cust.apply([]byte(c.body), c.create)
		got := ""
		if err != nil {
			got = err.code
		}
		if got != c.code {
			t.Errorf("apply(%q, create=%v) = %q, want %q", c.body, c.create, got, c.code)
		}
	}
}
