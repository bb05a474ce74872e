package main

import (
	"bytes"
	"strings"
	"testing"
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
		"--admin-addr", "--max-body-bytes", "--mysql-addr", "--config PATH"} {
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
	if code, _, errOut := runCLI("healthcheck", "--admin-addr=127.0.0.1:1"); code != 1 || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("healthcheck against nothing: %d %q", code, errOut)
	}
}
