package drift

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Diff kinds.
const (
	KindMissingExchange = "missing-exchange" // a step ran on one side only
	KindStatus          = "status"
	KindHeaderMissing   = "header-missing" // present in A, absent in B
	KindHeaderExtra     = "header-extra"   // absent in A, present in B
	KindHeaderValue     = "header-value"
	KindFieldMissing    = "field-missing" // member in A, not in B
	KindFieldExtra      = "field-extra"   // member in B, not in A
	KindType            = "type"
	KindValue           = "value"
	KindLength          = "length"
)

// Allow is an allow-listed, explained difference. Operation and Where are
// path.Match patterns ("*" matches one segment of Where, e.g. "body/*/hash";
// a trailing "/**" matches a whole subtree); an empty field matches anything.
type Allow struct {
	Operation string `json:"operation" yaml:"operation"`
	Kind      string `json:"kind" yaml:"kind"`
	Where     string `json:"where" yaml:"where"`
	Reason    string `json:"reason" yaml:"reason"`
}

// Observe names a known unknown whose values are reported, not judged.
type Observe struct {
	ID        string `json:"id"`
	Operation string `json:"operation"` // pattern as in Allow
	Where     string `json:"where"`     // pattern as in Allow
}

// Diff is one difference between side A and side B.
type Diff struct {
	Scenario string `json:"scenario"`
	Step     string `json:"step"`
	Kind     string `json:"kind"`
	Where    string `json:"where"` // "status", "header/<name>" or "body/<json pointer>"
	A        any    `json:"a,omitempty"`
	B        any    `json:"b,omitempty"`
	Allowed  bool   `json:"allowed"`
	Reason   string `json:"reason,omitempty"`
	Observed string `json:"observed,omitempty"` // known-unknown id when this is an observation
}

// Endpoint groups the diffs of one operation.
type Endpoint struct {
	Operation string `json:"operation"`
	Exchanges int    `json:"exchanges"`
	Diffs     []Diff `json:"diffs"`
}

// Report is the outcome of Compare.
type Report struct {
	Provider     string     `json:"provider"`
	A            Meta       `json:"a"`
	B            Meta       `json:"b"`
	Generated    time.Time  `json:"generated"`
	Endpoints    []Endpoint `json:"endpoints"`
	Unexpected   int        `json:"unexpected"`
	Allowed      int        `json:"allowed"`
	Observations int        `json:"observations"`
	Warnings     []string   `json:"warnings,omitempty"`
}

// Drifted reports whether any difference is neither allowed nor an observation.
func (r *Report) Drifted() bool { return r.Unexpected > 0 }

func key(e Exchange) string { return e.Scenario + "\x00" + e.Step }

// Compare lines up the exchanges of a and b by scenario and step.
func Compare(a, b Recording, allow []Allow, observe []Observe, now time.Time) Report {
	r := Report{Provider: a.Meta.Provider, A: a.Meta, B: b.Meta, Generated: now}
	if r.Provider == "" {
		r.Provider = b.Meta.Provider
	}
	bIndex := map[string]Exchange{}
	for _, e := range b.Exchanges {
		bIndex[key(e)] = e
	}
	endpoints := map[string]*Endpoint{}
	ep := func(op string) *Endpoint {
		if endpoints[op] == nil {
			endpoints[op] = &Endpoint{Operation: op, Diffs: []Diff{}}
		}
		return endpoints[op]
	}
	seen := map[string]bool{}
	for _, ea := range a.Exchanges {
		seen[key(ea)] = true
		e := ep(ea.Operation)
		e.Exchanges++
		eb, ok := bIndex[key(ea)]
		if !ok {
			e.Diffs = append(e.Diffs, Diff{Scenario: ea.Scenario, Step: ea.Step, Kind: KindMissingExchange, Where: "exchange", A: ea.Method + " " + ea.Path})
			continue
		}
		e.Diffs = append(e.Diffs, diffExchange(ea, eb)...)
	}
	for _, eb := range b.Exchanges {
		if !seen[key(eb)] {
			e := ep(eb.Operation)
			e.Exchanges++
			e.Diffs = append(e.Diffs, Diff{Scenario: eb.Scenario, Step: eb.Step, Kind: KindMissingExchange, Where: "exchange", B: eb.Method + " " + eb.Path})
		}
	}
	ops := make([]string, 0, len(endpoints))
	for op := range endpoints {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		e := endpoints[op]
		for i := range e.Diffs {
			d := &e.Diffs[i]
			if id := observedBy(observe, op, d.Where); id != "" {
				d.Observed = id
				r.Observations++
				continue
			}
			if reason, ok := allowedBy(allow, op, d); ok {
				d.Allowed, d.Reason = true, reason
				r.Allowed++
				continue
			}
			r.Unexpected++
		}
		r.Endpoints = append(r.Endpoints, *e)
	}
	return r
}

// match reports whether s fits a path.Match pattern; a pattern ending in
// "/**" matches that location and everything below it.
func match(pattern, s string) bool {
	if pattern == "" || pattern == s {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/**"); ok {
		return match(base, s) || strings.HasPrefix(s, base+"/") && !strings.ContainsAny(base, "*?[")
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

func observedBy(obs []Observe, op, where string) string {
	for _, o := range obs {
		if match(o.Operation, op) && match(o.Where, where) {
			return o.ID
		}
	}
	return ""
}

func allowedBy(allow []Allow, op string, d *Diff) (string, bool) {
	for _, a := range allow {
		if match(a.Operation, op) && (a.Kind == "" || a.Kind == d.Kind) && match(a.Where, d.Where) {
			return a.Reason, true
		}
	}
	return "", false
}

func diffExchange(a, b Exchange) []Diff {
	var out []Diff
	add := func(kind, where string, va, vb any) {
		out = append(out, Diff{Scenario: a.Scenario, Step: a.Step, Kind: kind, Where: where, A: va, B: vb})
	}
	if a.Status != b.Status {
		add(KindStatus, "status", a.Status, b.Status)
	}
	names := map[string]bool{}
	for h := range a.Headers {
		names[h] = true
	}
	for h := range b.Headers {
		names[h] = true
	}
	hs := make([]string, 0, len(names))
	for h := range names {
		hs = append(hs, h)
	}
	sort.Strings(hs)
	for _, h := range hs {
		va, inA := a.Headers[h]
		vb, inB := b.Headers[h]
		switch {
		case inA && !inB:
			add(KindHeaderMissing, "header/"+h, va, nil)
		case !inA && inB:
			add(KindHeaderExtra, "header/"+h, nil, vb)
		case va != vb:
			add(KindHeaderValue, "header/"+h, va, vb)
		}
	}
	diffValue("body", a.Body, b.Body, add)
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64, int, int64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func diffValue(where string, a, b any, add func(kind, where string, va, vb any)) {
	ta, tb := typeName(a), typeName(b)
	if ta != tb {
		add(KindType, where, ta, tb)
		return
	}
	switch va := a.(type) {
	case map[string]any:
		vb := b.(map[string]any)
		keys := map[string]bool{}
		for k := range va {
			keys[k] = true
		}
		for k := range vb {
			keys[k] = true
		}
		ks := make([]string, 0, len(keys))
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			sub := where + "/" + escape(k)
			xa, inA := va[k]
			xb, inB := vb[k]
			switch {
			case inA && !inB:
				add(KindFieldMissing, sub, typeName(xa), nil)
			case !inA && inB:
				add(KindFieldExtra, sub, nil, typeName(xb))
			default:
				diffValue(sub, xa, xb, add)
			}
		}
	case []any:
		vb := b.([]any)
		if len(va) != len(vb) {
			add(KindLength, where, len(va), len(vb))
		}
		for i := 0; i < len(va) && i < len(vb); i++ {
			diffValue(where+"/"+strconv.Itoa(i), va[i], vb[i], add)
		}
	default:
		if !reflect.DeepEqual(normNumber(a), normNumber(b)) {
			add(KindValue, where, a, b)
		}
	}
}

func normNumber(v any) any {
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
	}
	return v
}

func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
