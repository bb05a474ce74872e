// Package httpx holds the HTTP plumbing every provider shares: bounded body
// reading, JSON writing, request ids, access logs and panic recovery. It knows
// no provider's wire format: a provider passes in how its own errors look.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// DefaultMaxBody is the default request-body limit (1 MiB).
const DefaultMaxBody = 1 << 20

// HeaderRequestID carries the request id on every response.
const HeaderRequestID = "X-Request-Id"

// AccessLogMessage is the message of the access-log record Wrap writes for
// every request.
const AccessLogMessage = "request"

// ErrTooLarge is returned by ReadBody when the body exceeds the limit.
var ErrTooLarge = errors.New("request body too large")

// ReadBody reads the whole body, at most limit bytes. The raw bytes are
// returned unchanged (Rapyd signs them). A body over the limit gives
// ErrTooLarge; the connection is then closed by net/http after the reply.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if r.ContentLength > limit {
		return nil, ErrTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	return body, nil
}

// WriteJSON writes an already-encoded JSON body with the given status.
func WriteJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ErrorFunc writes a provider-shaped error for a failure the provider did not
// handle itself (a panic). status is the HTTP status to use.
type ErrorFunc func(w http.ResponseWriter, r *http.Request, status int)

// Options configures Wrap.
type Options struct {
	Provider string
	Logger   *slog.Logger
	// OnPanic writes the provider's own 500 body. Required.
	OnPanic ErrorFunc
	// Observe, when set, is called after every request (metrics, journal).
	Observe func(r *http.Request, ev Event)
}

// Event describes one finished request.
type Event struct {
	RequestID string
	Status    int
	Bytes     int
	Duration  time.Duration
	Start     time.Time
	// Body is the start of the request body as the handler read it (at
	// most CaptureLimit bytes; BodyTruncated when there was more). Only
	// filled when Options.Observe is set.
	Body          []byte
	BodyTruncated bool
	// Route is the matched route's template, as reported by RouteTemplate
	// (empty when no route matched or nothing reported one).
	Route string
}

// CaptureLimit bounds the request-body bytes an Event carries.
const CaptureLimit = 16 << 10

// capture copies the first CaptureLimit bytes a handler reads.
type capture struct {
	io.ReadCloser
	buf       []byte
	truncated bool
}

func (c *capture) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if room := CaptureLimit - len(c.buf); room > 0 {
		k := n
		if k > room {
			k, c.truncated = room, true
		}
		c.buf = append(c.buf, p[:k]...)
	} else if n > 0 {
		c.truncated = true
	}
	return n, err
}

// Wrap adds a request id (X-Request-Id: the client's if it sent a sane one,
// else a fresh one), an access log line, panic recovery and the Observe hook.
func Wrap(next http.Handler, o Options) http.Handler {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("provider", o.Provider)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(HeaderRequestID)
		if !saneID(id) {
			id = NewID()
		}
		w.Header().Set(HeaderRequestID, id)
		rec := &recorder{ResponseWriter: w}
		var body *capture
		if o.Observe != nil && r.Body != nil && r.Body != http.NoBody {
			body = &capture{ReadCloser: r.Body}
			r.Body = body
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				logger.Error("panic serving request", "request_id", id, "method", r.Method,
					"path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					o.OnPanic(rec, r, http.StatusInternalServerError)
				}
			}
			ev := Event{RequestID: id, Status: rec.statusOr200(), Bytes: rec.bytes, Duration: time.Since(start), Start: start, Route: rec.route}
			if logger.Enabled(r.Context(), slog.LevelInfo) {
				logger.LogAttrs(r.Context(), slog.LevelInfo, AccessLogMessage,
					slog.String("request_id", id), slog.String("method", r.Method),
					slog.String("path", r.URL.Path), slog.Int("status", ev.Status),
					slog.Int("bytes", ev.Bytes), slog.Duration("duration", ev.Duration))
			}
			if o.Observe != nil {
				if body != nil {
					ev.Body, ev.BodyTruncated = body.buf, body.truncated
				}
				o.Observe(r, ev)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// NewID returns a random 16-byte hex id.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func saneID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
	route  string
}

// RouteTemplate returns router middleware that reports the matched route's
// template to Wrap's Event (so metrics need no second routing pass).
func RouteTemplate(template func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rec, ok := w.(*recorder); ok {
				rec.route = template(r)
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status = code
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status = http.StatusOK
		r.wrote = true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) statusOr200() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
