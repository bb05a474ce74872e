package target

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/simulator/server"
)

// Binary is a paysandbox binary started as a separate process.
type Binary struct {
	cmd   *exec.Cmd
	Addrs map[string]string // listener name → host:port
	done  chan error
	Log   *strings.Builder
}

// BuildBinary compiles simulator/cmd/paysandbox into dir and returns its path.
func BuildBinary(dir string) (string, error) {
	out := filepath.Join(dir, "paysandbox")
	cmd := exec.Command("go", "build", "-o", out, "github.com/paysandbox/paysandbox/simulator/cmd/paysandbox")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	return out, nil
}

// StartBinary runs the binary with every listener on a kernel-chosen loopback
// port plus the given extra environment, and waits until each listener has
// logged its address (the binary logs JSON lines on stderr).
func StartBinary(path string, env []string, log io.Writer) (*Binary, error) {
	cmd := exec.Command(path, "serve")
	cmd.Env = append(os.Environ(), "PAYSANDBOX_LOG_FORMAT=json")
	for _, n := range server.Names {
		cmd.Env = append(cmd.Env, server.AddrEnv(n)+"=127.0.0.1:0")
	}
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &Binary{cmd: cmd, Addrs: map[string]string{}, done: make(chan error, 1)}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		want := len(server.Names)
		for sc.Scan() {
			line := sc.Bytes()
			if log != nil {
				_, _ = log.Write(append(line, '\n'))
			}
			var ev struct {
				Msg      string `json:"msg"`
				Listener string `json:"listener"`
				Addr     string `json:"addr"`
			}
			if json.Unmarshal(line, &ev) == nil && ev.Msg == "listening" && ev.Listener != "mysql" {
				b.Addrs[ev.Listener] = ev.Addr
				if want--; want == 0 {
					ready <- nil
				}
			}
		}
		ready <- fmt.Errorf("binary exited before all listeners were up (%d missing)", want)
	}()
	go func() { b.done <- cmd.Wait() }()
	select {
	case err := <-ready:
		if err != nil {
			_ = cmd.Process.Kill()
			return nil, err
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("binary did not become ready within 60s")
	}
	return b, nil
}

// URL returns a provider's base URL on the binary.
func (b *Binary) URL(provider string) string {
	return "http://" + b.Addrs[provider] + basePath[provider]
}

// Stop sends SIGTERM and waits for a clean exit.
func (b *Binary) Stop() error {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		return err
	case <-time.After(30 * time.Second):
		_ = b.cmd.Process.Kill()
		return fmt.Errorf("binary did not stop within 30s of SIGTERM")
	}
}
