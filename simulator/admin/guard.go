package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// GuardOptions configures Guard.
type GuardOptions struct {
	// AllowedHosts are extra Host names (without port, case-insensitive)
	// the admin API answers besides loopback names and IP literals.
	AllowedHosts []string
	// Token, when set, is required as "Authorization: Bearer <Token>" on
	// every admin route except the liveness and readiness probes.
	Token string
}

// Guard protects the admin API from browsers and unauthenticated callers.
// The checks run in this order, and the first failing one answers:
//
//  1. Host (403): the Host header must be a loopback name (localhost,
//     *.localhost), an IP literal, or one of AllowedHosts — a DNS-rebinding
//     page reaches the listener under its own name and is refused;
//  2. Origin (403): when present it must be the admin's own origin
//     (http://<Host>) — a cross-origin page is refused;
//  3. token (401, WWW-Authenticate: Bearer): when Token is set;
//  4. content type (415): a method other than GET and HEAD needs
//     Content-Type: application/json, which a cross-origin "simple"
//     request (CSRF) cannot send.
//
// GET and HEAD /healthz and /readyz skip the checks: they reveal and change
// nothing, and probes address the listener by whatever name they know.
// Every refusal uses the admin API's error body.
func Guard(next http.Handler, o GuardOptions) http.Handler {
	allowed := map[string]bool{}
	for _, h := range o.AllowedHosts {
		if h = normalHost(h); h != "" {
			allowed[h] = true
		}
	}
	var token [sha256.Size]byte
	if o.Token != "" {
		token = sha256.Sum256([]byte(o.Token))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		if !hostAllowed(r.Host, allowed) {
			writeError(w, http.StatusForbidden, "host not allowed: use a loopback name, an IP address or a name listed in --admin-allowed-hosts")
			return
		}
		if origin, ok := r.Header["Origin"]; ok && !sameOrigin(origin, r) {
			writeError(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
		if o.Token != "" && !bearerMatches(r.Header.Get("Authorization"), &token) {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, "admin token required: Authorization: Bearer <token>")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !isJSON(r.Header.Get("Content-Type")) {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// normalHost lower-cases a host name and drops a trailing dot.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// hostname returns the host part of a Host header value (port and IPv6
// brackets removed).
func hostname(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

func hostAllowed(hostport string, allowed map[string]bool) bool {
	if hostport == "" {
		// HTTP/1.0 without Host: no browser sends that.
		return true
	}
	h := hostname(hostport)
	if _, err := netip.ParseAddr(h); err == nil {
		return true // an IP literal: no name that DNS could rebind
	}
	h = normalHost(h)
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || allowed[h]
}

// sameOrigin reports whether the Origin header names the request's own
// origin: scheme http (https behind TLS) and the same host and port.
func sameOrigin(values []string, r *http.Request) bool {
	if len(values) != 1 {
		return false
	}
	u, err := url.Parse(values[0])
	if err != nil || u.Host == "" || u.Path != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !strings.EqualFold(u.Scheme, scheme) {
		return false
	}
	return strings.EqualFold(withPort(u.Host, scheme), withPort(r.Host, scheme))
}

// withPort adds the scheme's default port to a host[:port].
func withPort(hostport, scheme string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	port := "80"
	if scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), port)
}

func bearerMatches(header string, want *[sha256.Size]byte) bool {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}
