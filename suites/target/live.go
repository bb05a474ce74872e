package target

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
)

// Live is a provider's real sandbox, configured from the environment.
const Live Kind = "live"

// LiveEnv names a provider's live-sandbox variables.
type LiveEnv struct {
	URL        string // base URL override (default: the documented sandbox)
	DefaultURL string
	Required   []string // variables that must all be set for a live run
}

// LiveVars lists, per provider, the variables a nightly run reads.
var LiveVars = map[string]LiveEnv{
	"rebilly": {URL: "REBILLY_SANDBOX_URL", DefaultURL: "https://api-sandbox.rebilly.com",
		Required: []string{"REBILLY_SANDBOX_API_KEY", "REBILLY_SANDBOX_ORGANIZATION_ID"}},
	"payabli": {URL: "PAYABLI_SANDBOX_URL", DefaultURL: "https://api-sandbox.payabli.com/api",
		Required: []string{"PAYABLI_SANDBOX_TOKEN", "PAYABLI_SANDBOX_ENTRY"}},
	"rapyd": {URL: "RAPYD_SANDBOX_URL", DefaultURL: "https://sandboxapi.rapyd.net",
		Required: []string{"RAPYD_SANDBOX_ACCESS_KEY", "RAPYD_SANDBOX_SECRET_KEY"}},
}

// LiveTarget is a live sandbox plus its credentials.
type LiveTarget struct {
	*Target
	Creds map[string]string // the Required variables' values
}

// ForLive returns the provider's live sandbox, or skips the spec with one
// clear message when its credentials are not in the environment. Requests
// are throttled below the provider's documented rate limit.
func ForLive(provider string) *LiveTarget {
	ginkgo.GinkgoHelper()
	env, ok := LiveVars[provider]
	if !ok {
		ginkgo.Fail("no live configuration for " + provider)
	}
	creds := map[string]string{}
	var missing []string
	for _, v := range env.Required {
		if val := os.Getenv(v); val != "" {
			creds[v] = val
		} else {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		ginkgo.Skip(fmt.Sprintf("live %s: %s not set; skipping live specs", provider, strings.Join(missing, ", ")))
	}
	t := For(provider)
	t.Kind = Live
	t.Server = nil
	t.AdminURL = ""
	t.BaseURL = strings.TrimRight(os.Getenv(env.URL), "/")
	if t.BaseURL == "" {
		t.BaseURL = env.DefaultURL
	}
	t.Client = &http.Client{Timeout: 60 * time.Second, Transport: throttled(provider)}
	secrets := make([]string, 0, len(creds))
	for _, v := range creds {
		secrets = append(secrets, v)
	}
	t.Recorder = recorderFor(provider, os.Getenv("PAYSANDBOX_RECORD_TARGET"), secrets)
	return &LiveTarget{Target: t, Creds: creds}
}

// Live rate budgets, below each provider's documented limit.
var liveInterval = map[string]time.Duration{
	// Rebilly sandbox: 3,000 non-GET requests per 10 minutes (5/s); stay at 4/s.
	"rebilly": 250 * time.Millisecond,
	"payabli": 250 * time.Millisecond,
	"rapyd":   250 * time.Millisecond,
}

var (
	throttleMu sync.Mutex
	throttles  = map[string]*throttle{}
)

type throttle struct {
	mu   sync.Mutex
	next time.Time
	gap  time.Duration
	base http.RoundTripper
}

func throttled(provider string) http.RoundTripper {
	throttleMu.Lock()
	defer throttleMu.Unlock()
	if t, ok := throttles[provider]; ok {
		return t
	}
	t := &throttle{gap: liveInterval[provider], base: http.DefaultTransport}
	throttles[provider] = t
	return t
}

// RoundTrip spaces requests at least gap apart (a pacing limiter: it waits
// for its slot, it does not sleep to synchronise anything).
func (t *throttle) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	now := time.Now()
	slot := t.next
	if slot.Before(now) {
		slot = now
	}
	t.next = slot.Add(t.gap)
	t.mu.Unlock()
	if wait := time.Until(slot); wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return nil, r.Context().Err()
		}
	}
	return t.base.RoundTrip(r)
}
