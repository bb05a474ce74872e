package rebilly

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/simulator/provider"
)

// caller is an authenticated request's scope.
type caller struct {
	tenant string // store tenant
	org    string // organizationId shown in responses
	prefix string // "" or "/organizations/{org}" as the request used it
}

type handler func(w http.ResponseWriter, r *http.Request, c caller)

func parseKey(entry string) (key, org string, err error) {
	key, org, _ = strings.Cut(entry, "=")
	key, org = strings.TrimSpace(key), strings.TrimSpace(org)
	if key == "" {
		return "", "", fmt.Errorf("rebilly api key %q: empty key", entry)
	}
	return key, org, nil
}

// requestKey returns the credential: REB-APIKEY, or a Bearer token.
func requestKey(r *http.Request) string {
	if k := r.Header.Get("REB-APIKEY"); k != "" {
		return k
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// DefaultOrganization is the organization id of a key that is not bound to
// one: "org_" + 26 Crockford base32 characters of the key's SHA-256.
func DefaultOrganization(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "org_" + crockford(sum[:17])[:26]
}

// auth resolves the credential and the organization scope, then applies the
// rate limit to non-GET requests.
//
// Tenancy: a key bound to an organization (key=org) may use only that
// organization (another one in the path → 403); its tenant is the
// organization. An unbound key (open mode, or a bare configured key) is its
// own namespace: tenant = hash(key)/org, where org is the path's or the key's
// DefaultOrganization.
func (p *Provider) auth(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := requestKey(r)
		if key == "" {
			writeProblem(w, r, problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "Invalid credentials."})
			return
		}
		bound, known := p.keys[key]
		if !p.open && !known {
			writeProblem(w, r, problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "Invalid credentials."})
			return
		}
		pathOrg, hasPathOrg := mux.Vars(r)["organizationId"]
		if hasPathOrg && !validID(pathOrg) {
			// An organization id is at most 50 characters (OrganizationId,
			// maxLength 50): no key can use a longer one. Refused before
			// the rate limit, so it leaves no window behind.
			writeProblem(w, r, problem{Status: http.StatusForbidden, Title: "Forbidden", Detail: "Access forbidden."})
			return
		}
		var c caller
		if hasPathOrg {
			c.prefix = "/organizations/" + pathOrg
		}
		switch {
		case bound != "":
			if hasPathOrg && pathOrg != bound {
				writeProblem(w, r, problem{Status: http.StatusForbidden, Title: "Forbidden", Detail: "Access forbidden."})
				return
			}
			c.org, c.tenant = bound, bound
		default:
			c.org = DefaultOrganization(key)
			if hasPathOrg {
				c.org = pathOrg
			}
			c.tenant = provider.SecretTenant("rk_", key) + "/" + c.org
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !p.countRequest(w, c.tenant) {
				writeProblem(w, r, problem{Status: http.StatusTooManyRequests, Title: "Rate Limit Exceeded",
					Detail: "A request cannot be executed because the user has sent too many requests within a certain period of time"})
				return
			}
		}
		next(w, r, c)
	}
}
