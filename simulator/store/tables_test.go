package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/store"
)

// The store creates the tables it is given (the server passes its
// registered providers'), with their unique columns, and no others.
func TestOpenTables(t *testing.T) {
	s, err := store.Open(store.Options{Tables: []store.TableSpec{{Name: "acme_customers", Unique: []string{"email"}}, {Name: "plain"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if got := s.UniqueColumns("acme_customers"); !slices.Equal(got, []string{"email"}) {
		t.Fatalf("unique columns %v", got)
	}
	if _, err := s.Insert(ctx, "acme_customers", store.Record{Tenant: "t", Email: "a@x", Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "acme_customers", store.Record{Tenant: "t", Email: "a@x", Doc: []byte(`{}`)}); !errors.Is(err, store.ErrDuplicateKey) {
		t.Fatalf("second row with the unique email: %v", err)
	}
	if _, err := s.Insert(ctx, "plain", store.Record{Tenant: "t", ID: "1", Email: "a@x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Count(ctx, store.TableRebilly, ""); !errors.Is(err, store.ErrUnknownTable) {
		t.Fatalf("a table not given: %v", err)
	}
	if err := s.Reset(ctx, "", ""); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx, "acme_customers", ""); n != 0 {
		t.Fatalf("after Reset of every table: %d rows", n)
	}
	for _, c := range []struct {
		tables []store.TableSpec
		want   string
	}{
		{[]store.TableSpec{{Name: "a"}, {Name: "a"}}, `table name "a" empty or given twice`},
		{[]store.TableSpec{{Name: "a", Unique: []string{"first_name"}}}, `unique column "first_name": want email or ext_key`},
	} {
		if _, err := store.Open(store.Options{Tables: c.tables}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%v): %v, want %s", c.tables, err, c.want)
		}
	}
}
