package payabli

import (
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"(555) 555-0100": "+15555550100", "555.555.0100": "+15555550100", "1 555 555 0100": "+15555550100",
		"+44 20 7946 0958": "+442079460958", "ext 12": "ext 12", "12345": "12345",
	} {
		if got := normalizePhone(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestParseCustomerData(t *testing.T) {
	bad := map[string]string{
		`{`: "not a valid JSON object", `"x"`: "not a valid JSON object", `null`: "must be a JSON object",
		`{"email":1}`: "'email': expected a string", `{"timeZone":1.5}`: "'timeZone'", `{"timeZone":-13}`: "Invalid TimeZone",
		`{"customerStatus":-1}`: "customerStatus", `{"balance":"1"}`: "'balance'", `{"identifierFields":"email"}`: "identifierFields",
		`{"email":"a b@c"}`: "not a valid email",
	}
	for body, want := range bad {
		_, err := parseCustomerData([]byte(body))
		if err == nil || !strings.Contains(err.explanation, want) {
			t.Errorf("%s: err %v, want %q", body, err, want)
		}
	}
	d, err := parseCustomerData([]byte(`{"EMAIL":"a@b.co","customerStatus":85,"timeZone":-12,"balance":1.25,"firstname":null,"additionalData":{"x":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.value("email") != "a@b.co" || *d.CustomerStatus != 85 || *d.TimeZone != -12 || *d.Balance != 1.25 || d.str["firstname"] != nil {
		t.Fatalf("parsed %+v", d)
	}
}
