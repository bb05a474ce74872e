package rapyd

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
)

// SeedRequest implements provider.Seeder. account: "accessKey" (default:
// the default key pair when it is active); the request is POST /v1/customers,
// signed with that key's configured secret.
func (p *Provider) SeedRequest(account map[string]string, customer []byte) (*http.Request, error) {
	access := account["accessKey"]
	if access == "" {
		access = DefaultAccessKey
	}
	secret, ok := p.secrets[access]
	if !ok {
		return nil, fmt.Errorf("rapyd seed account: access key %q is not configured", access)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	salt := hex.EncodeToString(b[:])
	ts := strconv.FormatInt(p.deps.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/v1/customers", bytes.NewReader(customer))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_key", access)
	req.Header.Set("salt", salt)
	req.Header.Set("timestamp", ts)
	req.Header.Set("signature", Sign(http.MethodPost, "/v1/customers", salt, ts, access, secret, customer))
	return req, nil
}
