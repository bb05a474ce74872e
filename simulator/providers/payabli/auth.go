package payabli

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/paysandbox/paysandbox/simulator/provider"
)

// tokenInfo is a configured token: its tenant and the entries it may use
// (nil = any entry).
type tokenInfo struct {
	tenant  string
	entries map[string]bool
}

func parseTokens(list []string) (map[string]*tokenInfo, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]*tokenInfo{}
	for _, item := range list {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		tok, ents, hasEntries := strings.Cut(item, "=")
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil, fmt.Errorf("payabli.tokens: empty token in %q", "…")
		}
		ti := &tokenInfo{tenant: provider.SecretTenant("pt_", tok)}
		if hasEntries {
			ti.entries = map[string]bool{}
			for _, e := range strings.Split(ents, "|") {
				if e = strings.TrimSpace(e); e != "" {
					ti.entries[e] = true
				}
			}
			if len(ti.entries) == 0 {
				return nil, fmt.Errorf("payabli.tokens: a token lists no entries after '='")
			}
		}
		out[tok] = ti
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// allows reports whether the token may use entry.
func (t *tokenInfo) allows(entry string) bool { return t.entries == nil || t.entries[entry] }

type ctxKey struct{}

func tokenFrom(ctx context.Context) *tokenInfo { return ctx.Value(ctxKey{}).(*tokenInfo) }

// credential reads requestToken, or an OAuth Bearer access token.
func credential(r *http.Request) string {
	if t := strings.TrimSpace(r.Header.Get("requestToken")); t != "" {
		return t
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

func (p *Provider) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := credential(r)
		var ti *tokenInfo
		switch {
		case tok == "":
		case p.tokens == nil:
			ti = &tokenInfo{tenant: provider.SecretTenant("pt_", tok)}
		default:
			ti = p.tokens[tok]
		}
		if ti == nil {
			writeError(w, http.StatusUnauthorized, "Unauthorized",
				"The requestToken header is missing, invalid, or expired.",
				"Send a valid API token in the requestToken header (or a valid OAuth2 Bearer token).")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ti)))
	}
}

// refuseEntry answers a token used on an entry it does not own.
func refuseEntry(w http.ResponseWriter, entry string) {
	writeError(w, http.StatusUnauthorized, "Unauthorized",
		"The token is not authorized for entrypoint "+entry+".",
		"Use a token of the organization that owns this paypoint.")
}
