package rebilly

import (
	"encoding/json"
	"testing"
)

func TestMayRepeatKeys(t *testing.T) {
	for _, c := range []struct {
		body string
		may  bool
		dup  string
	}{
		{`{}`, false, ""},
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, false, ""},
		{`{"a":1,"a":2}`, true, "a"},
		{`{"a":{"b":1,"c":"b","b":2}}`, true, "a.b"},
		{`{"a":[{"x":1},{"y":1,"y":2}]}`, true, "a.1.y"},
		{`{"\u0061":1,"a":2}`, true, "a"},
		{`{"a\"b":1,"a":2}`, true, ""}, // escape: the exact check decides
		{`{"k":"{\"a\":1,\"a\":2}"}`, false, ""},
		{`{"n":[1,"a","a"],"m":{"a":"a"}}`, false, ""},
	} {
		if !json.Valid([]byte(c.body)) {
			t.Fatalf("invalid test body %s", c.body)
		}
		if got := mayRepeatKeys([]byte(c.body)); got != c.may {
			t.Errorf("mayRepeatKeys(%s) = %v, want %v", c.body, got, c.may)
		}
		if got := duplicateKey([]byte(c.body)); got != c.dup {
			t.Errorf("duplicateKey(%s) = %q, want %q", c.body, got, c.dup)
		}
	}
	// Many members switch the pre-check to a map.
	big := []byte(`{`)
	for i := 0; i < 40; i++ {
		big = append(big, `"k`...)
		big = append(big, byte('A'+i%26), byte('a'+i/26))
		big = append(big, `":1,`...)
	}
	if mayRepeatKeys(append(big[:len(big)-1:len(big)-1], '}')) {
		t.Error("40 distinct members reported as repeated")
	}
	if !mayRepeatKeys(append(big, `"kBa":2}`...)) {
		t.Error("a repeat after 40 members missed")
	}
}

// FuzzMayRepeatKeys: the pre-check never hides a duplicate the exact check
// finds (on any valid JSON value).
func FuzzMayRepeatKeys(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[{"c":1,"c":2}]}}`, `{"\u0061":1,"a":1}`, `[{"x":1},{"x":1}]`, `"a"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		if dup := duplicateKey(body); dup != "" && !mayRepeatKeys(body) {
			t.Fatalf("pre-check missed duplicate %q in %s", dup, body)
		}
	})
}
