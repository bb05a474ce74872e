package payabli

import (
	"net/http"

	"github.com/paysandbox/paysandbox/simulator/config"
)

// Name is the provider name.
const Name = "payabli"

// Duplicate-create behaviours with default flags (a known unknown).
const (
	DuplicateExisting = "existing" // 200 with the matched record (default)
	DuplicateDecline  = "decline"  // 400 Declined
)

// Config holds Payabli's settings.
type Config struct {
	// Tokens: "token" or "token=entry1|entry2". Empty = open mode.
	Tokens []string
	// Identifiers are the configured identifier groups ("firstname+lastname",
	// "email", ...), used when a request sends no identifierFields.
	Identifiers []string
	// Duplicate is DuplicateExisting or DuplicateDecline.
	Duplicate string
	// NotFoundStatus is the HTTP status for an unknown customerId (400 or 404).
	NotFoundStatus int
	// IdempotencyMaxEntries bounds the idempotencyKeys remembered (the
	// oldest is forgotten first).
	IdempotencyMaxEntries int
}

// DefaultConfig returns the embedded defaults.
func DefaultConfig() Config {
	return Config{Identifiers: []string{"email", "firstname+lastname"}, Duplicate: DuplicateExisting, NotFoundStatus: http.StatusBadRequest,
		IdempotencyMaxEntries: DefaultIdempotencyMaxEntries}
}

// Register binds the settings to flags, env and file keys.
func (c *Config) Register(s *config.Set) {
	s.List(&c.Tokens, "payabli-tokens", "PAYSANDBOX_PAYABLI_TOKENS", "payabli.tokens",
		"comma list of `token` or `token=entry1|entry2`; empty = open mode (any non-empty token, each its own organization)")
	s.List(&c.Identifiers, "payabli-identifiers", "PAYSANDBOX_PAYABLI_IDENTIFIERS", "payabli.identifiers",
		"configured customer identifier groups (a+b = both fields), used when a create sends no identifierFields")
	s.String(&c.Duplicate, "payabli-duplicate", "PAYSANDBOX_PAYABLI_DUPLICATE", "payabli.duplicate",
		"create matching an existing customer with default flags: existing (200 + existing record) or decline (400)")
	s.Int(&c.NotFoundStatus, "payabli-not-found-status", "PAYSANDBOX_PAYABLI_NOT_FOUND_STATUS", "payabli.notFoundStatus",
		"HTTP status for an unknown customerId: 400 or 404")
	s.Int(&c.IdempotencyMaxEntries, "payabli-idempotency-max-entries", "PAYSANDBOX_PAYABLI_IDEMPOTENCY_MAX_ENTRIES", "payabli.idempotencyMaxEntries",
		"idempotencyKeys remembered at most (each for 2 minutes); the oldest is forgotten first")
}
