// Package binary_test runs every provider suite against the paysandbox binary
// started as a separate process, exactly as a user or CI would run it.
package binary_test

import (
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

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
})

var _ = AfterSuite(func() {
	if bin != nil {
		Expect(bin.Stop()).To(Succeed())
	}
})
