package payabli

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/simulator/provider"
	"github.com/paysandbox/paysandbox/simulator/store"
)

func TestParseFilters(t *testing.T) {
	tests := []struct {
		query   string
		want    []Cond
		wantErr string
	}{
		{"", nil, ""},
		{"fromRecord=1&limitRecord=2&sortBy=desc(x)&exportFormat=csv", nil, ""},
		{"balance(gt)=20", []Cond{{"balance", "gt", []string{"20"}}}, ""},
		{"city()=Austin", []Cond{{"city", "eq", []string{"Austin"}}}, ""},
		{"city=Austin", []Cond{{"city", "eq", []string{"Austin"}}}, ""},
		{"status(in)=1|85", []Cond{{"status", "in", []string{"1", "85"}}}, ""},
		{"status(NIN)=0", []Cond{{"status", "nin", []string{"0"}}}, ""},
		{"additional-tier(ct)=go", []Cond{{"additional-tier", "ct", []string{"go"}}}, ""},
		{"email(eq)=a&email(eq)=b", []Cond{{"email", "eq", []string{"a"}}, {"email", "eq", []string{"b"}}}, ""},
		{"nosuch(eq)=1&city(eq=x&parameters=city(eq)=x", nil, ""},
		{"additional-bad.name(eq)=x", nil, ""},
		{"name(eq)=x", nil, `operator "eq" is not supported for filter "name"`},
		{"balance(ct)=1", nil, `operator "ct" is not supported for filter "balance"`},
		{"createdDate(in)=1", nil, `operator "in" is not supported`},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseFilters(q)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestBuildWhereErrors(t *testing.T) {
	for _, c := range []Cond{{"balance", "gt", []string{"x"}}, {"status", "in", []string{"1", "a"}}, {"createdDate", "lt", []string{"yesterday"}}} {
		if _, _, err := buildWhere([]Cond{c}); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
	where, nums, err := buildWhere([]Cond{{"createdDate", "eq", []string{"2026-01-02"}}, {"balance", "le", []string{"3.5"}}})
	if err != nil || len(where) != 2 || len(nums) != 1 || !nums[0].match(3.5) || nums[0].match(3.6) {
		t.Fatalf("where=%v nums=%v err=%v", where, nums, err)
	}
}

func TestParseSort(t *testing.T) {
	for in, want := range map[string][3]any{
		"desc(balance)": {"balance", true, true}, "asc(firstname)": {"firstname", false, true},
		"balance": {"", false, false}, "up(x)": {"", false, false}, "desc()": {"", false, false},
	} {
		f, d, ok := ParseSort(in)
		if f != want[0] || d != want[1] || ok != want[2] {
			t.Errorf("%q: got %q %v %v", in, f, d, ok)
		}
	}
}

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

func newTestProvider(t *testing.T, now func() time.Time) *Provider {
	t.Helper()
	st, err := store.Open(store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(DefaultConfig(), provider.Deps{Store: st, Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func post(p *Provider, path, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("requestToken", "t1")
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	p.Handler().ServeHTTP(w, r)
	return w
}

func TestIdempotencyWindow(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	p := newTestProvider(t, clock)
	send := func(email string) int {
		return post(p, "/api/Customer/single/e1", `{"email":"`+email+`"}`, "idempotencyKey", "k1").Code
	}
	if c := send("a@b.co"); c != 200 {
		t.Fatalf("first: %d", c)
	}
	advance(IdempotencyWindow - time.Second)
	if c := send("c@d.co"); c != http.StatusConflict {
		t.Fatalf("within window: %d", c)
	}
	advance(time.Second)
	if c := send("e@f.co"); c != 200 {
		t.Fatalf("after window: %d", c)
	}
	// Another tenant may use the same key.
	w := post(p, "/api/Customer/single/e1", `{"email":"x@y.co"}`, "idempotencyKey", "k1", "requestToken", "t2")
	if w.Code != 200 {
		t.Fatalf("other tenant: %d", w.Code)
	}
}

func TestCreateTimestampsAndConcurrency(t *testing.T) {
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := newTestProvider(t, func() time.Time { return fixed })
	var wg sync.WaitGroup
	ids := make([]int64, 100)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w := post(p, "/api/Customer/single/e1", `{"email":"same@b.co"}`)
			var resp createResponse
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != 200 {
				t.Errorf("%d %s", w.Code, w.Body)
				return
			}
			ids[i] = resp.ResponseData.CustomerID
			if resp.ResponseData.Created != "2026-01-02T03:04:05Z" {
				t.Errorf("Created %q", resp.ResponseData.Created)
			}
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id <= 0 {
			t.Fatalf("ids differ: %v", ids)
		}
	}
	n, err := p.deps.Store.Count(t.Context(), store.TablePayabli, "")
	if err != nil || n != 1 {
		t.Fatalf("count %d %v", n, err)
	}
}

func TestConfig(t *testing.T) {
	st, _ := store.Open(store.Options{})
	for _, cfg := range []Config{{Duplicate: "x"}, {NotFoundStatus: 500}, {Tokens: []string{"t="}}} {
		if _, err := New(cfg, provider.Deps{Store: st}); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
	cfg := DefaultConfig()
	cfg.Duplicate, cfg.NotFoundStatus = DuplicateDecline, http.StatusNotFound
	p, err := New(cfg, provider.Deps{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if w := post(p, "/api/Customer/single/e", `{"email":"a@b.co"}`); w.Code != 200 {
		t.Fatal(w.Code)
	}
	w := post(p, "/api/Customer/single/e", `{"email":"a@b.co"}`)
	if w.Code != 400 || !bytes.Contains(w.Body.Bytes(), []byte("already exists")) {
		t.Fatalf("decline: %d %s", w.Code, w.Body)
	}
	r := httptest.NewRequest("GET", "/api/Customer/12345678", nil)
	r.Header.Set("requestToken", "t1")
	rec := httptest.NewRecorder()
	p.Handler().ServeHTTP(rec, r)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("not found: %d", rec.Code)
	}
}

func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{"balance(gt)=20", "status(in)=1|85", "name(eq)=x", "createdDate(ge)=2026-01-01", "additional-x(ct)=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		conds, err := ParseFilters(q)
		if err != nil {
			return
		}
		_, _, _ = buildWhere(conds)
	})
}

// docString answers only where decoding the whole document would give the
// same string, and defers to the decoder everywhere else.
func TestDocString(t *testing.T) {
	for _, c := range []struct {
		doc, want string
		ok        bool
	}{
		{`{"Created":"2026-01-02","PaypointEntryname":"e"}`, "2026-01-02", true},
		{`{"Created":"a\u003cb"}`, "a<b", true},
		{`{"created":"x"}`, "", false},
		{`{"Created":"x","CREATED":"y"}`, "", false},
		{`{"Created":null}`, "", false},
		{`{"Created":1}`, "", false},
		{`{}`, "", false},
		{`{"Created":`, "", false},
		{`[]`, "", false},
	} {
		got, ok := docString([]byte(c.doc), "Created")
		if got != c.want || ok != c.ok {
			t.Errorf("docString(%s) = %q %v, want %q %v", c.doc, got, ok, c.want, c.ok)
		}
	}
}
