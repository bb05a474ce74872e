package store_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/store"
	"github.com/paysandbox/paysandbox/simulator/store/storetest"
)

func TestStore(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "store")
}

var _ = storetest.DescribeRepository("embedded go-mysql-server store", func() store.Repository {
	s, err := store.Open(store.Options{})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(s.Close)
	return s
})
