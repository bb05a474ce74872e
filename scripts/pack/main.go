// Command pack compresses a built paysandbox binary into the payload the
// self-extracting container entry point embeds (simulator/cmd/paysandbox-packed).
// The Dockerfile runs it; nothing else needs it.
//
//	go run ./scripts/pack -in /out/paysandbox.full -out simulator/cmd/paysandbox-packed/payload.zst
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

func main() {
	in := flag.String("in", "", "binary to compress")
	out := flag.String("out", "", "payload file to write")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := pack(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
}

func pack(in, out string) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(out)
	if err != nil {
		return err
	}
	enc, err := zstd.NewWriter(dst, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderCRC(true))
	if err != nil {
		return err
	}
	n, err := io.Copy(enc, src)
	if err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "pack: %s %d bytes -> %s %d bytes\n", in, n, out, st.Size())
	return nil
}
