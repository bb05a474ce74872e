package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"

	"github.com/paysandbox/paysandbox/simulator/httpx"
	"github.com/paysandbox/paysandbox/simulator/provider"
)

// SeedTarget is one provider as seeding sees it: how to build a create
// request, and the provider's own handler to serve it.
type SeedTarget struct {
	Seeder  provider.Seeder
	Handler http.Handler
}

// SeedDocument is what POST /seed and `serve --seed FILE` read:
//
//	{"rebilly": [{"account": {"apiKey": "k"}, "customers": [{"id": "cus_1", "email": "a@b.c"}]}],
//	 "payabli": [{"account": {"token": "t", "entry": "e"}, "customers": [{...}]}],
//	 "rapyd":   [{"account": {"accessKey": "rak_…"}, "customers": [{...}]}]}
//
// Each customer is the provider's own create body.
type SeedDocument map[string][]SeedGroup

// SeedGroup is a list of customers for one account.
type SeedGroup struct {
	Account   map[string]string `json:"account"`
	Customers []json.RawMessage `json:"customers"`
}

// SeedResult is the outcome of one seeded customer: the provider's status
// and the id of the customer it created or updated. A rejected customer
// carries the provider's error body (Response when it is JSON, else Error),
// cut to MaxSeedErrorBytes; a seeded one never carries its document.
type SeedResult struct {
	Provider string          `json:"provider"`
	Group    int             `json:"group"`
	Index    int             `json:"index"`
	Status   int             `json:"status"`
	Seeded   bool            `json:"seeded"`
	ID       string          `json:"id,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
	Error    string          `json:"error,omitempty"`
	// Related reports the objects seeded after the customer (its payment
	// methods, provider.FollowUpSeeder), one result each, in order; Index
	// is the object's place in the customer's list, ID the object's id.
	Related []SeedResult `json:"related,omitempty"`
}

// SeedReport summarises a seeding run: counts, and one small result per
// customer.
type SeedReport struct {
	Seeded  int          `json:"seeded"`
	Failed  int          `json:"failed"`
	Results []SeedResult `json:"results"`
}

// MaxSeedErrorBytes bounds the provider error body a rejected customer's
// result carries; a longer one is cut and reported as Error text.
const MaxSeedErrorBytes = 4 << 10

// seededID is the customer id in a provider's success body: Rebilly's id,
// Rapyd's data.id, Payabli's responseData.customerId.
func seededID(body []byte) string {
	var env struct {
		ID   json.RawMessage `json:"id"`
		Data struct {
			ID json.RawMessage `json:"id"`
		} `json:"data"`
		ResponseData struct {
			CustomerID json.RawMessage `json:"customerId"`
		} `json:"responseData"`
	}
	_ = json.Unmarshal(body, &env) // a member of another type is skipped, the others still filled
	for _, raw := range []json.RawMessage{env.ID, env.Data.ID, env.ResponseData.CustomerID} {
		var s string
		switch {
		case len(raw) == 0 || string(raw) == "null":
		case json.Unmarshal(raw, &s) == nil:
			return s
		default:
			var n json.Number
			if json.Unmarshal(raw, &n) == nil {
				return n.String()
			}
		}
	}
	return ""
}

// failure fills a rejected result with the provider's body, bounded.
func (res *SeedResult) failure(body []byte) {
	switch {
	case len(body) == 0:
	case len(body) <= MaxSeedErrorBytes && json.Valid(body):
		res.Response = append(json.RawMessage(nil), body...)
	case len(body) <= MaxSeedErrorBytes:
		res.Error = string(body)
	default:
		res.Error = string(bytes.ToValidUTF8(body[:MaxSeedErrorBytes], nil)) + fmt.Sprintf("… (%d bytes in all)", len(body))
	}
}

// ErrSeedDocument marks a document that is not a seed document at all.
var ErrSeedDocument = errors.New("invalid seed document")

// Seed applies a seed document: every customer is sent, in order, through
// its provider's handler. Items the provider rejects are reported with its
// own status and (bounded) body; the others stay seeded and are reported
// with their id only.
func Seed(doc []byte, targets map[string]SeedTarget) (SeedReport, error) {
	var d SeedDocument
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return SeedReport{}, fmt.Errorf("%w: %v", ErrSeedDocument, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return SeedReport{}, fmt.Errorf("%w: data after the document", ErrSeedDocument)
	}
	names := make([]string, 0, len(d))
	for name := range d {
		if _, ok := targets[name]; !ok {
			return SeedReport{}, fmt.Errorf("%w: unknown provider %q", ErrSeedDocument, name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	rep := SeedReport{Results: []SeedResult{}}
	for _, name := range names {
		t := targets[name]
		for g, group := range d[name] {
			for i, c := range group.Customers {
				res := SeedResult{Provider: name, Group: g, Index: i}
				req, err := t.Seeder.SeedRequest(group.Account, c)
				if err != nil {
					res.Status, res.Error = http.StatusBadRequest, err.Error()
				} else {
					body := res.serve(name, t.Handler, req)
					if fs, ok := t.Seeder.(provider.FollowUpSeeder); ok && res.Seeded {
						reqs, err := fs.SeedFollowUps(group.Account, c, body)
						if err != nil {
							res.Related = append(res.Related, SeedResult{Provider: name, Group: g, Status: http.StatusBadRequest, Error: err.Error()})
							rep.Failed++
						}
						for k, fr := range reqs {
							rel := SeedResult{Provider: name, Group: g, Index: k}
							rel.serve(name, t.Handler, fr)
							if !rel.Seeded {
								rep.Failed++
							}
							res.Related = append(res.Related, rel)
						}
					}
				}
				if res.Seeded {
					rep.Seeded++
				} else {
					rep.Failed++
				}
				rep.Results = append(rep.Results, res)
			}
		}
	}
	return rep, nil
}

// serve sends one seed request through the provider's handler and fills
// the result from the answer, which it returns.
func (res *SeedResult) serve(name string, h http.Handler, req *http.Request) []byte {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res.Status = rec.Code
	body := rec.Body.Bytes()
	res.Seeded = res.Status >= 200 && res.Status < 300 && !rejected(name, body)
	if res.Seeded {
		res.ID = seededID(body)
	} else {
		res.failure(body)
	}
	return body
}

// rejected reports a 2xx answer that is a rejection in the provider's own
// envelope (Payabli answers some declines with isSuccess false).
func rejected(name string, body []byte) bool {
	if name != "payabli" || len(body) == 0 {
		return false
	}
	var env struct {
		IsSuccess *bool `json:"isSuccess"`
	}
	return json.Unmarshal(body, &env) == nil && env.IsSuccess != nil && !*env.IsSuccess
}

// seed: POST /seed with a SeedDocument → 200 when every customer was
// seeded, 422 when the provider rejected some (each with its answer), 400
// when the document itself is invalid, 413 when it is over MaxBodyBytes
// (--seed-max-bytes).
func (a *api) seed(w http.ResponseWriter, r *http.Request) {
	body, err := httpx.ReadBody(w, r, a.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("seed document larger than %d bytes (--seed-max-bytes)", a.MaxBodyBytes))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "could not read the seed document")
		return
	}
	rep, err := Seed(body, a.Seeders)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	a.Logger.Info("seeded", "seeded", rep.Seeded, "failed", rep.Failed)
	status := http.StatusOK
	if rep.Failed > 0 {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, rep)
}
