// Package rapydsign signs Rapyd requests (and webhooks) for the suites.
//
// It is written from Rapyd's documented formula (README "Rapyd",
// docs/providers/rapyd.md) and shares no code with the simulator's verifier:
// both are held to fixtures/rapyd/signature-vectors.json, so a bug in one
// cannot hide behind the other.
//
//	signature = BASE64( HEX_LOWER( HMAC-SHA256(secret, lower(method) + path_with_query + salt + timestamp + access_key + secret + body) ) )
package rapydsign

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// The simulator's default key pair when none is configured (README "Keys").
const (
	DefaultAccessKey = "rak_test_paysandbox"
	DefaultSecretKey = "rsk_test_paysandbox"
)

// ToSign is the string a request's signature covers: the lower-cased method,
// the path with its query exactly as sent, salt, timestamp (Unix seconds),
// access key, secret key and the raw body ("" when there is none, never "{}").
func ToSign(method, pathWithQuery, salt, timestamp, accessKey, secretKey string, body []byte) string {
	return strings.ToLower(method) + pathWithQuery + salt + timestamp + accessKey + secretKey + string(body)
}

// Sign is the value of a request's signature header.
func Sign(method, pathWithQuery, salt, timestamp, accessKey, secretKey string, body []byte) string {
	return encode(secretKey, ToSign(method, pathWithQuery, salt, timestamp, accessKey, secretKey, body))
}

// Webhook is the signature Rapyd puts on a webhook: the same as a request's
// but without a method, and over the whole configured webhook URL.
func Webhook(url, salt, timestamp, accessKey, secretKey string, body []byte) string {
	return encode(secretKey, url+salt+timestamp+accessKey+secretKey+string(body))
}

// Salt is a fresh random salt (24 hex characters).
func Salt() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// encode is base64 of the lower-hex HMAC-SHA256 digest (not of the raw
// digest bytes: the common bug the vectors' negative cases catch).
func encode(secret, toSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}
