package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/server"
)

func runCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, func(string) string { return "" }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersionHelpAndUnknownCommand(t *testing.T) {
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "paysandbox ") {
		t.Errorf("version: %d %q", code, out)
	}
	code, _, errOut := runCLI("serve", "--help")
	if code != 0 {
		t.Errorf("serve --help exit %d", code)
	}
	for _, want := range []string{"--rebilly-addr", "env PAYSANDBOX_REBILLY_ADDR", "--rebilly-api-keys", "env PAYSANDBOX_REBILLY_API_KEYS",
		"--admin-addr", "--max-body-bytes", "--mysql-addr", "--config PATH",
		"--admin-allowed-hosts", "env PAYSANDBOX_ADMIN_ALLOWED_HOSTS", "--admin-token", "env PAYSANDBOX_ADMIN_TOKEN",
		"--max-connections", "env PAYSANDBOX_MAX_CONNECTIONS"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
	if code, _, errOut := runCLI("frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI("serve", "--rebilly-time-format=sundial", "--rebilly-addr=127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "sundial") {
		t.Errorf("bad config must fail to start: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI("serve", "--max-connections=1", "--rebilly-addr=127.0.0.1:0"); code != 1 || !strings.Contains(errOut, "max connections 1") {
		t.Errorf("a connection cap of 1 must fail to start: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI("healthcheck", "--admin-addr=127.0.0.1:1"); code != 1 || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("healthcheck against nothing: %d %q", code, errOut)
	}
}

// The image sets PAYSANDBOX_ADMIN_ADDR=0.0.0.0:8080 and may set an admin
// token: healthcheck asks 127.0.0.1 and /readyz needs no token.
func TestHealthcheckWithAllInterfacesAddressAndAdminToken(t *testing.T) {
	cfg := server.DefaultConfig()
	for _, n := range server.Names {
		cfg.SetAddr(n, "127.0.0.1:0")
	}
	cfg.AdminToken = "health-token"
	srv, err := server.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	_, port, _ := net.SplitHostPort(srv.Addr(server.Admin))
	code, out, errOut := runCLI("healthcheck", "--admin-addr=0.0.0.0:"+port, "--admin-token=health-token")
	if code != 0 || !strings.Contains(out, `healthy: {"status":"ready"}`) {
		t.Errorf("healthcheck: %d %q %q", code, out, errOut)
	}
}
