package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/store"
)

type nopConfig struct{}

func (*nopConfig) Register(*config.Set) {}

func spec(name, table, addr string) Spec {
	return Spec{Name: name, Title: strings.ToUpper(name[:1]) + name[1:], Table: store.TableSpec{Name: table}, DefaultAddr: addr,
		DefaultConfig: func() Configurable { return &nopConfig{} },
		New:           func(Configurable, Deps) (Provider, error) { return nil, errors.New("not built in this test") }}
}

// The registry refuses a second provider of the same name, table or
// default address, an incomplete Spec, and any registration after the list
// was read; it lists providers in name order.
func TestRegistryRefuses(t *testing.T) {
	var r registry
	for _, s := range []Spec{spec("zeta", "zeta_customers", "127.0.0.1:9001"), spec("alpha", "alpha_customers", "127.0.0.1:9002")} {
		if err := r.register(s); err != nil {
			t.Fatalf("register %s: %v", s.Name, err)
		}
	}
	noNew := spec("nonew", "nonew_customers", "127.0.0.1:9010")
	noNew.New = nil
	noTitle := spec("notitle", "notitle_customers", "127.0.0.1:9011")
	noTitle.Title = ""
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{spec("zeta", "other_customers", "127.0.0.1:9003"), `"zeta" registered twice`},
		{spec("beta", "zeta_customers", "127.0.0.1:9004"), `table "zeta_customers" is already zeta's`},
		{spec("beta", "beta_customers", "127.0.0.1:9001"), `default address 127.0.0.1:9001 is already zeta's`},
		{spec("Beta", "beta_customers", "127.0.0.1:9005"), `name "Beta": want lowercase letters and digits`},
		{spec("be-ta", "beta_customers", "127.0.0.1:9005"), `name "be-ta": want lowercase letters and digits`},
		{spec("beta", "", "127.0.0.1:9005"), `provider beta: no Table`},
		{spec("beta", "beta_customers", ""), `provider beta: no DefaultAddr`},
		{noNew, `provider nonew: DefaultConfig and New are required`},
		{noTitle, `provider notitle: no Title`},
	} {
		err := r.register(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("register %q: got %v, want an error containing %s", c.spec.Name, err, c.want)
		}
	}
	got := r.list()
	if len(got) != 2 || got[0].Name != "alpha" || got[1].Name != "zeta" || got[1].Table.Name != "zeta_customers" {
		t.Fatalf("list: %+v", got)
	}
	err := r.register(spec("late", "late_customers", "127.0.0.1:9006"))
	if err == nil || !strings.Contains(err.Error(), `Register("late") after the provider list was read`) {
		t.Fatalf("register after list: %v", err)
	}
}

// Register panics with ErrRegistry on a duplicate: two packages claiming
// one name stop the program at start.
func TestRegisterPanicsOnDuplicate(t *testing.T) {
	Register(spec("duptest", "duptest_customers", "127.0.0.1:9020"))
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, ErrRegistry) || !strings.Contains(err.Error(), `"duptest" registered twice`) {
			t.Fatalf("second Register: recovered %v", err)
		}
	}()
	Register(spec("duptest", "duptest2_customers", "127.0.0.1:9021"))
	t.Fatal("second Register did not panic")
}
