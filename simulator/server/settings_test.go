package server_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// loadSettings loads a server.Config exactly as the binary does: defaults,
// then a config file (--config), the environment and the flags.
func loadSettings(t *testing.T, args []string, env map[string]string) server.Config {
	t.Helper()
	c := server.DefaultConfig()
	s := config.NewSet()
	c.Register(s)
	if err := s.Load(args, func(k string) string { return env[k] }, io.Discard, "paysandbox"); err != nil {
		t.Fatal(err)
	}
	return c
}

// configFile writes a YAML config file and returns the --config arguments
// that load it.
func configFile(t *testing.T, yaml string) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--config", file}
}
