package rebilly

import (
	"time"

	"github.com/paysandbox/paysandbox/simulator/config"
)

// Name is the provider name.
const Name = "rebilly"

// Time formats for createdTime/updatedTime (a known unknown).
const (
	TimeOffset = "offset" // 2026-11-22T10:00:00+00:00 (default: the one real capture's style)
	TimeZulu   = "zulu"   // 2026-11-22T10:00:00Z (the spec samples' style)
)

// Config holds Rebilly's settings.
type Config struct {
	// APIKeys: "key" or "key=organizationId". Empty = open mode.
	APIKeys []string
	// TimeFormat is TimeOffset or TimeZulu.
	TimeFormat string
	// RateLimit is the number of non-GET requests per organization per
	// RateWindow reported in X-RateLimit-* headers; EnforceRateLimit turns
	// the 429 answer on.
	RateLimit        int
	RateWindow       time.Duration
	EnforceRateLimit bool
	// RateMaxEntries bounds the rate-limit windows kept (one per tenant
	// that sent a non-GET request within RateWindow); the oldest window is
	// dropped first (that tenant's count starts again).
	RateMaxEntries int
}

// DefaultRateMaxEntries is the default bound on rate-limit windows.
const DefaultRateMaxEntries = 100_000

// DefaultConfig returns the embedded defaults (open mode, sandbox limits
// reported but not enforced).
func DefaultConfig() Config {
	return Config{TimeFormat: TimeOffset, RateLimit: 3000, RateWindow: 10 * time.Minute, RateMaxEntries: DefaultRateMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.APIKeys, "rebilly-api-keys", "PAYSANDBOX_REBILLY_API_KEYS", "rebilly.apiKeys",
		"comma list of `key` or `key=organizationId`; empty = open mode (any non-empty key, each key its own organization)")
	s.String(&c.TimeFormat, "rebilly-time-format", "PAYSANDBOX_REBILLY_TIME_FORMAT", "rebilly.timeFormat",
		"date-time style in responses: offset (+00:00) or zulu (Z)")
	s.Int(&c.RateLimit, "rebilly-rate-limit", "PAYSANDBOX_REBILLY_RATE_LIMIT", "rebilly.rateLimit",
		"non-GET requests per organization per window, reported in X-RateLimit-* headers")
	s.Duration(&c.RateWindow, "rebilly-rate-window", "PAYSANDBOX_REBILLY_RATE_WINDOW", "rebilly.rateWindow",
		"rate-limit window")
	s.Bool(&c.EnforceRateLimit, "rebilly-enforce-rate-limit", "PAYSANDBOX_REBILLY_ENFORCE_RATE_LIMIT", "rebilly.enforceRateLimit",
		"answer 429 once an organization exceeds the rate limit")
	s.Int(&c.RateMaxEntries, "rebilly-rate-max-entries", "PAYSANDBOX_REBILLY_RATE_MAX_ENTRIES", "rebilly.rateMaxEntries",
		"rate-limit windows kept at most (one per organization namespace); the oldest is dropped first")
}
