package server

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/httpx"
)

// lockedBuffer is a writer the flush timer and the test can share; wrote
// receives the length of every write.
type lockedBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	if l.wrote != nil {
		l.wrote <- len(p)
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAccessLinesAreBatchedAndOtherRecordsFlushInOrder(t *testing.T) {
	out := &lockedBuffer{}
	cfg := DefaultConfig()
	cfg.LogFormat, cfg.LogLevel = "text", "info"
	logger, flush, err := cfg.NewLogger(out)
	if err != nil {
		t.Fatal(err)
	}
	logger.Info(httpx.AccessLogMessage, "n", 1)
	logger.Info(httpx.AccessLogMessage, "n", 2)
	if got := out.String(); got != "" {
		t.Fatalf("access lines written before a flush: %q", got)
	}
	logger.With("listener", "admin").Warn("listening")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "n=1") || !strings.Contains(lines[1], "n=2") ||
		!strings.Contains(lines[2], "msg=listening listener=admin") {
		t.Fatalf("after a non-access record: %q", lines)
	}
	logger.Info(httpx.AccessLogMessage, "n", 3)
	flush()
	if got := out.String(); !strings.Contains(got, "n=3") {
		t.Fatalf("flush left the access line held: %q", got)
	}
}

func TestHeldAccessLinesAreWrittenByTheTimer(t *testing.T) {
	out := &lockedBuffer{wrote: make(chan int, 1)}
	b := newLogBuffer(out, logFlushEvery)
	logger := slog.New(flushingHandler{slog.NewJSONHandler(b, nil), b})
	logger.Info(httpx.AccessLogMessage, "n", 1)
	select {
	case n := <-out.wrote:
		if !strings.Contains(out.String(), `"n":1`) || n != out.b.Len() {
			t.Fatalf("timer wrote %d bytes: %q", n, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the held access line was never written")
	}
}

func TestALargeBatchIsWrittenWithoutWaiting(t *testing.T) {
	out := &lockedBuffer{}
	b := newLogBuffer(out, time.Hour)
	line := []byte(strings.Repeat("x", 1023) + "\n")
	for i := 0; i < logBufferMax/len(line); i++ {
		if _, err := b.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(out.String()); got != logBufferMax {
		t.Fatalf("%d bytes written after %d held, want all of them", got, logBufferMax)
	}
}
