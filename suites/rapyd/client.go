// Package rapyd holds the Rapyd customer-API specs and a signing client.
// The client signs with suites/rapydsign, which shares no code with the
// simulator's verifier: both are held to fixtures/rapyd/signature-vectors.json,
// so a bug in one cannot hide in the other.
package rapyd

import (
	"net/http"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/paysandbox/paysandbox/suites/rapydsign"
	"github.com/paysandbox/paysandbox/suites/target"
)

// Keys is an access/secret key pair.
type Keys struct{ Access, Secret string }

// DefaultKeys is the simulator's default pair (no keys configured).
var DefaultKeys = Keys{rapydsign.DefaultAccessKey, rapydsign.DefaultSecretKey}

// Client sends signed Rapyd requests.
type Client struct {
	T    *target.Target
	Keys Keys
	// Now is the clock for the timestamp header.
	Now func() time.Time
}

// Signed is a request with its signature headers; fields may be tampered
// with before Send.
type Signed struct {
	Method, Path, Salt, Timestamp, Signature string
	Body                                     []byte
	Header                                   http.Header
}

// Sign prepares a request: path includes the query exactly as sent.
func (c Client) Sign(method, path string, body []byte) *Signed {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	s := &Signed{Method: method, Path: path, Body: body, Salt: rapydsign.Salt(), Timestamp: strconv.FormatInt(now().Unix(), 10), Header: http.Header{}}
	s.Signature = rapydsign.Sign(method, path, s.Salt, s.Timestamp, c.Keys.Access, c.Keys.Secret, body)
	return s
}

// Send sends a signed request (contract-checked unless noContract).
func (c Client) Send(s *Signed, noContract bool) *target.Response {
	GinkgoHelper()
	h := s.Header.Clone()
	h.Set("Content-Type", "application/json")
	h.Set("access_key", c.Keys.Access)
	h.Set("salt", s.Salt)
	h.Set("timestamp", s.Timestamp)
	h.Set("signature", s.Signature)
	return c.T.Do(target.Request{Method: s.Method, Path: s.Path, Header: h, Body: s.Body, NoContract: noContract})
}

// Do signs and sends.
func (c Client) Do(method, path string, body string) *target.Response {
	GinkgoHelper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return c.Send(c.Sign(method, path, b), false)
}
