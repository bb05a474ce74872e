// Package journal keeps the last requests per provider in a ring bounded in
// entries and in bytes, so a test can assert what its app sent (admin API:
// GET /journal/{provider}). Nothing secret is stored in clear: credential
// headers are redacted (SecretHeader, plus configured names), card numbers
// and card security codes in bodies and query strings are masked (MaskBody,
// MaskQuery).
package journal

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Entry is one recorded request.
type Entry struct {
	Time       time.Time           `json:"time"`
	RequestID  string              `json:"requestId"`
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	Query      string              `json:"query,omitempty"`
	Status     int                 `json:"status"`
	DurationMS float64             `json:"durationMs"`
	Headers    map[string][]string `json:"headers"`
	Body       string              `json:"body,omitempty"`
	// Truncated: the body is the start of a longer one, or the entry was
	// cut to fit the byte bound (Fit).
	Truncated bool `json:"bodyTruncated,omitempty"`
}

// MaxBody is the most request-body bytes kept per entry.
const MaxBody = 16 << 10

// DefaultMaxBytes is the byte bound per provider the binary uses when none
// is configured (--journal-max-bytes).
const DefaultMaxBytes = 8 << 20

// Options configures a Journal.
type Options struct {
	// Size is the most entries kept per provider (≥ 1).
	Size int
	// MaxBytes bounds each provider's entries in bytes (Size of each entry);
	// 0 means no byte bound.
	MaxBytes int64
	// RedactHeaders names headers redacted besides the SecretHeader ones
	// (any case).
	RedactHeaders []string
	// OnEvict, when set, is told of entries dropped to make room: reason
	// "entries" (the ring was full) or "bytes" (the byte bound).
	OnEvict func(provider, reason string, n int)
}

// Ring is a bounded buffer of entries for one provider: at most len(buf)
// entries and, when maxBytes > 0, at most maxBytes bytes (Size).
type Ring struct {
	mu    sync.Mutex
	buf   []Entry
	sizes []int64
	head  int // oldest
	n     int
	bytes int64

	maxBytes int64
	extra    map[string]bool // configured header names to redact (canonical)
	onEvict  func(reason string, n int)
}

// NewRing returns a ring holding at most size entries (size ≥ 1) and no
// byte bound.
func NewRing(size int) *Ring {
	if size < 1 {
		size = 1
	}
	return &Ring{buf: make([]Entry, size), sizes: make([]int64, size)}
}

// Add records an entry, dropping the oldest ones to make room. The entry is
// masked first (MaskBody for the body, MaskQuery for the query, the
// credential headers redacted), and when it alone is larger than the byte
// bound it is cut to fit (Fit) rather than evicting everything.
func (r *Ring) Add(e Entry) {
	e.Query = MaskQuery(e.Query, false)
	e.Body = MaskBody(e.Body, e.Truncated)
	e.Headers = redactWith(e.Headers, r.extra)
	size := Size(e)
	if r.maxBytes > 0 && size > r.maxBytes {
		e = Fit(e, r.maxBytes)
		size = Size(e)
	}
	r.mu.Lock()
	full, bytes := 0, 0
	for r.n > 0 && (r.n == len(r.buf) || r.maxBytes > 0 && r.bytes+size > r.maxBytes) {
		if r.n == len(r.buf) {
			full++
		} else {
			bytes++
		}
		r.bytes -= r.sizes[r.head]
		r.buf[r.head], r.sizes[r.head] = Entry{}, 0
		r.head = (r.head + 1) % len(r.buf)
		r.n--
	}
	i := (r.head + r.n) % len(r.buf)
	r.buf[i], r.sizes[i] = e, size
	r.n++
	r.bytes += size
	r.mu.Unlock()
	if r.onEvict != nil {
		if full > 0 {
			r.onEvict("entries", full)
		}
		if bytes > 0 {
			r.onEvict("bytes", bytes)
		}
	}
}

// Bytes is the sum of the Size of the entries held.
func (r *Ring) Bytes() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bytes
}

// Clear empties the ring.
func (r *Ring) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.buf {
		r.buf[i], r.sizes[i] = Entry{}, 0
	}
	r.head, r.n, r.bytes = 0, 0, 0
}

// Filter selects entries; zero fields match anything. Path matches exactly,
// or as a prefix when it ends in "*".
type Filter struct {
	Method string
	Path   string
	Status int
	Since  time.Time
	Until  time.Time
}

func (f Filter) match(e Entry) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, e.Method) {
		return false
	}
	if f.Path != "" {
		if p, ok := strings.CutSuffix(f.Path, "*"); ok {
			if !strings.HasPrefix(e.Path, p) {
				return false
			}
		} else if f.Path != e.Path {
			return false
		}
	}
	if f.Status != 0 && f.Status != e.Status {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && e.Time.After(f.Until) {
		return false
	}
	return true
}

// Find returns the matching entries, oldest first.
func (r *Ring) Find(f Filter) []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []Entry{}
	for i := 0; i < r.n; i++ {
		e := r.buf[(r.head+i)%len(r.buf)]
		if f.match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Journal holds one ring per provider.
type Journal struct {
	opts  Options
	extra map[string]bool
	mu    sync.Mutex
	rings map[string]*Ring
}

// New returns a journal keeping size entries per provider, with no byte
// bound.
func New(size int) *Journal { return NewWith(Options{Size: size}) }

// NewWith returns a journal configured by o.
func NewWith(o Options) *Journal {
	j := &Journal{opts: o, rings: map[string]*Ring{}}
	for _, h := range o.RedactHeaders {
		if h = strings.TrimSpace(h); h != "" {
			if j.extra == nil {
				j.extra = map[string]bool{}
			}
			j.extra[http.CanonicalHeaderKey(h)] = true
		}
	}
	return j
}

// Ring returns (creating) the ring of a provider.
func (j *Journal) Ring(provider string) *Ring {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.rings[provider]
	if !ok {
		r = NewRing(j.opts.Size)
		r.maxBytes, r.extra = j.opts.MaxBytes, j.extra
		if f := j.opts.OnEvict; f != nil {
			r.onEvict = func(reason string, n int) { f(provider, reason, n) }
		}
		j.rings[provider] = r
	}
	return r
}

// Redact is the package Redact plus the journal's configured headers.
func (j *Journal) Redact(h http.Header) map[string][]string { return redactWith(h, j.extra) }
