package server_test

import (
	"slices"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/journal"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// The journal's byte bound and header list are settings like every other:
// a flag, an environment variable and a config file key.
func TestJournalSettings(t *testing.T) {
	load := func(args []string, env map[string]string) server.Config { return loadSettings(t, args, env) }
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
	fileArgs := configFile(t, "admin:\n  journalMaxBytes: 123456\n  journalRedactHeaders: [X-A, X-B]\n")
	c = load(fileArgs, nil)
	if c.JournalMaxBytes != 123456 || !slices.Equal(c.JournalRedactHeaders, []string{"X-A", "X-B"}) {
		t.Fatalf("file: %d %v", c.JournalMaxBytes, c.JournalRedactHeaders)
	}
}
