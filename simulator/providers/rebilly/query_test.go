package rebilly

import (
	"reflect"
	"testing"
)

func TestParseFilter(t *testing.T) {
	cases := []struct {
		in   string
		want []FilterTerm
		err  string
	}{
		{"", nil, ""},
		{"firstName:John", []FilterTerm{{Field: "firstName", Values: []string{"John"}}}, ""},
		{"firstName:John,Bob;lastName:!Smith,!Doe", []FilterTerm{
			{Field: "firstName", Values: []string{"John", "Bob"}},
			{Field: "lastName", Negated: []string{"Smith", "Doe"}}}, ""},
		{"createdTime:2021-02-14T13:30:00Z..2021-03-01T00:00:00Z", []FilterTerm{
			{Field: "createdTime", IsRange: true, From: "2021-02-14T13:30:00Z", To: "2021-03-01T00:00:00Z"}}, ""},
		{"revision:1..", []FilterTerm{{Field: "revision", IsRange: true, From: "1"}}, ""},
		{"revision:..10", []FilterTerm{{Field: "revision", IsRange: true, To: "10"}}, ""},
		{"customFields.tier:gold", []FilterTerm{{Field: "customFields.tier", Values: []string{"gold"}}}, ""},
		{"email:@vips", []FilterTerm{{Field: "email", ValueList: "vips"}}, ""},
		{"email:a@b.c", []FilterTerm{{Field: "email", Values: []string{"a@b.c"}}}, ""},
		{"nocolon", nil, `filter term "nocolon" must be field:value`},
		{"bad field:x", nil, `filter field "bad field" is invalid`},
		{"revision:1..2,3", nil, `filter "revision": a range cannot be combined with other values`},
		{"revision:..", nil, `filter "revision": empty range`},
	}
	for _, c := range cases {
		got, err := ParseFilter(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("ParseFilter(%q) error = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

// FuzzParseFilter: the parser and the query mapping never panic, and every
// accepted term names a field.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"firstName:John,!Bob;createdTime:2021-01-01T00:00:00Z..", "a:..", "x:@l", ";;:", "customFields.a.b:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := ParseFilter(s)
		if err != nil {
			return
		}
		for _, term := range terms {
			if term.Field == "" {
				t.Fatalf("empty field from %q", s)
			}
			_, _ = termToFilters(term)
		}
	})
}
