package journal

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestMaskBody(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain card in a JSON string", `{"number":"4111111111111111"}`, `{"number":"411111******1111"}`},
		{"spaced card", `{"number":"4111 1111 1111 1111"}`, `{"number":"4111 11** **** 1111"}`},
		{"dashed card", `{"number":"4111-1111-1111-1111"}`, `{"number":"4111-11**-****-1111"}`},
		{"amex grouping", `{"n":"3782 822463 10005"}`, `{"n":"3782 82**** *0005"}`},
		{"bare JSON number", `{"number":4111111111111111,"x":1}`, `{"number":"411111******1111","x":1}`},
		{"negative JSON number with exponent", `[-4111111111111111e2]`, `["-411111******1111e2"]`},
		{"top-level number", `4111111111111111`, `"411111******1111"`},
		{"19 digits", `{"n":"6011000990139424000"}`, maskedIfLuhn("6011000990139424000")},
		{"13 digits", `{"n":"4222222222222"}`, `{"n":"422222***2222"}`},
		{"not Luhn", `{"number":"4111111111111112"}`, `{"number":"4111111111111112"}`},
		{"12 digits", `{"n":"411111111111"}`, `{"n":"411111111111"}`},
		{"20 digits are not a card", `{"iban":"41111111111111111234"}`, `{"iban":"41111111111111111234"}`},
		{"card among other groups", `{"t":"ref 12 4111 1111 1111 1111"}`, `{"t":"ref 12 4111 **** **** 1111"}`},
		{"two spaces do not join", `{"t":"4111  1111 1111 1111"}`, `{"t":"4111  1111 1111 1111"}`},
		{"cvv string", `{"cvv":"123"}`, `{"cvv":"***"}`},
		{"cvv number", `{"card":{"CVV":123,"n":1}}`, `{"card":{"CVV":"***","n":1}}`},
		{"cvc2 object", `{"cvc2":{"a":[1,2,"}"]},"b":2}`, `{"cvc2":"***","b":2}`},
		{"security_code null", `{"security_code" : null}`, `{"security_code" : "***"}`},
		{"securityCode", `{"cardSecurityCode":"1234"}`, `{"cardSecurityCode":"***"}`},
		{"card_verification_value", `{"card_verification_value":"123"}`, `{"card_verification_value":"***"}`},
		{"cid csc", `{"cid":"1234","csc":"123","cidr":"10.0.0.0"}`, `{"cid":"***","csc":"***","cidr":"10.0.0.0"}`},
		{"escaped key", `{"\u0063vv":"123"}`, `{"\u0063vv":"***"}`},
		{"cvv as a value is not a key", `{"field":"cvv","v":"123"}`, `{"field":"cvv","v":"123"}`},
		{"rapyd payment method", `{"name":"A","payment_method":{"type":"us_visa_card","fields":{"number":"4111111111111111","expiration_month":"10","expiration_year":"29","cvv":"123"}}}`,
			`{"name":"A","payment_method":{"type":"us_visa_card","fields":{"number":"411111******1111","expiration_month":"10","expiration_year":"29","cvv":"***"}}}`},
		{"form", `number=4111111111111111&cvc=123&name=x`, `number=411111******1111&cvc=***&name=x`},
		{"form plus-spaced card", `number=4111+1111+1111+1111&exp=10`, `number=4111+11**+****+1111&exp=10`},
		{"form %20-spaced card", `number=4111%201111%201111%201111`, `number=4111%2011**%20****%201111`},
		{"form bracket key", `card[cvc]=123&card%5Bcvv%5D=456&card.cid=7890`, `card[cvc]=***&card%5Bcvv%5D=***&card.cid=***`},
		{"percent escape digits are not digits", `a=%414111111111111111`, `a=%41411111******1111`},
		{"invalid JSON bare number is not quoted", `{"number":4111111111111111,`, `{"number":411111******1111,`},
		{"invalid JSON cvv", `{"cvv":"123", "n":`, `{"cvv":"***", "n":`},
		{"unterminated cvv", `{"cvv":"12`, `{"cvv":"***"`},
		{"cvv pair inside a JSON string", `{"q":"cvv=123&x=1"}`, `{"q":"cvv=***&x=1"}`},
		{"nothing to mask", `{"name":"Jane","amount":1234,"phone":"+1 555 123 4567"}`, `{"name":"Jane","amount":1234,"phone":"+1 555 123 4567"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := MaskBody(c.in, false)
			if got != c.want {
				t.Fatalf("MaskBody(%s)\n got %s\nwant %s", c.in, got, c.want)
			}
			if json.Valid([]byte(c.in)) && !json.Valid([]byte(got)) {
				t.Fatalf("valid JSON became invalid: %s", got)
			}
			if err := checkNoCard(got, false); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func maskedIfLuhn(d string) string {
	if luhnOK(d) {
		return `{"n":"` + d[:6] + strings.Repeat("*", len(d)-10) + d[len(d)-4:] + `"}`
	}
	return `{"n":"` + d + `"}`
}

func TestMaskTruncatedKeepsOnlySixDigitsOfACutNumber(t *testing.T) {
	for in, want := range map[string]string{
		`{"number":"411111111111`:  `{"number":"411111******`,
		`{"number":"4111 1111 11`:  `{"number":"4111 11** **`,
		`{"number":"4111-1111-`:    `{"number":"4111-11**-`,
		`{"number":"411111`:        `{"number":"411111`,
		`{"number":"4222222222222`: `{"number":"422222*******`,
	} {
		if got := MaskBody(in, true); got != want {
			t.Errorf("MaskBody(%s, truncated) = %s, want %s", in, got, want)
		}
		if got := MaskBody(in, false); strings.Contains(got, "*") != (in == `{"number":"4222222222222`) {
			// not truncated: only the Luhn-valid 13 digits change
			t.Errorf("MaskBody(%s, not truncated) = %s", in, got)
		}
	}
}

func TestMaskQuery(t *testing.T) {
	for in, want := range map[string]string{
		"card=4111111111111111&cvv=123": "card=411111******1111&cvv=***",
		"n=4111111111111111":            "n=411111******1111",
		"4111111111111111":              "411111******1111", // never quoted: not JSON
		"limit=20&offset=40":            "limit=20&offset=40",
	} {
		if got := MaskQuery(in, false); got != want {
			t.Errorf("MaskQuery(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestMaskUnchangedDoesNotAllocate(t *testing.T) {
	for _, body := range []string{benchRapydBody, benchRebillyBody, "limit=20&offset=40", ""} {
		if n := testing.AllocsPerRun(100, func() { _ = MaskBody(body, false) }); n != 0 {
			t.Errorf("%d allocations for %s", int(n), body)
		}
	}
}

func TestCVVName(t *testing.T) {
	for name, want := range map[string]bool{
		"cvv": true, "CVV": true, "cvv2": true, "cvc": true, "Cvc2": true, "card_cvv": true, "cardCvc": true,
		"cid": true, "CSC": true, "card_cid": true, "securityCode": true, "security_code": true, "card-security-code": true,
		"card_verification_value": true, "cardVerificationCode": true, "card[cvc]": true, "card%5Bcvv%5D": true,
		"payment_method.fields.cvv": true,
		"name":                      false, "cidr": false, "decide": false, "acid": false, "number": false, "card": false, "security": false,
		"description": false, "cv": false, "": false,
	} {
		if got := cvvName(name, false); got != want {
			t.Errorf("cvvName(%q) = %v", name, got)
		}
	}
}

// checkNoCard is the masking guarantee, checked on an output independently
// of the masker: no run of whole digit groups (joined by one separator)
// with 13–19 digits passes Luhn, and for a truncated text the digit
// sequence reaching the end keeps at most 6 digits.
func checkNoCard(s string, truncated bool) error {
	type tok struct {
		kind     byte // 'd' digit, 's' separator, 'o' other
		c        byte
		from, to int
	}
	var toks []tok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			k := byte('o')
			if s[i+1] == '2' && strings.ContainsRune("0Dd", rune(s[i+2])) {
				k = 's'
			}
			toks = append(toks, tok{k, 0, i, i + 3})
			i += 3
			continue
		case '0' <= c && c <= '9':
			toks = append(toks, tok{'d', c, i, i + 1})
		case c == ' ' || c == '-' || c == '+':
			toks = append(toks, tok{'s', c, i, i + 1})
		default:
			toks = append(toks, tok{'o', c, i, i + 1})
		}
		i++
	}
	// sequences: d+ (s d+)*
	type seq struct {
		groups []string
		end    int // byte offset after the last digit
	}
	var seqs []seq
	var cur seq
	var g []byte
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && toks[i].kind == 'd' {
			g = append(g, toks[i].c)
			cur.end = toks[i].to
			continue
		}
		if len(g) > 0 {
			cur.groups = append(cur.groups, string(g))
			g = nil
		}
		if i < len(toks) && toks[i].kind == 's' && i > 0 && toks[i-1].kind == 'd' &&
			i+1 < len(toks) && toks[i+1].kind == 'd' {
			continue
		}
		if len(cur.groups) > 0 {
			seqs = append(seqs, cur)
			cur = seq{}
		}
	}
	for _, sq := range seqs {
		for a := range sq.groups {
			d := ""
			for b := a; b < len(sq.groups); b++ {
				d += sq.groups[b]
				if len(d) > 19 {
					break
				}
				if len(d) >= 13 && luhnOK(d) {
					return fmt.Errorf("card-like %q survives in %q", d, s)
				}
			}
		}
	}
	if truncated && len(seqs) > 0 {
		last := seqs[len(seqs)-1]
		n := 0
		for _, g := range last.groups {
			n += len(g)
		}
		switch s[last.end:] {
		case "", " ", "-", "+", "%", "%2", "%20", "%2D", "%2d":
			if n > 6 {
				return fmt.Errorf("cut sequence keeps %d digits in %q", n, s)
			}
		}
	}
	return nil
}

func luhnOK(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		x := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			x = dbl(x)
		}
		sum += x
	}
	return sum%10 == 0
}

const benchRapydBody = `{"name":"Jane Doe","email":"jane.doe@example.com","phone_number":"+14155550100","description":"bench customer 0000042","metadata":{"merchant_defined":true,"order":12345},"addresses":[{"name":"Jane Doe","line_1":"1 Main St","city":"Springfield","zip":"12345","country":"US"}]}`

const benchRebillyBody = `{"firstName":"Bench","lastName":"Customer 42","email":"bench0000042@example.com","primaryAddress":{"firstName":"Bench","lastName":"Customer","address":"1 Main St","city":"Springfield","country":"US","postalCode":"12345"}}`

const benchCardBody = `{"name":"Jane Doe","email":"jane.doe@example.com","payment_method":{"type":"us_visa_card","fields":{"number":"4111111111111111","expiration_month":"10","expiration_year":"29","cvv":"123","name":"Jane Doe"}}}`

// go test -run '^$' -bench Mask -benchmem ./simulator/journal/
func BenchmarkMask(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"rapyd-create-unchanged", benchRapydBody},
		{"rebilly-put-unchanged", benchRebillyBody},
		{"card-and-cvv", benchCardBody},
		{"16KiB-unchanged", strings.Repeat(`{"a":"bcdefgh","n":12345678},`, 16<<10/29)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				_ = MaskBody(c.body, false)
			}
		})
	}
}
