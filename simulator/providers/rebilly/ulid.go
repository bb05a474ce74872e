package rebilly

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

const crockfordAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// crockford encodes b as Crockford base32, 5 bits per character, most
// significant bits first.
func crockford(b []byte) string {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, crockfordAlphabet[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		out = append(out, crockfordAlphabet[(acc<<uint(5-bits))&31])
	}
	return string(out)
}

// newULID returns a 26-character ULID: 48-bit millisecond time then 80
// random bits, so ids sort by creation time.
func newULID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	hi, lo := binary.BigEndian.Uint64(b[0:8]), binary.BigEndian.Uint64(b[8:16])
	var out [26]byte
	for i := range out {
		s := uint(125 - 5*i) // the 128-bit value is left-padded to 130 bits
		var v uint64
		switch {
		case s >= 64:
			v = hi >> (s - 64)
		case s == 0:
			v = lo
		default:
			v = hi<<(64-s) | lo>>s
		}
		out[i] = crockfordAlphabet[v&31]
	}
	return string(out[:])
}
