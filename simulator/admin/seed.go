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

// SeedResult is the provider's answer to one seeded customer.
type SeedResult struct {
	Provider string          `json:"provider"`
	Group    int             `json:"group"`
	Index    int             `json:"index"`
	Status   int             `json:"status"`
	Seeded   bool            `json:"seeded"`
	Response json.RawMessage `json:"response,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// SeedReport summarises a seeding run.
type SeedReport struct {
	Seeded  int          `json:"seeded"`
	Failed  int          `json:"failed"`
	Results []SeedResult `json:"results"`
}

// ErrSeedDocument marks a document that is not a seed document at all.
var ErrSeedDocument = errors.New("invalid seed document")

// Seed applies a seed document: every customer is sent, in order, through
// its provider's handler. Items the provider rejects are reported with its
// own status and body; the others stay seeded.
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
					rec := httptest.NewRecorder()
					t.Handler.ServeHTTP(rec, req)
					res.Status = rec.Code
					if body := rec.Body.Bytes(); json.Valid(body) {
						res.Response = append(json.RawMessage(nil), body...)
					} else if len(body) > 0 {
						res.Error = string(body)
					}
				}
				res.Seeded = res.Status >= 200 && res.Status < 300 && !rejected(name, res.Response)
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

// rejected reports a 2xx answer that is a rejection in the provider's own
// envelope (Payabli answers some declines with isSuccess false).
func rejected(name string, body json.RawMessage) bool {
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
// when the document itself is invalid.
func (a *api) seed(w http.ResponseWriter, r *http.Request) {
	body, err := httpx.ReadBody(w, r, a.MaxBodyBytes)
	if errors.Is(err, httpx.ErrTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("seed document larger than %d bytes", a.MaxBodyBytes))
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
