package payabli

import (
	"crypto/sha256"
	"time"

	"github.com/paysandbox/paysandbox/simulator/bounded"
)

// IdempotencyWindow is how long an idempotencyKey is remembered.
const IdempotencyWindow = 2 * time.Minute

// DefaultIdempotencyMaxEntries bounds the idempotency keys remembered.
const DefaultIdempotencyMaxEntries = 100_000

// idempotency remembers (tenant, key) pairs for IdempotencyWindow, each with
// the fingerprint of the request that used it. A key is held as its SHA-256,
// so a key of any length costs the same (a known unknown: Payabli documents
// no length limit); the table is bounded in entries, the oldest key
// forgotten first.
type idempotency struct {
	seen *bounded.Table[[32]byte]
}

func newIdempotency(maxEntries int, reg *bounded.Registry) *idempotency {
	if maxEntries <= 0 {
		maxEntries = DefaultIdempotencyMaxEntries
	}
	return &idempotency{seen: bounded.New[[32]byte](bounded.Options{Name: "payabli_idempotency", MaxEntries: maxEntries,
		MaxBytes: int64(maxEntries) * 256, Registry: reg})}
}

// claimResult is what claim found.
type claimResult int

const (
	claimed      claimResult = iota // new key: proceed
	repeated                        // the same request within the window
	otherRequest                    // the key was used by a different request
)

// claim records the key at now for the request fingerprinted by of.
func (i *idempotency) claim(tenant, key string, of [32]byte, now time.Time) claimResult {
	sum := sha256.Sum256([]byte(key))
	prev, loaded := i.seen.GetOrPut(tenant+"\x00"+string(sum[:]), tenant, of, 32, now.Add(IdempotencyWindow), now)
	switch {
	case !loaded:
		return claimed
	case prev == of:
		return repeated
	}
	return otherRequest
}

// reset forgets the keys of one tenant ("" = all).
func (i *idempotency) reset(tenant string) {
	if tenant == "" {
		i.seen.Clear()
		return
	}
	i.seen.ClearScope(tenant)
}
