// Package journal keeps the last N requests per provider in a bounded ring
// buffer, credentials redacted, so a test can assert what its app sent
// (admin API: GET /journal/{provider}).
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
	Truncated  bool                `json:"bodyTruncated,omitempty"`
}

// MaxBody is the most request-body bytes kept per entry.
const MaxBody = 16 << 10

// Redacted is what a credential header value is replaced with.
const Redacted = "[redacted]"

// secretHeaders are never stored in clear (canonical names).
var secretHeaders = map[string]bool{
	"Reb-Apikey": true, "Authorization": true, "Requesttoken": true, "Access_key": true,
	"Signature": true, "Salt": true, "Cookie": true, "Proxy-Authorization": true,
}

// redacted is the value list of every credential header in an entry
// (entries are never modified once added).
var redacted = []string{Redacted}

// Redact returns a copy of h with credential values replaced. The other
// headers' value lists are shared with h, not copied: it is called for a
// finished request, whose headers nothing changes again.
func Redact(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if secretHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = redacted
			continue
		}
		out[k] = vs
	}
	return out
}

// Ring is a fixed-size buffer of entries for one provider.
type Ring struct {
	mu    sync.Mutex
	buf   []Entry
	next  int
	full  bool
	total int
}

// NewRing returns a ring holding at most size entries (size ≥ 1).
func NewRing(size int) *Ring {
	if size < 1 {
		size = 1
	}
	return &Ring{buf: make([]Entry, size)}
}

// Add appends an entry, dropping the oldest when full.
func (r *Ring) Add(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
	r.total++
}

// Clear empties the ring.
func (r *Ring) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.buf {
		r.buf[i] = Entry{}
	}
	r.next, r.full = 0, false
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
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	start := 0
	if r.full {
		start = r.next
	}
	for i := 0; i < n; i++ {
		e := r.buf[(start+i)%len(r.buf)]
		if f.match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Journal holds one ring per provider.
type Journal struct {
	size  int
	mu    sync.Mutex
	rings map[string]*Ring
}

// New returns a journal keeping size entries per provider.
func New(size int) *Journal { return &Journal{size: size, rings: map[string]*Ring{}} }

// Ring returns (creating) the ring of a provider.
func (j *Journal) Ring(provider string) *Ring {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.rings[provider]
	if !ok {
		r = NewRing(j.size)
		j.rings[provider] = r
	}
	return r
}
