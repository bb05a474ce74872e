package server_test

import (
	"slices"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/server"
)

// The admin protection and the connection cap are settings like every
// other: a flag, an environment variable and a config file key.
func TestAdminAndConnectionSettings(t *testing.T) {
	load := func(args []string, env map[string]string) server.Config { return loadSettings(t, args, env) }
	if c := load(nil, nil); c.MaxConnections != server.DefaultMaxConnections || c.AdminToken != "" || len(c.AdminAllowedHosts) != 0 ||
		c.Addr(server.Admin) != "127.0.0.1:8080" {
		t.Fatalf("defaults: %d %q %v %q", c.MaxConnections, c.AdminToken, c.AdminAllowedHosts, c.Addr(server.Admin))
	}
	c := load([]string{"--max-connections", "50", "--admin-token", "tok", "--admin-allowed-hosts", "a.example,b"}, nil)
	if c.MaxConnections != 50 || c.AdminToken != "tok" || !slices.Equal(c.AdminAllowedHosts, []string{"a.example", "b"}) {
		t.Fatalf("flags: %d %q %v", c.MaxConnections, c.AdminToken, c.AdminAllowedHosts)
	}
	c = load(nil, map[string]string{"PAYSANDBOX_MAX_CONNECTIONS": "0", "PAYSANDBOX_ADMIN_TOKEN": "t2",
		"PAYSANDBOX_ADMIN_ALLOWED_HOSTS": "paysandbox", "PAYSANDBOX_ADMIN_ADDR": "0.0.0.0:8080"})
	if c.MaxConnections != 0 || c.AdminToken != "t2" || !slices.Equal(c.AdminAllowedHosts, []string{"paysandbox"}) || c.Addr(server.Admin) != "0.0.0.0:8080" {
		t.Fatalf("env: %d %q %v %q", c.MaxConnections, c.AdminToken, c.AdminAllowedHosts, c.Addr(server.Admin))
	}
	fileArgs := configFile(t, "http:\n  maxConnections: 64\nadmin:\n  token: t3\n  allowedHosts: [x.internal, y]\n")
	c = load(fileArgs, nil)
	if c.MaxConnections != 64 || c.AdminToken != "t3" || !slices.Equal(c.AdminAllowedHosts, []string{"x.internal", "y"}) {
		t.Fatalf("file: %d %q %v", c.MaxConnections, c.AdminToken, c.AdminAllowedHosts)
	}
	for _, bad := range []int{-1, 1} {
		cfg := server.DefaultConfig()
		cfg.MaxConnections = bad
		if _, err := server.New(cfg, nil); err == nil {
			t.Errorf("max connections %d accepted", bad)
		}
	}
}
