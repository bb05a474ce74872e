package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/providers/rapyd"
)

// Credentials the benchmark uses; the simulator runs in open mode for
// Rebilly and Payabli and with its default key pair for Rapyd.
const (
	rebillyKey   = "bench-key"
	payabliToken = "bench-token"
	payabliEntry = "bench-entry"
)

// population is what the preload created, so scenarios can address
// existing customers.
type population struct {
	rebillyIDs []string // Rebilly ids (PUT by id created them)
	payabliIDs []string // Payabli customerId values
	payabliN   int      // Payabli customers created (emails bench%07d@…)
	rapydIDs   []string // Rapyd cus_ ids
}

// scenario is one kind of request. target builds a request for base (the
// simulator's or the baseline's URL for the scenario's provider).
type scenario struct {
	name     string
	provider string
	want     int // expected status from the simulator
	build    func(pop *population, n uint64, t *vegeta.Target)
	// reset, when set, is the admin /reset query that removes what the
	// scenario added, run after each measurement of the simulator, so a
	// create scenario does not grow the store the next scenarios measure.
	reset string
}

// The Rapyd create scenario signs with its own key pair (its own tenant),
// which the benchmark wipes after each measurement.
const (
	rapydCreatesKey    = "rak_test_bench_creates"
	rapydCreatesSecret = "rsk_test_bench_creates"
)

// rapydKeysFlag configures the default pair (preload, reads) and the
// creates pair.
func rapydKeysFlag() []string {
	return []string{"--rapyd-keys", rapyd.DefaultAccessKey + "=" + rapyd.DefaultSecretKey + "," + rapydCreatesKey + "=" + rapydCreatesSecret}
}

func rebillyBody(i int) []byte {
	return fmt.Appendf(nil, `{"firstName":"Bench","lastName":"Customer %d","email":"bench%07d@example.com","primaryAddress":{"firstName":"Bench","lastName":"Customer","address":"1 Main St","city":"Springfield","country":"US","postalCode":"12345"}}`, i, i)
}

func payabliBody(i int) []byte {
	return fmt.Appendf(nil, `{"customerNumber":"B%07d","firstname":"Bench","lastname":"Customer %d","email":"bench%07d@example.com","phone":"5555555555","address1":"1 Main St","city":"Springfield","state":"IL","zip":"12345","country":"US"}`, i, i, i)
}

func rapydBody(i uint64) []byte {
	return fmt.Appendf(nil, `{"name":"Bench Customer %d","email":"bench%07d@example.com","phone_number":"+14155550100","metadata":{"n":%d}}`, i, i, i)
}

var rapydSalt atomic.Uint64

// signRapyd fills the four signature headers for a request to path with
// the default key pair.
func signRapyd(h http.Header, method, path string, body []byte) {
	signRapydAs(h, rapyd.DefaultAccessKey, rapyd.DefaultSecretKey, method, path, body)
}

func signRapydAs(h http.Header, access, secret, method, path string, body []byte) {
	salt := "bench" + strconv.FormatUint(rapydSalt.Add(1), 36) + "0123456789"
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h.Set("access_key", access)
	h.Set("salt", salt)
	h.Set("timestamp", ts)
	h.Set("signature", rapyd.Sign(method, path, salt, ts, access, secret, body))
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

func pick(n int) int { return rand.IntN(n) }

// scenarios are the list: Rebilly PUT upsert, GET by id and a list
// page; Payabli create (identifier upsert) and GET; Rapyd signed create and
// GET. Upserts and GETs address customers the preload created, so the
// stored population stays at the measured size; Rapyd creates add rows.
func scenarios(urls map[string]string) []scenario {
	return []scenario{
		{name: "rebilly-put-upsert", provider: "rebilly", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			i := pick(len(p.rebillyIDs))
			t.Method, t.URL = http.MethodPut, urls["rebilly"]+"/customers/"+p.rebillyIDs[i]
			t.Body = rebillyBody(i)
			t.Header = jsonHeader()
			t.Header.Set("REB-APIKEY", rebillyKey)
		}},
		{name: "rebilly-get", provider: "rebilly", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			t.Method, t.URL = http.MethodGet, urls["rebilly"]+"/customers/"+p.rebillyIDs[pick(len(p.rebillyIDs))]
			t.Body, t.Header = nil, http.Header{"REB-APIKEY": {rebillyKey}}
		}},
		{name: "rebilly-list-page", provider: "rebilly", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			t.Method, t.URL = http.MethodGet, urls["rebilly"]+"/customers?limit=20"
			t.Body, t.Header = nil, http.Header{"REB-APIKEY": {rebillyKey}}
		}},
		{name: "payabli-create-upsert", provider: "payabli", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			t.Method, t.URL = http.MethodPost, urls["payabli"]+"/api/Customer/single/"+payabliEntry+"?replaceExisting=1"
			t.Body = payabliBody(pick(p.payabliN))
			t.Header = jsonHeader()
			t.Header.Set("requestToken", payabliToken)
		}},
		{name: "payabli-get", provider: "payabli", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			t.Method, t.URL = http.MethodGet, urls["payabli"]+"/api/Customer/"+p.payabliIDs[pick(len(p.payabliIDs))]
			t.Body, t.Header = nil, http.Header{"requestToken": {payabliToken}}
		}},
		{name: "rapyd-create-signed", provider: "rapyd", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			t.Method, t.URL = http.MethodPost, urls["rapyd"]+"/v1/customers"
			t.Body = rapydBody(1_000_000_000 + n)
			t.Header = jsonHeader()
			signRapydAs(t.Header, rapydCreatesKey, rapydCreatesSecret, "post", "/v1/customers", t.Body)
		}, reset: "provider=rapyd&tenant=" + provider.SecretTenant("ra_", rapydCreatesKey)},
		{name: "rapyd-get-signed", provider: "rapyd", want: http.StatusOK, build: func(p *population, n uint64, t *vegeta.Target) {
			path := "/v1/customers/" + p.rapydIDs[pick(len(p.rapydIDs))]
			t.Method, t.URL = http.MethodGet, urls["rapyd"]+path
			t.Body, t.Header = nil, jsonHeader()
			signRapyd(t.Header, "get", path, nil)
		}},
	}
}

// idFrom reads one string member from a JSON response, following keys.
func idFrom(body []byte, keys ...string) (string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", err
	}
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no %q in %.200s", k, body)
		}
		v = m[k]
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("no %v in %.200s", keys, body)
}
