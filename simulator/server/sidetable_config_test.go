package server_test

import (
	"testing"

	"github.com/paysandbox/paysandbox/simulator/server"
)

// The side-table bounds and the seed size bound are settings like every
// other: a flag, an environment variable and a config file key.
func TestSideTableSettings(t *testing.T) {
	load := func(args []string, env map[string]string) server.Config { return loadSettings(t, args, env) }
	type got struct {
		seed                       int64
		rate, idemN, salt, payIdem int
		idemBytes                  int64
	}
	of := func(c server.Config) got {
		return got{c.SeedMaxBytes, c.Rebilly.RateMaxEntries, c.Rapyd.IdempotencyMaxEntries, c.Rapyd.SaltMaxEntries,
			c.Payabli.IdempotencyMaxEntries, c.Rapyd.IdempotencyMaxBytes}
	}
	if g := of(load(nil, nil)); g != (got{32 << 20, 100_000, 10_000, 200_000, 100_000, 64 << 20}) {
		t.Fatalf("defaults: %+v", g)
	}
	want := got{1000, 1, 2, 3, 4, 5000}
	if g := of(load([]string{"--seed-max-bytes", "1000", "--rebilly-rate-max-entries", "1", "--rapyd-idempotency-max-entries", "2",
		"--rapyd-salt-max-entries", "3", "--payabli-idempotency-max-entries", "4", "--rapyd-idempotency-max-bytes", "5000"}, nil)); g != want {
		t.Fatalf("flags: %+v", g)
	}
	if g := of(load(nil, map[string]string{"PAYSANDBOX_SEED_MAX_BYTES": "1000", "PAYSANDBOX_REBILLY_RATE_MAX_ENTRIES": "1",
		"PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_ENTRIES": "2", "PAYSANDBOX_RAPYD_SALT_MAX_ENTRIES": "3",
		"PAYSANDBOX_PAYABLI_IDEMPOTENCY_MAX_ENTRIES": "4", "PAYSANDBOX_RAPYD_IDEMPOTENCY_MAX_BYTES": "5000"})); g != want {
		t.Fatalf("env: %+v", g)
	}
	yaml := "admin:\n  seedMaxBytes: 1000\nrebilly:\n  rateMaxEntries: 1\nrapyd:\n  idempotencyMaxEntries: 2\n  saltMaxEntries: 3\n  idempotencyMaxBytes: 5000\npayabli:\n  idempotencyMaxEntries: 4\n"
	if g := of(load(configFile(t, yaml), nil)); g != want {
		t.Fatalf("file: %+v", g)
	}
}
