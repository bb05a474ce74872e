package rapyd_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	_ "github.com/paysandbox/paysandbox/suites/rapyd"
)

func TestRapyd(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Rapyd suites")
}
