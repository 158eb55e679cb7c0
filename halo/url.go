package halo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// checkURL parses an absolute URL and refuses plain http except to loopback
// hosts: the client secret and the tokens must never cross a network in clear.
func checkURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid URL: %w", what, errors.Unwrap(err))
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%s %q: want an absolute URL such as https://acme.halopsa.com", what, redactUserinfo(raw))
	}
	if err := plainHTTP(u); err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, redactUserinfo(raw), err)
	}
	u.User = nil
	return u, nil
}

// plainHTTP refuses http:// to a host that is not loopback. The rule looks at
// the name in the URL, never at what it resolves to.
func plainHTTP(u *url.URL) error {
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return errors.New("plain http is allowed only to loopback hosts (localhost, 127.0.0.0/8, ::1); use https://")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactUserinfo hides a password given in a URL before the URL is quoted in an error.
func redactUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// basePath is a tenant URL's path prefix: without trailing slashes or "/api".
func basePath(p string) string {
	return strings.TrimSuffix(strings.TrimRight(p, "/"), "/api")
}

// hostKey says which server a URL reaches: the host name in lower case
// without a trailing dot (every loopback name and address as one), and the
// port, the scheme's default when none is given.
func hostKey(u *url.URL) string {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if isLoopback(host) {
		host = "loopback"
	} else if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(host, port)
}

// SameTenant reports whether two tenant base URLs name one tenant (TenantKey).
// Unparsable or relative URLs name no tenant.
func SameTenant(a, b string) bool {
	ka, kb := TenantKey(a), TenantKey(b)
	return ka != "" && ka == kb
}

// TenantKey names the tenant a base URL reaches: the server (hostKey: case,
// default ports, a trailing dot and the loopback names do not matter) and the
// path prefix (a trailing "/" or "/api" and its case do not matter), as
// "host:port/prefix". It is "" for an unparsable or relative URL.
func TenantKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return hostKey(u) + strings.ToLower(basePath(u.Path))
}

// A redirect rule says which redirects a request may follow; it rides in
// the request's context for checkRedirect.
type redirectRule int

const (
	// noRedirect: the token request, whose body holds the client secret.
	noRedirect redirectRule = iota
	// sameOrigin: API calls, which carry the bearer token. Go's client keeps
	// the Authorization header on a redirect to the same host name, whatever
	// the scheme or port, and to its subdomains.
	sameOrigin
	// anyHop: requests without credentials (authinfo discovery), to any
	// https or loopback URL. Discovery's answer says where the secret goes,
	// so no hop of it may cross a network in clear.
	anyHop
)

type redirectKey struct{}

// maxRedirects is Go's own limit.
const maxRedirects = 10

// checkRedirect is the http.Client's CheckRedirect: it follows a redirect
// only as far as the request's rule allows.
func checkRedirect(req *http.Request, via []*http.Request) error {
	rule, _ := req.Context().Value(redirectKey{}).(redirectRule)
	var why error
	switch {
	case rule == noRedirect:
		why = errors.New("halocfg never follows a redirect of the token request: it would carry the client secret; give the token server's own URL (--auth-url)")
	case len(via) >= maxRedirects:
		why = fmt.Errorf("stopped after %d redirects", maxRedirects)
	case rule == sameOrigin && (!strings.EqualFold(req.URL.Scheme, via[0].URL.Scheme) || hostKey(req.URL) != hostKey(via[0].URL)):
		why = errors.New("refused: a redirect to another scheme, host or port would carry the bearer token")
	default:
		why = plainHTTP(req.URL)
	}
	if why == nil {
		return nil
	}
	status := ""
	if req.Response != nil {
		status = req.Response.Status
	}
	return &redirectError{status: status, to: (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: req.URL.Path}).String(), err: why}
}

// withRedirectRule puts r's rule in ctx.
func withRedirectRule(ctx context.Context, r *request) context.Context {
	rule := anyHop
	switch {
	case r.form:
		rule = noRedirect
	case r.api:
		rule = sameOrigin
	}
	return context.WithValue(ctx, redirectKey{}, rule)
}

// redirectError is a redirect not followed. It is final: no retry.
type redirectError struct {
	status string // "307 Temporary Redirect"
	to     string // the Location, without userinfo or query
	err    error
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirect (%s) to %s: %v", e.status, e.to, e.err)
}
