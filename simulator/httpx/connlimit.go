package httpx

import (
	"container/list"
	"errors"
	"net"
	"net/http"
	"sync"
)

// ConnLimit caps the connections one listener holds open, so a flood of
// connections that never send a request (or sit idle between requests)
// cannot exhaust file descriptors or stop the listener from serving a
// well-behaved client.
//
// At most Max connections are open at any time: up to Max-1 are being served
// by the http.Server, and the last slot is the doorway, a connection just
// accepted that waits for room. When a connection is in the doorway and the
// server is full, the least recently used keep-alive idle connection
// (http.StateIdle) is closed to make room; when none is idle, the doorway waits until a served
// connection closes (a connection that never sends its headers is closed by
// the server's ReadHeaderTimeout, a keep-alive one by IdleTimeout or by
// being evicted). Nothing more is accepted meanwhile; new clients queue in
// the kernel's listen backlog in arrival order.
//
// Use it as both the listener (Listener) and the server's ConnState hook
// (ConnState); without the hook no connection is known to be idle and the
// doorway only waits.
type ConnLimit struct {
	max int

	mu      sync.Mutex
	cond    *sync.Cond
	open    int        // served + doorway
	idle    *list.List // of *limitedConn, least recently active first
	seq     uint64     // orders request starts
	peak    int
	total   uint64
	evicted uint64
	waited  uint64
}

// ConnStats is a snapshot of a ConnLimit's counters.
type ConnStats struct {
	// Max is the configured cap.
	Max int
	// Open is the number of slots taken now: connections being served
	// plus the doorway, which is reserved while the listener waits in
	// Accept.
	Open int
	// Peak is the largest Open ever observed; it never exceeds Max.
	Peak int
	// Accepted counts every connection accepted.
	Accepted uint64
	// Evicted counts idle keep-alive connections closed to make room.
	Evicted uint64
	// Waited counts accepted connections that had to wait for a slot
	// because no connection was idle.
	Waited uint64
}

// MinConnLimit is the smallest cap NewConnLimit accepts: one served
// connection plus the doorway.
const MinConnLimit = 2

// ErrConnLimit is returned by NewConnLimit for a cap below MinConnLimit.
var ErrConnLimit = errors.New("connection cap must be at least 2")

// NewConnLimit returns a cap of max open connections (at least
// MinConnLimit).
func NewConnLimit(max int) (*ConnLimit, error) {
	if max < MinConnLimit {
		return nil, ErrConnLimit
	}
	l := &ConnLimit{max: max, idle: list.New()}
	l.cond = sync.NewCond(&l.mu)
	return l, nil
}

// Stats returns the current counters.
func (l *ConnLimit) Stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Max: l.max, Open: l.open, Peak: l.peak, Accepted: l.total, Evicted: l.evicted, Waited: l.waited}
}

// Listener wraps ln so that Accept respects the cap.
func (l *ConnLimit) Listener(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, l: l}
}

// ConnState is the http.Server ConnState hook that tells the cap which
// connections are idle.
func (l *ConnLimit) ConnState(c net.Conn, st http.ConnState) {
	lc, ok := c.(*limitedConn)
	if !ok || lc.l != l {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if lc.closed {
		return
	}
	switch st {
	case http.StateIdle:
		if lc.idleAt == nil {
			// Ordered by when the connection's last request started (not by
			// when this hook ran, which a busy scheduler may delay), so
			// the least recently used connection is evicted first.
			e := l.idle.Back()
			for e != nil && e.Value.(*limitedConn).active > lc.active {
				e = e.Prev()
			}
			if e == nil {
				lc.idleAt = l.idle.PushFront(lc)
			} else {
				lc.idleAt = l.idle.InsertAfter(lc, e)
			}
		}
		l.cond.Broadcast()
	case http.StateActive, http.StateHijacked, http.StateClosed:
		if st == http.StateActive {
			l.seq++
			lc.active = l.seq
		}
		if lc.idleAt != nil {
			l.idle.Remove(lc.idleAt)
			lc.idleAt = nil
		}
	}
}

type limitedListener struct {
	net.Listener
	l         *ConnLimit
	closeOnce sync.Once
	closed    bool // under l.mu
}

func (ll *limitedListener) Accept() (net.Conn, error) {
	l := ll.l
	// Wait for a free slot for the doorway.
	l.mu.Lock()
	for l.open >= l.max && !ll.closed {
		l.cond.Wait()
	}
	if ll.closed {
		l.mu.Unlock()
		return nil, net.ErrClosed
	}
	l.open++
	l.peak = max(l.peak, l.open)
	l.mu.Unlock()

	c, err := ll.Listener.Accept()
	l.mu.Lock()
	if err != nil {
		l.open--
		l.cond.Broadcast()
		l.mu.Unlock()
		return nil, err
	}
	l.total++
	lc := &limitedConn{Conn: c, l: l}
	// The connection holds the doorway slot. Before it is served there must
	// be room for the next doorway: at most max-1 served plus one doorway.
	waited := false
	for l.open >= l.max && !ll.closed {
		if front := l.idle.Front(); front != nil {
			victim := front.Value.(*limitedConn)
			l.idle.Remove(front)
			victim.idleAt = nil
			l.evicted++
			l.mu.Unlock()
			_ = victim.Close() // releases its slot
			l.mu.Lock()
			continue
		}
		if !waited {
			waited = true
			l.waited++
		}
		l.cond.Wait()
	}
	if ll.closed {
		l.mu.Unlock()
		_ = lc.Close()
		return nil, net.ErrClosed
	}
	l.mu.Unlock()
	return lc, nil
}

func (ll *limitedListener) Close() error {
	err := net.ErrClosed
	ll.closeOnce.Do(func() {
		ll.l.mu.Lock()
		ll.closed = true
		ll.l.cond.Broadcast()
		ll.l.mu.Unlock()
		err = ll.Listener.Close()
	})
	return err
}

type limitedConn struct {
	net.Conn
	l      *ConnLimit
	once   sync.Once
	closed bool          // under l.mu
	idleAt *list.Element // under l.mu; non-nil while idle
	active uint64        // under l.mu; l.seq when its last request started
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		l := c.l
		l.mu.Lock()
		c.closed = true
		if c.idleAt != nil {
			l.idle.Remove(c.idleAt)
			c.idleAt = nil
		}
		l.open--
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	return err
}
