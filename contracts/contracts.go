// Package contracts holds each provider's customer API written down once —
// the official machine-readable definition, the project's overlays (each with
// its reason) and known unknowns — and validates HTTP responses against it.
// It knows nothing of the simulator: the suites use it on any target, and on
// recorded fixtures.
package contracts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed */contract.yaml */openapi.yaml */overlay.yaml */known-unknowns.yaml
var files embed.FS

// Meta is a provider's contract.yaml.
type Meta struct {
	Provider string `yaml:"provider"`
	Spec     string `yaml:"spec"`
	// BasePaths are prefixes a concrete request path may carry before the
	// spec's paths (templates allowed, e.g. /organizations/{organizationId}).
	BasePaths []string `yaml:"basePaths"`
	Notes     string   `yaml:"notes"`
}

// OverlayPatch sets the value at a JSON pointer of the definition.
type OverlayPatch struct {
	Pointer string `yaml:"pointer"`
	Set     any    `yaml:"set"`
	Reason  string `yaml:"reason"`
}

// KnownUnknown is a behaviour the sources do not settle: the simulator's
// choice, and where a live run observes the real answer.
type KnownUnknown struct {
	ID           string   `yaml:"id" json:"id"`
	Operation    string   `yaml:"operation" json:"operation"`
	Aspect       string   `yaml:"aspect" json:"aspect"`
	Question     string   `yaml:"question" json:"question"`
	Sources      string   `yaml:"sources" json:"sources"`
	Choice       string   `yaml:"choice" json:"choice"`
	Configurable string   `yaml:"configurable" json:"configurable,omitempty"`
	Observe      []string `yaml:"observe" json:"observe,omitempty"`
}

// Contract is one provider's loaded contract.
type Contract struct {
	meta    Meta
	doc     map[string]any
	unknown []KnownUnknown
	ops     []*Operation
	base    []*template

	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

// Operation is one method + path template of the definition.
type Operation struct {
	Method      string
	Template    string
	OperationID string
	// Params holds the path parameters of the request matched by
	// (*Contract).Operation; nil on the entries of Operations().
	Params    map[string]string
	pointer   string // JSON pointer of the operation object
	tmpl      *template
	responses map[string]any
}

// String renders "METHOD /template".
func (o *Operation) String() string { return o.Method + " " + o.Template }

var (
	cacheMu sync.Mutex
	cache   = map[string]*Contract{}
)

// Providers lists the providers that have a contract.
func Providers() []string {
	entries, _ := files.ReadDir(".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// MustLoad is Load that panics.
func MustLoad(provider string) *Contract {
	c, err := Load(provider)
	if err != nil {
		panic(err)
	}
	return c
}

// Load returns a provider's contract (cached; safe for concurrent use).
func Load(provider string) (*Contract, error) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if c, ok := cache[provider]; ok {
		return c, nil
	}
	c, err := load(files, provider)
	if err != nil {
		return nil, fmt.Errorf("contract %s: %w", provider, err)
	}
	cache[provider] = c
	return c, nil
}

func readYAML(fsys fs.FS, name string, v any) error {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// load reads provider/ from fsys (the embedded files, or a test tree).
func load(fsys fs.FS, provider string) (*Contract, error) {
	c := &Contract{schemas: map[string]*jsonschema.Schema{}}
	if err := readYAML(fsys, provider+"/contract.yaml", &c.meta); err != nil {
		return nil, err
	}
	var raw any
	if err := readYAML(fsys, provider+"/"+c.meta.Spec, &raw); err != nil {
		return nil, err
	}
	doc, err := toJSONValue(raw)
	if err != nil {
		return nil, err
	}
	c.doc, _ = doc.(map[string]any)
	if c.doc == nil {
		return nil, fmt.Errorf("%s is not an object", c.meta.Spec)
	}
	var patches []OverlayPatch
	if err := readYAML(fsys, provider+"/overlay.yaml", &patches); err != nil {
		return nil, err
	}
	for _, p := range patches {
		v, err := toJSONValue(p.Set)
		if err != nil {
			return nil, err
		}
		if err := setPointer(c.doc, p.Pointer, v); err != nil {
			return nil, fmt.Errorf("overlay %s: %w", p.Pointer, err)
		}
	}
	if v, _ := c.doc["openapi"].(string); strings.HasPrefix(v, "3.0") {
		normalize30(c.doc)
	}
	if err := readYAML(fsys, provider+"/known-unknowns.yaml", &c.unknown); err != nil {
		return nil, err
	}
	for _, b := range c.meta.BasePaths {
		c.base = append(c.base, parseTemplate(b))
	}
	paths, _ := c.doc["paths"].(map[string]any)
	for tpl, item := range paths {
		m, _ := item.(map[string]any)
		for method, op := range m {
			o, ok := op.(map[string]any)
			if !ok || !isMethod(method) {
				continue
			}
			id, _ := o["operationId"].(string)
			resp, _ := o["responses"].(map[string]any)
			c.ops = append(c.ops, &Operation{
				Method: strings.ToUpper(method), Template: tpl, OperationID: id,
				pointer: "#/paths/" + escape(tpl) + "/" + method, tmpl: parseTemplate(tpl), responses: resp,
			})
		}
	}
	sort.Slice(c.ops, func(i, j int) bool { return c.ops[i].String() < c.ops[j].String() })
	c.compiler = jsonschema.NewCompiler()
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	c.compiler.UseRegexpEngine(ecmaRegexp)
	if err := c.compiler.AddResource(c.url(), c.doc); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Contract) url() string { return "mem://contracts/" + c.meta.Provider + ".json" }

func isMethod(m string) bool {
	switch m {
	case "get", "put", "post", "delete", "patch", "head", "options":
		return true
	}
	return false
}

// toJSONValue converts YAML-decoded data into what encoding/json would
// produce (json.Number numbers), by a round trip.
func toJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// setPointer sets the member named by an RFC 6901 pointer; the parent must
// exist.
func setPointer(doc map[string]any, pointer string, v any) error {
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	var cur any = doc
	for i, p := range parts {
		p = unescape(p)
		last := i == len(parts)-1
		switch node := cur.(type) {
		case map[string]any:
			if last {
				node[p] = v
				return nil
			}
			next, ok := node[p]
			if !ok {
				return fmt.Errorf("no member %q", p)
			}
			cur = next
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(node) {
				return fmt.Errorf("bad index %q", p)
			}
			if last {
				node[n] = v
				return nil
			}
			cur = node[n]
		default:
			return fmt.Errorf("cannot descend into %q", p)
		}
	}
	return nil
}

// normalize30 rewrites OpenAPI 3.0 schema dialect into JSON Schema 2020-12:
// nullable adds "null" to the type (and enum), or lets null bypass an untyped
// schema (if null / else schema); examples are dropped; boolean exclusiveMinimum /
// exclusiveMaximum become the numeric 2020-12 keywords.
func normalize30(v any) {
	switch t := v.(type) {
	case map[string]any:
		nullable, _ := t["nullable"].(bool)
		delete(t, "nullable")
		delete(t, "example")
		for k, bound := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
			if b, ok := t[k].(bool); ok {
				if v, has := t[bound]; b && has {
					t[k] = v
					delete(t, bound)
				} else {
					delete(t, k)
				}
			}
		}
		for k, sub := range t {
			if k == "examples" {
				continue
			}
			normalize30(sub)
		}
		if nullable {
			switch typ := t["type"].(type) {
			case string:
				t["type"] = []any{typ, "null"}
				if enum, ok := t["enum"].([]any); ok {
					t["enum"] = append(enum, nil)
				}
			case nil:
				// No type (e.g. a $ref or allOf): null passes, anything else
				// must match the schema. (if/else rather than anyOf, so a
				// failure reports only the schema's own violations.)
				inner := map[string]any{}
				for k, v := range t {
					inner[k] = v
					delete(t, k)
				}
				t["if"] = map[string]any{"type": "null"}
				t["else"] = inner
			}
		}
	case []any:
		for _, sub := range t {
			normalize30(sub)
		}
	}
}

// Meta returns the contract's metadata.
func (c *Contract) Meta() Meta { return c.meta }

// KnownUnknowns returns the provider's known unknowns.
func (c *Contract) KnownUnknowns() []KnownUnknown { return c.unknown }

// Operations lists every operation.
func (c *Contract) Operations() []*Operation { return c.ops }

// Operation matches a concrete path (no query; optionally with a base
// prefix) to an operation. Comparing candidates left to right, the first
// segment where one template has a literal and the other a parameter decides
// (so /Customer/single/{entry} beats /Customer/{customerId}/consent for
// /Customer/single/consent). The result is a copy carrying the path
// parameters of this request.
func (c *Contract) Operation(method, p string) (*Operation, error) {
	method = strings.ToUpper(method)
	if method == http.MethodHead {
		method = http.MethodGet
	}
	segs := split(p)
	candidates := [][]string{segs}
	for _, b := range c.base {
		if n := len(b.segs); len(segs) >= n && b.match(segs[:n]) != nil {
			candidates = append(candidates, segs[n:])
		}
	}
	var best *Operation
	var bestSegs []string
	var bestMask []bool
	for _, s := range candidates {
		for _, o := range c.ops {
			if o.Method != method {
				continue
			}
			if mask := o.tmpl.match(s); mask != nil && (best == nil || moreLiteral(mask, bestMask)) {
				best, bestSegs, bestMask = o, s, mask
			}
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no operation %s %s in the %s contract", method, p, c.meta.Provider)
	}
	op := *best
	op.Params = map[string]string{}
	for i, seg := range best.tmpl.segs {
		if !bestMask[i] {
			op.Params[strings.Trim(seg, "{}")] = bestSegs[i]
		}
	}
	return &op, nil
}

// moreLiteral reports whether literal mask a is more specific than b: at the
// first position where they differ, a has the literal.
func moreLiteral(a, b []bool) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i]
		}
	}
	return false
}

type template struct{ segs []string }

func parseTemplate(t string) *template { return &template{segs: split(t)} }

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns nil when s does not fit the template, else per segment
// whether the template has a literal there. An empty path has an empty,
// non-nil mask.
func (t *template) match(s []string) []bool {
	if len(s) != len(t.segs) {
		return nil
	}
	mask := make([]bool, len(s))
	for i, seg := range t.segs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if s[i] == "" {
				return nil
			}
			continue
		}
		if seg != s[i] {
			return nil
		}
		mask[i] = true
	}
	return mask
}

// Violation is one way a response breaks the contract.
type Violation struct {
	Where   string // "status", "header Location", "content-type", "body/primaryAddress/country"
	Message string
}

// ValidationError lists every violation of one response.
type ValidationError struct {
	Operation  string
	Violations []Violation
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d contract violation(s):", e.Operation, len(e.Violations))
	for _, v := range e.Violations {
		fmt.Fprintf(&b, "\n  - %s: %s", v.Where, v.Message)
	}
	return b.String()
}

// resolve follows a local $ref to a component (responses, headers, ...).
func (c *Contract) resolve(v any) (map[string]any, string) {
	m, _ := v.(map[string]any)
	ptr := ""
	for i := 0; i < 8 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		ptr = ref
		parts := split(strings.TrimPrefix(ref, "#"))
		var cur any = c.doc
		for _, p := range parts {
			mm, _ := cur.(map[string]any)
			cur = mm[unescape(p)]
		}
		m, _ = cur.(map[string]any)
	}
	return m, ptr
}

func (c *Contract) schema(ptr string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(c.url() + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// ValidateResponse checks a response against the operation the request
// matched: declared status, Content-Type, headers, body schema, and no
// writeOnly members in the body.
func (c *Contract) ValidateResponse(method, p string, status int, header http.Header, body []byte) error {
	op, err := c.Operation(method, p)
	if err != nil {
		return &ValidationError{Operation: method + " " + p, Violations: []Violation{{"operation", err.Error()}}}
	}
	verr := &ValidationError{Operation: op.String()}
	add := func(where, format string, args ...any) {
		verr.Violations = append(verr.Violations, Violation{where, fmt.Sprintf(format, args...)})
	}
	code := strconv.Itoa(status)
	rawResp, ok := op.responses[code]
	respPtr := op.pointer + "/responses/" + code
	if !ok {
		if rawResp, ok = op.responses[code[:1]+"XX"]; ok {
			respPtr = op.pointer + "/responses/" + code[:1] + "XX"
		} else if rawResp, ok = op.responses["default"]; ok {
			respPtr = op.pointer + "/responses/default"
		}
	}
	if !ok {
		add("status", "%d is not declared (declared: %s)", status, strings.Join(keys(op.responses), ", "))
		return verr
	}
	resp, refPtr := c.resolve(rawResp)
	if refPtr != "" {
		respPtr = refPtr
	}
	c.checkHeaders(resp, header, add)
	content, _ := resp["content"].(map[string]any)
	mediaType, _, _ := strings.Cut(header.Get("Content-Type"), ";")
	mediaType = strings.TrimSpace(strings.ToLower(mediaType))
	if len(content) == 0 {
		if len(bytes.TrimSpace(body)) > 0 {
			add("body", "no body is declared for %d, got %d bytes", status, len(body))
		}
		return verr.orNil()
	}
	if len(bytes.TrimSpace(body)) == 0 && method == http.MethodHead {
		return verr.orNil()
	}
	declared, mt, ok := mediaTypeFor(content, mediaType)
	if !ok {
		add("content-type", "%q is not declared (declared: %s)", header.Get("Content-Type"), strings.Join(keys(content), ", "))
		return verr
	}
	if _, hasSchema := mt["schema"]; !hasSchema || !isJSONMedia(mediaType) {
		// Only JSON bodies are schema-checked (e.g. Prometheus text is not).
		return verr.orNil()
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		add("body", "not JSON: %v", err)
		return verr
	}
	sch, err := c.schema(respPtr + "/content/" + escape(declared) + "/schema")
	if err != nil {
		add("schema", "cannot compile: %v", err)
		return verr
	}
	if err := sch.Validate(inst); err != nil {
		collect(err, add)
	}
	c.writeOnly(mt["schema"], inst, "body", add)
	return verr.orNil()
}

// mediaTypeFor finds the declared media type object for an actual media type:
// exact, then "type/*", then "*/*". It returns the declared key.
func mediaTypeFor(content map[string]any, actual string) (string, map[string]any, bool) {
	major, _, _ := strings.Cut(actual, "/")
	for _, k := range []string{actual, major + "/*", "*/*"} {
		if mt, ok := content[k].(map[string]any); ok {
			return k, mt, true
		}
	}
	return "", nil, false
}

func (e *ValidationError) orNil() error {
	if len(e.Violations) == 0 {
		return nil
	}
	return e
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *Contract) checkHeaders(resp map[string]any, header http.Header, add func(string, string, ...any)) {
	hs, _ := resp["headers"].(map[string]any)
	for _, name := range keys(hs) {
		h, _ := c.resolve(hs[name])
		val := header.Get(name)
		if val == "" {
			if req, _ := h["required"].(bool); req {
				add("header "+name, "required header is missing")
			}
			continue
		}
		sch, _ := c.resolve(h["schema"])
		switch sch["type"] {
		case "integer":
			if _, err := strconv.ParseInt(val, 10, 64); err != nil {
				add("header "+name, "%q is not an integer", val)
			}
		case "number":
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				add("header "+name, "%q is not a number", val)
			}
		case "boolean":
			if val != "true" && val != "false" {
				add("header "+name, "%q is not a boolean", val)
			}
		}
	}
}

// collect flattens a jsonschema validation error into violations at their
// instance locations.
func collect(err error, add func(string, string, ...any)) {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		add("body", "%v", err)
		return
	}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			where := "body"
			if len(e.InstanceLocation) > 0 {
				where += "/" + strings.Join(e.InstanceLocation, "/")
			}
			add(where, "%s", e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, cause := range e.Causes {
			walk(cause)
		}
	}
	walk(ve)
}

// writeOnly reports members marked writeOnly that a response carries.
func (c *Contract) writeOnly(schema any, inst any, where string, add func(string, string, ...any)) {
	s, _ := c.resolve(schema)
	if s == nil {
		return
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		if subs, ok := s[key].([]any); ok {
			for _, sub := range subs {
				c.writeOnly(sub, inst, where, add)
			}
		}
	}
	switch v := inst.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for name, val := range v {
			ps, _ := c.resolve(props[name])
			if ps == nil {
				continue
			}
			if wo, _ := ps["writeOnly"].(bool); wo {
				add(where+"/"+name, "writeOnly member present in a response")
				continue
			}
			c.writeOnly(props[name], val, where+"/"+name, add)
		}
	case []any:
		for i, item := range v {
			c.writeOnly(s["items"], item, where+"/"+strconv.Itoa(i), add)
		}
	}
}

// ValidateRequestBody checks a request body against the operation's request
// schema. readOnly members are allowed (SDKs resend them).
func (c *Contract) ValidateRequestBody(method, p string, body []byte) error {
	op, err := c.Operation(method, p)
	if err != nil {
		return err
	}
	opObj, _ := c.resolve(map[string]any{"$ref": op.pointer})
	rb, ptr := c.resolve(opObj["requestBody"])
	if rb == nil {
		return fmt.Errorf("%s declares no request body", op)
	}
	if ptr == "" {
		ptr = op.pointer + "/requestBody"
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return &ValidationError{Operation: op.String(), Violations: []Violation{{"body", "not JSON: " + err.Error()}}}
	}
	content, _ := rb["content"].(map[string]any)
	mts := keys(content)
	if declared, _, ok := mediaTypeFor(content, "application/json"); ok {
		mts = []string{declared} // JSON bodies: validate against the JSON media type
	}
	for _, mt := range mts {
		sch, err := c.schema(ptr + "/content/" + escape(mt) + "/schema")
		if err != nil {
			return err
		}
		verr := &ValidationError{Operation: op.String()}
		if err := sch.Validate(inst); err != nil {
			collect(err, func(where, format string, args ...any) {
				verr.Violations = append(verr.Violations, Violation{where, fmt.Sprintf(format, args...)})
			})
		}
		return verr.orNil()
	}
	return fmt.Errorf("%s declares no request media type", op)
}

// ValidateSchema validates a JSON document against #/components/schemas/<name>.
func (c *Contract) ValidateSchema(component string, body []byte) error {
	sch, err := c.schema("#/components/schemas/" + escape(component))
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	verr := &ValidationError{Operation: "schema " + component}
	if err := sch.Validate(inst); err != nil {
		collect(err, func(where, format string, args ...any) {
			verr.Violations = append(verr.Violations, Violation{where, fmt.Sprintf(format, args...)})
		})
	}
	return verr.orNil()
}

var printer = message.NewPrinter(language.English)

var reUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// ecmaRegexp compiles a JSON Schema (ECMA-262) pattern with Go's regexp,
// translating the \uXXXX escapes Go does not know into \x{XXXX}.
func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp.Compile(reUnicodeEscape.ReplaceAllString(s, `\x{$1}`))
	if err != nil {
		return nil, err
	}
	return re, nil
}

// isJSONMedia reports whether a media type carries JSON (application/json or
// a +json suffix).
func isJSONMedia(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
