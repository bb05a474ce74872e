// Package binary_test runs every provider suite against the paysandbox binary
// started as a separate process, exactly as a user or CI would run it.
package binary_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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
	// The live specs run here exactly as nightly against a sandbox: same code
	// path, credentials from the environment; only the host is the binary.
	for k, v := range map[string]string{
		"REBILLY_SANDBOX_URL": bin.URL("rebilly"), "REBILLY_SANDBOX_API_KEY": "live-check-key", "REBILLY_SANDBOX_ORGANIZATION_ID": "org_live_check",
		"RAPYD_SANDBOX_URL": bin.URL("rapyd"), "RAPYD_SANDBOX_ACCESS_KEY": "rak_test_paysandbox", "RAPYD_SANDBOX_SECRET_KEY": "rsk_test_paysandbox",
	} {
		Expect(os.Setenv(k, v)).To(Succeed())
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
