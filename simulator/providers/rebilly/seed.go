package rebilly

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// SeedRequest implements provider.Seeder. account: "apiKey" (required) and
// optionally "organizationId". A customer with an "id" is upserted with
// PUT /customers/{id}; one without is created with POST /customers.
func (p *Provider) SeedRequest(account map[string]string, customer []byte) (*http.Request, error) {
	key := account["apiKey"]
	if key == "" {
		return nil, errors.New(`rebilly seed account needs "apiKey"`)
	}
	prefix := ""
	if org := account["organizationId"]; org != "" {
		prefix = "/organizations/" + url.PathEscape(org)
	}
	var head struct {
		ID *string `json:"id"`
	}
	_ = json.Unmarshal(customer, &head) // a malformed body is the provider's to reject
	method, path := http.MethodPost, prefix+"/customers"
	if head.ID != nil && *head.ID != "" {
		method, path = http.MethodPut, prefix+"/customers/"+url.PathEscape(*head.ID)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(customer))
	req.Header.Set("REB-APIKEY", key)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
