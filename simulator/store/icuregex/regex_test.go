package regex

import (
	"context"
	"testing"
)

func TestRegex(t *testing.T) {
	ctx := context.Background()
	r := CreateRegex(16)
	if _, err := r.Matches(ctx, 1, 1); err != ErrRegexNotYetSet {
		t.Fatalf("before SetRegexString: %v", err)
	}
	if err := r.SetRegexString(ctx, "", RegexFlags_None); err == nil {
		t.Fatal("empty pattern accepted")
	}
	if err := r.SetRegexString(ctx, "[a-z]+", RegexFlags_None); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Matches(ctx, 1, 1); err != ErrMatchNotYetSet {
		t.Fatalf("before SetMatchString: %v", err)
	}
	if err := r.SetMatchString(ctx, "ÄB abc déf"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		start, occ int
		end        bool
		want       int
	}{{1, 1, false, 4}, {1, 1, true, 7}, {1, 2, false, 8}, {1, 2, true, 9}, {9, 1, false, 10}, {1, 4, false, 0}, {0, 0, false, 4}, {40, 1, false, 0}}
	for _, c := range cases {
		got, err := r.IndexOf(ctx, c.start, c.occ, c.end)
		if err != nil || got != c.want {
			t.Errorf("IndexOf(%d,%d,%v) = %d, %v; want %d", c.start, c.occ, c.end, got, err, c.want)
		}
	}
	if s, ok, _ := r.Substring(ctx, 1, 2); !ok || s != "d" {
		t.Errorf("Substring = %q %v", s, ok)
	}
	if s, _ := r.Replace(ctx, "<$0>", 1, 0); s != "ÄB <abc> <d>é<f>" {
		t.Errorf("Replace all = %q", s)
	}
	if s, _ := r.Replace(ctx, "X", 5, 2); s != "ÄB abc Xéf" {
		t.Errorf("Replace 2nd from 5 = %q", s)
	}
	if err := r.SetRegexString(ctx, "äb", RegexFlags_Case_Insensitive); err != nil {
		t.Fatal(err)
	}
	_ = r.SetMatchString(ctx, "ÄB")
	if ok, _ := r.Matches(ctx, 0, 0); !ok {
		t.Error("case-insensitive match failed")
	}
	if err := r.SetRegexString(ctx, "a.c", RegexFlags_Literal); err != nil {
		t.Fatal(err)
	}
	_ = r.SetMatchString(ctx, "abc a.c")
	if i, _ := r.IndexOf(ctx, 1, 1, false); i != 5 {
		t.Errorf("literal IndexOf = %d", i)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}
