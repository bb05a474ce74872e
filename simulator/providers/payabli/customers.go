package payabli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

var errNotFound = errors.New("customer not found")

// createCustomer: POST /api/Customer/single/{entry}, with identifier
// matching (match.go): a match answers per the duplicate settings
// (replaceExisting, forceCustomerCreation, payabli-duplicate).
func (p *Provider) createCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	ctx := r.Context()
	entry, ok := c.entry(w, r)
	if !ok {
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
		switch p.idem.claim(c.tenant, key, provider.RequestFingerprint(r, body), p.deps.Now()) {
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

	unlock := p.lockTenant(c.tenant)
	defer unlock()
	var match *store.Record
	if !force {
		var err error
		match, err = p.findMatch(ctx, c.tenant, entry, usable, number, d)
		if err != nil {
			p.storeError(w, r, err)
			return
		}
	}
	now := p.deps.Now()
	switch {
	case match != nil && replace:
		var written *Record
		rec, _, err := p.deps.Store.Upsert(ctx, store.TablePayabli, c.tenant, match.ID, func(cur *store.Record) (store.Record, bool, error) {
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
			p.storeError(w, r, err)
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
		next, _, err := columns(&store.Record{Tenant: c.tenant}, doc, now)
		if err != nil {
			p.storeError(w, r, err)
			return
		}
		next.Created = now
		rec, err := p.deps.Store.Insert(ctx, store.TablePayabli, next)
		if err != nil {
			p.storeError(w, r, err)
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
		p.storeError(w, r, fmt.Errorf("payabli: stored id %q: %w", rec.ID, err))
		return
	}
	doc.CustomerID = id
	writeJSON(w, http.StatusOK, createResponse{IsSuccess: true, ResponseData: doc, ResponseText: "Success"})
}

func (p *Provider) writeCreated(w http.ResponseWriter, r *http.Request, rec *store.Record) {
	doc, err := decode(rec)
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, createResponse{IsSuccess: true, ResponseData: doc, ResponseText: "Success"})
}

// customerID parses the path id; false after answering a bad one.
func (p *Provider) customerID(w http.ResponseWriter, r *http.Request) (string, bool) {
	s := mux.Vars(r)["customerId"]
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		declined(w, badRequest(fmt.Sprintf("Invalid customerId %q: expected a positive integer.", s), "Use the customerId returned when the customer was created."))
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// load returns the customer (tenant, id) visible to the token, or nil.
func (p *Provider) load(ctx context.Context, c caller, id string) (*store.Record, *Record, error) {
	rec, err := p.deps.Store.Get(ctx, store.TablePayabli, c.tenant, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := decode(&rec)
	if err != nil {
		return nil, nil, err
	}
	if !c.allows(doc.PaypointEntryname) {
		return nil, nil, nil
	}
	return &rec, doc, nil
}

// getCustomer: GET /api/Customer/{customerId}.
func (p *Provider) getCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	_, doc, err := p.load(r.Context(), c, id)
	switch {
	case err != nil:
		p.storeError(w, r, err)
	case doc == nil:
		p.notFound(w, id)
	default:
		writeJSON(w, http.StatusOK, doc)
	}
}

// updateCustomer: PUT /api/Customer/{customerId}, a partial update.
func (p *Provider) updateCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	d, aerr := p.readCustomerData(w, r)
	if aerr != nil {
		declined(w, aerr)
		return
	}
	now := p.deps.Now()
	_, _, err := p.deps.Store.Upsert(r.Context(), store.TablePayabli, c.tenant, id, func(cur *store.Record) (store.Record, bool, error) {
		if cur == nil {
			return store.Record{}, false, errNotFound
		}
		doc, err := decode(cur)
		if err != nil {
			return store.Record{}, false, err
		}
		if !c.allows(doc.PaypointEntryname) {
			return store.Record{}, false, errNotFound
		}
		d.apply(doc)
		doc.LastUpdated = now.UTC().Format(TimeLayout)
		return columns(cur, doc, now)
	})
	switch {
	case errors.Is(err, errNotFound):
		p.notFound(w, id)
	case err != nil:
		p.storeError(w, r, err)
	default:
		env := success()
		writeJSON(w, http.StatusOK, env)
	}
}

// deleteCustomer: DELETE /api/Customer/{customerId}.
func (p *Provider) deleteCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	// A delete takes the tenant's create lock, so it cannot land between a
	// create's identifier match and its replaceExisting upsert (which would
	// find the matched customer gone).
	defer p.lockTenant(c.tenant)()
	rec, _, err := p.load(ctx, c, id)
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	if rec == nil {
		p.notFound(w, id)
		return
	}
	if _, err := p.deps.Store.Delete(ctx, store.TablePayabli, c.tenant, id); errors.Is(err, store.ErrNotFound) {
		p.notFound(w, id)
		return
	} else if err != nil {
		p.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, success())
}

// listCustomers: GET /api/Query/customers/{entry} (query.go reads the
// parameters).
func (p *Provider) listCustomers(w http.ResponseWriter, r *http.Request, c caller) {
	ctx := r.Context()
	entry, ok := c.entry(w, r)
	if !ok {
		return
	}
	lq, aerr := parseListQuery(r.URL.Query(), c.tenant, entry)
	if aerr != nil {
		declined(w, aerr)
		return
	}
	from, limit, nums, inGo := lq.from, lq.limit, lq.nums, lq.inGo
	sortBalance, balanceDesc := lq.sortBalance, lq.balanceDesc
	page, err := p.deps.Store.List(ctx, store.TablePayabli, lq.q)
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	docs := make([]*Record, 0, len(page.Records))
	for i := range page.Records {
		doc, err := decode(&page.Records[i])
		if err != nil {
			p.storeError(w, r, err)
			return
		}
		if keep(doc, nums) {
			docs = append(docs, doc)
		}
	}
	total := page.Total
	if inGo {
		total = len(docs)
		if sortBalance {
			sort.SliceStable(docs, func(i, j int) bool {
				if balanceDesc {
					return docs[i].Balance > docs[j].Balance
				}
				return docs[i].Balance < docs[j].Balance
			})
		}
		docs = docs[min(from, len(docs)):]
		if limit > 0 && len(docs) > limit {
			docs = docs[:limit]
		}
	}
	resp := listResponse{Records: make([]ListItem, len(docs)), Summary: listSummaryT{PageIdentifier: "null", TotalRecords: total}}
	for i, d := range docs {
		resp.Records[i] = d.listItem()
	}
	resp.Summary.PageSize = limit
	if limit <= 0 {
		resp.Summary.PageSize = total
	}
	if resp.Summary.PageSize > 0 {
		resp.Summary.TotalPages = (total + resp.Summary.PageSize - 1) / resp.Summary.PageSize
	}
	writeJSON(w, http.StatusOK, resp)
}
