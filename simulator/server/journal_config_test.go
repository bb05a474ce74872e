package server_test

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/journal"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// The journal's byte bound and header list are settings like every other:
// a flag, an environment variable and a config file key.
func TestJournalSettings(t *testing.T) {
	load := func(args []string, env map[string]string) server.Config {
		t.Helper()
		c := server.DefaultConfig()
		s := config.NewSet()
		c.Register(s)
		if err := s.Load(args, func(k string) string { return env[k] }, io.Discard, "paysandbox"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := load(nil, nil); c.JournalMaxBytes != journal.DefaultMaxBytes || journal.DefaultMaxBytes != 8<<20 || len(c.JournalRedactHeaders) != 0 {
		t.Fatalf("defaults: %d %v", c.JournalMaxBytes, c.JournalRedactHeaders)
	}
	c := load([]string{"--journal-max-bytes", "4096", "--journal-redact-headers", "X-Pin,x-other"}, nil)
	if c.JournalMaxBytes != 4096 || !slices.Equal(c.JournalRedactHeaders, []string{"X-Pin", "x-other"}) {
		t.Fatalf("flags: %d %v", c.JournalMaxBytes, c.JournalRedactHeaders)
	}
	c = load(nil, map[string]string{"PAYSANDBOX_JOURNAL_MAX_BYTES": "0", "PAYSANDBOX_JOURNAL_REDACT_HEADERS": "X-Pin"})
	if c.JournalMaxBytes != 0 || !slices.Equal(c.JournalRedactHeaders, []string{"X-Pin"}) {
		t.Fatalf("env: %d %v", c.JournalMaxBytes, c.JournalRedactHeaders)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("admin:\n  journalMaxBytes: 123456\n  journalRedactHeaders: [X-A, X-B]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c = load([]string{"--config", file}, nil)
	if c.JournalMaxBytes != 123456 || !slices.Equal(c.JournalRedactHeaders, []string{"X-A", "X-B"}) {
		t.Fatalf("file: %d %v", c.JournalMaxBytes, c.JournalRedactHeaders)
	}
}
