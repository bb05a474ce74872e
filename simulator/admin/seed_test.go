package admin

import (
	"strings"
	"testing"
)

func TestSeededID(t *testing.T) {
	for body, want := range map[string]string{
		`{"id":"cus_1","email":"a@b.co"}`:                                         "cus_1",
		`{"status":{"status":"SUCCESS"},"data":{"id":"cus_r"}}`:                   "cus_r",
		`{"isSuccess":true,"responseData":{"customerId":4440},"responseText":""}`: "4440",
		`{"isSuccess":true,"responseData":" ","responseText":"Success"}`:          "",
		`not json`: "",
	} {
		if got := seededID([]byte(body)); got != want {
			t.Errorf("seededID(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestSeedFailureBounded(t *testing.T) {
	var small SeedResult
	small.failure([]byte(`{"title":"Validation error"}`))
	if string(small.Response) != `{"title":"Validation error"}` || small.Error != "" {
		t.Fatalf("small JSON body: %+v", small)
	}
	var text SeedResult
	text.failure([]byte("plain"))
	if text.Error != "plain" || text.Response != nil {
		t.Fatalf("text body: %+v", text)
	}
	var big SeedResult
	big.failure([]byte(`{"detail":"` + strings.Repeat("x", 100<<10) + `"}`))
	if big.Response != nil || len(big.Error) > MaxSeedErrorBytes+64 || !strings.HasSuffix(big.Error, "… (102413 bytes in all)") {
		t.Fatalf("big body: response %d bytes, error %d bytes, tail %q", len(big.Response), len(big.Error), big.Error[len(big.Error)-30:])
	}
}
