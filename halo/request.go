package halo

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds a response body read into memory.
const maxBody = 256 << 20

// request is one logical call, sent once or more.
type request struct {
	method string
	url    *url.URL
	what   string // how errors name the call: "GET /api/Status"
	body   []byte
	form   bool // body is a form (the token endpoint) rather than JSON
	api    bool // an API call: bearer token, concurrency slot, 401 refresh
	// idempotent: repeating it after an unknown outcome is harmless. Other
	// requests are repeated only when the server certainly did not apply them.
	idempotent bool
	attempts   int // at most this many attempts; 0: the retry policy's
}

type response struct {
	code   int
	status string
	header http.Header
	body   []byte
	url    *url.URL // after redirects
}

// at is the tenant URL of path ("/api/Status").
func (c *Client) at(path string) *url.URL {
	u := *c.base
	u.Path += path
	return &u
}

// api builds an API request for path (under /api) and query.
func (c *Client) api(method, path, query string, body []byte) *request {
	u := c.at("/api" + path)
	u.RawQuery = query
	return &request{
		method: method, url: u, what: method + " " + u.Path, body: body, api: true,
		idempotent: method != http.MethodPost,
	}
}

// do sends r until it succeeds, fails for good or runs out of attempts.
// A final answer outside 2xx is returned as an error wrapping *StatusError.
func (c *Client) do(ctx context.Context, r *request) (*response, error) {
	refreshed := false         // the token was renewed after a 401
	uncertain := false         // an earlier attempt may have been applied
	var limitedSince time.Time // the first 429 of this request
	for attempt := 1; ; {
		var tok token
		if r.api {
			var err error
			if tok, err = c.auth.token(ctx); err != nil {
				return nil, err
			}
		}
		resp, out, err := c.send(ctx, r, tok.value, attempt)
		if err == nil && !out.crowded && resp.code != http.StatusTooManyRequests {
			c.window.answered()
		}
		connected := out.conns > 0
		uncertain = uncertain || out.repeated
		var cause error
		retry := false
		limited := false // this attempt met a 429
		var wait time.Duration
		told := false // the server said when to come back
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err() // the caller gave up: no retry, and no other cause
			}
			ne, ok := err.(*netError)
			if !ok {
				ne = &netError{msg: err.Error(), err: err}
			}
			cause = ne
			// Without a connection nothing was sent: any request may go again.
			retry = ne.retry && (r.idempotent || !connected) && ctx.Err() == nil
			if connected && !r.idempotent {
				cause = fmt.Errorf("%w; %w", ne, ErrMaybeApplied)
			}
			uncertain = uncertain || connected
		} else {
			if resp.code >= 200 && resp.code < 300 {
				return resp, nil
			}
			// Only now: the error's snippet scans the body, which for an
			// answer that succeeded is work and memory for nothing.
			se := c.statusError(resp)
			switch {
			case resp.code == http.StatusUnauthorized && r.api:
				if !refreshed { // the token may have been revoked or expired early
					refreshed = true
					c.auth.invalidate(tok)
					c.log.Info("halo: token refused; fetching a new one", "method", r.method, "path", r.url.Path)
					continue
				}
				return nil, &authError{
					msg: fmt.Sprintf("%s: %s: the API refused a fresh token too; check the API application's permissions/scope", r.what, se),
					err: se,
				}
			case resp.code == http.StatusTooManyRequests:
				c.rateLimited.Add(1)
				cause, retry = se, true
				wait, told = retryAfter(resp.header, time.Now())
				limited = true
				if limitedSince.IsZero() {
					limitedSince = time.Now()
				}
			case resp.code >= 500:
				cause, retry = se, r.idempotent
				wait, told = retryAfter(resp.header, time.Now())
				if !r.idempotent {
					cause = fmt.Errorf("%w; %w", se, ErrMaybeApplied)
				}
				uncertain = true
			case resp.code == http.StatusNotFound && r.method == http.MethodDelete && uncertain:
				return resp, nil // an earlier attempt deleted it
			default:
				return nil, fmt.Errorf("%s: %w", r.what, se)
			}
		}
		if !retry {
			return nil, fmt.Errorf("%s: %w", r.what, cause)
		}
		// 429s are retried for RateLimitWait whatever the attempt count: the
		// server's window has to roll past requests we cannot see.
		if limited {
			if time.Since(limitedSince) > c.retry.RateLimitWait {
				return nil, fmt.Errorf("%s: giving up after %s of rate limiting: %w", r.what, c.retry.RateLimitWait, cause)
			}
		} else if limit := cmp.Or(r.attempts, c.retry.MaxAttempts); attempt >= limit {
			if limit == 1 { // a single try by design: there was no giving up
				return nil, fmt.Errorf("%s: %w", r.what, cause)
			}
			return nil, fmt.Errorf("%s: giving up after %d attempts: %w", r.what, attempt, cause)
		}
		if !told {
			wait = c.backoff(attempt)
		}
		var werr error
		if limited {
			// The server's window is full for every request of the client:
			// all of them wait, and rateWait says so once.
			c.log.Debug("halo: retrying", "method", r.method, "path", r.url.Path, "attempt", attempt, "wait", wait, "cause", cause.Error())
			c.window.refused(wait, c.retry.RateLimitWait, cause)
			werr = c.window.hold(ctx)
		} else {
			c.log.Warn("halo: retrying", "method", r.method, "path", r.url.Path, "attempt", attempt, "wait", wait, "cause", cause.Error())
			werr = sleep(ctx, wait)
		}
		if werr != nil {
			return nil, fmt.Errorf("%s: %w (while waiting to retry after: %v)", r.what, werr, cause)
		}
		attempt++
		if r.api {
			c.retries.Add(1)
		}
	}
}

// send makes one attempt, holding a concurrency slot (API calls) and a rate
// slot until the whole response is read.
func (c *Client) send(ctx context.Context, r *request, token string, attempt int) (*response, sent, error) {
	if r.api {
		select {
		case c.inflight <- struct{}{}:
			defer func() { <-c.inflight }()
		case <-ctx.Done():
			return nil, sent{}, ctx.Err()
		}
	}
	if err := c.window.hold(ctx); err != nil { // while the server refuses requests
		return nil, sent{}, err
	}
	waited, err := c.takeSlot(ctx)
	if err != nil {
		return nil, sent{}, err
	}
	crowded := waited > 0 || c.budget != nil && c.budget.full()
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	w := &wire{c: c, ctx: actx}
	if c.budget != nil {
		defer func() { c.budget.release(w.answeredAt()) }()
	}
	defer w.release()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(withRedirectRule(actx, r), w.trace()), r.method, r.url.String(), bytes.NewReader(r.body))
	if err != nil {
		return nil, sent{}, &netError{msg: err.Error(), err: err}
	}
	if r.body == nil {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	switch {
	case r.form:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case r.body != nil:
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	start := time.Now()
	var resp *response
	hr, err := c.http.Do(req)
	if err == nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(hr.Body, maxBody+1))
		hr.Body.Close()
		if err == nil && len(body) > maxBody {
			err = fmt.Errorf("response body larger than %d MiB", maxBody>>20)
		}
		resp = &response{code: hr.StatusCode, status: hr.Status, header: hr.Header, body: body, url: hr.Request.URL}
	}
	elapsed := time.Since(start)
	out := w.count(r)
	out.crowded = crowded
	attrs := []any{"method", r.method, "path", r.url.Path, "query", r.url.RawQuery, "attempt", attempt}
	if out.repeated {
		attrs = append(attrs, "repeated_by_transport", true)
	}
	if err != nil {
		var timeout time.Duration
		if actx.Err() != nil && ctx.Err() == nil {
			timeout = c.cfg.Timeout
		}
		ne := describeNetErr(r.url.Host, err, timeout)
		c.log.Debug("halo: request", append(attrs, "error", ne.msg, "duration", elapsed)...)
		return nil, out, ne
	}
	c.log.Debug("halo: request", append(attrs, "status", resp.code, "duration", elapsed, "bytes", len(resp.body))...)
	return resp, out, nil
}

// takeSlot waits for rate budget, if there is one, returning how long.
// The first wait of a stretch is told once (rateWait), each at debug level.
func (c *Client) takeSlot(ctx context.Context) (time.Duration, error) {
	if c.budget == nil {
		return 0, nil
	}
	waited, err := c.budget.acquire(ctx, func(d time.Duration) {
		c.window.waiting(d, false, "rate", c.cfg.Rate.String())
	})
	if waited > 0 {
		c.rateWaited.Add(int64(waited))
		c.log.Debug("halo: waited for rate budget", "wait", waited.Round(time.Millisecond), "rate", c.cfg.Rate.String())
	}
	return waited, err
}

// sent says how an attempt went out.
type sent struct {
	conns    int  // none: it cannot have reached the server
	repeated bool // the transport sent it again by itself, so it may have arrived twice
	crowded  bool // it waited for the rate budget, or left it full
}

// wire watches one http.Client.Do. Every connection it takes carries the
// request to the server once more: the first, a redirect, or a repeat by the
// transport when a reused connection broke. Each arrival needs a rate slot.
type wire struct {
	c   *Client
	ctx context.Context

	mu        sync.Mutex
	conns     int
	repeats   int       // connections taken without an answer since the previous one
	answered  bool      // an answer arrived since the last connection
	firstByte time.Time // when the last answer began to arrive
	slots     int       // extra rate slots held
}

// answeredAt is when the server certainly had counted the request: the first
// byte of its last answer, or now when none came.
func (w *wire) answeredAt() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.firstByte.IsZero() {
		return time.Now()
	}
	return w.firstByte
}

func (w *wire) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {
			w.mu.Lock()
			w.conns++
			more := w.conns > 1
			if more && !w.answered {
				w.repeats++
			}
			w.answered = false
			w.mu.Unlock()
			if !more {
				return
			}
			if _, err := w.c.takeSlot(w.ctx); err == nil && w.c.budget != nil {
				w.mu.Lock()
				w.slots++
				w.mu.Unlock()
			}
		},
		GotFirstResponseByte: func() {
			w.mu.Lock()
			w.answered = true
			w.firstByte = time.Now()
			w.mu.Unlock()
		},
	}
}

// count adds what went out to the client's stats.
func (w *wire) count(r *request) sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.c
	n := int64(max(w.conns, 1)) // a request that failed to connect still counts
	switch {
	case r.api:
		c.requests.Add(n)
		c.retries.Add(int64(w.repeats))
		if r.method != http.MethodGet {
			c.writes.Add(n)
		}
	case r.form:
		c.tokenFetches.Add(n)
	}
	return sent{conns: w.conns, repeated: w.repeats > 0}
}

func (w *wire) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for range w.slots {
		w.c.budget.release(time.Now())
	}
}

func (c *Client) statusError(resp *response) *StatusError {
	se := &StatusError{Code: resp.code, Status: resp.status, body: resp.body}
	if se.Status == "" {
		se.Status = strconv.Itoa(resp.code) + " " + http.StatusText(resp.code)
	}
	// The endpoint and the status say all of a 404; elsewhere the body may
	// explain (Halo's 400s do), unless it only repeats the status text.
	if _, text, _ := strings.Cut(se.Status, " "); resp.code != http.StatusNotFound {
		if s := snippet(resp.body, c.redact); !strings.EqualFold(s, text) {
			se.Snippet = s
		}
	}
	return se
}

// backoff is a full-jitter exponential delay: uniform in [0, min(MaxDelay, BaseDelay*2^(attempt-1))].
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.retry.MaxDelay
	if shift := attempt - 1; shift < 32 && c.retry.BaseDelay<<shift < ceiling && c.retry.BaseDelay<<shift > 0 {
		ceiling = c.retry.BaseDelay << shift
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// retryAfter reads Retry-After, in seconds or as an HTTP date. It is capped
// at an hour: a larger value is a broken header, not advice.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), time.Hour), true
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
