//go:build packed

// Command paysandbox-packed is the container image's entry point: the
// paysandbox binary, zstd-compressed at image build time (scripts/pack),
// embedded here, decompressed into an anonymous memory file (memfd) at
// start and executed in place of this process with the same arguments and
// environment. It needs no writable file system and no shell, so it runs on
// distroless. Why: the static binary is ~57 MB (go-mysql-server's collation
// tables and SQL engine); packed, the image is ~15 MB. Cost: ~0.1 s of
// decompression per start (also per `paysandbox healthcheck`).
//
// Built only with -tags packed (the Dockerfile does it); ordinary builds and
// `go vet ./...` skip this package because payload.zst exists only there.
package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"
)

//go:embed payload.zst
var payload []byte

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "paysandbox: unpack:", err)
		os.Exit(70)
	}
}

func run() error {
	dec, err := zstd.NewReader(bytes.NewReader(payload), zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return err
	}
	defer dec.Close()
	fd, err := unix.MemfdCreate("paysandbox", unix.MFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "paysandbox")
	if _, err := io.Copy(f, dec); err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	path := "/proc/self/fd/" + strconv.Itoa(fd)
	err = syscall.Exec(path, os.Args, os.Environ())
	runtime.KeepAlive(f) // the memfd must stay open until the exec
	return err
}
