package jsonx

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzValidMatches: Valid answers what encoding/json.Valid answers.
func FuzzValidMatches(f *testing.F) {
	for _, s := range append(seeds, ``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `01`, `-`, `-0`, `1.`, `1.5e`, `1e+`,
		`1E-07`, `.5`, `+1`, `tru`, `nulll`, `"\u12"`, `"\u12g4"`, `"\x"`, "\"\x01\"", "\"\xff\"", `[] []`, `{"a":{}}`,
		`{"a" : [ ] , "b" : { } }`, `"\/"`, `{1:2}`, `[,1]`, `{,}`, `["a":1]`, `{"a"}`,
		strings.Repeat("[", maxDepth)+strings.Repeat("]", maxDepth),
		strings.Repeat("[", maxDepth+1)+strings.Repeat("]", maxDepth+1),
		strings.Repeat(`{"a":`, maxDepth)+"{}"+strings.Repeat("}", maxDepth),
		strings.Repeat(`{"a":`, maxDepth-1)+"{}"+strings.Repeat("}", maxDepth-1)) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, encoding/json: %v", b, got, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	doc := []byte(`{"customerId":12,"customerNumber":"B0000012","Firstname":"Bench","Lastname":"Customer 12",` +
		`"Email":"bench0000012@example.com","Balance":0,"AdditionalFields":{},"IdentifierFields":null,` +
		`"customerSummary":{"NumberofTransactions":0,"RecentTransactions":[],"TotalAmountTransactions":0},` +
		`"Created":"2026-12-03T07:00:00Z","PaypointEntryname":"bench-entry","pageidentifier":"null","x":[1.5e3,-0.25,true,false,null]}`)
	b.Run("jsonx", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			Valid(doc)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			json.Valid(doc)
		}
	})
}
