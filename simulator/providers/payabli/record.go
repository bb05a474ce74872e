package payabli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/jsonx"
	"github.com/paysandbox/paysandbox/simulator/store"
)

// columns returns cur with doc encoded and the lookup columns copied.
func columns(cur *store.Record, doc *Record, now time.Time) (store.Record, bool, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return store.Record{}, false, err
	}
	next := *cur
	next.Doc = raw
	next.Email = strings.ToLower(deref(doc.Email))
	next.FirstName = deref(doc.Firstname)
	next.LastName = deref(doc.Lastname)
	next.ExtKey = deref(doc.CustomerNumber)
	next.Updated = now
	return next, true, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// docString reads one string member of a stored document (valid JSON: the
// store checks every write) without decoding the rest: ok is false — decode
// the document instead — unless the document's only member matching name
// (encoding/json matches member names case-insensitively) is exactly name
// and holds a string.
func docString(doc []byte, name string) (s string, ok bool) {
	found, exact := 0, false
	if !jsonx.Object(doc, func(k, v []byte) bool {
		key := jsonx.KeyBytes(k)
		if !strings.EqualFold(string(key), name) {
			return true
		}
		found++
		if exact = string(key) == name && jsonx.Kind(v) == '"'; exact {
			s = jsonx.Unquote(v)
		}
		return true
	}) {
		return "", false
	}
	if found != 1 || !exact {
		return "", false
	}
	return s, true
}

// decode reads a stored document; customerId always comes from the row id
// (the store's Seq), so the doc never needs a second write after Insert.
func decode(rec *store.Record) (*Record, error) {
	var doc Record
	if err := json.Unmarshal(rec.Doc, &doc); err != nil {
		return nil, fmt.Errorf("payabli: stored doc %s: %w", rec.ID, err)
	}
	id, err := strconv.ParseInt(rec.ID, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("payabli: stored id %q: %w", rec.ID, err)
	}
	doc.CustomerID = id
	return &doc, nil
}

func (p *Provider) internal(w http.ResponseWriter, r *http.Request, err error) {
	p.deps.Logger.Error("payabli request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	p.PanicError(w, r, http.StatusInternalServerError)
}

func (p *Provider) notFound(w http.ResponseWriter, id string) {
	writeError(w, p.cfg.NotFoundStatus, "Declined", "Customer "+id+" not found.", "Check the customerId; it may have been deleted or belong to another paypoint.")
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
func (p *Provider) load(ctx context.Context, tok *tokenInfo, id string) (*store.Record, *Record, error) {
	rec, err := p.deps.Store.Get(ctx, store.TablePayabli, tok.tenant, id)
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
	if !tok.allows(doc.PaypointEntryname) {
		return nil, nil, nil
	}
	return &rec, doc, nil
}

func (p *Provider) get(w http.ResponseWriter, r *http.Request) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	_, doc, err := p.load(r.Context(), tokenFrom(r.Context()), id)
	switch {
	case err != nil:
		p.internal(w, r, err)
	case doc == nil:
		p.notFound(w, id)
	default:
		writeJSON(w, http.StatusOK, doc)
	}
}

func (p *Provider) update(w http.ResponseWriter, r *http.Request) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	d, aerr := p.readCustomerData(w, r)
	if aerr != nil {
		declined(w, aerr)
		return
	}
	tok := tokenFrom(r.Context())
	now := p.deps.Now()
	_, _, err := p.deps.Store.Upsert(r.Context(), store.TablePayabli, tok.tenant, id, func(cur *store.Record) (store.Record, bool, error) {
		if cur == nil {
			return store.Record{}, false, errNotFound
		}
		doc, err := decode(cur)
		if err != nil {
			return store.Record{}, false, err
		}
		if !tok.allows(doc.PaypointEntryname) {
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
		p.internal(w, r, err)
	default:
		env := success()
		writeJSON(w, http.StatusOK, env)
	}
}

func (p *Provider) remove(w http.ResponseWriter, r *http.Request) {
	id, ok := p.customerID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	tok := tokenFrom(ctx)
	// A delete takes the tenant's create lock, so it cannot land between a
	// create's identifier match and its replaceExisting upsert (which would
	// find the matched customer gone).
	defer p.lockTenant(tok.tenant)()
	rec, _, err := p.load(ctx, tok, id)
	if err != nil {
		p.internal(w, r, err)
		return
	}
	if rec == nil {
		p.notFound(w, id)
		return
	}
	if _, err := p.deps.Store.Delete(ctx, store.TablePayabli, tok.tenant, id); errors.Is(err, store.ErrNotFound) {
		p.notFound(w, id)
		return
	} else if err != nil {
		p.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, success())
}
