package payabli

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// Cond is one parsed list filter `field(op)=value`.
type Cond struct {
	Field  string   // filter name as sent (customernumber, additional-x, ...)
	Op     string   // eq, ne, gt, ge, lt, le, ct, nct, in, nin
	Values []string // one value, or the |-separated values of in/nin
}

type filterKind int

const (
	fText filterKind = iota
	fTime
	fNumber
	fStatus
	fName
)

type filterDef struct {
	kind filterKind
	path string
	ops  string // space-separated allowed ops
}

const textOps = "eq ne ct nct"

var filterDefs = map[string]filterDef{
	"createdDate":    {fTime, "created_time", "eq ne gt ge lt le"},
	"customernumber": {fText, "ext_key", textOps},
	"firstname":      {fText, "first_name", textOps},
	"lastname":       {fText, "last_name", textOps},
	"email":          {fText, "email", textOps},
	"name":           {fName, "", "ct nct"},
	"balance":        {fNumber, "", "eq ne gt ge lt le"},
	"status":         {fStatus, "$.customerStatus", "eq ne in nin"},
}

func init() {
	for _, k := range []string{"address", "city", "country", "zip", "state", "shippingaddress", "shippingcity",
		"shippingcountry", "shippingzip", "shippingstate", "phone", "company", "username"} {
		filterDefs[k] = filterDef{fText, recordPaths[k], textOps}
	}
}

// reserved query parameters (not filters).
var reserved = map[string]bool{"fromRecord": true, "limitRecord": true, "sortBy": true, "exportFormat": true, "parameters": true}

// ParseFilters extracts the `field(op)=value` filters of a list query. Known
// fields with an operator they do not support are an error; unknown fields
// are ignored (as Payabli does). `field()=v` means eq.
func ParseFilters(q url.Values) ([]Cond, error) {
	var out []Cond
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reserved[k] {
			continue
		}
		field, op := k, "eq"
		if i := strings.IndexByte(k, '('); i >= 0 {
			if !strings.HasSuffix(k, ")") {
				continue
			}
			field, op = k[:i], strings.ToLower(k[i+1:len(k)-1])
			if op == "" {
				op = "eq"
			}
		}
		def, ok := lookupFilter(field)
		if !ok {
			continue
		}
		if !containsWord(def.ops, op) {
			return nil, fmt.Errorf("operator %q is not supported for filter %q (supported: %s)", op, field, strings.ReplaceAll(def.ops, " ", ", "))
		}
		for _, v := range q[k] {
			c := Cond{Field: field, Op: op, Values: []string{v}}
			if op == "in" || op == "nin" {
				c.Values = strings.Split(v, "|")
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func lookupFilter(field string) (filterDef, bool) {
	if def, ok := filterDefs[field]; ok {
		return def, true
	}
	if name, ok := strings.CutPrefix(field, "additional-"); ok && safeName(name) {
		return filterDef{fText, "$.AdditionalFields." + name, textOps}, true
	}
	return filterDef{}, false
}

func containsWord(list, w string) bool {
	for _, x := range strings.Fields(list) {
		if x == w {
			return true
		}
	}
	return false
}

var textOp = map[string]store.Op{"eq": store.OpEq, "ne": store.OpNe, "ct": store.OpContains, "nct": store.OpNotContains,
	"in": store.OpIn, "nin": store.OpNotIn, "gt": store.OpGt, "ge": store.OpGe, "lt": store.OpLt, "le": store.OpLe}

// numberCond is a filter the store cannot compare (JSON numbers compare as
// text there), applied to the decoded records instead.
type numberCond struct {
	op string
	v  float64
}

func (n numberCond) match(x float64) bool {
	switch n.op {
	case "eq":
		return x == n.v
	case "ne":
		return x != n.v
	case "gt":
		return x > n.v
	case "ge":
		return x >= n.v
	case "lt":
		return x < n.v
	}
	return x <= n.v
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02", "01-02-2006", "01/02/2006"}

func parseDate(s string) (time.Time, bool, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), len(l) == 10, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("invalid date %q", s)
}

// buildWhere turns conditions into store filters (plus balance filters).
func buildWhere(conds []Cond) ([]store.Any, []numberCond, error) {
	var where []store.Any
	var nums []numberCond
	for _, c := range conds {
		def, _ := lookupFilter(c.Field)
		switch def.kind {
		case fText:
			vals := make([]any, len(c.Values))
			for i, v := range c.Values {
				vals[i] = v
			}
			where = append(where, store.Any{{Field: def.path, Op: textOp[c.Op], Values: vals, Fold: true}})
		case fStatus:
			vals := make([]any, 0, len(c.Values))
			for _, v := range c.Values {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return nil, nil, fmt.Errorf("invalid status %q", v)
				}
				vals = append(vals, strconv.Itoa(n))
			}
			where = append(where, store.Any{{Field: def.path, Op: textOp[c.Op], Values: vals}})
		case fName:
			if c.Op == "ct" {
				where = append(where, store.Any{
					{Field: "first_name", Op: store.OpContains, Values: []any{c.Values[0]}, Fold: true},
					{Field: "last_name", Op: store.OpContains, Values: []any{c.Values[0]}, Fold: true}})
			} else {
				where = append(where,
					store.Any{{Field: "first_name", Op: store.OpNotContains, Values: []any{c.Values[0]}, Fold: true}},
					store.Any{{Field: "last_name", Op: store.OpNotContains, Values: []any{c.Values[0]}, Fold: true}})
			}
		case fNumber:
			f, err := strconv.ParseFloat(strings.TrimSpace(c.Values[0]), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, nil, fmt.Errorf("invalid number %q for filter %q", c.Values[0], c.Field)
			}
			nums = append(nums, numberCond{c.Op, f})
		case fTime:
			t, day, err := parseDate(strings.TrimSpace(c.Values[0]))
			if err != nil {
				return nil, nil, fmt.Errorf("%v for filter %q", err, c.Field)
			}
			end := t.Add(time.Second)
			if day {
				end = t.AddDate(0, 0, 1)
			}
			f := func(op store.Op, v time.Time) store.Filter {
				return store.Filter{Field: def.path, Op: op, Values: []any{v}}
			}
			switch c.Op {
			case "eq":
				where = append(where, store.Any{f(store.OpGe, t)}, store.Any{f(store.OpLt, end)})
			case "ne":
				where = append(where, store.Any{f(store.OpLt, t), f(store.OpGe, end)})
			case "gt":
				where = append(where, store.Any{f(store.OpGe, end)})
			case "ge":
				where = append(where, store.Any{f(store.OpGe, t)})
			case "lt":
				where = append(where, store.Any{f(store.OpLt, t)})
			case "le":
				where = append(where, store.Any{f(store.OpLt, end)})
			}
		}
	}
	return where, nums, nil
}

// ParseSort reads sortBy `desc(field)` / `asc(field)`; ok=false if unusable.
func ParseSort(s string) (field string, desc bool, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, '(')
	if i < 0 || !strings.HasSuffix(s, ")") {
		return "", false, false
	}
	dir, field := strings.ToLower(s[:i]), s[i+1:len(s)-1]
	if dir != "asc" && dir != "desc" || field == "" {
		return "", false, false
	}
	return field, dir == "desc", true
}

var sortPaths = map[string]string{"createdDate": "created_time", "created": "created_time", "customerId": "seq",
	"lastUpdated": "updated_time", "customernumber": "ext_key", "firstname": "first_name", "lastname": "last_name",
	"email": "email", "status": "$.customerStatus"}

func intParam(q url.Values, name string, def int) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("invalid value for query parameter '%s': expected an integer", name)
	}
	return n, nil
}

func keep(d *Record, nums []numberCond) bool {
	for _, n := range nums {
		if !n.match(d.Balance) {
			return false
		}
	}
	return true
}

// listQuery is a parsed Query list request: the store query, and what the
// store does not answer (balance conditions, a balance sort), which the
// handler applies to the records itself (inGo: then it also pages).
type listQuery struct {
	q                        store.Query
	from, limit              int
	nums                     []numberCond
	sortBalance, balanceDesc bool
	inGo                     bool
}

// parseListQuery reads the list parameters of entry's customers of tenant;
// a bad one is a 400 with code 3003.
func parseListQuery(q url.Values, tenant, entry string) (listQuery, *apiError) {
	bad := func(err error) *apiError {
		e := badRequest(err.Error()+".", "Correct the query parameters and send the request again.")
		e.code = 3003
		return e
	}
	from, err := intParam(q, "fromRecord", 0)
	if err != nil {
		return listQuery{}, bad(err)
	}
	if from < 0 {
		from = 0
	}
	limit, err := intParam(q, "limitRecord", 20)
	if err != nil {
		return listQuery{}, bad(err)
	}
	if f := q.Get("exportFormat"); f != "" {
		return listQuery{}, bad(fmt.Errorf("exportFormat %q is not supported by the simulator", f))
	}
	conds, err := ParseFilters(q)
	if err != nil {
		return listQuery{}, bad(err)
	}
	where, nums, err := buildWhere(conds)
	if err != nil {
		return listQuery{}, bad(err)
	}
	where = append(where, store.Any{{Field: "$.PaypointEntryname", Op: store.OpEq, Values: []any{entry}}})
	sq := store.Query{Tenant: tenant, Where: where, Sort: []store.Sort{{Field: "seq", Desc: true}}}
	sortBalance, balanceDesc := false, false
	if f, desc, ok := ParseSort(q.Get("sortBy")); ok {
		if f == "balance" {
			sortBalance, balanceDesc = true, desc
		} else if path, ok := sortPaths[f]; ok {
			sq.Sort = []store.Sort{{Field: path, Desc: desc}}
		} else if path, ok := lookupFilter(f); ok && path.path != "" {
			sq.Sort = []store.Sort{{Field: path.path, Desc: desc}}
		}
	}
	inGo := len(nums) > 0 || sortBalance
	if !inGo {
		if limit > 0 {
			sq.Limit = limit
		}
		sq.Offset = from
	}
	return listQuery{q: sq, from: from, limit: limit, nums: nums, sortBalance: sortBalance, balanceDesc: balanceDesc, inGo: inGo}, nil
}
