package rapyd

import (
	"time"

	"github.com/paysandbox/paysandbox/simulator/config"
)

// Name is the provider name.
const Name = "rapyd"

// Default key pair, active when no keys are configured.
const (
	DefaultAccessKey = "rak_test_paysandbox"
	DefaultSecretKey = "rsk_test_paysandbox"
)

// Config holds Rapyd's settings.
type Config struct {
	// Keys: "access_key=secret_key" pairs; empty = the default pair.
	Keys []string
	// TimestampPast / TimestampFuture bound how far the timestamp header
	// may lie behind / ahead of the server clock.
	TimestampPast   time.Duration
	TimestampFuture time.Duration
	// RejectSaltReuse refuses a salt already used by the same access key
	// within the timestamp window.
	RejectSaltReuse bool
	// IdempotentPosts replays the first response to a POST whose
	// idempotency header repeats within IdempotencyWindow (Rapyd's "all
	// POST/PUT" account option; by default only Create Payment is replayed,
	// which the simulator does not serve).
	IdempotentPosts   bool
	IdempotencyWindow time.Duration
	// IdempotencyKeyOnly compares only the idempotency header, as Rapyd
	// documents for the all-POST option: a key reused for another method,
	// path or body replays the first response. Off by default: such a reuse
	// is refused with ERROR_IDEMPOTENCY_KEY_REUSED.
	IdempotencyKeyOnly bool
	// IdempotencyMaxEntries and IdempotencyMaxBytes bound the replay cache
	// (oldest dropped first); a response larger than 1/16 of
	// IdempotencyMaxBytes is not cached (a repeat of its key runs again).
	IdempotencyMaxEntries int
	IdempotencyMaxBytes   int64
	// SaltMaxEntries bounds the salts remembered for RejectSaltReuse
	// (oldest dropped first).
	SaltMaxEntries int
}

// Defaults of the side-table bounds.
const (
	DefaultIdempotencyMaxEntries = 10_000
	DefaultIdempotencyMaxBytes   = 64 << 20
	DefaultSaltMaxEntries        = 200_000
)

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	return Config{TimestampPast: 60 * time.Second, TimestampFuture: 60 * time.Second, IdempotencyWindow: 24 * time.Hour,
		IdempotencyMaxEntries: DefaultIdempotencyMaxEntries, IdempotencyMaxBytes: DefaultIdempotencyMaxBytes, SaltMaxEntries: DefaultSaltMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.Keys, "rapyd-keys", "PAYSANDBOX_RAPYD_KEYS", "rapyd.keys",
		"comma list of access_key=secret_key; empty = the default pair "+DefaultAccessKey+"="+DefaultSecretKey)
	s.Duration(&c.TimestampPast, "rapyd-timestamp-past", "PAYSANDBOX_RAPYD_TIMESTAMP_PAST", "rapyd.timestampPast",
		"how far the timestamp header may lie behind the server clock (documented: 60s)")
	s.Duration(&c.TimestampFuture, "rapyd-timestamp-future", "PAYSANDBOX_RAPYD_TIMESTAMP_FUTURE", "rapyd.timestampFuture",
		"how far the timestamp header may lie ahead of the server clock")
	s.Bool(&c.RejectSaltReuse, "rapyd-reject-salt-reuse", "PAYSANDBOX_RAPYD_REJECT_SALT_REUSE", "rapyd.rejectSaltReuse",
		"refuse a salt the same access key used within the timestamp window")
	s.Bool(&c.IdempotentPosts, "rapyd-idempotent-posts", "PAYSANDBOX_RAPYD_IDEMPOTENT_POSTS", "rapyd.idempotentPosts",
		"replay the first response to a POST with a repeated idempotency header (Rapyd's all-POST option)")
	s.Bool(&c.IdempotencyKeyOnly, "rapyd-idempotency-key-only", "PAYSANDBOX_RAPYD_IDEMPOTENCY_KEY_ONLY", "rapyd.idempotencyKeyOnly",
		"with --rapyd-idempotent-posts, compare only the idempotency header as Rapyd documents (a key reused for another path or body replays the first response instead of being refused)")
	s.Duration(&c.IdempotencyWindow, "rapyd-idempotency-window", "PAYSANDBOX_RAPYD_IDEMPOTENCY_WINDOW", "rapyd.idempotencyWindow",
		"how long an idempotency key is remembered")
	s.Int(&c.IdempotencyMaxEntries, "rapyd-idempotency-max-entries", "PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_ENTRIES", "rapyd.idempotencyMaxEntries",
		"idempotent responses cached at most; the oldest is dropped first")
	s.Int64(&c.IdempotencyMaxBytes, "rapyd-idempotency-max-bytes", "PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_BYTES", "rapyd.idempotencyMaxBytes",
		"bytes of idempotent responses cached at most; a response over 1/16 of this is not cached")
	s.Int(&c.SaltMaxEntries, "rapyd-salt-max-entries", "PAYSANDBOX_RAPYD_SALT_MAX_ENTRIES", "rapyd.saltMaxEntries",
		"salts remembered at most for --rapyd-reject-salt-reuse; the oldest is dropped first")
}
