package target

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/paysandbox/paysandbox/simulator/server"
)

// Fixture reads fixtures/<provider>/<name> from the repository.
func Fixture(provider, name string) []byte {
	ginkgo.GinkgoHelper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "fixtures", provider, name))
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return b
}

// WithConfig starts an extra in-process simulator whose configuration is the
// defaults changed by mut, and returns the provider's target on it. The
// simulator shuts down when the spec ends. Call it inside a spec.
func WithConfig(provider string, mut func(*server.Config)) *Target {
	ginkgo.GinkgoHelper()
	cfg := server.DefaultConfig()
	mut(&cfg)
	srv, err := StartInProcess(cfg)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	ginkgo.DeferCleanup(func() { gomega.Expect(srv.Shutdown(context.Background())).To(gomega.Succeed()) })
	t := For(provider)
	t.Kind, t.Server, t.BaseURL = InProcess, srv, URLFor(srv, provider)
	t.AdminURL = "http://" + srv.Addr(server.Admin)
	t.AdminToken = cfg.AdminToken
	return t
}

// Body turns a spec's request body into bytes: nil stays nil, []byte and
// string are sent as they are, anything else is JSON-encoded.
func Body(body any) []byte {
	ginkgo.GinkgoHelper()
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	raw, err := json.Marshal(body)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return raw
}
