package rapydsign

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"
)

type vector struct {
	ID, Method, Salt, Timestamp, Body, Signature string
	Path                                         string `json:"url_path"`
	ToSign                                       string `json:"to_sign"`
	HMACHex                                      string `json:"hmac_hex"`
}

type vectors struct {
	Access   string   `json:"access_key"`
	Secret   string   `json:"secret_key"`
	Requests []vector `json:"request_vectors"`
	Webhooks []vector `json:"webhook_vectors"`
	Negative []struct {
		ID           string
		Wrong        string `json:"wrong_signature"`
		MustNotEqual string `json:"must_not_equal"`
	} `json:"negative_vectors"`
}

func load(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("../../fixtures/rapyd/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if v.Access == "" || v.Secret == "" || len(v.Requests) < 8 || len(v.Webhooks) < 1 || len(v.Negative) < 4 {
		t.Fatalf("signature vectors incomplete: %d request, %d webhook, %d negative", len(v.Requests), len(v.Webhooks), len(v.Negative))
	}
	return v
}

// hexOf is the hex digest inside a signature (base64 of the lower hex).
func hexOf(t *testing.T, sig string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		t.Fatalf("signature %q is not base64: %v", sig, err)
	}
	return string(b)
}

func TestRequestVectors(t *testing.T) {
	v := load(t)
	for _, c := range v.Requests {
		if got := ToSign(c.Method, c.Path, c.Salt, c.Timestamp, v.Access, v.Secret, []byte(c.Body)); got != c.ToSign {
			t.Errorf("%s: to sign\n got %q\nwant %q", c.ID, got, c.ToSign)
		}
		got := Sign(c.Method, c.Path, c.Salt, c.Timestamp, v.Access, v.Secret, []byte(c.Body))
		if got != c.Signature {
			t.Errorf("%s: signature %q, want %q", c.ID, got, c.Signature)
		}
		if h := hexOf(t, got); h != c.HMACHex {
			t.Errorf("%s: digest %q, want %q", c.ID, h, c.HMACHex)
		}
	}
}

func TestWebhookVectors(t *testing.T) {
	v := load(t)
	for _, c := range v.Webhooks {
		got := Webhook(c.Path, c.Salt, c.Timestamp, v.Access, v.Secret, []byte(c.Body))
		if got != c.Signature {
			t.Errorf("%s: signature %q, want %q", c.ID, got, c.Signature)
		}
		if h := hexOf(t, got); h != c.HMACHex {
			t.Errorf("%s: digest %q, want %q", c.ID, h, c.HMACHex)
		}
	}
}

// Each negative vector is a common signing bug's output for one request
// vector (the one whose signature it must not equal): the signer gives the
// right one, never the bug's.
func TestNegativeVectors(t *testing.T) {
	v := load(t)
	for _, n := range v.Negative {
		found := false
		for _, c := range v.Requests {
			if c.Signature != n.MustNotEqual {
				continue
			}
			found = true
			got := Sign(c.Method, c.Path, c.Salt, c.Timestamp, v.Access, v.Secret, []byte(c.Body))
			if got == n.Wrong || got != n.MustNotEqual {
				t.Errorf("%s (on %s): signature %q; the bug gives %q, right is %q", n.ID, c.ID, got, n.Wrong, n.MustNotEqual)
			}
		}
		if !found {
			t.Errorf("%s: no request vector has signature %q", n.ID, n.MustNotEqual)
		}
	}
}

func TestSalt(t *testing.T) {
	a, b := Salt(), Salt()
	if len(a) != 24 || a == b {
		t.Errorf("salts %q, %q: want 24 random hex characters each", a, b)
	}
}
