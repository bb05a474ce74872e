package reliability

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
	"github.com/paysandbox/paysandbox/suites/target"
)

// adminCall is one admin request with full control of Host and headers
// (target.Request cannot set Host). The answer is checked against the admin
// contract like every other admin response.
type adminCall struct {
	method, path, host string
	header             http.Header
	body               []byte
}

func (c adminCall) send(adm *target.Target) *target.Response {
	GinkgoHelper()
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	hr, err := http.NewRequest(c.method, adm.BaseURL+c.path, body)
	Expect(err).NotTo(HaveOccurred())
	for k, vs := range c.header {
		hr.Header[k] = vs
	}
	if c.host != "" {
		hr.Host = c.host
	}
	res, err := adm.Client.Do(hr)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	r := &target.Response{Status: res.StatusCode, Header: res.Header, Body: b}
	adm.Check(target.Request{Method: c.method, Path: c.path}, r)
	return r
}

// refused asserts the admin API's error body with status.
func refused(r *target.Response, status int) {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body: %s", r.Body)
	Expect(r.Header.Get("Content-Type")).To(HavePrefix("application/json"))
	var m map[string]string
	Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "error body is JSON: %q", r.Body)
	Expect(m["error"]).NotTo(BeEmpty())
	Expect(m).To(HaveLen(1))
}

// adminAndRebilly starts a dedicated simulator (these specs reset state and
// change the admin configuration) and returns its admin and Rebilly targets.
func adminAndRebilly(mut func(*server.Config)) (adm, reb *target.Target) {
	GinkgoHelper()
	adm = target.WithConfig("admin", mut)
	reb = target.For("rebilly")
	reb.Kind, reb.Server, reb.BaseURL = target.InProcess, adm.Server, target.URLFor(adm.Server, "rebilly")
	return adm, reb
}

var jsonCT = http.Header{"Content-Type": {"application/json"}}

var _ = Describe("admin and listener security", Label("reliability", "security"), func() {
	It("binds every listener to loopback by default, and the container image binds all interfaces explicitly", func() {
		cfg := server.DefaultConfig()
		want := map[string]string{server.Admin: "8080", server.Rebilly: "8081", server.Payabli: "8082", server.Rapyd: "8083"}
		for _, n := range server.Names {
			host, port, err := net.SplitHostPort(cfg.Addr(n))
			Expect(err).NotTo(HaveOccurred(), n)
			Expect(host).To(Equal("127.0.0.1"), "%s listener default %q must be loopback", n, cfg.Addr(n))
			Expect(port).To(Equal(want[n]), n)
		}
		Expect(cfg.MaxConnections).To(Equal(server.DefaultMaxConnections))
		Expect(4*cfg.MaxConnections).To(BeNumerically("<", 1024-64), "four capped listeners fit in --ulimit nofile=1024 with room to spare")

		dockerfile, err := os.ReadFile("../../Dockerfile")
		Expect(err).NotTo(HaveOccurred())
		env := regexp.MustCompile(`(?m)^ENV ((?:[^\n]*\\\n)*[^\n]*)`).FindAllStringSubmatch(string(dockerfile), -1)
		var decl string
		for _, m := range env {
			decl += " " + strings.ReplaceAll(m[1], "\\\n", " ")
		}
		for n, port := range want {
			Expect(strings.Fields(decl)).To(ContainElement("PAYSANDBOX_"+strings.ToUpper(n)+"_ADDR=0.0.0.0:"+port),
				"the image sets the %s listener to all interfaces", n)
		}
	})

	It("refuses cross-origin and non-JSON POST /reset and /seed (CSRF) and keeps the state", func() {
		adm, reb := adminAndRebilly(func(*server.Config) {})
		a := rebillyAccount(reb, target.Unique("csrf-"))
		id := a.create("csrf")
		seedID := target.Unique("csrf-seed-")
		seed := []byte(`{"rebilly":[{"account":{"apiKey":"` + a.key + `"},"customers":[{"id":"` + seedID + `"}]}]}`)
		own := "http://" + strings.TrimPrefix(adm.BaseURL, "http://")

		for _, c := range []struct {
			call   adminCall
			status int
		}{
			// what a hostile page can send without a preflight
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {"http://evil.example"}, "Content-Type": {"text/plain"}}}, http.StatusForbidden},
			{adminCall{method: "POST", path: "/seed", header: http.Header{"Origin": {"http://evil.example"}, "Content-Type": {"text/plain"}}, body: seed}, http.StatusForbidden},
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {"null"}, "Content-Type": {"application/x-www-form-urlencoded"}}}, http.StatusForbidden},
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {"http://evil.example"}, "Content-Type": {"application/json"}}}, http.StatusForbidden},
			// another port on the same host is another origin
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {"http://127.0.0.1:1"}, "Content-Type": {"application/json"}}}, http.StatusForbidden},
			// no Origin (a form posted by a non-browser, or an old browser): the content type decides
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Content-Type": {"text/plain"}}}, http.StatusUnsupportedMediaType},
			{adminCall{method: "POST", path: "/seed", header: http.Header{"Content-Type": {"text/plain"}}, body: seed}, http.StatusUnsupportedMediaType},
			{adminCall{method: "POST", path: "/seed", body: seed}, http.StatusUnsupportedMediaType},
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}}, http.StatusUnsupportedMediaType},
			{adminCall{method: "DELETE", path: "/journal/rebilly"}, http.StatusUnsupportedMediaType},
			{adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {own}, "Content-Type": {"text/plain"}}}, http.StatusUnsupportedMediaType},
		} {
			refused(c.call.send(adm), c.status)
		}
		Expect(a.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusOK), "the customer survived every refused reset")
		Expect(a.do("GET", "/customers/"+seedID, nil).Status).To(Equal(http.StatusNotFound), "no refused seed created anything")

		// The admin's own origin with a JSON content type works.
		r := adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {own}, "Content-Type": {"application/json; charset=utf-8"}}}.send(adm)
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(a.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusNotFound))
		r = adminCall{method: "POST", path: "/seed", header: jsonCT, body: seed}.sendNoContract(adm) // only the status matters here
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(a.do("GET", "/customers/"+seedID, nil).Status).To(Equal(http.StatusOK))
	})

	It("refuses a DNS-rebinding Host on /state, /journal and /metrics, and answers loopback names, IP literals and allowed hosts", func() {
		adm, reb := adminAndRebilly(func(c *server.Config) { c.AdminAllowedHosts = []string{"sim.internal", "Other.Example"} })
		a := rebillyAccount(reb, target.Unique("rebind-"))
		id := a.create("rebind")
		_, port, err := net.SplitHostPort(strings.TrimPrefix(adm.BaseURL, "http://"))
		Expect(err).NotTo(HaveOccurred())

		for _, host := range []string{"evil.example", "evil.example:" + port, "localhost.evil.example", "sim.internal.evil.example", "127.0.0.1.nip.io:" + port, "internal"} {
			for _, path := range []string{"/state", "/state/rebilly", "/journal/rebilly", "/metrics"} {
				r := adminCall{method: "GET", path: path, host: host}.send(adm)
				refused(r, http.StatusForbidden)
				Expect(string(r.Body)).NotTo(ContainSubstring(id))
			}
			// the Host check comes first, also for a mutating call
			refused(adminCall{method: "POST", path: "/reset", host: host, header: jsonCT}.send(adm), http.StatusForbidden)
		}
		Expect(a.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusOK))

		for _, host := range []string{"localhost:" + port, "LOCALHOST", "localhost.", "app.localhost:" + port, "127.0.0.1:" + port, "127.0.0.1",
			"[::1]:" + port, "[::1]", "10.1.2.3:" + port, "sim.internal:" + port, "SIM.INTERNAL", "other.example"} {
			r := adminCall{method: "GET", path: "/state/rebilly", host: host}.send(adm)
			Expect(r.Status).To(Equal(http.StatusOK), "Host %q: %s", host, r.Body)
			Expect(string(r.Body)).To(ContainSubstring(id))
			Expect(adminCall{method: "GET", path: "/journal/rebilly", host: host}.send(adm).Status).To(Equal(http.StatusOK), host)
		}
		// Same-origin under an allowed name.
		Expect(adminCall{method: "GET", path: "/state", host: "sim.internal:" + port,
			header: http.Header{"Origin": {"http://sim.internal:" + port}}}.send(adm).Status).To(Equal(http.StatusOK))
		refused(adminCall{method: "GET", path: "/state", host: "sim.internal:" + port,
			header: http.Header{"Origin": {"https://sim.internal:" + port}}}.send(adm), http.StatusForbidden)
		// Probes answer whatever name they use.
		for _, path := range []string{"/healthz", "/readyz"} {
			Expect(adminCall{method: "GET", path: path, host: "evil.example"}.send(adm).Status).To(Equal(http.StatusOK), path)
		}
	})

	It("requires the admin token on every admin route but /healthz and /readyz when one is configured", func() {
		const token = "adm-token-Zq8f3"
		adm, reb := adminAndRebilly(func(c *server.Config) { c.AdminToken = token; c.Pprof = true })
		a := rebillyAccount(reb, target.Unique("token-"))
		id := a.create("token")
		bearer := func(v string) http.Header {
			return http.Header{"Authorization": {v}, "Content-Type": {"application/json"}}
		}

		for _, path := range []string{"/healthz", "/readyz"} {
			r := adminCall{method: "GET", path: path}.send(adm)
			Expect(r.Status).To(Equal(http.StatusOK), path)
		}
		for _, c := range []adminCall{
			{method: "GET", path: "/metrics"}, {method: "GET", path: "/state"}, {method: "GET", path: "/state/rebilly"},
			{method: "GET", path: "/journal/rebilly"}, {method: "GET", path: "/debug/pprof/"}, {method: "GET", path: "/debug/pprof/cmdline"},
			{method: "POST", path: "/reset", header: jsonCT}, {method: "POST", path: "/seed", header: jsonCT, body: []byte(`{}`)},
			{method: "DELETE", path: "/journal/rebilly", header: jsonCT}, {method: "GET", path: "/nope"},
		} {
			for _, auth := range []string{"", "Bearer", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
				c := c
				if auth != "" {
					c.header = bearer(auth)
				}
				var r *target.Response
				if strings.HasPrefix(c.path, "/debug/") || c.path == "/nope" {
					r = c.sendNoContract(adm)
				} else {
					r = c.send(adm)
				}
				refused(r, http.StatusUnauthorized)
				Expect(r.Header.Get("WWW-Authenticate")).To(Equal("Bearer"), "%s %s with %q", c.method, c.path, auth)
				Expect(string(r.Body)).NotTo(ContainSubstring(token))
			}
		}
		Expect(a.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusOK), "no unauthenticated reset happened")

		// Order: Host, then Origin, then the token, then the content type.
		refused(adminCall{method: "POST", path: "/reset", host: "evil.example", header: http.Header{"Origin": {"http://evil.example"}}}.send(adm), http.StatusForbidden)
		refused(adminCall{method: "POST", path: "/reset", header: http.Header{"Origin": {"http://evil.example"}}}.send(adm), http.StatusForbidden)
		refused(adminCall{method: "POST", path: "/reset", header: http.Header{"Content-Type": {"text/plain"}}}.send(adm), http.StatusUnauthorized)
		refused(adminCall{method: "POST", path: "/reset", header: http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"text/plain"}}}.send(adm), http.StatusUnsupportedMediaType)

		// The right token works everywhere (scheme case-insensitive).
		for _, c := range []adminCall{{method: "GET", path: "/metrics"}, {method: "GET", path: "/state/rebilly"}, {method: "GET", path: "/journal/rebilly"}} {
			c.header = bearer("Bearer " + token)
			Expect(c.send(adm).Status).To(Equal(http.StatusOK), c.path)
		}
		Expect(adminCall{method: "GET", path: "/debug/pprof/cmdline", header: bearer("bearer " + token)}.sendNoContract(adm).Status).To(Equal(http.StatusOK))
		// The suites' admin target sends the configured token itself.
		Expect(adm.AdminToken).To(Equal(token))
		Expect(adm.Do(target.Request{Method: "GET", Path: "/state/rebilly"}).Status).To(Equal(http.StatusOK))
		r := adminCall{method: "POST", path: "/reset", header: bearer("Bearer " + token)}.send(adm)
		Expect(r.Status).To(Equal(http.StatusOK), string(r.Body))
		Expect(a.do("GET", "/customers/"+id, nil).Status).To(Equal(http.StatusNotFound))
	})

	It("caps each listener's connections: a flood of idle connections does not stop a new client, and the open count never exceeds the cap", func() {
		const limit = 20
		t := target.WithConfig("rebilly", func(c *server.Config) {
			c.MaxConnections = limit
			c.ReadHeaderTimeout = 500 * time.Millisecond // closes the connections that never send a request
		})
		u, err := url.Parse(t.BaseURL)
		Expect(err).NotTo(HaveOccurred())
		key := target.Unique("cap-")
		a := rebillyAccount(t, key)
		fresh := func() *target.Target { // a well-behaved client with its own connection pool
			c := *t
			tr := &http.Transport{}
			DeferCleanup(tr.CloseIdleConnections)
			c.Client = &http.Client{Timeout: 30 * time.Second, Transport: tr}
			return &c
		}

		// 1. Keep-alive flood: 3x the cap, each sends one request, reads the
		// answer and then sits idle.
		const idle = 3 * limit
		kept := make([]net.Conn, idle)
		for i := range kept {
			c, err := net.Dial("tcp", u.Host)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(c.Close)
			_, err = fmt.Fprintf(c, "GET /customers HTTP/1.1\r\nHost: %s\r\nREB-APIKEY: %s\r\n\r\n", u.Host, key)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.SetReadDeadline(time.Now().Add(30 * time.Second))).To(Succeed()) // bounds a broken server only
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			Expect(err).NotTo(HaveOccurred(), "idle connection %d is served", i)
			_, _ = io.Copy(io.Discard, res.Body)
			Expect(res.StatusCode).To(Equal(http.StatusOK))
			kept[i] = c
		}
		Expect(rebillyAccount(fresh(), key).do("GET", "/customers", nil).Status).To(Equal(http.StatusOK), "a new client is served at the cap")
		// The least recently used idle connections were closed to make room
		// (at most limit-1 are served besides the doorway, so 42 of the 60
		// went). Which of the newest ones went depends on when the server
		// marked each idle; the oldest ones were idle long before.
		for i := 0; i < limit/2; i++ {
			Expect(kept[i].SetReadDeadline(time.Now().Add(20 * time.Second))).To(Succeed())
			n, err := kept[i].Read(make([]byte, 1))
			Expect(n).To(Equal(0))
			Expect(err).To(MatchError(io.EOF), "idle connection %d was closed by the server, not by our deadline", i)
		}

		// 2. Silent flood: connections that never send a byte hold no slot
		// for longer than the read-header timeout.
		silent := make([]net.Conn, 2*limit)
		for i := range silent {
			c, err := net.Dial("tcp", u.Host)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(c.Close)
			silent[i] = c
		}
		Expect(rebillyAccount(fresh(), key).do("GET", "/customers", nil).Status).To(Equal(http.StatusOK), "a new client is served behind the silent ones")
		Expect(a.do("GET", "/customers", nil).Status).To(Equal(http.StatusOK))

		st := t.Server.ConnStats(server.Rebilly)
		Expect(st.Max).To(Equal(limit))
		Expect(st.Peak).To(BeNumerically("<=", limit), "server-side open connections never exceed the cap: %+v", st)
		Expect(st.Open).To(BeNumerically("<=", limit))
		Expect(st.Evicted).To(BeNumerically(">=", idle-(limit-2)), "%+v", st)
		Expect(st.Accepted).To(BeNumerically(">=", idle+2+len(silent)), "%+v", st)
		// The same numbers are Prometheus metrics on the admin listener.
		res, err := http.Get(t.AdminURL + "/metrics")
		Expect(err).NotTo(HaveOccurred())
		metricsText, err := io.ReadAll(res.Body)
		res.Body.Close()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(metricsText)).To(ContainSubstring(`paysandbox_connections_max{listener="rebilly"} 20`))
		Expect(string(metricsText)).To(MatchRegexp(`paysandbox_connections_evicted_total\{listener="rebilly"\} [1-9]`))
		Expect(string(metricsText)).To(MatchRegexp(`paysandbox_connections_peak\{listener="rebilly"\} (1?[0-9]|20)\n`))
		// The other listeners have their own cap.
		Expect(t.Server.ConnStats(server.Payabli).Max).To(Equal(limit))
		Expect(t.Server.ConnStats(server.Admin).Max).To(Equal(limit))
	})
})

// sendNoContract is send for routes the admin contract does not describe
// (pprof, unknown paths).
func (c adminCall) sendNoContract(adm *target.Target) *target.Response {
	GinkgoHelper()
	hr, err := http.NewRequest(c.method, adm.BaseURL+c.path, bytes.NewReader(c.body))
	Expect(err).NotTo(HaveOccurred())
	for k, vs := range c.header {
		hr.Header[k] = vs
	}
	if c.host != "" {
		hr.Host = c.host
	}
	res, err := adm.Client.Do(hr)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return &target.Response{Status: res.StatusCode, Header: res.Header, Body: b}
}
