package payabli

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/provider"
)

// caller is an authenticated request's scope, handed to every handler: the
// token's store tenant and the paypoint entries it may use (nil = any
// entry). A configured token's caller is built once, at start.
type caller struct {
	tenant  string
	entries map[string]bool
}

// handler is a route's handler, called with the authenticated caller.
type handler func(w http.ResponseWriter, r *http.Request, c caller)

func parseTokens(list []string) (map[string]caller, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := map[string]caller{}
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
		ti := caller{tenant: provider.SecretTenant("pt_", tok)}
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

// allows reports whether the caller's token may use entry.
func (c caller) allows(entry string) bool { return c.entries == nil || c.entries[entry] }

// entry returns the route's {entry} when it is well formed and the caller's
// token may use it; otherwise it has answered with Payabli's error.
func (c caller) entry(w http.ResponseWriter, r *http.Request) (string, bool) {
	entry := mux.Vars(r)["entry"]
	if e := validEntry(entry); e != nil {
		declined(w, e)
		return "", false
	}
	if !c.allows(entry) {
		refuseEntry(w, entry)
		return "", false
	}
	return entry, true
}

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

// auth resolves the credential to the caller and calls next with it. Open
// mode (no tokens configured): any non-empty token, each its own tenant.
func (p *Provider) auth(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := credential(r)
		var c caller
		ok := false
		switch {
		case tok == "":
		case p.tokens == nil:
			c, ok = caller{tenant: provider.SecretTenant("pt_", tok)}, true
		default:
			c, ok = p.tokens[tok]
		}
		if !ok {
			writeError(w, http.StatusUnauthorized, "Unauthorized",
				"The requestToken header is missing, invalid, or expired.",
				"Send a valid API token in the requestToken header (or a valid OAuth2 Bearer token).")
			return
		}
		next(w, r, c)
	}
}

// refuseEntry answers a token used on an entry it does not own.
func refuseEntry(w http.ResponseWriter, entry string) {
	writeError(w, http.StatusUnauthorized, "Unauthorized",
		"The token is not authorized for entrypoint "+entry+".",
		"Use a token of the organization that owns this paypoint.")
}
