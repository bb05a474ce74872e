package rapyd

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSignCommandGolden(t *testing.T) {
	var out, errOut bytes.Buffer
	code := runSign([]string{"--method", "post", "--path", "/v1/customers", "--body", `{"name":"O'Neil"}`,
		"--access-key", "rak_a", "--secret-key", "rsk_b", "--salt", "s4lt1234", "--timestamp", "1700000000", "--base-url", "http://localhost:8083/"},
		&out, &errOut, time.Now)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sig := Sign("post", "/v1/customers", "s4lt1234", "1700000000", "rak_a", "rsk_b", []byte(`{"name":"O'Neil"}`))
	want := "access_key: rak_a\nsalt: s4lt1234\ntimestamp: 1700000000\nsignature: " + sig + "\n\n" +
		"curl -X POST 'http://localhost:8083/v1/customers' -H 'Content-Type: application/json' -H 'access_key: rak_a' -H 'salt: s4lt1234' -H 'timestamp: 1700000000' -H 'signature: " + sig + "' --data-binary '{\"name\":\"O'\\''Neil\"}'\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestSignCommandBodyFileAndEnvKeys(t *testing.T) {
	file := t.TempDir() + "/body.json"
	body := `{"name":"Zoë </>&"}`
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PAYSANDBOX_RAPYD_KEYS", "rak_env=rsk_env,rak_2=rsk_2")
	var out, errOut bytes.Buffer
	fixed := func() time.Time { return time.Unix(1_700_000_123, 0) }
	if code := runSign([]string{"--method", "POST", "--path", "/v1/customers", "--body", "@" + file, "--salt", "abcdefgh"}, &out, &errOut, fixed); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	sig := Sign("post", "/v1/customers", "abcdefgh", "1700000123", "rak_env", "rsk_env", []byte(body))
	for _, want := range []string{"access_key: rak_env\n", "timestamp: 1700000123\n", "signature: " + sig + "\n", "--data-binary '" + body + "'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := runSign([]string{"--body", "@/nonexistent/x"}, &out, &errOut, fixed); code != 1 {
		t.Errorf("missing body file: exit %d, want 1", code)
	}
	if code := runSign([]string{"--bogus"}, &out, &errOut, fixed); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
}
