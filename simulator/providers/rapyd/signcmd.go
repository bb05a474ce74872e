package rapyd

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// runSign prints the four signature headers for one request, and a curl
// command that sends it, so a person can call the simulator or the real
// sandbox by hand.
func runSign(args []string, stdout, stderr interface{ Write([]byte) (int, error) }, now func() time.Time) int {
	fs := flag.NewFlagSet("paysandbox sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	method := fs.String("method", "GET", "HTTP method")
	path := fs.String("path", "/v1/customers", "path with query, exactly as it will be sent")
	body := fs.String("body", "", "request body; @file reads a file, - reads standard input (sent and signed byte for byte)")
	access := fs.String("access-key", "", "access key (default: the first pair of PAYSANDBOX_RAPYD_KEYS, else "+DefaultAccessKey+")")
	secret := fs.String("secret-key", "", "secret key (default: as for --access-key)")
	salt := fs.String("salt", "", "salt (default: 12 random bytes as hex)")
	ts := fs.String("timestamp", "", "Unix seconds (default: now)")
	base := fs.String("base-url", "http://localhost:8083", "base URL for the printed curl command")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: paysandbox sign [flags]\n\nPrints Rapyd request-signature headers and a curl command.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *access == "" || *secret == "" {
		a, s := DefaultAccessKey, DefaultSecretKey
		if keys := os.Getenv("PAYSANDBOX_RAPYD_KEYS"); keys != "" {
			first, _, _ := strings.Cut(keys, ",")
			if k, v, ok := strings.Cut(strings.TrimSpace(first), "="); ok {
				a, s = k, v
			}
		}
		if *access == "" {
			*access = a
		}
		if *secret == "" {
			*secret = s
		}
	}
	raw := []byte(*body)
	switch {
	case *body == "-":
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, "read stdin:", err)
			return 1
		}
		raw = b
	case strings.HasPrefix(*body, "@"):
		b, err := os.ReadFile((*body)[1:])
		if err != nil {
			fmt.Fprintln(stderr, "read body:", err)
			return 1
		}
		raw = b
	}
	if *salt == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		*salt = hex.EncodeToString(b[:])
	}
	if *ts == "" {
		*ts = strconv.FormatInt(now().Unix(), 10)
	}
	m := strings.ToUpper(*method)
	sig := Sign(m, *path, *salt, *ts, *access, *secret, raw)
	fmt.Fprintf(stdout, "access_key: %s\nsalt: %s\ntimestamp: %s\nsignature: %s\n\n", *access, *salt, *ts, sig)
	fmt.Fprintf(stdout, "curl -X %s '%s%s' -H 'Content-Type: application/json' -H 'access_key: %s' -H 'salt: %s' -H 'timestamp: %s' -H 'signature: %s'",
		m, strings.TrimRight(*base, "/"), *path, *access, *salt, *ts, sig)
	if len(raw) > 0 {
		fmt.Fprintf(stdout, " --data-binary '%s'", strings.ReplaceAll(string(raw), "'", `'\''`))
	}
	fmt.Fprintln(stdout)
	return 0
}

// RunSign implements `paysandbox sign` (runSign, with the real clock).
func RunSign(args []string, stdout, stderr interface{ Write([]byte) (int, error) }) int {
	return runSign(args, stdout, stderr, time.Now)
}
