package journal

import "net/http"

// Redacted is what a credential header value is replaced with.
const Redacted = "[redacted]"

// SecretWords are the parts of a header name that make it a credential
// header: a header whose name contains one of them (case-insensitively) is
// journaled as Redacted. Idempotency keys (Idempotency-Key,
// X-Idempotency-Key, idempotencyKey) are not secrets and stay readable.
var SecretWords = []string{
	"key", "token", "secret", "auth", "signature", "password", "passwd", "passphrase",
	"cookie", "session", "credential", "salt", "jwt", "card", "cvv", "cvc",
}

// redacted is the value list of every credential header in an entry
// (entries are never modified once added).
var redacted = []string{Redacted}

// wordsByFirst indexes SecretWords by their first letter.
var wordsByFirst = func() (t [256][]string) {
	for _, w := range SecretWords {
		t[w[0]] = append(t[w[0]], w)
	}
	return t
}()

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold: s starts with the lower-case word w, ignoring case.
func hasPrefixFold(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if lower(s[i]) != w[i] {
			return false
		}
	}
	return true
}

// SecretHeader reports whether a header name suggests a credential
// (SecretWords).
func SecretHeader(name string) bool {
	for i := 0; i+3 <= len(name); i++ {
		for _, w := range wordsByFirst[lower(name[i])] {
			if hasPrefixFold(name[i:], w) {
				return !idempotencyKey(name)
			}
		}
	}
	return false
}

// idempotencyKey: the name is (X-)Idempotency-Key in any spelling.
func idempotencyKey(name string) bool {
	var buf [32]byte
	b := buf[:0]
	for i := 0; i < len(name) && len(b) < len(buf); i++ {
		if c := lower(name[i]); 'a' <= c && c <= 'z' {
			b = append(b, c)
		}
	}
	return string(b) == "idempotencykey" || string(b) == "xidempotencykey"
}

// Redact returns a copy of h with the values of every credential header
// (SecretHeader) replaced. The other headers' value lists are shared with
// h, not copied: it is called for a finished request, whose headers nothing
// changes again.
func Redact(h http.Header) map[string][]string { return redactWith(h, nil) }

// redactWith also redacts the headers named in extra (canonical names).
func redactWith(h map[string][]string, extra map[string]bool) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if SecretHeader(k) || len(extra) > 0 && (extra[k] || extra[http.CanonicalHeaderKey(k)]) {
			out[k] = redacted
			continue
		}
		out[k] = vs
	}
	return out
}
