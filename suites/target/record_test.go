package target

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/contracts"
)

func TestRecorder(t *testing.T) {
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "target recorder")
}

var _ = ginkgo.Describe("recording", func() {
	ginkgo.It("never writes a secret or an email into a recording", func() {
		const secret = "sk_live_DO_NOT_LEAK_123"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("REB-APIKEY", r.Header.Get("REB-APIKEY"))
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"id":"cus_01J2988GXMSB76JVME8XDEZXMY","email":"jane.doe@example.com","detail":"key ` + secret + ` used",` +
				`"primaryAddress":{"firstName":"Jane","emails":[{"label":"main","value":"jane.doe@example.com"}]},"createdTime":"2026-11-22T10:00:00+00:00"}`))
		}))
		defer srv.Close()
		tg := &Target{Provider: "rebilly", BaseURL: srv.URL, Client: srv.Client(), Contract: contracts.MustLoad("rebilly"),
			Recorder: NewRecorder("rebilly", "live", []string{secret})}
		tg.Do(Request{Method: "POST", Path: "/customers", Header: http.Header{"REB-APIKEY": {secret}}, Body: []byte(`{}`), NoContract: true})

		dir := ginkgo.GinkgoT().TempDir()
		gomega.Expect(tg.Recorder.Write(dir)).To(gomega.Succeed())
		raw, err := os.ReadFile(filepath.Join(dir, "rebilly.json"))
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		s := string(raw)
		for _, leak := range []string{secret, "jane.doe@example.com", "Jane", "cus_01J2988GXMSB76JVME8XDEZXMY", "2026-11-22T10:00:00"} {
			gomega.Expect(s).NotTo(gomega.ContainSubstring(leak))
		}
		for _, kept := range []string{`"operation": "POST /customers"`, `"step": "01 POST /customers"`, `"status": 201`, `"target": "live"`, "<secret>", "<redacted>", "<id>", "<time>"} {
			gomega.Expect(s).To(gomega.ContainSubstring(kept))
		}
		gomega.Expect(strings.Count(s, "redacted@example.invalid")).To(gomega.Equal(2))
	})
})
