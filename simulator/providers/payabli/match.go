package payabli

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"strings"

	"github.com/paysandbox/paysandbox/simulator/store"
)

const stripes = 64

// lockTenant serialises identifier matching + creation (and deletes) per
// tenant.
func (p *Provider) lockTenant(tenant string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(tenant))
	m := &p.createMu[h.Sum32()%stripes]
	m.Lock()
	return m.Unlock
}

// identifierGroups are the request's identifierFields (each its own group)
// or the configured groups.
func (p *Provider) identifierGroups(d *CustomerData) [][]string {
	var groups [][]string
	for _, f := range d.IdentifierFields {
		if f != nil && strings.TrimSpace(*f) != "" {
			groups = append(groups, []string{strings.ToLower(strings.TrimSpace(*f))})
		}
	}
	if len(groups) == 0 {
		return p.identifiers
	}
	return groups
}

// findMatch looks for an existing customer of (tenant, entry): any usable
// identifier group first, then customerNumber.
func (p *Provider) findMatch(ctx context.Context, tenant, entry string, usable [][]string, number string, d *CustomerData) (*store.Record, error) {
	for _, g := range usable {
		rec, err := p.matchGroup(ctx, tenant, entry, g, d)
		if rec != nil || err != nil {
			return rec, err
		}
	}
	if number != "" {
		return p.matchGroup(ctx, tenant, entry, []string{"customernumber"}, d)
	}
	return nil, nil
}

func (p *Provider) matchGroup(ctx context.Context, tenant, entry string, g []string, d *CustomerData) (*store.Record, error) {
	if len(g) == 1 && (g[0] == "email" || g[0] == "customernumber") {
		col, val := "ext_key", d.value("customernumber")
		if g[0] == "email" {
			col, val = "email", strings.ToLower(d.value("email"))
		}
		recs, err := p.deps.Store.GetBy(ctx, store.TablePayabli, tenant, col, val)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			if entryOf(&recs[i]) == entry {
				return &recs[i], nil
			}
		}
		return nil, nil
	}
	if len(g) == 2 && ((g[0] == "firstname" && g[1] == "lastname") || (g[0] == "lastname" && g[1] == "firstname")) {
		// The default second group: answered from the store's
		// case-insensitive name index instead of a filtered list.
		recs, err := p.deps.Store.GetBy(ctx, store.TablePayabli, tenant, "name", [2]string{d.value("firstname"), d.value("lastname")})
		if err != nil {
			return nil, err
		}
		for i := range recs {
			if entryOf(&recs[i]) == entry {
				return &recs[i], nil
			}
		}
		return nil, nil
	}
	where := []store.Any{{{Field: "$.PaypointEntryname", Op: store.OpEq, Values: []any{entry}}}}
	for _, f := range g {
		path := identifierPath(f)
		if path == "" {
			return nil, nil
		}
		val := d.value(f)
		if f == "email" {
			val = strings.ToLower(val)
		}
		where = append(where, store.Any{{Field: path, Op: store.OpEq, Values: []any{val}, Fold: true}})
	}
	page, err := p.deps.Store.List(ctx, store.TablePayabli, store.Query{Tenant: tenant, Where: where, Sort: []store.Sort{{Field: "seq"}}, Limit: 1})
	if err != nil || len(page.Records) == 0 {
		return nil, err
	}
	return &page.Records[0], nil
}

// entryOf is the paypoint entry a stored customer belongs to ("" when the
// document cannot be read), without decoding the whole record.
func entryOf(rec *store.Record) string {
	if s, ok := docString(rec.Doc, "PaypointEntryname"); ok {
		return s
	}
	var d struct {
		PaypointEntryname string `json:"PaypointEntryname"`
	}
	if json.Unmarshal(rec.Doc, &d) != nil {
		return ""
	}
	return d.PaypointEntryname
}

// identifierPath maps an identifier field to a store field ("" = unusable).
func identifierPath(f string) string {
	switch f {
	case "firstname":
		return "first_name"
	case "lastname":
		return "last_name"
	case "email":
		return "email"
	case "customernumber":
		return "ext_key"
	}
	if path, ok := recordPaths[f]; ok {
		return path
	}
	if safeName(f) {
		return "$.AdditionalFields." + f
	}
	return ""
}

// recordPaths maps lowercase request/filter names to the stored JSON keys.
var recordPaths = map[string]string{
	"customerusername": "$.customerUsername", "username": "$.customerUsername", "company": "$.Company",
	"phone": "$.Phone", "address": "$.Address", "address1": "$.Address1", "city": "$.City", "state": "$.State",
	"zip": "$.Zip", "country": "$.Country", "shippingaddress": "$.ShippingAddress",
	"shippingaddress1": "$.ShippingAddress1", "shippingcity": "$.ShippingCity", "shippingstate": "$.ShippingState",
	"shippingzip": "$.ShippingZip", "shippingcountry": "$.ShippingCountry",
}

func safeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
