package journal

import (
	"encoding/json"
	"strings"

	"github.com/paysandbox/paysandbox/simulator/jsonx"
)

// Card data in a journaled body or query string is masked before it is
// stored. The rules (docs/OPERATIONS.md, "What the journal keeps"):
//
//   - A digit group is a maximal run of ASCII digits. Groups joined by exactly
//     one separator — a space, '-', '+' (a form-encoded space), "%20" or
//     "%2D" — form a digit sequence ("4111 1111 1111 1111",
//     "4111-1111-1111-1111", "4111+1111+1111+1111"). The two hex digits of a
//     percent escape ("%41") are not digits.
//   - A sequence is card-like when some run of its consecutive whole groups
//     holds 13 to 19 digits that pass the Luhn check. A card-like sequence
//     keeps its first 6 and last 4 digits; every other digit becomes '*'
//     and the separators stay ("4111 11** **** 1111"). A longer digit group
//     (20+ digits, an IBAN or a long id) is not a card number and is kept.
//   - A card-like number that is a bare JSON number, in a body that is valid
//     JSON, becomes a JSON string holding the masked token, so the body stays
//     valid JSON.
//   - The value of a member whose name looks like a card security code
//     (cvvName) becomes "***" whatever its type: a JSON member ("cvv": 123 →
//     "cvv": "***"), in valid and in invalid or truncated JSON alike, and a
//     form pair (cvv=123 → cvv=***), also inside a query string.
//   - When the text is the start of a longer one (bodyTruncated), a digit
//     sequence that reaches its end keeps only its first 6 digits: the cut
//     may have split a card number.
//
// Digits written as JSON escapes (\u0034) are not decoded. The scan is one
// pass over the bytes; text with nothing to mask is returned as it is,
// without allocating.

// SecretMask replaces the value of a card-security-code member or pair.
const SecretMask = "***"

// MaskBody masks card numbers and card security codes in a request body
// (JSON or not). truncated says body is the start of a longer body.
func MaskBody(body string, truncated bool) string {
	return mask(body, truncated, modeBody)
}

// MaskQuery masks card numbers and card-security-code pairs in a raw query
// string (never treated as JSON).
func MaskQuery(query string, truncated bool) string {
	return mask(query, truncated, modeText)
}

const (
	modeBody   = iota // JSON-aware when the text is valid JSON
	modeText          // never JSON: no number quoting
	modeDigits        // only digit sequences (re-masking a cut value)
)

// byte classes of the scan
const (
	clOther = iota
	clDigit
	clQuote
	clBackslash
	clEquals
	clPercent
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	t['"'], t['\\'], t['='], t['%'] = clQuote, clBackslash, clEquals, clPercent
	return t
}()

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// sepLen is the length of the digit-group separator at s[i] (0 if none).
func sepLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch s[i] {
	case ' ', '-', '+':
		return 1
	case '%':
		if i+2 < len(s) && s[i+1] == '2' && (s[i+2] == '0' || s[i+2] == 'D' || s[i+2] == 'd') {
			return 3
		}
	}
	return 0
}

type masker struct {
	in        string
	out       []byte // nil until the first change
	last      int    // in[last:] is not copied to out yet
	truncated bool
	mode      int
	json      int8 // 0 not known yet, 1 valid JSON, -1 not
}

func mask(s string, truncated bool, mode int) string {
	m := masker{in: s, truncated: truncated, mode: mode}
	if mode != modeBody {
		m.json = -1
	}
	m.scan()
	if m.out == nil {
		return s
	}
	m.out = append(m.out, s[m.last:]...)
	return string(m.out)
}

// flush copies the unchanged input up to a into out.
func (m *masker) flush(a int) {
	if m.out == nil {
		m.out = make([]byte, 0, len(m.in)+16)
	}
	m.out = append(m.out, m.in[m.last:a]...)
}

// replace puts repl in place of in[a:b].
func (m *masker) replace(a, b int, repl string) {
	m.flush(a)
	m.out = append(m.out, repl...)
	m.last = b
}

func (m *masker) isJSON() bool {
	if m.json == 0 {
		m.json = -1
		if jsonx.Valid([]byte(m.in)) {
			m.json = 1
		}
	}
	return m.json == 1
}

func (m *masker) scan() {
	s, n := m.in, len(m.in)
	inStr, strStart := false, 0
	for i := 0; i < n; {
		for i < n && class[s[i]] == clOther {
			i++
		}
		if i == n {
			break
		}
		switch class[s[i]] {
		case clDigit:
			i = m.sequence(i, inStr)
		case clPercent: // an escape's hex digits are not digits
			if i+2 < n && isHex(s[i+1]) && isHex(s[i+2]) {
				i += 3
			} else {
				i++
			}
		case clBackslash:
			if inStr && i+1 < n && (s[i+1] == '"' || s[i+1] == '\\') {
				i += 2
			} else {
				i++
			}
		case clQuote:
			if m.mode == modeDigits {
				i++
				continue
			}
			if !inStr {
				inStr, strStart = true, i+1
				i++
				continue
			}
			inStr = false
			name := s[strStart:i]
			i++
			j := skipSpace(s, i)
			if j < n && s[j] == ':' && cvvName(name, true) {
				v := skipSpace(s, j+1)
				if e := valueEnd(s, v); e > v {
					m.replace(v, e, `"`+SecretMask+`"`)
					i = e
				}
			}
		case clEquals:
			if m.mode == modeDigits {
				i++
				continue
			}
			k := i
			for k > 0 && isKeyChar(s[k-1]) {
				k--
			}
			i++
			if k < i-1 && cvvName(s[k:i-1], false) {
				e := i
				for e < n && !isFormDelim(s[e]) {
					e++
				}
				if e > i {
					m.replace(i, e, SecretMask)
					i = e
				}
			}
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// valueEnd is the end of the JSON value starting at s[v], tolerant of
// invalid or cut JSON: an unterminated string or container runs to the end.
func valueEnd(s string, v int) int {
	n := len(s)
	if v >= n {
		return v
	}
	switch s[v] {
	case '"':
		return stringEnd(s, v)
	case '{', '[':
		depth := 0
		for i := v; i < n; i++ {
			switch s[i] {
			case '"':
				i = stringEnd(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return n
	}
	e := v
	for e < n && !isSpace(s[e]) && s[e] != ',' && s[e] != '}' && s[e] != ']' {
		e++
	}
	return e
}

// stringEnd is the index after the string starting at s[v] (a quote), or
// len(s) when it is not closed.
func stringEnd(s string, v int) int {
	for i := v + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// isKeyChar: what a form key (card[cvc], card%5Bcvc%5D, card.cvv) is made of.
func isKeyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == '[' || c == ']' || c == '%'
}

// isFormDelim ends a form value (and never lies inside a JSON escape).
func isFormDelim(c byte) bool {
	switch c {
	case '&', ';', ',', '"', '\\', '\'', ' ', '\t', '\r', '\n', '}', ']', ')', '<', '>':
		return true
	}
	return false
}

// group is one digit group of a sequence, for the Luhn windows: its length
// and its Luhn sums with its last digit undoubled (e) or doubled (o).
type group struct{ n, e, o int }

// sequence handles the digit sequence starting at s[i]; it returns where
// the scan goes on.
func (m *masker) sequence(i int, inStr bool) int {
	s, n := m.in, len(m.in)
	j := i
	g := group{}
	for j < n && isDigit(s[j]) {
		d := int(s[j] - '0')
		g.e, g.o = d+g.o, dbl(d)+g.e
		g.n++
		j++
	}
	total, found := g.n, g.n >= 13 && g.n <= 19 && g.e%10 == 0
	if k := sepLen(s, j); k > 0 && j+k < n && isDigit(s[j+k]) {
		// more groups: check every window of whole groups
		var ring [19]group // the last 19 groups: a window has ≤ 19 digits
		ring[0] = g
		groups := 1
		for {
			j += k
			g = group{}
			for j < n && isDigit(s[j]) {
				d := int(s[j] - '0')
				g.e, g.o = d+g.o, dbl(d)+g.e
				g.n++
				j++
			}
			total += g.n
			ring[groups%len(ring)] = g
			groups++
			if !found && total >= 13 {
				found = windowPasses(&ring, groups)
			}
			if k = sepLen(s, j); k == 0 || j+k >= n || !isDigit(s[j+k]) {
				break
			}
		}
	}
	end := j
	cut := m.truncated && touchesEnd(s, end)
	if !found && !(cut && total > 6) {
		return end
	}
	keepTail := 4
	if cut {
		keepTail = 0
	}
	if m.mode == modeBody && !inStr && m.isJSON() {
		// a bare JSON number: the whole token becomes a string
		ts, te := i, end
		for ts > m.last && isNumberChar(s[ts-1]) {
			ts--
		}
		for te < n && isNumberChar(s[te]) {
			te++
		}
		m.flush(ts)
		m.out = append(m.out, '"')
		m.out = append(m.out, s[ts:i]...)
		m.writeSeq(i, end, total, keepTail)
		for p := end; p < te; {
			if !isDigit(s[p]) {
				m.out = append(m.out, s[p])
				p++
				continue
			}
			p = m.numberPart(p, te)
		}
		m.out = append(m.out, '"')
		m.last = te
		return te
	}
	m.flush(i)
	m.writeSeq(i, end, total, keepTail)
	m.last = end
	return end
}

// numberPart writes the digit group at s[p] (inside a JSON number token
// ending at te), masked when card-like, and returns its end.
func (m *masker) numberPart(p, te int) int {
	s := m.in
	q := p
	g := group{}
	for q < te && isDigit(s[q]) {
		d := int(s[q] - '0')
		g.e, g.o = d+g.o, dbl(d)+g.e
		g.n++
		q++
	}
	cut := m.truncated && touchesEnd(s, q)
	if g.n >= 13 && g.n <= 19 && g.e%10 == 0 || cut && g.n > 6 {
		keepTail := 4
		if cut {
			keepTail = 0
		}
		m.writeSeq(p, q, g.n, keepTail)
	} else {
		m.out = append(m.out, s[p:q]...)
	}
	return q
}

func isNumberChar(c byte) bool {
	return isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func dbl(d int) int {
	d *= 2
	if d > 9 {
		d -= 9
	}
	return d
}

// windowPasses checks every run of whole groups ending at the newest one
// (groups counts all groups so far) with 13–19 digits against Luhn.
func windowPasses(ring *[19]group, groups int) bool {
	digits, sum := 0, 0
	for k := 0; k < groups && k < len(ring); k++ {
		g := ring[(groups-1-k)%len(ring)]
		if digits%2 == 0 {
			sum += g.e
		} else {
			sum += g.o
		}
		digits += g.n
		if digits > 19 {
			return false
		}
		if digits >= 13 && sum%10 == 0 {
			return true
		}
	}
	return false
}

// touchesEnd: the sequence ending at end reaches the end of the text (at
// most a separator, or the start of one, follows).
func touchesEnd(s string, end int) bool {
	switch rest := s[end:]; rest {
	case "", " ", "-", "+", "%", "%2", "%20", "%2D", "%2d":
		return true
	}
	return false
}

// writeSeq appends s[a:end] (one digit sequence of total digits) with every
// digit but the first 6 and the last keepTail replaced by '*'.
func (m *masker) writeSeq(a, end, total, keepTail int) {
	s := m.in
	d := 0
	for p := a; p < end; p++ {
		c := s[p]
		if c == '%' { // a "%20"/"%2D" separator
			m.out = append(m.out, s[p:p+3]...)
			p += 2
			continue
		}
		if isDigit(c) {
			if d >= 6 && d < total-keepTail {
				c = '*'
			}
			d++
		}
		m.out = append(m.out, c)
	}
}

// cvvName reports whether a member or form key names a card security code:
// it contains, ignoring case, cvv, cvc, security[sep]code or
// card[sep]verification ([sep]: nothing, '_', '-', '.' or a space), or its
// last segment (after '.', '[' or "%5B") is cid, csc, card[sep]cid or
// card[sep]csc. jsonKey says name is a JSON string's raw contents (escapes
// are decoded).
func cvvName(name string, jsonKey bool) bool {
	if len(name) < 3 {
		return false
	}
	if jsonKey && strings.IndexByte(name, '\\') >= 0 {
		var dec string
		if json.Unmarshal([]byte(`"`+name+`"`), &dec) == nil {
			name = dec
		}
	}
	// every name it accepts has a 'c'; most member names have none
	if strings.IndexByte(name, 'c') < 0 && strings.IndexByte(name, 'C') < 0 {
		return false
	}
	for i := 0; i+3 <= len(name); i++ {
		switch lower(name[i]) {
		case 'c':
			if r := name[i+1:]; lower(r[0]) == 'v' && (lower(r[1]) == 'v' || lower(r[1]) == 'c') ||
				hasPrefixFold(r, "ard") && hasPrefixFold(skipSep(r[3:]), "verification") {
				return true
			}
		case 's':
			if r := name[i+1:]; hasPrefixFold(r, "ecurity") && hasPrefixFold(skipSep(r[7:]), "code") {
				return true
			}
		}
	}
	t := name
	for {
		if len(t) > 0 && t[len(t)-1] == ']' {
			t = t[:len(t)-1]
		} else if len(t) >= 3 && t[len(t)-3] == '%' && hasPrefixFold(t[len(t)-2:], "5d") {
			t = t[:len(t)-3]
		} else {
			break
		}
	}
	if len(t) < 3 || !hasPrefixFold(t[len(t)-3:], "cid") && !hasPrefixFold(t[len(t)-3:], "csc") {
		return false
	}
	seg := lastSegment(t)
	if len(seg) < 3 || len(seg) > 8 {
		return false
	}
	if hasPrefixFold(seg, "card") {
		seg = skipSep(seg[4:])
	}
	return len(seg) == 3 && (hasPrefixFold(seg, "cid") || hasPrefixFold(seg, "csc"))
}

// skipSep drops one word separator at the start of s.
func skipSep(s string) string {
	if s != "" && (s[0] == '_' || s[0] == '-' || s[0] == '.' || s[0] == ' ') {
		return s[1:]
	}
	return s
}

// lastSegment is the last non-empty part of a key split at '.', '[', ']',
// "%5B" and "%5D".
func lastSegment(name string) string {
	seg, start := "", 0
	for i := 0; i <= len(name); {
		w := 0
		if i == len(name) {
			w = 1
		} else if c := name[i]; c == '.' || c == '[' || c == ']' {
			w = 1
		} else if c == '%' && i+2 < len(name) && name[i+1] == '5' && (name[i+2]|0x20 == 'b' || name[i+2]|0x20 == 'd') {
			w = 3
		}
		if w == 0 {
			i++
			continue
		}
		if i > start {
			seg = name[start:i]
		}
		i += w
		start = i
	}
	return seg
}
