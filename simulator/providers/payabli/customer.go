package payabli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

const maxEntryLen = 50

var errNotFound = errors.New("customer not found")

// createResponse is PayabliApiResponseCustomerQuery.
type createResponse struct {
	IsSuccess    bool    `json:"isSuccess"`
	ResponseData *Record `json:"responseData"`
	ResponseText string  `json:"responseText"`
}

// readCustomerData checks the content type, reads and parses the body.
func (p *Provider) readCustomerData(w http.ResponseWriter, r *http.Request) (*CustomerData, *apiError) {
	d, _, aerr := p.readCustomerBody(w, r)
	return d, aerr
}

// readCustomerBody is readCustomerData that also returns the raw body.
func (p *Provider) readCustomerBody(w http.ResponseWriter, r *http.Request) (*CustomerData, []byte, *apiError) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || mt == "text/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
			return nil, nil, &apiError{status: http.StatusBadRequest,
				explanation: fmt.Sprintf("Unsupported Content-Type %q.", ct), todo: "Send the body as application/json."}
		}
	}
	body, err := httpx.ReadBody(w, r, p.deps.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		return nil, nil, badRequest(fmt.Sprintf("The request body exceeds %d bytes.", p.deps.MaxBodyBytes), "Send a smaller request body.")
	}
	if err != nil {
		return nil, nil, badRequest("The request body could not be read.", "Send the request again.")
	}
	d, aerr := parseCustomerData(body)
	return d, body, aerr
}

func validEntry(entry string) *apiError {
	if entry == "" || len(entry) > maxEntryLen {
		e := badRequest("Invalid entrypoint name.", "Use the paypoint entrypoint name (at most 50 characters).")
		e.code = 3001
		return e
	}
	return nil
}

func (p *Provider) create(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := tokenFrom(ctx)
	entry := mux.Vars(r)["entry"]
	if e := validEntry(entry); e != nil {
		declined(w, e)
		return
	}
	if !tok.allows(entry) {
		refuseEntry(w, entry)
		return
	}
	q := r.URL.Query()
	force := false
	if v := q.Get("forceCustomerCreation"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			declined(w, badRequest("Invalid value for query parameter 'forceCustomerCreation': expected true or false.", fixAction))
			return
		}
		force = b
	}
	replace := false
	switch v := q.Get("replaceExisting"); v {
	case "", "0":
	case "1":
		replace = true
	default:
		declined(w, badRequest("Invalid value for query parameter 'replaceExisting': expected 0 or 1.", fixAction))
		return
	}
	d, body, aerr := p.readCustomerBody(w, r)
	if aerr != nil {
		declined(w, aerr)
		return
	}
	groups := p.identifierGroups(d)
	var usable [][]string
	for _, g := range groups {
		ok := true
		for _, f := range g {
			if d.value(f) == "" {
				ok = false
				break
			}
		}
		if ok {
			usable = append(usable, g)
		}
	}
	number := d.value("customernumber")
	if len(usable) == 0 && number == "" {
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = strings.Join(g, "+")
		}
		declined(w, badRequest("Invalid customer identifiers: "+strings.Join(names, ", "),
			"Include a value for at least one of the identifier fields configured for this paypoint."))
		return
	}
	if key := r.Header.Get("idempotencyKey"); key != "" {
		switch p.idem.claim(tok.tenant, key, requestFingerprint(r, body), p.deps.Now()) {
		case repeated:
			writeError(w, http.StatusConflict, "Declined",
				"Duplicate request: this idempotencyKey was already used within the last 2 minutes by the same request, which was not processed again.",
				"Use a new idempotencyKey for a new request, or wait 2 minutes.")
			return
		case otherRequest:
			writeError(w, http.StatusConflict, "Declined",
				"This idempotencyKey was already used within the last 2 minutes by a different request (another method, path or body); this request was not processed.",
				"Use a new idempotencyKey for a new request.")
			return
		}
	}

	unlock := p.lockTenant(tok.tenant)
	defer unlock()
	var match *store.Record
	if !force {
		var err error
		match, err = p.findMatch(ctx, tok.tenant, entry, usable, number, d)
		if err != nil {
			p.internal(w, r, err)
			return
		}
	}
	now := p.deps.Now()
	switch {
	case match != nil && replace:
		var written *Record
		rec, _, err := p.deps.Store.Upsert(ctx, store.TablePayabli, tok.tenant, match.ID, func(cur *store.Record) (store.Record, bool, error) {
			if cur == nil {
				return store.Record{}, false, errNotFound
			}
			created, ok := docString(cur.Doc, "Created")
			if !ok {
				old, err := decode(cur)
				if err != nil {
					return store.Record{}, false, err
				}
				created = old.Created
			}
			doc := newRecord(entry, now, d)
			doc.Created = created
			written = doc
			return columns(cur, doc, now)
		})
		if err != nil {
			p.internal(w, r, err)
			return
		}
		p.writeCreatedDoc(w, r, &rec, written)
	case match != nil && p.cfg.Duplicate == DuplicateDecline:
		declined(w, badRequest(fmt.Sprintf("Customer already exists (customerId %s).", match.ID),
			"Send replaceExisting=1 to overwrite the existing customer, or forceCustomerCreation=true to create another one."))
	case match != nil:
		p.writeCreated(w, r, match)
	default:
		doc := newRecord(entry, now, d)
		next, _, err := columns(&store.Record{Tenant: tok.tenant}, doc, now)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		next.Created = now
		rec, err := p.deps.Store.Insert(ctx, store.TablePayabli, next)
		if err != nil {
			p.internal(w, r, err)
			return
		}
		p.writeCreatedDoc(w, r, &rec, doc)
	}
}

// writeCreatedDoc is writeCreated for a record whose document is in hand
// (the one just written): decoding what encoding/json wrote from doc gives
// doc back, so only the store-assigned customerId is filled in.
// FuzzPayabliCreate holds the answer to the next GET's, byte for byte.
func (p *Provider) writeCreatedDoc(w http.ResponseWriter, r *http.Request, rec *store.Record, doc *Record) {
	id, err := strconv.ParseInt(rec.ID, 10, 64)
	if err != nil {
		p.internal(w, r, fmt.Errorf("payabli: stored id %q: %w", rec.ID, err))
		return
	}
	doc.CustomerID = id
	writeJSON(w, http.StatusOK, createResponse{IsSuccess: true, ResponseData: doc, ResponseText: "Success"})
}

func (p *Provider) writeCreated(w http.ResponseWriter, r *http.Request, rec *store.Record) {
	doc, err := decode(rec)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, createResponse{IsSuccess: true, ResponseData: doc, ResponseText: "Success"})
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
