package rapyd

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Sign computes Rapyd's request signature:
//
//	BASE64( HEX_LOWER( HMAC_SHA256(secret, lower(method) + pathWithQuery + salt + timestamp + accessKey + secret + body) ) )
//
// body is the raw request body ("" when there is none, never "{}").
func Sign(method, pathWithQuery, salt, timestamp, accessKey, secretKey string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(strings.ToLower(method)))
	mac.Write([]byte(pathWithQuery))
	mac.Write([]byte(salt))
	mac.Write([]byte(timestamp))
	mac.Write([]byte(accessKey))
	mac.Write([]byte(secretKey))
	mac.Write(body)
	sum := mac.Sum(nil)
	hexed := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(hexed, sum)
	return base64.StdEncoding.EncodeToString(hexed)
}

// validSignature compares in constant time.
func validSignature(got, want string) bool {
	return hmac.Equal([]byte(got), []byte(want))
}
