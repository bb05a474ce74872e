package payabli

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// SeedRequest implements provider.Seeder. account: "token" and "entry"
// (both required); each customer is created with
// POST /api/Customer/single/{entry} (identifier matching as for an app).
func (p *Provider) SeedRequest(account map[string]string, customer []byte) (*http.Request, error) {
	token, entry := account["token"], account["entry"]
	if token == "" || entry == "" {
		return nil, errors.New(`payabli seed account needs "token" and "entry"`)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/Customer/single/"+url.PathEscape(entry), bytes.NewReader(customer))
	req.Header.Set("requestToken", token)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
