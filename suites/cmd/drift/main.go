// Command drift compares two recordings of the same scenarios (live sandbox
// vs simulator, or a stored recording vs the simulator) and writes a JSON and
// a Markdown report per provider. It exits 1 on unexpected drift, 2 on a
// usage or input error.
//
//	go run ./suites/cmd/drift -a reports/live/rebilly.json -b reports/sim/rebilly.json -out reports/drift
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/paysandbox/paysandbox/contracts"
	"github.com/paysandbox/paysandbox/suites/drift"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("drift", flag.ContinueOnError)
	a := fs.String("a", "", "recording A (e.g. the live sandbox)")
	b := fs.String("b", "", "recording B (e.g. the simulator)")
	out := fs.String("out", "reports/drift", "directory for <provider>.json and <provider>.md")
	allowFile := fs.String("allow", "", "allow-list YAML (default: contracts/<provider>/drift-allow.yaml when present)")
	maxAge := fs.Duration("max-age", 30*24*time.Hour, "warn when a recording is older than this")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *a == "" || *b == "" {
		fmt.Fprintln(os.Stderr, "drift: -a and -b are required")
		return 2
	}
	ra, err := drift.ReadRecording(*a)
	if err != nil {
		fmt.Fprintln(os.Stderr, "drift:", err)
		return 2
	}
	rb, err := drift.ReadRecording(*b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "drift:", err)
		return 2
	}
	provider := ra.Meta.Provider
	var observe []drift.Observe
	if c, err := contracts.Load(provider); err == nil {
		for _, k := range c.KnownUnknowns() {
			for _, w := range k.Observe {
				op := k.Operation
				if op == "*" {
					op = ""
				}
				observe = append(observe, drift.Observe{ID: k.ID, Operation: op, Where: w})
			}
		}
	}
	var allow []drift.Allow
	path := *allowFile
	if path == "" {
		path = "contracts/" + provider + "/drift-allow.yaml"
	}
	if raw, err := os.ReadFile(path); err == nil {
		if err := yaml.Unmarshal(raw, &allow); err != nil {
			fmt.Fprintf(os.Stderr, "drift: %s: %v\n", path, err)
			return 2
		}
	} else if *allowFile != "" {
		fmt.Fprintln(os.Stderr, "drift:", err)
		return 2
	}
	now := time.Now().UTC()
	rep := drift.Compare(ra, rb, allow, observe, now)
	for _, m := range []drift.Meta{ra.Meta, rb.Meta} {
		if w := drift.Stale(m, *maxAge, now); w != "" {
			rep.Warnings = append(rep.Warnings, w)
		}
	}
	if err := rep.WriteFiles(*out); err != nil {
		fmt.Fprintln(os.Stderr, "drift:", err)
		return 2
	}
	fmt.Printf("drift %s: %d unexpected, %d allowed, %d observations; report in %s/%s.{json,md}\n",
		provider, rep.Unexpected, rep.Allowed, rep.Observations, strings.TrimRight(*out, "/"), provider)
	if rep.Drifted() {
		return 1
	}
	return 0
}
