package drift

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNormalizeRedactsSecretsPersonalDataIDsAndTimes(t *testing.T) {
	n := &Normalizer{Secrets: []string{"sk_live_SECRET"}}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Location", "http://x/organizations/org_01J21N29CQQBY091TFSAT2BYJ7/customers/cus_01J2988GXMSB76JVME8XDEZXMY")
	h.Set("REB-APIKEY", "sk_live_SECRET")
	body := []byte(`{"id":"cus_01J2988GXMSB76JVME8XDEZXMY","email":"jane.doe@example.com",
		"primaryAddress":{"firstName":"Jane","emails":[{"label":"main","value":"jane.doe@example.com"}]},
		"createdTime":"2026-11-22T10:00:00+00:00","created_at":1763805600,"customerId":4440,
		"note":"key sk_live_SECRET used","revision":3}`)
	ex := n.Normalize("crud", "01-create", "POST /customers", "POST", "/organizations/org_01J21N29CQQBY091TFSAT2BYJ7/customers", 201, h, body)

	if ex.Path != "/organizations/<id>/customers" {
		t.Errorf("path %q", ex.Path)
	}
	if len(ex.Headers) != 2 || ex.Headers["Content-Type"] != "application/json" ||
		ex.Headers["Location"] != "<base>/organizations/<id>/customers/<id>" {
		t.Errorf("headers %v", ex.Headers)
	}
	m := ex.Body.(map[string]any)
	pa := m["primaryAddress"].(map[string]any)
	email0 := pa["emails"].([]any)[0].(map[string]any)
	checks := map[string]any{
		"id": m["id"], "email": m["email"], "firstName": pa["firstName"], "emails.0.value": email0["value"],
		"emails.0.label": email0["label"], "createdTime": m["createdTime"], "created_at": m["created_at"],
		"customerId": m["customerId"], "note": m["note"],
	}
	want := map[string]any{
		"id": PhID, "email": PhEmail, "firstName": PhPersonal, "emails.0.value": PhEmail, "emails.0.label": "main",
		"createdTime": PhTime, "created_at": PhUnixTime, "customerId": PhID, "note": "key <secret> used",
	}
	for k, w := range want {
		if checks[k] != w {
			t.Errorf("%s = %v, want %v", k, checks[k], w)
		}
	}
	if got := m["revision"]; got.(interface{ String() string }).String() != "3" {
		t.Errorf("revision must be kept, got %v", got)
	}
}

func rec(target string, ex ...Exchange) Recording {
	return Recording{Meta: Meta{Provider: "demo", Target: target}, Exchanges: ex}
}

func TestCompareFindsAndNamesDrift(t *testing.T) {
	a := rec("live",
		Exchange{Scenario: "s", Step: "1", Operation: "POST /c", Status: 201,
			Headers: map[string]string{"Location": "/c/<id>"},
			Body:    map[string]any{"id": PhID, "count": 0.0, "tags": []any{}, "t": "x"}},
		Exchange{Scenario: "s", Step: "2", Operation: "GET /c/{id}", Status: 404},
	)
	b := rec("simulator",
		Exchange{Scenario: "s", Step: "1", Operation: "POST /c", Status: 200,
			Body: map[string]any{"id": PhID, "count": "0", "extra": true, "t": "y"}},
		Exchange{Scenario: "s", Step: "3", Operation: "GET /c/{id}", Status: 404},
	)
	allow := []Allow{{Operation: "POST /c", Kind: KindFieldExtra, Where: "body/extra", Reason: "simulator adds a debug flag"}}
	observe := []Observe{{ID: "t-value", Operation: "POST /c", Where: "body/t"}}
	r := Compare(a, b, allow, observe, time.Unix(0, 0))

	got := map[string]Diff{}
	for _, e := range r.Endpoints {
		for _, d := range e.Diffs {
			got[d.Kind+" "+d.Where] = d
		}
	}
	for _, k := range []string{"status status", "header-missing header/Location", "type body/count",
		"field-missing body/tags", "field-extra body/extra", "value body/t", "missing-exchange exchange"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing diff %q in %v", k, got)
		}
	}
	if !got["field-extra body/extra"].Allowed || got["value body/t"].Observed != "t-value" {
		t.Errorf("allow/observe not applied: %+v %+v", got["field-extra body/extra"], got["value body/t"])
	}
	// status, header, type, field-missing, and two missing exchanges (step 2 in A only, step 3 in B only)
	if r.Unexpected != 6 || r.Allowed != 1 || r.Observations != 1 || !r.Drifted() {
		t.Errorf("counts: unexpected %d allowed %d observations %d", r.Unexpected, r.Allowed, r.Observations)
	}
	md := r.Markdown()
	for _, want := range []string{"# Drift report: demo", "**6 unexpected difference(s)**", "## POST /c", "allowed: simulator adds a debug flag", "known unknown t-value"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestCompareIdenticalRunsHaveNoDrift(t *testing.T) {
	ex := Exchange{Scenario: "s", Step: "1", Operation: "GET /c", Status: 200, Body: []any{map[string]any{"a": 1.0}}}
	r := Compare(rec("a", ex), rec("b", ex), nil, nil, time.Unix(0, 0))
	if r.Drifted() || r.Unexpected != 0 || len(r.Endpoints) != 1 || r.Endpoints[0].Exchanges != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	m := Meta{Target: "live", Recorded: now.Add(-40 * 24 * time.Hour)}
	if w := Stale(m, 30*24*time.Hour, now); !strings.Contains(w, "40 days old (limit 30 days)") {
		t.Fatalf("warning %q", w)
	}
	if w := Stale(m, 60*24*time.Hour, now); w != "" {
		t.Fatalf("fresh recording warned: %q", w)
	}
}

func TestSubtreePatterns(t *testing.T) {
	cases := []struct {
		pattern, where string
		want           bool
	}{
		{"body/Records/**", "body/Records", true},
		{"body/Records/**", "body/Records/0/Firstname", true},
		{"body/Records/**", "body/RecordsX", false},
		{"body/*/hash", "body/primaryAddress/hash", true},
		{"body/*/hash", "body/a/b/hash", false},
		{"", "anything", true},
	}
	for _, c := range cases {
		if got := match(c.pattern, c.where); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.where, got, c.want)
		}
	}
}
