// Package target gives the Ginkgo suites the thing they test: a provider API
// behind a base URL. By default that is an in-process simulator on loopback
// ports with its embedded defaults; PAYSANDBOX_TARGET_URL_<PROVIDER> points the
// suites at an already running simulator (a separate binary, the container).
//
// Every response a suite sees through Target.Do is checked against the
// provider's contract, so no spec can pass on a response the contract forbids.
package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/paysandbox/paysandbox/contracts"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// Kind says what is behind a target.
type Kind string

const (
	InProcess Kind = "in-process" // a simulator started by this test process
	URL       Kind = "url"        // a simulator started elsewhere (binary, container)
)

// EnvURL returns the variable that points a provider's suites at a URL.
func EnvURL(provider string) string {
	return "PAYSANDBOX_TARGET_URL_" + strings.ToUpper(provider)
}

// EnvAdminURL points the suites at the admin listener of a running simulator.
const EnvAdminURL = "PAYSANDBOX_TARGET_ADMIN_URL"

// EnvAdminToken is the admin token (--admin-token) of a running simulator;
// the admin target sends it as "Authorization: Bearer <token>".
const EnvAdminToken = "PAYSANDBOX_TARGET_ADMIN_TOKEN"

// Target is one provider API under test.
type Target struct {
	Provider string
	Kind     Kind
	// BaseURL is what an SDK would be configured with, without a trailing
	// slash (Payabli's ends in /api).
	BaseURL string
	// AdminURL is the simulator's admin listener ("" when unknown).
	AdminURL string
	// AdminToken, when set, is sent as "Authorization: Bearer <token>" by
	// the admin target on requests that carry no Authorization header.
	AdminToken string
	Contract   *contracts.Contract
	Client     *http.Client
	// Server is the in-process simulator (nil for other kinds).
	Server *server.Server
	// Recorder, when set, keeps every exchange sent through Do.
	Recorder *Recorder
}

var (
	mu        sync.Mutex
	inproc    *server.Server
	inprocErr error
)

// basePath is the path a provider's SDK base URL carries on the simulator
// (each provider declares it when it registers; server.BasePath).
var basePath = func() map[string]string {
	m := map[string]string{}
	for _, n := range server.Names {
		m[n] = server.BasePath(n)
	}
	return m
}()

// For returns the target for a provider, starting the shared in-process
// simulator on first use when no URL is configured. Call it from a node
// (BeforeAll/BeforeEach), not at package init, so runners can set env first.
func For(provider string) *Target {
	ginkgo.GinkgoHelper()
	c, err := contracts.Load(provider)
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("load %s contract: %v", provider, err))
	}
	t := &Target{Provider: provider, Contract: c, Client: &http.Client{Timeout: 30 * time.Second}}
	if u := os.Getenv(EnvURL(provider)); u != "" {
		t.Kind = URL
		t.BaseURL = strings.TrimRight(u, "/")
		t.AdminURL = strings.TrimRight(os.Getenv(EnvAdminURL), "/")
		t.AdminToken = os.Getenv(EnvAdminToken)
		return t
	}
	srv, err := shared()
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("start in-process simulator: %v", err))
	}
	t.Kind = InProcess
	t.Server = srv
	t.BaseURL = "http://" + srv.Addr(provider) + basePath[provider]
	t.AdminURL = "http://" + srv.Addr(server.Admin)
	return t
}

func shared() (*server.Server, error) {
	mu.Lock()
	defer mu.Unlock()
	if inproc != nil || inprocErr != nil {
		return inproc, inprocErr
	}
	inproc, inprocErr = StartInProcess(server.DefaultConfig())
	return inproc, inprocErr
}

// StartInProcess starts a simulator with cfg on loopback ports chosen by the
// kernel. Specs that need a non-default configuration start their own and
// must Shutdown it (DeferCleanup).
func StartInProcess(cfg server.Config) (*server.Server, error) {
	for _, n := range server.Names {
		cfg.SetAddr(n, "127.0.0.1:0")
	}
	logger := slog.New(slog.NewTextHandler(ginkgo.GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}

// URLFor returns the base URL of a provider on a given in-process server.
func URLFor(srv *server.Server, provider string) string {
	return "http://" + srv.Addr(provider) + basePath[provider]
}

// IsSimulator reports whether the target is a simulator (in-process or URL),
// i.e. simulator-only behaviour such as configuration may be asserted.
func (t *Target) IsSimulator() bool { return t.Kind == InProcess || t.Kind == URL }

// Request is one HTTP exchange to send.
type Request struct {
	Method string
	Path   string // relative to BaseURL, with query
	Header http.Header
	Body   []byte
	// NoContract skips the contract check (only for deliberately
	// non-contract traffic such as unknown routes).
	NoContract bool
}

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value (map[string]any, []any, ...).
func (r *Response) JSON() any {
	ginkgo.GinkgoHelper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		ginkgo.Fail(fmt.Sprintf("response body is not JSON: %v\n%s", err, r.Body))
	}
	return v
}

// Object decodes the body as a JSON object.
func (r *Response) Object() map[string]any {
	ginkgo.GinkgoHelper()
	m, ok := r.JSON().(map[string]any)
	if !ok {
		ginkgo.Fail(fmt.Sprintf("response body is not a JSON object: %s", r.Body))
	}
	return m
}

// Array decodes the body as a JSON array.
func (r *Response) Array() []any {
	ginkgo.GinkgoHelper()
	a, ok := r.JSON().([]any)
	if !ok {
		ginkgo.Fail(fmt.Sprintf("response body is not a JSON array: %s", r.Body))
	}
	return a
}

// Do sends the request and checks the response against the contract.
func (t *Target) Do(req Request) *Response {
	ginkgo.GinkgoHelper()
	resp, err := t.Send(req)
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("%s %s: %v", req.Method, req.Path, err))
	}
	if t.Recorder != nil {
		t.Recorder.add(t, req, resp)
	}
	if !req.NoContract {
		t.Check(req, resp)
	}
	return resp
}

// Send sends the request without any check.
func (t *Target) Send(req Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequest(req.Method, t.BaseURL+req.Path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if t.Provider == "admin" && t.AdminToken != "" && hr.Header.Get("Authorization") == "" {
		hr.Header.Set("Authorization", "Bearer "+t.AdminToken)
	}
	res, err := t.Client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// Check fails the spec when resp is not what the contract declares for req.
func (t *Target) Check(req Request, resp *Response) {
	ginkgo.GinkgoHelper()
	path := basePath[t.Provider] + req.Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if err := t.Contract.ValidateResponse(req.Method, path, resp.Status, resp.Header, resp.Body); err != nil {
		ginkgo.Fail(fmt.Sprintf("contract violation: %s %s → %d\n%v\nbody: %s", req.Method, req.Path, resp.Status, err, truncate(resp.Body)))
	}
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Unique returns a name unique to this run and call, for ids, keys and emails.
// Recordings replace every value it returned with a placeholder.
func Unique(prefix string) string {
	u := fmt.Sprintf("%s%d%04d", prefix, time.Now().UnixNano()%1e12, next())
	uniqMu.Lock()
	uniques = append(uniques, u)
	uniqMu.Unlock()
	return u
}

var (
	uniqMu  sync.Mutex
	uniques []string
)

// uniqueValues returns every value Unique handed out so far.
func uniqueValues() []string {
	uniqMu.Lock()
	defer uniqMu.Unlock()
	return append([]string(nil), uniques...)
}

var (
	seqMu sync.Mutex
	seq   int
)

func next() int {
	seqMu.Lock()
	defer seqMu.Unlock()
	seq++
	return seq % 10000
}
