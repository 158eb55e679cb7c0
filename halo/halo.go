// Package halo is the client of the Halo REST API: authentication, a rolling
// rate budget, retries, paging and lossless decoding. It knows HTTP, not files.
package halo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// MaxConcurrency bounds the requests in flight at once: Halo's rate limit
// makes more pointless, and each holds a connection and a goroutine.
const MaxConcurrency = 64

// Config says how to reach one tenant.
type Config struct {
	URL                    string // tenant base URL, e.g. https://acme.halopsa.com (the API is under /api)
	ClientID, ClientSecret string
	Tenant                 string // hosted Halo: sent as tenant=NAME to the token endpoint
	AuthURL                string // authorisation server; default: discovered through /api/authinfo

	Rate        Rate // request budget per rolling window; the zero Rate is DefaultRate
	Concurrency int  // requests in flight at once; default 4

	HTTPClient *http.Client // default: a client with the default (verifying) TLS settings
	Logger     *slog.Logger // debug: one line per request; info/warn: retries and long rate waits
	Retry      RetryPolicy
	Timeout    time.Duration // per attempt, response body included; default 2m
	UserAgent  string        // default "halocfg"
}

// RetryPolicy bounds the retries of one call. Zero fields take the defaults.
// Delays are random in [0, min(MaxDelay, BaseDelay*2^n)] (full jitter); a
// Retry-After header, when present, is followed instead, up to an hour.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included; default 6
	BaseDelay   time.Duration // first backoff ceiling, doubled each retry; default 500ms
	MaxDelay    time.Duration // backoff ceiling; default 60s
	// RateLimitWait is how long a request keeps retrying 429s, whatever
	// MaxAttempts says. Halo's window rolls over 5 minutes and an earlier
	// run (or another tool) may have filled it: a nightly job should wait
	// the window out rather than fail. Default: the rate window plus a minute.
	RateLimitWait time.Duration
}

// Stats counts what a client did. Every field only grows.
type Stats struct {
	Requests     int64         // API requests sent, retries included (token requests excluded)
	Retries      int64         // API requests that repeated a failed one (ours or the transport's own)
	RateLimited  int64         // 429 answers seen, token endpoint included
	Writes       int64         // POST and DELETE requests sent, retries included
	TokenFetches int64         // token requests sent
	RateWaited   time.Duration // total time spent waiting for rate budget
}

// Client talks to one tenant. It is safe for concurrent use.
type Client struct {
	base     *url.URL // scheme://host[/prefix], no credentials, query or trailing slash
	cfg      Config
	http     *http.Client
	log      *slog.Logger
	retry    RetryPolicy
	inflight chan struct{} // Concurrency slots
	budget   *limiter      // nil when unlimited
	window   *rateWait     // holds requests while the server refuses them (429), tells of waits
	auth     *auth
	now      func() time.Time // token expiry clock; tests move it

	requests, retries, rateLimited, writes, tokenFetches, rateWaited atomic.Int64
}

// New validates cfg and returns a client. Nothing is sent until the first call.
func New(cfg Config) (*Client, error) {
	base, err := checkURL("halo URL", cfg.URL)
	if err != nil {
		return nil, err
	}
	base.Path = basePath(base.Path)
	base.RawPath, base.RawQuery, base.Fragment = "", "", ""
	if cfg.AuthURL != "" {
		if _, err := checkURL("auth URL", cfg.AuthURL); err != nil {
			return nil, err
		}
	}
	if cfg.ClientID == "" {
		return nil, errors.New("halo: a client id is required")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("halo: a client secret is required")
	}
	if cfg.Concurrency < 0 || cfg.Concurrency > MaxConcurrency {
		return nil, fmt.Errorf("halo: concurrency %d: want 1 to %d", cfg.Concurrency, MaxConcurrency)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	rate := cfg.Rate
	if rate == (Rate{}) {
		rate = DefaultRate
	}
	if err := rate.valid(); err != nil {
		return nil, fmt.Errorf("halo: %w", err)
	}
	cfg.Rate = rate
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "halocfg"
	}
	c := &Client{
		base:     base,
		cfg:      cfg,
		http:     cfg.HTTPClient,
		log:      cfg.Logger,
		retry:    cfg.Retry.withDefaults(rate),
		inflight: make(chan struct{}, cfg.Concurrency),
		now:      time.Now,
	}
	if c.http == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.Concurrency + 2 // keep connections for every worker and the token fetch
		c.http = &http.Client{Transport: t}
	}
	// Our redirect rule, whatever client was given: Go's own would carry the
	// secret and the token to other hosts (see checkRedirect).
	hc := *c.http
	hc.CheckRedirect = checkRedirect
	c.http = &hc
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.window = &rateWait{log: c.log, calm: cfg.Concurrency + 1}
	if !rate.Unlimited {
		c.budget = newLimiter(rate.N, rate.Window)
	}
	c.auth = &auth{c: c, fetch: make(chan struct{}, 1)}
	return c, nil
}

func (p RetryPolicy) withDefaults(rate Rate) RetryPolicy {
	if p.RateLimitWait <= 0 {
		w := DefaultRate.Window
		if !rate.Unlimited && rate.Window > w {
			w = rate.Window
		}
		p.RateLimitWait = w + time.Minute
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = time.Minute
	}
	return p
}

// Authenticate fetches a token now, so that a wrong URL, an unreachable
// host or refused credentials are reported once, before any real request.
func (c *Client) Authenticate(ctx context.Context) error {
	_, err := c.auth.token(ctx)
	return err
}

// BaseURL is the tenant's base URL without credentials, query or trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:     c.requests.Load(),
		Retries:      c.retries.Load(),
		RateLimited:  c.rateLimited.Load(),
		Writes:       c.writes.Load(),
		TokenFetches: c.tokenFetches.Load(),
		RateWaited:   time.Duration(c.rateWaited.Load()),
	}
}
