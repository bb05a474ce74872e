package jsonx

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

var seeds = []string{
	`{}`, `[]`, `"x"`, `null`, `true`, `1.50`, `-0e+3`,
	`{"a": [1, {"b" : "c"}], "d\u0041": "<&>", "e":"\u2028 \u00e9 é \\ \" \/ \b\f\n\r\t \u0001"}`,
	` [ "a" , [ ] , { } , null ] `, "\"\u2029\x7f\"", `{"a":{"a":{"a":[[[]]]}}}`,
}

// FuzzAppendString: the encoder writes what encoding/json writes.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `<a href="x">&</a>`, "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é\\\"\b\f\n\r\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, encoding/json: %s", s, got, want)
		}
	})
}

// FuzzValid: on valid JSON, the iterators and decoders agree with
// encoding/json.
func FuzzValid(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		want, _ := json.Marshal(json.RawMessage(raw))
		if got := AppendCanonical([]byte("x"), raw); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("AppendCanonical(%s) = %s, encoding/json: %s", raw, got, want)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if got := Value(raw); !reflect.DeepEqual(got, v) {
			t.Fatalf("Value(%s) = %#v, encoding/json: %#v", raw, got, v)
		}
		if Kind(raw) == '"' {
			var s string
			_ = json.Unmarshal(raw, &s)
			if got := Unquote(raw); got != s {
				t.Fatalf("Unquote(%s) = %q, encoding/json: %q", raw, got, s)
			}
		}
		var members map[string]json.RawMessage
		if json.Unmarshal(raw, &members) == nil && members != nil {
			if got := Members(raw); !reflect.DeepEqual(got, members) {
				t.Fatalf("Members(%s) = %v, encoding/json: %v", raw, got, members)
			}
		}
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) == nil && elems != nil {
			var got []json.RawMessage
			isArr := Array(raw, func(i int, v []byte) bool {
				if i != len(got) {
					t.Fatalf("index %d after %d elements", i, len(got))
				}
				got = append(got, v)
				return true
			})
			if !isArr || len(got) != len(elems) {
				t.Fatalf("Array(%s) = %v, encoding/json: %v", raw, got, elems)
			}
			for i := range got {
				if !bytes.Equal(got[i], elems[i]) {
					t.Fatalf("Array(%s)[%d] = %s, encoding/json: %s", raw, i, got[i], elems[i])
				}
			}
		}
	})
}

func TestKeyBytes(t *testing.T) {
	if string(KeyBytes([]byte(`a\u0062`))) != "ab" || string(KeyBytes([]byte("ab"))) != "ab" {
		t.Fatal("KeyBytes")
	}
}

func TestKindAndTrim(t *testing.T) {
	for raw, want := range map[string]byte{` {}`: '{', `[1]`: '[', `"s"`: '"', `true`: 't', `false`: 'f', `null`: 'n', `-1`: '0', ``: 0} {
		if got := Kind([]byte(raw)); got != want {
			t.Errorf("Kind(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := string(Trim([]byte(" \t{ }\r\n"))); got != "{ }" {
		t.Fatalf("Trim = %q", got)
	}
}

// FuzzAnyBytes: on input that is not valid JSON the iterators must still
// return (no panic, no endless loop), yielding only slices of the input.
func FuzzAnyBytes(f *testing.F) {
	for _, s := range append(seeds, `{"`, `{"a"`, `{"a":`, `{"a":,}`, `[,]`, `[1,`, `{"a" 1}`, `{:}`, `["\`, `{"a":{"b":[}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		n := 0
		Object(raw, func(k, v []byte) bool {
			if n++; n > len(raw) {
				t.Fatalf("more members than bytes in %q", raw)
			}
			_ = KeyBytes(k)
			Array(v, func(int, []byte) bool { return true })
			return true
		})
		n = 0
		Array(raw, func(_ int, v []byte) bool {
			if n++; n > len(raw) {
				t.Fatalf("more elements than bytes in %q", raw)
			}
			Object(v, func(_, _ []byte) bool { return true })
			return true
		})
		_, _, _ = Kind(raw), Trim(raw), Unquote(raw)
	})
}
