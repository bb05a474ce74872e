package journal

import (
	"sort"
	"unicode/utf8"
)

// What an entry costs besides its strings, roughly as GET /journal encodes
// it: the member names, time, status and duration of an entry; the quotes,
// colon, brackets and comma of a header; the quotes and comma of a value.
const (
	entryOverhead  = 256
	headerOverhead = 8
	valueOverhead  = 4
)

// Size is what an entry counts against the byte bound: its request id,
// method, path, query and body, every header name and value, plus a fixed
// overhead per entry, header and value (so that for printable ASCII the
// JSON answer of GET /journal stays within the bound; characters JSON has
// to escape count once).
func Size(e Entry) int64 {
	n := entryOverhead + len(e.RequestID) + len(e.Method) + len(e.Path) + len(e.Query) + len(e.Body)
	for k, vs := range e.Headers {
		n += len(k) + headerOverhead
		for _, v := range vs {
			n += len(v) + valueOverhead
		}
	}
	return int64(n)
}

// Fit returns e cut to Size ≤ limit: the longest of its method, path, query,
// body and header values are shortened first, all to one common length
// (at UTF-8 boundaries), and Truncated is set. When the header names and
// fixed overhead alone exceed limit the headers are dropped; an entry is
// never smaller than its fixed overhead and request id. A cut body or query
// is masked again as a truncated text (a cut can leave the start of a card
// number).
func Fit(e Entry, limit int64) Entry {
	if Size(e) <= limit {
		return e
	}
	e.Truncated = true
	fixed := int64(entryOverhead + len(e.RequestID))
	for k, vs := range e.Headers {
		fixed += int64(len(k)+headerOverhead) + int64(len(vs)*valueOverhead)
	}
	if fixed > limit {
		e.Headers = map[string][]string{}
		fixed = int64(entryOverhead + len(e.RequestID))
	}
	budget := limit - fixed
	if budget < 0 {
		budget = 0
	}
	lens := []int{len(e.Method), len(e.Path), len(e.Query), len(e.Body)}
	for _, vs := range e.Headers {
		for _, v := range vs {
			lens = append(lens, len(v))
		}
	}
	c := capFor(lens, budget)
	e.Method = cut(e.Method, c)
	e.Path = cut(e.Path, c)
	if q := cut(e.Query, c); len(q) < len(e.Query) {
		e.Query = mask(q, true, modeDigits)
	}
	if b := cut(e.Body, c); len(b) < len(e.Body) {
		e.Body = mask(b, true, modeDigits)
	}
	headers := make(map[string][]string, len(e.Headers))
	for k, vs := range e.Headers {
		out := vs
		for i, v := range vs {
			if len(v) > c {
				if &out[0] == &vs[0] { // shared with the request: copy
					out = append([]string(nil), vs...)
				}
				out[i] = cut(v, c)
			}
		}
		headers[k] = out
	}
	e.Headers = headers
	return e
}

// capFor is the largest length c such that the lengths, each cut to c, sum
// to at most budget.
func capFor(lens []int, budget int64) int {
	sorted := append([]int(nil), lens...)
	sort.Ints(sorted)
	left := budget
	for i, l := range sorted {
		share := left / int64(len(sorted)-i)
		if int64(l) > share {
			return int(share)
		}
		left -= int64(l)
	}
	return sorted[len(sorted)-1]
}

// cut shortens s to at most c bytes without splitting a UTF-8 sequence.
func cut(s string, c int) string {
	if len(s) <= c {
		return s
	}
	k := c
	for k > 0 && k > c-utf8.UTFMax && !utf8.RuneStart(s[k]) {
		k--
	}
	return s[:k]
}
