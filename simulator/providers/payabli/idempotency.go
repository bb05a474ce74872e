package payabli

import (
	"sync"
	"time"
)

// IdempotencyWindow is how long an idempotencyKey is remembered.
const IdempotencyWindow = 2 * time.Minute

// idempotency remembers (tenant, key) pairs for IdempotencyWindow.
type idempotency struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	calls int
}

func newIdempotency() *idempotency { return &idempotency{seen: map[string]time.Time{}} }

// claim records the key at now; false if it was used within the window.
func (i *idempotency) claim(tenant, key string, now time.Time) bool {
	k := tenant + "\x00" + key
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.calls++; i.calls%1024 == 0 {
		for kk, t := range i.seen {
			if now.Sub(t) >= IdempotencyWindow {
				delete(i.seen, kk)
			}
		}
	}
	if t, ok := i.seen[k]; ok && now.Sub(t) < IdempotencyWindow {
		return false
	}
	i.seen[k] = now
	return true
}
