package rebilly

import (
	"regexp"
	"testing"
	"time"
)

func TestULIDShapeAndOrder(t *testing.T) {
	re := regexp.MustCompile(`^[0-7][0-9A-HJKMNP-TV-Z]{25}$`)
	t0 := time.UnixMilli(1763805600000)
	a, b := newULID(t0), newULID(t0.Add(time.Millisecond))
	if !re.MatchString(a) || !re.MatchString(b) {
		t.Fatalf("not ULIDs: %q %q", a, b)
	}
	if !(a[:10] < b[:10]) {
		t.Fatalf("time prefix does not sort: %q %q", a, b)
	}
	// The time part decodes back to the millisecond.
	var ms uint64
	for _, c := range a[:10] {
		ms = ms<<5 | uint64(indexOf(byte(c)))
	}
	if int64(ms) != t0.UnixMilli() {
		t.Fatalf("time part %d, want %d", ms, t0.UnixMilli())
	}
}

func indexOf(c byte) int {
	for i := 0; i < len(crockfordAlphabet); i++ {
		if crockfordAlphabet[i] == c {
			return i
		}
	}
	return -1
}

func TestCrockfordKnownValue(t *testing.T) {
	if got := crockford([]byte{0xff, 0x00}); got != "ZW00" {
		t.Fatalf("crockford(ff00) = %q", got)
	}
}
