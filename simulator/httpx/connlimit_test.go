package httpx

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// limited is a capped listener driven by the test itself: it accepts, and
// reports connection states, as an http.Server would.
type limited struct {
	t   *testing.T
	lim *ConnLimit
	ln  net.Listener
}

func newLimited(t *testing.T, max int) *limited {
	t.Helper()
	lim, err := NewConnLimit(max)
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &limited{t: t, lim: lim, ln: lim.Listener(inner)}
	t.Cleanup(func() { _ = l.ln.Close() })
	return l
}

// dial opens a client connection.
func (l *limited) dial() net.Conn {
	l.t.Helper()
	c, err := net.Dial("tcp", l.ln.Addr().String())
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { _ = c.Close() })
	return c
}

// accept runs Accept on its own goroutine.
func (l *limited) accept() <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.ln.Accept()
		if err != nil {
			close(ch)
			return
		}
		ch <- c
	}()
	return ch
}

func (l *limited) state(c net.Conn, states ...http.ConnState) {
	for _, st := range states {
		l.lim.ConnState(c, st)
	}
}

// closedByServer reports whether the server side of client c was closed
// (EOF; the deadline only bounds a broken limiter).
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err := c.Read(make([]byte, 1))
	return errors.Is(err, io.EOF)
}

func TestConnLimitEvictsTheLeastRecentlyActiveIdleConnection(t *testing.T) {
	l := newLimited(t, 3) // two served plus the doorway
	ca, cb := l.dial(), l.dial()
	a, b := <-l.accept(), <-l.accept()
	// b's request started after a's, but b's idle hook runs first.
	l.state(a, http.StateNew, http.StateActive)
	l.state(b, http.StateNew, http.StateActive, http.StateIdle)
	l.state(a, http.StateIdle)
	cc := l.dial()
	c := <-l.accept() // full: a goes
	if c == nil || !closedByServer(ca) {
		t.Fatal("the least recently active idle connection was not closed for a new client")
	}
	l.state(c, http.StateNew, http.StateActive)
	l.dial()
	d := l.accept()
	l.state(c, http.StateIdle) // b (older) goes, not c
	if <-d == nil || !closedByServer(cb) {
		t.Fatal("b was not evicted")
	}
	_ = cc
	if st := l.lim.Stats(); st.Max != 3 || st.Peak != 3 || st.Evicted != 2 || st.Accepted != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func TestConnLimitWaitsForASlotWhenNothingIsIdle(t *testing.T) {
	l := newLimited(t, 2) // one served plus the doorway
	l.dial()
	a := <-l.accept()
	l.state(a, http.StateNew) // silent: never idle
	l.dial()
	b := l.accept()
	_ = a.Close() // e.g. the read-header timeout
	if <-b == nil {
		t.Fatal("the waiting connection was not served after a slot freed")
	}
	if st := l.lim.Stats(); st.Evicted != 0 || st.Peak > 2 || st.Open > 2 {
		t.Fatalf("stats %+v", st)
	}
	// A closed connection's late hooks change nothing.
	l.state(a, http.StateIdle, http.StateClosed)
	if st := l.lim.Stats(); st.Open > 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestConnLimitListenerCloseUnblocksAccept(t *testing.T) {
	l := newLimited(t, 2)
	l.dial()
	a := <-l.accept()
	defer a.Close()
	l.dial()
	b := l.accept() // waits: nothing idle
	_ = l.ln.Close()
	if c, ok := <-b; ok {
		t.Fatalf("Accept after Close returned %v", c)
	}
	if st := l.lim.Stats(); st.Open != 1 {
		t.Fatalf("the doorway was not released: %+v", st)
	}
	if _, err := l.ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on a closed listener: %v", err)
	}
	if _, err := NewConnLimit(1); !errors.Is(err, ErrConnLimit) {
		t.Fatalf("cap 1: %v", err)
	}
}
