package target

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The halves stand apart (docs/ARCHITECTURE.md): a suites package reaches
// the simulator only through its public in-process entry point
// simulator/server, never a provider, the store or any other simulator
// package, directly or through another package of the module; and no
// simulator package imports the suites. Otherwise a bug in shared code (a
// signer, an id rule) would be invisible to the suites that should catch it.

const (
	modulePath   = "github.com/paysandbox/paysandbox"
	simulatorPkg = modulePath + "/simulator"
	serverPkg    = modulePath + "/simulator/server"
	suitesPkg    = modulePath + "/suites"
)

// listedPackage is the part of `go list -json` the rule needs.
type listedPackage struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Error                              *struct{ Err string }
}

func within(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

// importViolations walks each suites package's imports (its tests' too)
// through the module's packages, stopping at simulator/server, and returns
// one line per suites package that reaches another simulator package (with
// the chain that reaches it), and one per simulator package importing the
// suites.
func importViolations(pkgs map[string]listedPackage) []string {
	var out []string
	for _, p := range sortedKeys(pkgs) {
		pkg := pkgs[p]
		if within(p, simulatorPkg) {
			for _, imp := range pkg.Imports {
				if within(imp, suitesPkg) {
					out = append(out, p+" (simulator) imports "+imp)
				}
			}
			continue
		}
		if !within(p, suitesPkg) {
			continue
		}
		// breadth-first from the package's own imports; via records the
		// chain that first reached each package
		via := map[string]string{}
		var queue []string
		for _, imp := range slices.Concat(pkg.Imports, pkg.TestImports, pkg.XTestImports) {
			if _, seen := via[imp]; !seen && imp != p && within(imp, modulePath) {
				via[imp] = p
				queue = append(queue, imp)
			}
		}
		var leaks []string
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			switch {
			case n == serverPkg:
				continue // the public entry point; what it imports is its own business
			case within(n, simulatorPkg):
				chain := []string{n}
				for at := via[n]; at != p; at = via[at] {
					chain = append([]string{at}, chain...)
				}
				leaks = append(leaks, strings.Join(chain, " → "))
				continue
			}
			for _, imp := range pkgs[n].Imports {
				if _, seen := via[imp]; !seen && imp != p && within(imp, modulePath) {
					via[imp] = n
					queue = append(queue, imp)
				}
			}
		}
		slices.Sort(leaks)
		for _, l := range leaks {
			out = append(out, p+" imports "+l)
		}
	}
	return out
}

func sortedKeys(m map[string]listedPackage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = up
	}
}

func TestSuitesImportOnlyTheSimulatorsEntryPoint(t *testing.T) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", "./...")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]listedPackage{}
	for dec := json.NewDecoder(bytes.NewReader(raw)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs[p.ImportPath] = p
	}
	if _, ok := pkgs[serverPkg]; !ok {
		t.Fatalf("go list did not list %s (%d packages)", serverPkg, len(pkgs))
	}
	if !slices.ContainsFunc(sortedKeys(pkgs), func(p string) bool { return within(p, suitesPkg) }) {
		t.Fatalf("go list listed no suites package")
	}
	for _, v := range importViolations(pkgs) {
		t.Errorf("%s: suites may use only %s of the simulator (docs/ARCHITECTURE.md)", v, serverPkg)
	}
}

// The walk itself, on a made-up graph: direct and indirect leaks are found
// (tests' imports too), simulator/server's own imports are not, nor the
// reverse direction.
func TestImportViolationsFindsEveryLeak(t *testing.T) {
	const (
		rapyd    = simulatorPkg + "/providers/rapyd"
		store    = simulatorPkg + "/store"
		contract = modulePath + "/contracts"
		helper   = suitesPkg + "/helper"
	)
	pkgs := map[string]listedPackage{
		serverPkg:               {ImportPath: serverPkg, Imports: []string{rapyd, store, "net/http"}},
		rapyd:                   {ImportPath: rapyd, Imports: []string{store}},
		store:                   {ImportPath: store, Imports: []string{helper}},
		contract:                {ImportPath: contract, Imports: []string{rapyd}},
		helper:                  {ImportPath: helper, Imports: []string{serverPkg, "fmt"}},
		suitesPkg + "/clean":    {ImportPath: suitesPkg + "/clean", Imports: []string{serverPkg, helper}, XTestImports: []string{suitesPkg + "/clean"}},
		suitesPkg + "/direct":   {ImportPath: suitesPkg + "/direct", Imports: []string{serverPkg, rapyd}},
		suitesPkg + "/indirect": {ImportPath: suitesPkg + "/indirect", Imports: []string{contract}},
		suitesPkg + "/intest":   {ImportPath: suitesPkg + "/intest", TestImports: []string{store}},
		suitesPkg + "/inxtest":  {ImportPath: suitesPkg + "/inxtest", XTestImports: []string{suitesPkg + "/direct"}},
	}
	got := importViolations(pkgs)
	want := []string{
		store + " (simulator) imports " + helper,
		suitesPkg + "/direct imports " + rapyd,
		suitesPkg + "/indirect imports " + contract + " → " + rapyd,
		suitesPkg + "/intest imports " + store,
		suitesPkg + "/inxtest imports " + suitesPkg + "/direct → " + rapyd,
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n got %q\nwant %q", got, want)
	}
}
