package target

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/paysandbox/paysandbox/suites/drift"
)

// EnvRecordDir makes the suites record every exchange of live (and
// live-style) specs into <dir>/<provider>.json, redacted and normalised.
const EnvRecordDir = "PAYSANDBOX_RECORD_DIR"

// ToolVersion is written into recordings.
var ToolVersion = "paysandbox-suites/dev"

// Recorder collects normalised exchanges for one provider and target.
type Recorder struct {
	mu       sync.Mutex
	provider string
	target   string
	norm     *drift.Normalizer
	steps    map[string]int
	ex       []drift.Exchange
}

// NewRecorder returns a recorder; secrets are scrubbed wherever they occur.
func NewRecorder(provider, target string, secrets []string) *Recorder {
	return &Recorder{provider: provider, target: target, norm: &drift.Normalizer{Secrets: secrets, Volatile: uniqueValues}, steps: map[string]int{}}
}

func (r *Recorder) add(t *Target, req Request, resp *Response) {
	scenario := strings.TrimSpace(ginkgo.CurrentSpecReport().LeafNodeText)
	path := basePath[t.Provider] + req.Path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	op := req.Method + " " + path
	if o, err := t.Contract.Operation(req.Method, path); err == nil {
		op = o.String()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.steps[scenario]++
	step := fmt.Sprintf("%02d %s", r.steps[scenario], op)
	r.ex = append(r.ex, r.norm.Normalize(scenario, step, op, req.Method, req.Path, resp.Status, resp.Header, resp.Body))
}

// Recording returns what was recorded so far.
func (r *Recorder) Recording(now time.Time) drift.Recording {
	r.mu.Lock()
	defer r.mu.Unlock()
	ex := append([]drift.Exchange(nil), r.ex...)
	drift.Sort(ex)
	return drift.Recording{Meta: drift.Meta{Provider: r.provider, Target: r.target, Recorded: now.UTC(), ToolVersion: ToolVersion}, Exchanges: ex}
}

// Write saves the recording to <dir>/<provider>.json.
func (r *Recorder) Write(dir string) error {
	return drift.WriteRecording(filepath.Join(dir, r.provider+".json"), r.Recording(time.Now()))
}

var (
	recMu     sync.Mutex
	recorders = map[string]*Recorder{}
)

// recorderFor returns the shared recorder of a provider when recording is on.
func recorderFor(provider, target string, secrets []string) *Recorder {
	if os.Getenv(EnvRecordDir) == "" {
		return nil
	}
	recMu.Lock()
	defer recMu.Unlock()
	if r, ok := recorders[provider]; ok {
		return r
	}
	r := NewRecorder(provider, target, secrets)
	recorders[provider] = r
	return r
}

// Recordings are written once the suite ends.
var _ = ginkgo.ReportAfterSuite("write recordings", func(types.Report) {
	dir := os.Getenv(EnvRecordDir)
	if dir == "" {
		return
	}
	recMu.Lock()
	defer recMu.Unlock()
	for _, r := range recorders {
		if err := r.Write(dir); err != nil {
			fmt.Fprintf(os.Stderr, "write recording %s: %v\n", r.provider, err)
		}
	}
})

// CurrentRecording returns what the provider's live recorder holds so far
// (false when recording is off or nothing was recorded).
func CurrentRecording(provider string) (drift.Recording, bool) {
	recMu.Lock()
	r, ok := recorders[provider]
	recMu.Unlock()
	if !ok {
		return drift.Recording{}, false
	}
	return r.Recording(time.Now()), true
}
