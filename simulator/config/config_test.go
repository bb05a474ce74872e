package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type settings struct {
	addr    string
	keys    []string
	enabled bool
	window  time.Duration
	limit   int64
}

func newSet(s *settings) *Set {
	set := NewSet()
	set.String(&s.addr, "demo-addr", "DEMO_ADDR", "demo.addr", "listen address")
	set.List(&s.keys, "demo-keys", "DEMO_KEYS", "demo.keys", "keys")
	set.Bool(&s.enabled, "demo-enabled", "DEMO_ENABLED", "demo.enabled", "switch")
	set.Duration(&s.window, "demo-window", "DEMO_WINDOW", "demo.window", "window")
	set.Int64(&s.limit, "demo-limit", "DEMO_LIMIT", "demo.limit", "limit")
	return set
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedenceFlagsOverEnvOverFileOverDefaults(t *testing.T) {
	s := settings{addr: ":1", limit: 7, window: time.Minute}
	set := newSet(&s)
	file := writeFile(t, "demo:\n  addr: ':2'\n  keys: [a, b]\n  enabled: true\n  window: 30s\n")
	err := set.Load([]string{"--demo-addr=:4"}, env(map[string]string{
		EnvConfig: file, "DEMO_ADDR": ":3", "DEMO_KEYS": "x=1, y=2",
	}), &bytes.Buffer{}, "t")
	if err != nil {
		t.Fatal(err)
	}
	if s.addr != ":4" {
		t.Errorf("addr = %q, want flag value :4", s.addr)
	}
	if strings.Join(s.keys, "|") != "x=1|y=2" {
		t.Errorf("keys = %q, want env value over file", s.keys)
	}
	if !s.enabled || s.window != 30*time.Second {
		t.Errorf("file values not applied: enabled=%v window=%v", s.enabled, s.window)
	}
	if s.limit != 7 {
		t.Errorf("limit = %d, want default 7", s.limit)
	}
}

func TestConfigFlagOverridesEnvFile(t *testing.T) {
	s := settings{}
	set := newSet(&s)
	envFile := writeFile(t, "demo:\n  addr: ':env'\n")
	flagFile := writeFile(t, "demo:\n  addr: ':flag'\n")
	if err := set.Load([]string{"--config", flagFile}, env(map[string]string{EnvConfig: envFile}), &bytes.Buffer{}, "t"); err != nil {
		t.Fatal(err)
	}
	if s.addr != ":flag" {
		t.Errorf("addr = %q, want :flag", s.addr)
	}
}

func TestErrorsNameTheSource(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want string
	}{
		{"bad env bool", nil, map[string]string{"DEMO_ENABLED": "maybe"}, "", "DEMO_ENABLED=\"maybe\": want true or false"},
		{"bad flag duration", []string{"--demo-window=soon"}, nil, "", "--demo-window=\"soon\": want a duration"},
		{"unknown file key", nil, nil, "demo:\n  nope: 1\n", "unknown key \"demo.nope\""},
		{"bad file int", nil, nil, "demo:\n  limit: lots\n", "demo.limit: want an integer"},
		{"unknown flag", []string{"--nope"}, nil, "", "flag provided but not defined: -nope"},
		{"stray argument", []string{"extra"}, nil, "", "unexpected argument \"extra\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := settings{}
			set := newSet(&s)
			e := map[string]string{}
			for k, v := range c.env {
				e[k] = v
			}
			if c.file != "" {
				e[EnvConfig] = writeFile(t, c.file)
			}
			err := set.Load(c.args, env(e), &bytes.Buffer{}, "t")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestHelpListsEveryFlagWithEnvAndDefault(t *testing.T) {
	s := settings{addr: ":9"}
	set := newSet(&s)
	var out bytes.Buffer
	err := set.Load([]string{"--help"}, env(nil), &out, "demo")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, f := range set.Fields() {
		for _, want := range []string{"--" + f.Flag, "env " + f.Env, "file key " + f.Key} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("usage lacks %q:\n%s", want, out.String())
			}
		}
	}
	if !strings.Contains(out.String(), `default ":9"`) {
		t.Errorf("usage lacks the default of demo-addr:\n%s", out.String())
	}
}

func TestBoolFlagsTakeNoValue(t *testing.T) {
	s := settings{}
	if err := newSet(&s).Load([]string{"--demo-enabled", "--demo-addr", ":9"}, env(nil), &bytes.Buffer{}, "t"); err != nil {
		t.Fatal(err)
	}
	if !s.enabled || s.addr != ":9" {
		t.Errorf("--demo-enabled alone: enabled=%v addr=%q", s.enabled, s.addr)
	}
	s = settings{}
	if err := newSet(&s).Load([]string{"--demo-enabled=false"}, env(map[string]string{"DEMO_ENABLED": "true"}), &bytes.Buffer{}, "t"); err != nil {
		t.Fatal(err)
	}
	if s.enabled {
		t.Error("--demo-enabled=false did not override the environment")
	}
	if err := newSet(&s).Load([]string{"--demo-enabled=maybe"}, env(nil), &bytes.Buffer{}, "t"); err == nil {
		t.Error("--demo-enabled=maybe accepted")
	}
}
