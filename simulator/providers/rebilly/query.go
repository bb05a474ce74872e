package rebilly

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// Collection parameters (limit, offset, sort, filter, q, fields) of
// GET /customers, translated into a store.Query.

// DefaultLimit is the page size when limit is absent (undocumented; the
// official PHP SDK pages by 100).
const DefaultLimit = 100

// FilterTerm is one field's condition: positives OR'ed, negatives AND'ed, or
// a single range.
type FilterTerm struct {
	Field     string
	Values    []string // positive values
	Negated   []string // !values
	From, To  string   // range a..b (either may be empty), when IsRange
	IsRange   bool
	ValueList string // @listName (not supported: reported as an error)
}

var reFilterField = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_*\-]+)*$`)

// ParseFilter parses Rebilly's filter grammar: `field:value` terms separated
// by `;` (AND); values separated by `,` (OR); `!value` negates; `a..b`,
// `a..`, `..b` are inclusive ranges; `@list` names a value list.
func ParseFilter(s string) ([]FilterTerm, error) {
	var terms []FilterTerm
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		field, values, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("filter term %q must be field:value", part)
		}
		field = strings.TrimSpace(field)
		if !reFilterField.MatchString(field) {
			return nil, fmt.Errorf("filter field %q is invalid", field)
		}
		t := FilterTerm{Field: field}
		vals := strings.Split(values, ",")
		for _, v := range vals {
			switch {
			case strings.HasPrefix(v, "@") || strings.HasPrefix(v, "!@"):
				t.ValueList = strings.TrimLeft(v, "!@")
			case strings.HasPrefix(v, "!"):
				t.Negated = append(t.Negated, v[1:])
			case strings.Contains(v, ".."):
				if len(vals) > 1 {
					return nil, fmt.Errorf("filter %q: a range cannot be combined with other values", field)
				}
				from, to, _ := strings.Cut(v, "..")
				if from == "" && to == "" {
					return nil, fmt.Errorf("filter %q: empty range", field)
				}
				t.IsRange, t.From, t.To = true, from, to
			default:
				t.Values = append(t.Values, v)
			}
		}
		terms = append(terms, t)
	}
	return terms, nil
}

type fieldKind int

const (
	kindText fieldKind = iota
	kindTime
	kindInt
	kindConst // a read-only aggregate the simulator keeps at a constant (sort no-op)
)

type fieldMap struct {
	store string
	kind  fieldKind
}

// fields maps API field names to store columns or JSON paths.
var fields = map[string]fieldMap{
	"id":                          {"id", kindText},
	"email":                       {"email", kindText},
	"firstName":                   {"first_name", kindText},
	"lastName":                    {"last_name", kindText},
	"createdTime":                 {"created_time", kindTime},
	"updatedTime":                 {"updated_time", kindTime},
	"revision":                    {"revision", kindInt},
	"websiteId":                   {"$.websiteId", kindText},
	"locale":                      {"$.locale", kindText},
	"personId":                    {"$.personId", kindText},
	"preferredPayoutInstrumentId": {"$.preferredPayoutInstrumentId", kindText},
	"paymentCount":                {"", kindConst},
	"invoiceCount":                {"", kindConst},
	"lastPaymentTime":             {"", kindConst},
	"averageValue.amount":         {"", kindConst},
	"lifetimeRevenue.amount":      {"", kindConst},
}

var reJSONLeaf = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

func lookupField(name string) (fieldMap, bool) {
	if f, ok := fields[name]; ok {
		return f, true
	}
	for _, prefix := range []string{"customFields.", "primaryAddress."} {
		if rest, ok := strings.CutPrefix(name, prefix); ok && reJSONLeaf.MatchString(rest) {
			return fieldMap{"$." + strings.TrimSuffix(prefix, ".") + "." + rest, kindText}, true
		}
	}
	return fieldMap{}, false
}

// listQuery is a parsed, validated collection request.
type listQuery struct {
	q      store.Query
	limit  int
	offset int
	fields map[string]bool // nil = all
}

func parseListQuery(values url.Values, tenant string) (listQuery, []invalidField) {
	var errs []invalidField
	lq := listQuery{limit: DefaultLimit}
	intParam := func(name string, def int) int {
		raw, ok := values[name]
		if !ok || len(raw) == 0 {
			return def
		}
		n, err := strconv.Atoi(raw[0])
		if err != nil || n < 0 || n > 1000 {
			errs = append(errs, invalidField{Field: name, Message: name + " must be an integer between 0 and 1000."})
			return def
		}
		return n
	}
	lq.limit = intParam("limit", DefaultLimit)
	lq.offset = intParam("offset", 0)
	lq.q = store.Query{Tenant: tenant, Limit: lq.limit, Offset: lq.offset}
	if lq.limit == 0 {
		lq.q.Limit = -1 // counted, no rows
	}

	if s := values.Get("sort"); s != "" {
		for _, name := range strings.Split(s, ",") {
			desc := strings.HasPrefix(name, "-")
			name = strings.TrimPrefix(strings.TrimPrefix(name, "-"), "+")
			f, ok := lookupField(name)
			if !ok {
				errs = append(errs, invalidField{Field: "sort", Message: fmt.Sprintf("Sorting by %q is not supported.", name)})
				continue
			}
			if f.kind != kindConst {
				lq.q.Sort = append(lq.q.Sort, store.Sort{Field: f.store, Desc: desc})
			}
		}
	} else {
		lq.q.Sort = []store.Sort{{Field: "created_time", Desc: true}}
	}

	terms, err := ParseFilter(values.Get("filter"))
	if err != nil {
		errs = append(errs, invalidField{Field: "filter", Message: err.Error()})
	}
	for _, t := range terms {
		where, msg := termToFilters(t)
		if msg != "" {
			errs = append(errs, invalidField{Field: "filter", Message: msg})
			continue
		}
		lq.q.Where = append(lq.q.Where, where...)
	}

	if q := strings.TrimSpace(values.Get("q")); q != "" {
		lq.q.Search = q
		lq.q.SearchFields = []string{"id", "email", "first_name", "last_name", "$.primaryAddress.organization"}
	}
	if fs := values.Get("fields"); fs != "" {
		lq.fields = map[string]bool{"id": true}
		for _, f := range strings.Split(fs, ",") {
			if f = strings.TrimSpace(f); f != "" {
				lq.fields[f] = true
			}
		}
	}
	return lq, errs
}

func termToFilters(t FilterTerm) ([]store.Any, string) {
	f, ok := lookupField(t.Field)
	if !ok || f.kind == kindConst {
		return nil, fmt.Sprintf("Filtering by %q is not supported.", t.Field)
	}
	if t.ValueList != "" {
		return nil, fmt.Sprintf("Value lists (@%s) are not supported by the simulator.", t.ValueList)
	}
	conv := func(v string) (any, string) {
		switch f.kind {
		case kindTime:
			tm, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, fmt.Sprintf("%s: %q is not an RFC 3339 date-time.", t.Field, v)
			}
			return tm.UTC(), ""
		case kindInt:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Sprintf("%s: %q is not an integer.", t.Field, v)
			}
			return n, ""
		}
		if f.store == "email" {
			return strings.ToLower(v), ""
		}
		return v, ""
	}
	fold := f.kind == kindText
	var out []store.Any
	if t.IsRange {
		for _, b := range []struct {
			v  string
			op store.Op
		}{{t.From, store.OpGe}, {t.To, store.OpLe}} {
			if b.v == "" {
				continue
			}
			v, msg := conv(b.v)
			if msg != "" {
				return nil, msg
			}
			out = append(out, store.Any{{Field: f.store, Op: b.op, Values: []any{v}, Fold: fold}})
		}
		return out, ""
	}
	if len(t.Values) > 0 {
		var vals []any
		for _, s := range t.Values {
			v, msg := conv(s)
			if msg != "" {
				return nil, msg
			}
			vals = append(vals, v)
		}
		out = append(out, store.Any{{Field: f.store, Op: store.OpIn, Values: vals, Fold: fold}})
	}
	for _, s := range t.Negated {
		v, msg := conv(s)
		if msg != "" {
			return nil, msg
		}
		out = append(out, store.Any{{Field: f.store, Op: store.OpNe, Values: []any{v}, Fold: fold}})
	}
	return out, ""
}

// parseRawQuery splits a query string on & only: Rebilly's filter grammar
// uses an unescaped ";" for AND, which net/url rejects (it drops the pair).
func parseRawQuery(raw string) url.Values {
	v := url.Values{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, val, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(val)
		if err1 != nil || err2 != nil {
			key, value = k, val
		}
		v.Add(key, value)
	}
	return v
}

// selectFields keeps only the requested top-level members, in order.
func selectFields(obj []byte, keep map[string]bool) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return obj
	}
	for k := range m {
		if !keep[k] {
			delete(m, k)
		}
	}
	b, _ := json.Marshal(m)
	return b
}
