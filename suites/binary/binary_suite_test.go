// Package binary_test runs every provider suite against the paysandbox binary
// started as a separate process, exactly as a user or CI would run it.
package binary_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	_ "github.com/paysandbox/paysandbox/suites/admin"
	"github.com/paysandbox/paysandbox/suites/drift"
	_ "github.com/paysandbox/paysandbox/suites/payabli"
	_ "github.com/paysandbox/paysandbox/suites/rapyd"
	_ "github.com/paysandbox/paysandbox/suites/rebilly"
	"github.com/paysandbox/paysandbox/suites/target"
)

func TestBinary(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "paysandbox binary")
}

var bin *target.Binary

var _ = BeforeSuite(func() {
	path, err := target.BuildBinary(GinkgoT().TempDir())
	Expect(err).NotTo(HaveOccurred())
	bin, err = target.StartBinary(path, nil, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	for _, p := range []string{"rebilly", "payabli", "rapyd"} {
		Expect(os.Setenv(target.EnvURL(p), bin.URL(p))).To(Succeed())
	}
	Expect(os.Setenv(target.EnvAdminURL, "http://"+bin.Addrs["admin"])).To(Succeed())
	Expect(os.Setenv(target.EnvURL("admin"), "http://"+bin.Addrs["admin"])).To(Succeed())
	// The live specs run here exactly as nightly against a sandbox: same code
	// path, credentials from the environment; only the host is the binary.
	if os.Getenv(target.EnvRecordDir) == "" { // record for the drift check below
		Expect(os.Setenv(target.EnvRecordDir, GinkgoT().TempDir())).To(Succeed())
		Expect(os.Setenv("PAYSANDBOX_RECORD_TARGET", "simulator")).To(Succeed())
	}
	for k, v := range map[string]string{
		"REBILLY_SANDBOX_URL": bin.URL("rebilly"), "REBILLY_SANDBOX_API_KEY": "live-check-key", "REBILLY_SANDBOX_ORGANIZATION_ID": "org_live_check",
		"PAYABLI_SANDBOX_URL": bin.URL("payabli"), "PAYABLI_SANDBOX_TOKEN": "live-check-token", "PAYABLI_SANDBOX_ENTRY": "live-check-entry",
		"RAPYD_SANDBOX_URL": bin.URL("rapyd"), "RAPYD_SANDBOX_ACCESS_KEY": "rak_test_paysandbox", "RAPYD_SANDBOX_SECRET_KEY": "rsk_test_paysandbox",
	} {
		Expect(os.Setenv(k, v)).To(Succeed())
	}
})

// After the live specs ran against the binary, their recording is compared
// with the stored reference recording of the simulator: no drift is expected.
// A deliberately altered copy of the reference must be caught and named.
var _ = ReportAfterSuite("drift against the stored recordings", func(report Report) {
	if !report.SuiteSucceeded {
		return
	}
	for _, p := range []string{"rebilly", "payabli", "rapyd"} {
		current, ok := target.CurrentRecording(p)
		Expect(ok).To(BeTrue(), "no %s recording: did the live specs run?", p)
		stored, err := drift.ReadRecording(filepath.Join("..", "..", "fixtures", p, "recorded", "simulator.json"))
		Expect(err).NotTo(HaveOccurred())
		rep := drift.Compare(stored, current, nil, nil, time.Now())
		Expect(rep.Unexpected).To(Equal(0), "%s drifted from its stored recording:\n%s", p, rep.Markdown())

		altered := stored
		altered.Exchanges = append([]drift.Exchange(nil), stored.Exchanges...)
		first := altered.Exchanges[0]
		first.Status = 299
		altered.Exchanges[0] = first
		rep = drift.Compare(altered, current, nil, nil, time.Now())
		Expect(rep.Unexpected).To(Equal(1), p)
		md := rep.Markdown()
		Expect(md).To(ContainSubstring("| status | `status` | `299` | `" + fmt.Sprint(stored.Exchanges[0].Status) + "` |"))
		Expect(md).To(ContainSubstring(first.Scenario + " / " + first.Step))
	}
})

var _ = AfterSuite(func() {
	if bin != nil {
		Expect(bin.Stop()).To(Succeed())
	}
})

var _ = Describe("the binary runner", func() {
	It("points the provider suites at the separate process, not an in-process simulator", func() {
		for _, p := range []string{"rebilly", "payabli", "rapyd"} {
			t := target.For(p)
			Expect(t.Kind).To(Equal(target.URL))
			Expect(t.BaseURL).To(Equal(bin.URL(p)))
			Expect(t.Server).To(BeNil())
		}
	})
})
