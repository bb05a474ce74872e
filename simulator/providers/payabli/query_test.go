package payabli

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
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
