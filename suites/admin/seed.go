package admin

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

// seedDoc is a seed document with one customer per provider, under fresh
// credentials, built from the providers' official create examples.
func seedDoc(rebKey, rebID, payToken, payEmail string) string {
	GinkgoHelper()
	rebilly := map[string]any{"id": rebID, "primaryAddress": map[string]any{"firstName": "Seed", "lastName": "Rebilly",
		"emails": []any{map[string]any{"label": "main", "value": rebID + "@example.com", "primary": true}}}}
	var payabli map[string]any
	Expect(json.Unmarshal(target.Fixture("payabli", "customer-create-request.json"), &payabli)).To(Succeed())
	payabli["email"], payabli["customerNumber"] = payEmail, target.Unique("SEED-")
	rapyd := map[string]any{"name": "Seed Rapyd", "email": target.Unique("seed-rapyd-") + "@example.com"}
	doc := map[string]any{
		"rebilly": []any{map[string]any{"account": map[string]string{"apiKey": rebKey}, "customers": []any{rebilly}}},
		"payabli": []any{map[string]any{"account": map[string]string{"token": payToken, "entry": "seed-entry"}, "customers": []any{payabli}}},
		"rapyd":   []any{map[string]any{"account": map[string]string{}, "customers": []any{rapyd}}},
	}
	b, err := json.Marshal(doc)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

type seedReport struct {
	Seeded, Failed int
	Results        []struct {
		Provider string
		Group    int
		Index    int
		Status   int
		Seeded   bool
		ID       string
		Response map[string]any
		Error    string
	}
}

func postSeed(adm *target.Target, doc string) (*target.Response, seedReport) {
	GinkgoHelper()
	r := adm.Do(target.Request{Method: "POST", Path: "/seed", Body: []byte(doc), Header: http.Header{"Content-Type": {"application/json"}}})
	var rep seedReport
	if r.Status == http.StatusOK || r.Status == http.StatusUnprocessableEntity {
		Expect(json.Unmarshal(r.Body, &rep)).To(Succeed())
	}
	return r, rep
}

var _ = Describe("seeding", Label("admin", "seed"), func() {
	var adm, reb, pay *target.Target
	BeforeEach(func() {
		adm, reb, pay = target.For("admin"), target.For("rebilly"), target.For("payabli")
	})

	It("seeds every provider through its own API, visible to the app's credentials and not journaled", func() {
		rebKey, rebID, payToken, payEmail := target.Unique("seed-key-"), target.Unique("seed-"), target.Unique("seed-token-"), target.Unique("seed-")+"@example.com"
		r, rep := postSeed(adm, seedDoc(rebKey, rebID, payToken, payEmail))
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(rep.Seeded).To(Equal(3))
		Expect(rep.Failed).To(Equal(0))
		Expect(rep.Results).To(HaveLen(3))
		byProvider := map[string]int{}
		for _, res := range rep.Results {
			byProvider[res.Provider] = res.Status
			Expect(res.Seeded).To(BeTrue())
			Expect(res.Response).To(BeNil(), "a seeded customer is reported by id, not by its document")
		}
		Expect(byProvider).To(Equal(map[string]int{"rebilly": http.StatusCreated, "payabli": http.StatusOK, "rapyd": http.StatusOK}))

		got := reb.Do(target.Request{Method: "GET", Path: "/customers/" + rebID, Header: http.Header{"REB-APIKEY": {rebKey}}})
		Expect(got.Status).To(Equal(http.StatusOK))
		Expect(got.Object()["email"]).To(Equal(rebID + "@example.com"))
		Expect(got.Object()["revision"]).To(Equal(json.Number("1")))

		var payID, rapydID string
		for _, res := range rep.Results {
			switch res.Provider {
			case "payabli":
				payID = res.ID
			case "rapyd":
				rapydID = res.ID
			case "rebilly":
				Expect(res.ID).To(Equal(rebID))
			}
		}
		g := pay.Do(target.Request{Method: "GET", Path: "/Customer/" + payID, Header: http.Header{"requestToken": {payToken}}})
		Expect(g.Status).To(Equal(http.StatusOK))
		Expect(g.Object()["Email"]).To(Equal(payEmail))
		Expect(rapydID).To(HavePrefix("cus_"))
		Expect(get(adm, "/journal/rebilly?method=PUT&path=/customers/"+rebID).Object()["count"]).To(Equal(json.Number("0")), "seeding is not app traffic")

		// The same document again: Rebilly upserts (revision 2), Payabli
		// matches the identifier (same customer), Rapyd creates another.
		r, rep = postSeed(adm, seedDoc(rebKey, rebID, payToken, payEmail))
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(rep.Results[1].Status).To(Equal(http.StatusOK), "rebilly second PUT is an update")
		got = reb.Do(target.Request{Method: "GET", Path: "/customers/" + rebID, Header: http.Header{"REB-APIKEY": {rebKey}}})
		Expect(got.Object()["revision"]).To(Equal(json.Number("2")))
		// The journal filter does find the app's own PUT of that id.
		Expect(rebillyPut(reb, rebKey, rebID, `{}`).Status).To(Equal(http.StatusOK))
		Expect(get(adm, "/journal/rebilly?method=PUT&path=/customers/"+rebID).Object()["count"]).To(Equal(json.Number("1")))
	})

	It("reports each customer the provider rejects with its own answer and keeps the others", func() {
		key := target.Unique("seed-bad-")
		doc := `{"rebilly":[{"account":{"apiKey":"` + key + `"},"customers":[{"id":"ok-` + key + `"},{"id":"bad-` + key + `","primaryAddress":42}]}]}`
		r, rep := postSeed(adm, doc)
		Expect(r.Status).To(Equal(http.StatusUnprocessableEntity))
		Expect(rep.Seeded).To(Equal(1))
		Expect(rep.Failed).To(Equal(1))
		Expect(rep.Results[1].Status).To(Equal(http.StatusUnprocessableEntity))
		Expect(rep.Results[1].Seeded).To(BeFalse())
		Expect(rep.Results[1].Response).To(HaveKeyWithValue("title", "Validation error"), "Rebilly's own problem body")
		Expect(reb.Do(target.Request{Method: "GET", Path: "/customers/ok-" + key, Header: http.Header{"REB-APIKEY": {key}}}).Status).To(Equal(http.StatusOK))
		Expect(reb.Do(target.Request{Method: "GET", Path: "/customers/bad-" + key, Header: http.Header{"REB-APIKEY": {key}}}).Status).To(Equal(http.StatusNotFound))

		r, rep = postSeed(adm, `{"payabli":[{"account":{"token":"t"},"customers":[{}]}]}`)
		Expect(r.Status).To(Equal(http.StatusUnprocessableEntity))
		Expect(rep.Results[0].Status).To(Equal(http.StatusBadRequest))
		Expect(rep.Results[0].Error).To(ContainSubstring(`"token" and "entry"`))
	})

	It("rejects documents that are not seed documents", func() {
		for _, doc := range []string{`{`, `[]`, `{"stripe":[]}`, `{"rebilly":[{"acount":{}}]}`, `{"rebilly":[]} {}`} {
			r := adm.Do(target.Request{Method: "POST", Path: "/seed", Body: []byte(doc), Header: http.Header{"Content-Type": {"application/json"}}})
			Expect(r.Status).To(Equal(http.StatusBadRequest), doc)
			Expect(r.Object()["error"]).To(ContainSubstring("invalid seed document"), doc)
		}
	})
})

var _ = Describe("seeding at start (serve --seed FILE)", Label("admin", "seed", "config"), func() {
	It("loads seed documents before serving, and refuses to start on a rejected customer", func() {
		dir := GinkgoT().TempDir()
		good := filepath.Join(dir, "good.json")
		Expect(os.WriteFile(good, []byte(`{"rebilly":[{"account":{"apiKey":"start-key"},"customers":[{"id":"cus-start","primaryAddress":{"emails":[{"label":"main","value":"start@example.com","primary":true}]}}]}]}`), 0o644)).To(Succeed())
		// fixtures/seed-example.json is the README's example: it must load.
		adm := target.WithConfig("admin", func(c *server.Config) { c.Seed = []string{good, "../../fixtures/seed-example.json"} })
		reb := target.For("rebilly")
		reb.BaseURL, reb.Kind = target.URLFor(adm.Server, "rebilly"), target.InProcess
		got := reb.Do(target.Request{Method: "GET", Path: "/customers/cus-start", Header: http.Header{"REB-APIKEY": {"start-key"}}})
		Expect(got.Status).To(Equal(http.StatusOK))
		Expect(got.Object()["email"]).To(Equal("start@example.com"))
		got = reb.Do(target.Request{Method: "GET", Path: "/customers/cus-seed-ada", Header: http.Header{"REB-APIKEY": {"any-key"}}})
		Expect(got.Status).To(Equal(http.StatusOK))
		Expect(got.Object()["firstName"]).To(Equal("Ada"))
		var dump map[string][]any
		Expect(json.Unmarshal(get(adm, "/state").Body, &dump)).To(Succeed())
		Expect(dump["rebilly"]).To(HaveLen(3))
		Expect(dump["payabli"]).To(HaveLen(1))
		Expect(dump["rapyd"]).To(HaveLen(1))

		bad := filepath.Join(dir, "bad.json")
		Expect(os.WriteFile(bad, []byte(`{"rebilly":[{"account":{"apiKey":"k"},"customers":[{"id":"x","primaryAddress":42}]}]}`), 0o644)).To(Succeed())
		cfg := server.DefaultConfig()
		cfg.Seed = []string{bad}
		_, err := server.New(cfg, nil)
		Expect(err).To(MatchError(ContainSubstring("bad.json: rebilly group 0 customer 0: status 422")))
		cfg.Seed = []string{filepath.Join(dir, "missing.json")}
		_, err = server.New(cfg, nil)
		Expect(err).To(MatchError(ContainSubstring("missing.json")))
	})
})

var _ = Describe("profiling (--pprof)", Label("admin", "config"), func() {
	It("serves Go profiles on the admin listener only when enabled", func() {
		off := target.For("admin")
		if off.IsSimulator() && off.Server != nil {
			Expect(off.Do(target.Request{Method: "GET", Path: "/debug/pprof/", NoContract: true}).Status).To(Equal(http.StatusNotFound))
		}
		on := target.WithConfig("admin", func(c *server.Config) { c.Pprof = true })
		r := on.Do(target.Request{Method: "GET", Path: "/debug/pprof/heap?debug=1", NoContract: true})
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(string(r.Body)).To(ContainSubstring("heap profile"))
		r = on.Do(target.Request{Method: "GET", Path: "/debug/pprof/goroutine?debug=1", NoContract: true})
		Expect(r.Status).To(Equal(http.StatusOK))
		Expect(string(r.Body)).To(ContainSubstring("goroutine profile"))
	})
})
