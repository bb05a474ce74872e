// Package config binds every simulator setting to one flag, one environment
// variable and one config-file key, and loads them with the precedence
// flags > environment > file > defaults. Packages register their own settings
// (a provider registers its credentials), so `paysandbox --help` lists every
// flag with its variable and default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// EnvConfig names the config file; the --config flag overrides it.
const EnvConfig = "PAYSANDBOX_CONFIG"

// Field is one setting.
type Field struct {
	Flag string // flag name without dashes, e.g. "rebilly-addr"
	Env  string // environment variable, e.g. "PAYSANDBOX_REBILLY_ADDR"
	Key  string // dotted config-file key, e.g. "rebilly.addr"
	Help string
	val  value
	def  string
}

type value interface {
	Set(string) error
	String() string
}

// Set is a collection of fields.
type Set struct {
	fields []*Field
	byKey  map[string]*Field
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byKey: map[string]*Field{}} }

func (s *Set) add(flagName, env, key, help string, v value) {
	if _, dup := s.byKey[key]; dup {
		panic("config: duplicate key " + key)
	}
	f := &Field{Flag: flagName, Env: env, Key: key, Help: help, val: v, def: v.String()}
	s.fields = append(s.fields, f)
	s.byKey[key] = f
}

// String binds a string setting.
func (s *Set) String(p *string, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*stringValue)(p))
}

// Bool binds a boolean setting.
func (s *Set) Bool(p *bool, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*boolValue)(p))
}

// Int64 binds an integer setting.
func (s *Set) Int64(p *int64, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*int64Value)(p))
}

// Int binds an integer setting.
func (s *Set) Int(p *int, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*intValue)(p))
}

// Duration binds a duration setting ("90s", "2m").
func (s *Set) Duration(p *time.Duration, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*durationValue)(p))
}

// List binds a comma-separated list (a YAML sequence in the file).
func (s *Set) List(p *[]string, flagName, env, key, help string) {
	s.add(flagName, env, key, help, (*listValue)(p))
}

// Fields returns the registered fields in registration order.
func (s *Set) Fields() []*Field { return s.fields }

// Default returns the field's default as text.
func (f *Field) Default() string { return f.def }

// Load applies the config file, then the environment, then the flags in args.
// args are the command-line arguments after the subcommand. It returns
// flag.ErrHelp when -h/--help was given (after printing usage to out).
func (s *Set) Load(args []string, getenv func(string) string, out io.Writer, name string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configPath := getenv(EnvConfig)
	fs.StringVar(&configPath, "config", configPath, "")
	type pending struct {
		f   *Field
		raw string
	}
	var fromFlags []pending
	for _, f := range s.fields {
		f := f
		record := func(v string) error {
			fromFlags = append(fromFlags, pending{f, v})
			return nil
		}
		if _, isBool := f.val.(*boolValue); isBool {
			fs.BoolFunc(f.Flag, f.Help, record) // --flag alone means true
		} else {
			fs.Func(f.Flag, f.Help, record)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			s.Usage(out, name)
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if configPath != "" {
		if err := s.loadFile(configPath); err != nil {
			return err
		}
	}
	for _, f := range s.fields {
		if f.Env == "" {
			continue
		}
		if v, ok := lookup(getenv, f.Env); ok {
			if err := f.val.Set(v); err != nil {
				return fmt.Errorf("%s=%q: %w", f.Env, v, err)
			}
		}
	}
	for _, p := range fromFlags {
		if err := p.f.val.Set(p.raw); err != nil {
			return fmt.Errorf("--%s=%q: %w", p.f.Flag, p.raw, err)
		}
	}
	return nil
}

func lookup(getenv func(string) string, k string) (string, bool) {
	v := getenv(k)
	return v, v != ""
}

func (s *Set) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	flat := map[string]string{}
	if err := flatten("", doc, flat); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := s.byKey[k]
		if !ok {
			return fmt.Errorf("config file %s: unknown key %q", path, k)
		}
		if err := f.val.Set(flat[k]); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, k, err)
		}
	}
	return nil
}

func flatten(prefix string, v any, out map[string]string) error {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			if err := flatten(key, sub, out); err != nil {
				return err
			}
		}
	case []any:
		parts := make([]string, 0, len(t))
		for _, e := range t {
			switch e.(type) {
			case map[string]any, []any:
				return fmt.Errorf("%s: list items must be scalars", prefix)
			}
			parts = append(parts, fmt.Sprint(e))
		}
		out[prefix] = strings.Join(parts, ",")
	case nil:
		out[prefix] = ""
	default:
		out[prefix] = fmt.Sprint(t)
	}
	return nil
}

// Usage prints every flag with its environment variable, file key and default.
func (s *Set) Usage(w io.Writer, name string) {
	fmt.Fprintf(w, "Usage: %s [flags]\n\nPrecedence: flags > environment > config file > defaults.\n\n", name)
	fmt.Fprintf(w, "  --config PATH\n        YAML config file (env %s); keys as listed below\n", EnvConfig)
	for _, f := range s.fields {
		fmt.Fprintf(w, "  --%s\n        %s\n        env %s, file key %s", f.Flag, f.Help, f.Env, f.Key)
		if f.def != "" {
			fmt.Fprintf(w, ", default %q", f.def)
		}
		fmt.Fprintln(w)
	}
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) String() string { return strconv.FormatBool(bool(*v)) }

type int64Value int64

func (v *int64Value) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer")
	}
	*v = int64Value(n)
	return nil
}
func (v *int64Value) String() string { return strconv.FormatInt(int64(*v), 10) }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("want an integer")
	}
	*v = intValue(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as 60s")
	}
	*v = durationValue(d)
	return nil
}
func (v *durationValue) String() string { return time.Duration(*v).String() }

type listValue []string

func (v *listValue) Set(s string) error {
	*v = nil
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*v = append(*v, p)
		}
	}
	return nil
}
func (v *listValue) String() string { return strings.Join(*v, ",") }
