package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// JSON renders the report for machines.
func (r *Report) JSON() ([]byte, error) { return indentJSON(r) }

// indentJSON encodes v indented, without HTML escaping (placeholders such as
// <id> stay readable).
func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// Markdown renders the report for people.
func (r *Report) Markdown() string {
	var b strings.Builder
	verdict := "no unexpected drift"
	if r.Drifted() {
		verdict = fmt.Sprintf("**%d unexpected difference(s)**", r.Unexpected)
	}
	fmt.Fprintf(&b, "# Drift report: %s\n\n", r.Provider)
	fmt.Fprintf(&b, "- A: %s (recorded %s, %s)\n", r.A.Target, r.A.Recorded.Format(time.RFC3339), r.A.ToolVersion)
	fmt.Fprintf(&b, "- B: %s (recorded %s, %s)\n", r.B.Target, r.B.Recorded.Format(time.RFC3339), r.B.ToolVersion)
	fmt.Fprintf(&b, "- Verdict: %s; %d allow-listed; %d known-unknown observation(s)\n\n", verdict, r.Allowed, r.Observations)
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "> warning: %s\n", w)
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n")
	}
	for _, e := range r.Endpoints {
		fmt.Fprintf(&b, "## %s\n\n%d exchange(s)", e.Operation, e.Exchanges)
		if len(e.Diffs) == 0 {
			b.WriteString(", no differences.\n\n")
			continue
		}
		b.WriteString(".\n\n| | scenario / step | kind | where | A | B | note |\n|---|---|---|---|---|---|---|\n")
		for _, d := range e.Diffs {
			mark, note := "❌", ""
			switch {
			case d.Observed != "":
				mark, note = "👁", "known unknown "+d.Observed
			case d.Allowed:
				mark, note = "✅", "allowed: "+d.Reason
			}
			fmt.Fprintf(&b, "| %s | %s / %s | %s | `%s` | %s | %s | %s |\n", mark, d.Scenario, d.Step, d.Kind, d.Where, cell(d.A), cell(d.B), note)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cell(v any) string {
	if v == nil {
		return "—"
	}
	s := fmt.Sprint(v)
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return "`" + s + "`"
}

// WriteFiles writes <dir>/<provider>.json and <dir>/<provider>.md.
func (r *Report) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	j, err := r.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, r.Provider+".json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, r.Provider+".md"), []byte(r.Markdown()), 0o644)
}

// ReadRecording loads a recording file.
func ReadRecording(file string) (Recording, error) {
	var rec Recording
	raw, err := os.ReadFile(file)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return rec, fmt.Errorf("%s: %w", file, err)
	}
	return rec, nil
}

// WriteRecording saves a recording (sorted, indented) to file.
func WriteRecording(file string, rec Recording) error {
	Sort(rec.Exchanges)
	raw, err := indentJSON(rec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, append(raw, '\n'), 0o644)
}

// Stale returns a warning when the recording is older than maxAge.
func Stale(m Meta, maxAge time.Duration, now time.Time) string {
	if maxAge > 0 && !m.Recorded.IsZero() && now.Sub(m.Recorded) > maxAge {
		return fmt.Sprintf("%s recording of %s is %d days old (limit %d days): re-record it",
			m.Target, m.Recorded.Format("2006-01-02"), int(now.Sub(m.Recorded).Hours()/24), int(maxAge.Hours()/24))
	}
	return ""
}
