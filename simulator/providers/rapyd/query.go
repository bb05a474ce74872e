package rapyd

import (
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// listQuery turns the parameters of GET /v1/customers (limit,
// starting_after, ending_before) into a store query of tenant's customers.
// A bad parameter is answered with ferr (a 400); err is a store failure.
func (p *Provider) listQuery(ctx context.Context, tenant string, q url.Values) (query store.Query, ferr *fieldError, err error) {
	limit := 10
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return store.Query{}, &fieldError{codeInvalidLimit, msgInvalidLimit}, nil
		}
		limit = n
	}
	query = store.Query{Tenant: tenant, Limit: limit, Sort: []store.Sort{{Field: "seq", Desc: true}}}
	for _, cursor := range []struct {
		param string
		op    store.Op
	}{{"starting_after", store.OpGt}, {"ending_before", store.OpLt}} {
		id := q.Get(cursor.param)
		if id == "" {
			continue
		}
		rec, err := p.deps.Store.Get(ctx, store.TableRapyd, tenant, id)
		if errors.Is(err, store.ErrNotFound) {
			return store.Query{}, &fieldError{codeGetCustomer, msgGetCustomer}, nil
		}
		if err != nil {
			return store.Query{}, nil, err
		}
		query.Where = append(query.Where, store.Any{{Field: "seq", Op: cursor.op, Values: []any{rec.Seq}}})
	}
	if q.Get("starting_after") != "" {
		query.Sort = []store.Sort{{Field: "seq"}} // nearest after the cursor first
	}
	return query, nil, nil
}
