package rapyd

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// ewalletTaken reports whether another customer of the tenant holds ewallet.
func (p *Provider) ewalletTaken(r *http.Request, tenant, ewallet, self string) (bool, error) {
	if ewallet == "" {
		return false, nil
	}
	recs, err := p.deps.Store.GetBy(r.Context(), store.TableRapyd, tenant, "ext_key", ewallet)
	if err != nil {
		return false, err
	}
	for _, rec := range recs {
		if rec.ID != self {
			return true, nil
		}
	}
	return false, nil
}

// createCustomer: POST /v1/customers (only name is required).
func (p *Provider) createCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	now := p.deps.Now().UTC()
	cust := newCustomer(now.Unix())
	if ferr := cust.apply(c.body, true); ferr != nil {
		writeError(w, http.StatusBadRequest, ferr.code, ferr.msg)
		return
	}
	rec := toRecord(c.tenant, cust)
	rec.Created, rec.Updated, rec.Revision = now, now, 1
	// The ewallet is the table's unique ext_key: the store refuses a second
	// holder under the write lock, so of concurrent claims exactly one wins.
	if _, err := p.deps.Store.Insert(r.Context(), store.TableRapyd, rec); err != nil {
		if errors.Is(err, store.ErrDuplicateKey) {
			writeError(w, http.StatusBadRequest, codeEwalletInUse, msgEwalletInUse)
			return
		}
		p.storeError(w, r, err)
		return
	}
	writeSuccess(w, json.RawMessage(rec.Doc))
}

func (p *Provider) getCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	rec, err := p.deps.Store.Get(r.Context(), store.TableRapyd, c.tenant, mux.Vars(r)["customer"])
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusBadRequest, codeGetCustomer, msgGetCustomer)
		return
	}
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	writeSuccess(w, json.RawMessage(rec.Doc))
}

// updateCustomer: POST /v1/customers/{customer}; partial, "" clears.
func (p *Provider) updateCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id := mux.Vars(r)["customer"]
	var wanted struct {
		Ewallet string `json:"ewallet"`
	}
	if json.Unmarshal(c.body, &wanted) == nil && wanted.Ewallet != "" {
		// Checked first so that a taken ewallet is the answer even when the
		// customer is unknown or another field is invalid (as before). This
		// look-up alone is not atomic: the store's unique ext_key refuses the
		// write itself when another claim got there in between (below).
		taken, err := p.ewalletTaken(r, c.tenant, wanted.Ewallet, id)
		if err != nil {
			p.storeError(w, r, err)
			return
		}
		if taken {
			writeError(w, http.StatusBadRequest, codeEwalletInUse, msgEwalletInUse)
			return
		}
	}
	var ferr *fieldError
	now := p.deps.Now().UTC()
	rec, _, err := p.deps.Store.Upsert(r.Context(), store.TableRapyd, c.tenant, id, func(cur *store.Record) (store.Record, bool, error) {
		if cur == nil {
			return store.Record{}, false, store.ErrNotFound
		}
		var cust customer
		if err := json.Unmarshal(cur.Doc, &cust); err != nil {
			return store.Record{}, false, err
		}
		if ferr = cust.apply(c.body, false); ferr != nil {
			return store.Record{}, false, nil
		}
		next := toRecord(c.tenant, cust)
		next.Created, next.Updated, next.Revision = cur.Created, now, cur.Revision+1
		return next, true, nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusBadRequest, codeInvalidCustomerID, msgInvalidID)
		return
	case errors.Is(err, store.ErrDuplicateKey):
		writeError(w, http.StatusBadRequest, codeEwalletInUse, msgEwalletInUse)
		return
	case err != nil:
		p.storeError(w, r, err)
		return
	case ferr != nil:
		writeError(w, http.StatusBadRequest, ferr.code, ferr.msg)
		return
	}
	writeSuccess(w, json.RawMessage(rec.Doc))
}

// deleteCustomer: DELETE /v1/customers/{customer} → {deleted: true, id}.
func (p *Provider) deleteCustomer(w http.ResponseWriter, r *http.Request, c caller) {
	id := mux.Vars(r)["customer"]
	if _, err := p.deps.Store.Delete(r.Context(), store.TableRapyd, c.tenant, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusBadRequest, codeDeleteCustomer, msgDeleteCustomer)
			return
		}
		p.storeError(w, r, err)
		return
	}
	writeSuccess(w, struct {
		Deleted bool   `json:"deleted"`
		ID      string `json:"id"`
	}{true, id})
}

// listCustomers: GET /v1/customers?limit=&starting_after=&ending_before=.
// Newest first; with starting_after X, the customers created after X,
// nearest first (oldest first); ending_before Y alone gives those created
// before Y, nearest first (newest first).
func (p *Provider) listCustomers(w http.ResponseWriter, r *http.Request, c caller) {
	query, ferr, err := p.listQuery(r.Context(), c.tenant, r.URL.Query())
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	if ferr != nil {
		writeError(w, http.StatusBadRequest, ferr.code, ferr.msg)
		return
	}
	page, err := p.deps.Store.List(r.Context(), store.TableRapyd, query)
	if err != nil {
		p.storeError(w, r, err)
		return
	}
	items := make([]json.RawMessage, 0, len(page.Records))
	for _, rec := range page.Records {
		items = append(items, rec.Doc)
	}
	writeSuccess(w, items)
}
