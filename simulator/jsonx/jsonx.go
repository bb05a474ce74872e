// Package jsonx holds allocation-light JSON helpers for the hot paths: a
// string encoder that writes exactly what encoding/json.Marshal writes, and
// iterators over the members and elements of JSON that is already known to
// be valid (json.Valid). They let a provider keep documents as canonical
// JSON fragments and answer by concatenation instead of reflection.
package jsonx

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s encoded as a JSON string, byte for byte as
// encoding/json.Marshal encodes a Go string (HTML-escaped, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendCanonical appends raw (one valid JSON value) as encoding/json.Marshal
// writes a json.RawMessage: compacted, with <, >, &, U+2028 and U+2029
// escaped inside strings.
func AppendCanonical(dst []byte, raw []byte) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...) // as json.RawMessage(nil) encodes
	}
	if isCompact(raw) {
		// nothing to compact: no space outside strings
		if !needsHTMLEscape(raw) {
			return append(dst, raw...)
		}
		var e bytes.Buffer
		json.HTMLEscape(&e, raw)
		return append(dst, e.Bytes()...)
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return append(dst, "null"...)
	}
	if !needsHTMLEscape(b.Bytes()) {
		return append(dst, b.Bytes()...)
	}
	var e bytes.Buffer
	json.HTMLEscape(&e, b.Bytes())
	return append(dst, e.Bytes()...)
}

// isCompact reports whether raw has no space characters outside strings.
func isCompact(raw []byte) bool {
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if in {
			if c == '\\' {
				i++
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case ' ', '\t', '\n', '\r':
			return false
		}
	}
	return true
}

func needsHTMLEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '<', '>', '&':
			return true
		case 0xE2: // first byte of U+2028 and U+2029
			if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
				return true
			}
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just after the value that starts at b[i].
// b must be valid JSON.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default: // number, true, false, null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && !isSpace(b[i]) {
			i++
		}
		return i
	}
}

// skipString returns the index just after the string that starts at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b) // unterminated (not valid JSON)
}

// The iterators and decoders below are exact for valid JSON (json.Valid);
// on anything else they stop early or return something meaningless, but
// never panic or loop.

// Object calls fn for each member of raw, a valid JSON object (surrounding
// space allowed), in document order, with the member name's raw bytes
// (between the quotes, escapes as written) and its value's raw bytes. It
// stops when fn returns false. It reports whether raw is an object.
func Object(raw []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] == '"' {
		end := skipString(raw, i)
		if end-1 <= i || raw[end-1] != '"' {
			break // unterminated: not valid JSON
		}
		key := raw[i+1 : end-1]
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // ':'
		if i >= len(raw) {
			break
		}
		vEnd := skipValue(raw, i)
		if vEnd <= i {
			break // no value: not valid JSON
		}
		if !fn(key, raw[i:vEnd]) {
			return true
		}
		i = skipSpace(raw, vEnd)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return true
}

// Array calls fn for each element of raw, a valid JSON array, in order; it
// stops when fn returns false. It reports whether raw is an array.
func Array(raw []byte, fn func(i int, val []byte) bool) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	i = skipSpace(raw, i+1)
	for n := 0; i < len(raw) && raw[i] != ']'; n++ {
		end := skipValue(raw, i)
		if end <= i {
			break // no value: not valid JSON
		}
		if !fn(n, raw[i:end]) {
			return true
		}
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return true
}

// Kind is the first byte of a valid JSON value: '{', '[', '"', 't', 'f',
// 'n', or '0' for any number.
func Kind(raw []byte) byte {
	i := skipSpace(raw, 0)
	if i >= len(raw) {
		return 0
	}
	switch c := raw[i]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	default:
		return '0'
	}
}

// Trim drops the space around a JSON value.
func Trim(raw []byte) []byte {
	i := skipSpace(raw, 0)
	j := len(raw)
	for j > i && isSpace(raw[j-1]) {
		j--
	}
	return raw[i:j]
}

// Unquote decodes a valid JSON string token (quotes included) as
// encoding/json does. Without escapes it is one allocation.
func Unquote(raw []byte) string {
	raw = Trim(raw)
	if len(raw) < 2 || raw[0] != '"' {
		return ""
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// Key decodes a member name as Object passes it (the bytes between the
// quotes).
func Key(key []byte) string {
	if bytes.IndexByte(key, '\\') < 0 && utf8.Valid(key) {
		return string(key)
	}
	q := make([]byte, 0, len(key)+2)
	q = append(append(append(q, '"'), key...), '"')
	return Unquote(q)
}

// KeyBytes is Key without an allocation for a name without escapes (the
// common case): the name's bytes, aliasing key.
func KeyBytes(key []byte) []byte {
	if bytes.IndexByte(key, '\\') < 0 && utf8.Valid(key) {
		return key
	}
	return []byte(Key(key))
}

// Members is what encoding/json.Unmarshal gives for raw, a valid JSON
// object, into a map[string]json.RawMessage: names decoded, values as raw
// slices of raw (aliasing it), the last of a repeated name winning.
func Members(raw []byte) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, 16)
	Object(raw, func(k, v []byte) bool {
		m[Key(k)] = v
		return true
	})
	return m
}

// Value decodes a valid JSON value as encoding/json decodes into an any
// with UseNumber: map[string]any, []any, string, json.Number, bool or nil.
func Value(raw []byte) any {
	switch Kind(raw) {
	case '{':
		m := map[string]any{}
		Object(raw, func(k, v []byte) bool {
			m[Key(k)] = Value(v)
			return true
		})
		return m
	case '[':
		a := []any{}
		Array(raw, func(_ int, v []byte) bool {
			a = append(a, Value(v))
			return true
		})
		return a
	case '"':
		return Unquote(raw)
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	default:
		return json.Number(Trim(raw))
	}
}
