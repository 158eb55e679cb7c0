package halo

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

var (
	// ErrAuth marks a refused authentication: bad credentials, or a token
	// that the API refuses (missing permissions or scope).
	ErrAuth = errors.New("authentication refused")
	// ErrMaybeApplied marks a failed write whose outcome is unknown: the
	// server may or may not have applied it.
	ErrMaybeApplied = errors.New("the write may or may not have been applied; check the tenant before repeating it")
)

// StatusError is an HTTP answer outside 2xx. Its text is the status line and
// the start of the body; the call's method and path are added around it.
type StatusError struct {
	Code    int
	Status  string // "404 Not Found"
	Snippet string // start of the body, whitespace collapsed, secrets removed
	body    []byte
}

func (e *StatusError) Error() string {
	if e.Snippet == "" {
		return e.Status
	}
	return e.Status + ": " + e.Snippet
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == 404
}

// IsRefused reports whether err is the API refusing a request outright: a
// fresh token refused (401), a 403, or a 404 for the endpoint itself. An API
// application without a permission, or a Halo without the endpoint, answers
// so; retrying cannot help, but what needs the answer may do without it.
func IsRefused(err error) bool {
	var se *StatusError
	return errors.Is(err, ErrAuth) || errors.As(err, &se) && (se.Code == 403 || se.Code == 404)
}

// authError is a refused authentication; it matches ErrAuth.
type authError struct {
	msg string
	err error
}

func (e *authError) Error() string        { return e.msg }
func (e *authError) Unwrap() error        { return e.err }
func (e *authError) Is(target error) bool { return target == ErrAuth }

// netError is a transport failure told in words a user can act on.
type netError struct {
	msg   string
	err   error
	retry bool // a transient failure: another attempt may succeed
}

func (e *netError) Error() string { return e.msg }
func (e *netError) Unwrap() error { return e.err }

// describeNetErr turns a transport error into a netError naming host.
// timeout is the attempt's own deadline when that (not the caller's) ran out.
func describeNetErr(host string, err error, timeout time.Duration) *netError {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var ne net.Error
	var redirect *redirectError
	e := &netError{err: err, retry: true}
	switch {
	case errors.As(err, &redirect):
		e.msg = redirect.Error()
		e.retry = false
	case timeout > 0:
		e.msg = fmt.Sprintf("%s did not answer within %s", host, timeout)
	case errors.As(err, &dns):
		e.msg = "cannot reach " + host + ": "
		if dns.IsNotFound {
			e.msg += "no such host"
			e.retry = false
		} else {
			e.msg += "name lookup failed: " + dns.Err
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		e.msg = "cannot reach " + host + ": connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		e.msg = host + " reset the connection"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		e.msg = host + " closed the connection before answering in full"
	case errors.As(err, &cert):
		e.msg = host + ": TLS certificate not trusted: " + cert.Err.Error()
		e.retry = false
	case errors.As(err, &record):
		e.msg = host + ": TLS handshake failed (is it a plain http server?)"
		e.retry = false
	case errors.As(err, &ne) && ne.Timeout():
		e.msg = host + ": timed out"
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the method and the whole URL
		}
		e.msg = host + ": " + err.Error()
	}
	return e
}

// snippetLen bounds the part of a body quoted in an error.
const snippetLen = 120

// snippet quotes the start of a body: whitespace collapsed, at most
// snippetLen characters, every secret replaced.
func snippet(body []byte, redact func(string) string) string {
	// Redact the whole body first: a cut could split a secret.
	s := strings.Join(strings.Fields(redact(strings.ToValidUTF8(string(body), "\uFFFD"))), " ")
	if utf8.RuneCountInString(s) > snippetLen {
		s = string([]rune(s)[:snippetLen]) + "…"
	}
	return s
}

// redact replaces the client secret and every token the client was given.
func (c *Client) redact(s string) string {
	secrets := append([]string{c.cfg.ClientSecret}, c.auth.issuedTokens()...)
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
