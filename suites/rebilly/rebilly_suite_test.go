package rebilly_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	_ "github.com/paysandbox/paysandbox/suites/rebilly"
)

func TestRebilly(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Rebilly suites")
}
