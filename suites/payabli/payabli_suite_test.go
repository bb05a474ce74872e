package payabli_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	_ "github.com/paysandbox/paysandbox/suites/payabli"
)

func TestPayabli(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Payabli suites")
}
