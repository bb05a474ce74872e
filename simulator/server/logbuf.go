package server

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
)

// Access-log lines are batched: writing each one with its own write(2) cost
// about 6% of the simulator's CPU under load (docs/BENCHMARKS.md). Every
// other record — startup, listening addresses, warnings, errors, shutdown —
// flushes the batch at once, in order, so nothing but access lines is ever
// delayed, and those by at most logFlushEvery.
const (
	logFlushEvery = 100 * time.Millisecond
	logBufferMax  = 64 << 10
)

// logBuffer is an io.Writer that holds what is written until Flush, a
// timer logFlushEvery after the first unflushed write, or logBufferMax
// bytes. slog handlers write each record with one Write, so a flush never
// splits a line.
type logBuffer struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer
	armed bool
}

func newLogBuffer(w io.Writer, every time.Duration) *logBuffer {
	b := &logBuffer{w: w}
	b.timer = time.AfterFunc(every, func() { _ = b.Flush() })
	b.timer.Stop()
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufferMax {
		return len(p), b.flushLocked()
	}
	if !b.armed {
		b.armed = true
		b.timer.Reset(logFlushEvery)
	}
	return len(p), nil
}

// Flush writes out everything held.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	if b.armed {
		b.timer.Stop()
		b.armed = false
	}
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	return err
}

// flushingHandler flushes the buffer after every record that is not an
// access-log line.
type flushingHandler struct {
	slog.Handler
	buf *logBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Message != httpx.AccessLogMessage {
		if ferr := h.buf.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}
