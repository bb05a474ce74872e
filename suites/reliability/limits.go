package reliability

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

var _ = Describe("limits", Label("reliability", "limits", "config"), func() {
	It("closes slow-header (slowloris) connections after the read-header timeout, and keeps serving others meanwhile", func() {
		t := target.WithConfig("rebilly", func(c *server.Config) { c.ReadHeaderTimeout = 300 * time.Millisecond })
		u, err := url.Parse(t.BaseURL)
		Expect(err).NotTo(HaveOccurred())
		var slow []net.Conn
		for i := 0; i < 200; i++ {
			c, err := net.Dial("tcp", u.Host)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(c.Close)
			_, err = io.WriteString(c, "GET /customers HTTP/1.1\r\nHost: x\r\nREB-APIKEY: slow") // never finished
			Expect(err).NotTo(HaveOccurred())
			slow = append(slow, c)
		}
		// 200 stalled clients do not starve a normal one.
		a := rebillyAccount(t, target.Unique("limits-"))
		Expect(a.do("GET", "/customers", nil).Status).To(Equal(http.StatusOK))
		// Every stalled connection is closed by the server (read until EOF; the
		// deadline only bounds a broken server).
		for _, c := range slow {
			Expect(c.SetReadDeadline(time.Now().Add(20 * time.Second))).To(Succeed())
			_, err := io.ReadAll(bufio.NewReader(c))
			Expect(err).NotTo(HaveOccurred(), "the server closes the connection (EOF), not our deadline")
		}
	})

	It("answers a body over a configured limit with the provider's own error, before storing anything", func() {
		reb := target.WithConfig("rebilly", func(c *server.Config) { c.MaxBodyBytes = 256 })
		a := rebillyAccount(reb, target.Unique("limit-"))
		big := []byte(`{"customFields":{"x":"` + strings.Repeat("y", 300) + `"}}`)
		r := a.do("PUT", "/customers/cus-big", big)
		errorShape("rebilly", r, http.StatusUnprocessableEntity)
		Expect(a.do("GET", "/customers/cus-big", nil).Status).To(Equal(http.StatusNotFound))

		pay := target.WithConfig("payabli", func(c *server.Config) { c.MaxBodyBytes = 256 })
		p := payabliAccount(pay, "limit-token", "limit-entry")
		r = p.do("POST", "/Customer/single/limit-entry", []byte(`{"customerNumber":"`+strings.Repeat("9", 300)+`"}`))
		errorShape("payabli", r, http.StatusBadRequest)
		Expect(p.do("GET", "/Query/customers/limit-entry", nil).Object()["Summary"].(map[string]any)["totalRecords"]).To(BeEquivalentTo("0"))
	})
})
