package rebilly

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// base is the absolute URL prefix the request used (for Location and _links).
func base(r *http.Request, c caller) string {
	return "http://" + r.Host + c.prefix
}

// writeCustomer answers with rec; d, when not nil, is rec's decoded doc.
func (p *Provider) writeCustomer(w http.ResponseWriter, r *http.Request, c caller, status int, rec *store.Record, d *doc) {
	var body []byte
	if d != nil {
		body = p.appendCustomer(make([]byte, 0, 1024), rec, d, d.mirror(), base(r, c))
	} else {
		var err error
		if body, err = p.render(rec, base(r, c)); err != nil {
			p.storeError(w, r, err)
			return
		}
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", base(r, c)+"/customers/"+rec.ID)
	}
	httpx.WriteJSON(w, status, body)
}

// createCustomer: POST /customers → 201 with a server id.
func (p *Provider) createCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	obj, ok := p.readObject(w, r)
	if !ok {
		return
	}
	now := p.deps.Now().UTC()
	d := doc{organizationID: c.org}
	d.apply(obj)
	rec := store.Record{Tenant: c.tenant, ID: "cus_" + newULID(now), Created: now, Updated: now, Revision: 1}
	d.toRecord(&rec, d.mirror())
	rec, err := p.deps.Store.Insert(r.Context(), store.TableRebilly, rec)
	if errors.Is(err, store.ErrExists) {
		writeProblem(w, r, problem{Status: http.StatusConflict, Title: "Conflict", Detail: "A customer with this id already exists."})
		return
	}
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	p.writeCustomer(w, r, c, http.StatusCreated, &rec, &d)
}

// putCustomer: PUT /customers/{id} upsert → 201 when new, 200 when it
// existed; revision +1 per change, createdTime kept.
func (p *Provider) putCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id := mux.Vars(r)["id"]
	if !validID(id) {
		validationProblem(w, r, []invalidField{{Field: "id", Message: "id must be at most 50 characters of letters, digits and @~-._"}})
		return
	}
	obj, ok := p.readObject(w, r)
	if !ok {
		return
	}
	now := p.deps.Now().UTC()
	var d doc
	rec, created, err := p.deps.Store.Upsert(r.Context(), store.TableRebilly, c.tenant, id,
		func(cur *store.Record) (store.Record, bool, error) {
			d = doc{}
			next := store.Record{Tenant: c.tenant, ID: id, Created: now, Updated: now, Revision: 1}
			if cur != nil {
				var err error
				if d, err = decodeDoc(cur.Doc); err != nil {
					return store.Record{}, false, err
				}
				next.Created, next.Revision = cur.Created, cur.Revision+1
				if now.Before(cur.Updated) {
					next.Updated = cur.Updated // the clock never runs backwards for a record
				}
			}
			d.organizationID = c.org
			d.apply(obj)
			d.toRecord(&next, d.mirror())
			return next, true, nil
		})
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	p.writeCustomer(w, r, c, status, &rec, &d)
}

func (p *Provider) getCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id := mux.Vars(r)["id"]
	rec, err := p.deps.Store.Get(r.Context(), store.TableRebilly, c.tenant, id)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, r, "Customer")
		return
	}
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	p.writeCustomer(w, r, c, http.StatusOK, &rec, nil)
}

// listCustomers: GET /customers → bare array + Pagination-* headers.
func (p *Provider) listCustomers(w http.ResponseWriter, r *http.Request, c caller) {
	lq, errs := parseListQuery(parseRawQuery(r.URL.RawQuery), c.tenant)
	if len(errs) > 0 {
		validationProblem(w, r, errs)
		return
	}
	page, err := p.deps.Store.List(r.Context(), store.TableRebilly, lq.q)
	if errors.Is(err, store.ErrBadQuery) {
		validationProblem(w, r, []invalidField{{Field: "filter", Message: err.Error()}})
		return
	}
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	items := make([]json.RawMessage, 0, len(page.Records))
	for i := range page.Records {
		b, err := p.render(&page.Records[i], base(r, c))
		if err != nil {
			p.storeError(w, r, err)
			return
		}
		if lq.fields != nil {
			b = selectFields(b, lq.fields)
		}
		items = append(items, b)
	}
	h := w.Header()
	h.Set("Pagination-Total", strconv.Itoa(page.Total))
	h.Set("Pagination-Limit", strconv.Itoa(lq.limit))
	h.Set("Pagination-Offset", strconv.Itoa(lq.offset))
	body, _ := json.Marshal(items)
	httpx.WriteJSON(w, http.StatusOK, body)
}

// deleteCustomer: DELETE /customers/{id}?targetCustomerId=T merges the
// duplicate {id} into T (T survives, {id} is deleted) → 204.
func (p *Provider) deleteCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id := mux.Vars(r)["id"]
	target := parseRawQuery(r.URL.RawQuery).Get("targetCustomerId")
	if target == "" {
		validationProblem(w, r, []invalidField{{Field: "targetCustomerId", Message: "targetCustomerId is required."}})
		return
	}
	if target == id {
		validationProblem(w, r, []invalidField{{Field: "targetCustomerId", Message: "targetCustomerId must differ from the customer being merged."}})
		return
	}
	now := p.deps.Now().UTC()
	// One atomic step over both rows: no write to either lands between the
	// read and the merge, so nothing written to the duplicate is lost and a
	// concurrent merge of the target into a third customer sees the merged
	// target (or none).
	_, err := p.deps.Store.Atomic(r.Context(), store.TableRebilly, c.tenant, []string{id, target},
		func(cur []*store.Record) ([]store.Change, error) {
			dup, tgt := cur[0], cur[1]
			if dup == nil {
				return nil, errMergeNoDuplicate
			}
			if tgt == nil {
				return nil, errMergeNoTarget
			}
			merged, err := mergeInto(*tgt, *dup, now)
			if err != nil {
				return nil, err
			}
			return []store.Change{{Delete: true}, {Put: &merged}}, nil
		})
	switch {
	case errors.Is(err, errMergeNoDuplicate):
		notFound(w, r, "Customer")
	case errors.Is(err, errMergeNoTarget):
		notFound(w, r, "Target customer")
	case err != nil:
		p.storeError(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

var (
	errMergeNoDuplicate = errors.New("rebilly: merge: no such customer")
	errMergeNoTarget    = errors.New("rebilly: merge: no such target customer")
)

// mergeInto returns the target with the duplicate's custom fields it lacks
// added and its revision bumped. Pure: it runs inside the store's atomic
// step.
func mergeInto(target, dup store.Record, now time.Time) (store.Record, error) {
	dupDoc, err := decodeDoc(dup.Doc)
	if err != nil {
		return store.Record{}, err
	}
	var dupFields map[string]any
	_ = json.Unmarshal(dupDoc.customFields, &dupFields)
	d, err := decodeDoc(target.Doc)
	if err != nil {
		return store.Record{}, err
	}
	var fields map[string]any
	_ = json.Unmarshal(d.customFields, &fields)
	if fields == nil {
		fields = map[string]any{}
	}
	for k, v := range dupFields {
		if _, ok := fields[k]; !ok {
			fields[k] = v
		}
	}
	d.customFields, _ = json.Marshal(fields)
	next := target
	next.Revision++
	if now.After(target.Updated) {
		next.Updated = now
	}
	d.toRecord(&next, d.mirror())
	return next, nil
}
