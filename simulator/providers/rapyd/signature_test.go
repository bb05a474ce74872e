package rapyd

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

type vectors struct {
	AccessKey string `json:"access_key"`
	SecretKey string `json:"secret_key"`
	Request   []struct {
		ID, Method, URLPath, Salt, Timestamp, Body, Signature string
	} `json:"request_vectors"`
	Negative []struct {
		ID             string `json:"id"`
		WrongSignature string `json:"wrong_signature"`
		MustNotEqual   string `json:"must_not_equal"`
	} `json:"negative_vectors"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("../../../fixtures/rapyd/signature-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte(`"url_path"`), []byte(`"URLPath"`))
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Request) < 8 || len(v.Negative) < 4 {
		t.Fatalf("vectors not loaded: %d/%d", len(v.Request), len(v.Negative))
	}
	return v
}

func TestSignMatchesVectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Request {
		if got := Sign(c.Method, c.URLPath, c.Salt, c.Timestamp, v.AccessKey, v.SecretKey, []byte(c.Body)); got != c.Signature {
			t.Errorf("%s: Sign = %s, want %s", c.ID, got, c.Signature)
		}
	}
	for _, n := range v.Negative {
		if n.WrongSignature == n.MustNotEqual {
			t.Errorf("%s: negative vector equals the right signature", n.ID)
		}
	}
}
