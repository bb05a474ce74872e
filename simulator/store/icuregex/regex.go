// Package regex is paysandbox's stand-in for github.com/dolthub/go-icu-regex,
// the ICU-in-WebAssembly regular-expression engine go-mysql-server links for
// REGEXP_LIKE, REGEXP_INSTR, REGEXP_SUBSTR and REGEXP_REPLACE.
//
// Why: the real package compiles its embedded ICU WebAssembly module in a
// package-level initialiser, which took ~290 ms of the simulator's ~360 ms
// start (and ~2 MB of binary). The simulator's providers never use SQL
// regular expressions; only ad-hoc queries on the read-only MySQL
// inspection listener can. This package implements the same API over Go's
// regexp (RE2 syntax), with positions counted in characters.
//
// Differences from ICU (documented in docs/STORE.md): no backreferences or
// look-around (RE2), RegexFlags_Comments and RegexFlags_Unicode_Word are
// ignored, positions count Unicode code points rather than UTF-16 units.
package regex

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// Regex is the interface go-mysql-server uses: set a pattern, set the
// subject, then ask for matches. Not safe for concurrent use.
type Regex interface {
	SetRegexString(ctx context.Context, regexStr string, flags RegexFlags) error
	SetMatchString(ctx context.Context, matchStr string) error
	// IndexOf returns the 1-based character position of the occurrence-th
	// match at or after start (1-based), or the position just after it when
	// endIndex; 0 when there is no such match.
	IndexOf(ctx context.Context, start int, occurrence int, endIndex bool) (int, error)
	Matches(ctx context.Context, start int, occurrence int) (bool, error)
	// Replace replaces the occurrence-th match at or after position
	// (occurrence 0: every match); $1… in replacementStr name groups.
	Replace(ctx context.Context, replacementStr string, position int, occurrence int) (string, error)
	Substring(ctx context.Context, start int, occurrence int) (string, bool, error)
	StringBufferSize() uint32
	Close() error
}

// Errors, as the original package names them.
var (
	ErrRegexNotYetSet = errors.New("SetRegexString must be called before any other function")
	ErrMatchNotYetSet = errors.New("SetMatchString must be called as there is nothing to match against")
	ErrInvalidRegex   = errors.New("the given regular expression is invalid")
)

// ShouldPanic is kept for API compatibility; nothing here leaks.
var ShouldPanic = true

var leakHandler atomic.Value

// SetRegexLeakHandler is kept for API compatibility: Go's regexp needs no
// explicit release, so the handler is never called.
func SetRegexLeakHandler(handler func()) { leakHandler.Store(handler) }

// RegexFlags select matching behaviour; values as ICU defines them.
type RegexFlags uint32

// Flag values (ICU's).
const (
	RegexFlags_None                     RegexFlags = 0
	RegexFlags_Unix_Lines               RegexFlags = 1
	RegexFlags_Case_Insensitive         RegexFlags = 2
	RegexFlags_Comments                 RegexFlags = 4
	RegexFlags_Multiline                RegexFlags = 8
	RegexFlags_Literal                  RegexFlags = 16
	RegexFlags_Dot_All                  RegexFlags = 32
	RegexFlags_Unicode_Word             RegexFlags = 256
	RegexFlags_Error_On_Unknown_Escapes RegexFlags = 512
)

// CreateRegex returns an empty Regex; the buffer size is only reported.
func CreateRegex(stringBufferInBytes uint32) Regex {
	return &goRegex{buf: stringBufferInBytes}
}

type goRegex struct {
	buf     uint32
	re      *regexp.Regexp
	subject string
	set     bool
	offsets []int // byte offset of each character, plus len(subject)
}

func (g *goRegex) SetRegexString(_ context.Context, pattern string, flags RegexFlags) error {
	if pattern == "" {
		return ErrInvalidRegex
	}
	if flags&RegexFlags_Literal != 0 {
		pattern = regexp.QuoteMeta(pattern)
	}
	var prefix string
	if flags&RegexFlags_Case_Insensitive != 0 {
		prefix += "i"
	}
	if flags&RegexFlags_Multiline != 0 {
		prefix += "m"
	}
	if flags&RegexFlags_Dot_All != 0 {
		prefix += "s"
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return errors.Join(ErrInvalidRegex, err)
	}
	g.re = re
	return nil
}

func (g *goRegex) SetMatchString(_ context.Context, s string) error {
	if g.re == nil {
		return ErrRegexNotYetSet
	}
	g.subject, g.set = s, true
	g.offsets = g.offsets[:0]
	for i := range s {
		g.offsets = append(g.offsets, i)
	}
	g.offsets = append(g.offsets, len(s))
	return nil
}

func (g *goRegex) ready() error {
	if g.re == nil {
		return ErrRegexNotYetSet
	}
	if !g.set {
		return ErrMatchNotYetSet
	}
	return nil
}

// byteOffset converts a 1-based character position to a byte offset
// (positions below 1 mean 1); ok=false when it is past the end.
func (g *goRegex) byteOffset(pos int) (int, bool) {
	if pos < 1 {
		pos = 1
	}
	if pos-1 >= len(g.offsets) {
		return 0, false
	}
	return g.offsets[pos-1], true
}

// charPos converts a byte offset to a 1-based character position.
func (g *goRegex) charPos(off int) int {
	return utf8.RuneCountInString(g.subject[:off]) + 1
}

// nth returns the byte span of the occurrence-th match at or after start.
func (g *goRegex) nth(start, occurrence int) ([]int, error) {
	if err := g.ready(); err != nil {
		return nil, err
	}
	off, ok := g.byteOffset(start)
	if !ok {
		return nil, nil
	}
	if occurrence < 1 {
		occurrence = 1
	}
	all := g.re.FindAllStringSubmatchIndex(g.subject[off:], occurrence)
	if len(all) < occurrence {
		return nil, nil
	}
	m := all[occurrence-1]
	for i := range m {
		if m[i] >= 0 {
			m[i] += off
		}
	}
	return m, nil
}

func (g *goRegex) IndexOf(_ context.Context, start, occurrence int, endIndex bool) (int, error) {
	m, err := g.nth(start, occurrence)
	if err != nil || m == nil {
		return 0, err
	}
	if endIndex {
		return g.charPos(m[1]), nil
	}
	return g.charPos(m[0]), nil
}

func (g *goRegex) Matches(_ context.Context, start, occurrence int) (bool, error) {
	m, err := g.nth(start, occurrence)
	return m != nil, err
}

func (g *goRegex) Substring(_ context.Context, start, occurrence int) (string, bool, error) {
	m, err := g.nth(start, occurrence)
	if err != nil || m == nil {
		return "", false, err
	}
	return g.subject[m[0]:m[1]], true, nil
}

func (g *goRegex) Replace(_ context.Context, repl string, position, occurrence int) (string, error) {
	if err := g.ready(); err != nil {
		return "", err
	}
	off, ok := g.byteOffset(position)
	if !ok {
		return g.subject, nil
	}
	head, tail := g.subject[:off], g.subject[off:]
	var b strings.Builder
	b.WriteString(head)
	last := 0
	for i, m := range g.re.FindAllStringSubmatchIndex(tail, -1) {
		if occurrence > 0 && i+1 != occurrence {
			continue
		}
		b.WriteString(tail[last:m[0]])
		b.Write(g.re.ExpandString(nil, repl, tail, m))
		last = m[1]
		if occurrence > 0 {
			break
		}
	}
	b.WriteString(tail[last:])
	return b.String(), nil
}

func (g *goRegex) StringBufferSize() uint32 { return g.buf }

func (g *goRegex) Close() error {
	g.re, g.subject, g.set, g.offsets = nil, "", false, nil
	return nil
}
