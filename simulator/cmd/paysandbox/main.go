// Command paysandbox runs the payment-provider sandbox simulator.
//
//	paysandbox [serve] [flags]   start every provider and the admin listener
//	paysandbox version           print the version
//	paysandbox healthcheck       exit 0 when the running simulator is ready
//	paysandbox sign [flags]      print Rapyd request-signature headers
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/simulator/config"
	"github.com/paysandbox/paysandbox/simulator/providers/rapyd"
	"github.com/paysandbox/paysandbox/simulator/server"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `paysandbox — a sandbox simulator for Rebilly, Payabli and Rapyd customer APIs.

Usage:
  paysandbox [serve] [flags]   start the simulator (default); see 'paysandbox serve --help'
  paysandbox version           print the version
  paysandbox healthcheck       exit 0 when the simulator on the admin address is ready
  paysandbox sign [flags]      print Rapyd signature headers; see 'paysandbox sign --help'
`

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, "paysandbox", versionString())
		return 0
	case "healthcheck":
		return healthcheck(args, getenv, stdout, stderr)
	case "sign":
		return rapyd.RunSign(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
	return 2
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func loadConfig(args []string, getenv func(string) string, stderr io.Writer, name string) (server.Config, error) {
	cfg := server.DefaultConfig()
	set := config.NewSet()
	cfg.Register(set)
	err := set.Load(args, getenv, stderr, name)
	return cfg, err
}

func serve(args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := loadConfig(args, getenv, stderr, "paysandbox serve")
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "paysandbox:", err)
		return 2
	}
	logger, flushLog, err := cfg.NewLogger(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "paysandbox:", err)
		return 2
	}
	defer flushLog()
	logger.Info("starting", "version", versionString())
	srv, err := server.New(cfg, logger)
	if err != nil {
		logger.Error("cannot start", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Run(ctx); err != nil {
		logger.Error("stopped with error", "error", err)
		return 1
	}
	return 0
}

// healthcheck asks the admin listener's /readyz. It takes the same flags and
// env as serve, so a container HEALTHCHECK needs no arguments.
func healthcheck(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(args, getenv, stderr, "paysandbox healthcheck")
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "paysandbox:", err)
		return 2
	}
	host, port, err := net.SplitHostPort(cfg.Addr(server.Admin))
	if err != nil {
		fmt.Fprintln(stderr, "paysandbox: admin address:", err)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/readyz")
	if err != nil {
		fmt.Fprintln(stderr, "unhealthy:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "unhealthy: %d %s\n", resp.StatusCode, body)
		return 1
	}
	fmt.Fprintf(stdout, "healthy: %s\n", body)
	return 0
}
