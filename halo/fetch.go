package halo

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/halocfg/halocfg/catalog"
)

// Answer is a GET answer as it came: the JSON body, decoded losslessly, and
// the headers.
type Answer struct {
	Body   any
	Header http.Header
}

// Fetch GETs k's list (id "") or the record with id, with query as it is,
// and returns the answer untouched: halocfg probe reads in it what List and
// Get take care of (the list's shape, paging, headers). It is retried, paced
// and authenticated as every call.
func (c *Client) Fetch(ctx context.Context, k *catalog.Kind, id, query string) (Answer, error) {
	path := k.Endpoint
	if id != "" {
		if err := checkID(id); err != nil {
			return Answer{}, fmt.Errorf("%s %s: %w", k.Name, id, err)
		}
		path += "/" + id
	}
	r := c.api(http.MethodGet, path, query, nil)
	resp, err := c.do(ctx, r)
	if err != nil {
		return Answer{}, err
	}
	var v any
	if err := c.decode(r, resp, &v); err != nil {
		return Answer{}, err
	}
	return Answer{Body: v, Header: resp.header}, nil
}

// AuthInfo says how the client found its token endpoint and what the
// server said of the token's lifetime; it holds no URL and no secret.
type AuthInfo struct {
	// Source is where the token endpoint came from: "configured" (the
	// AuthURL setting), "authinfo" (/api/authinfo named it) or "fallback"
	// ({base}/auth/token, as /api/authinfo named none). "" before the first token.
	Source string
	// SameHost is true when the token endpoint is on the tenant's host.
	SameHost bool
	// Lifetime is the expires_in of the last token; 0 when it gave none
	// (the client then assumes an hour).
	Lifetime time.Duration
	// RenewBefore is how long before its expiry a token is renewed.
	RenewBefore time.Duration
}

// AuthInfo returns what the client learnt while authenticating.
func (c *Client) AuthInfo() AuthInfo {
	a := c.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	info := AuthInfo{Source: a.source, Lifetime: a.lifetime}
	if a.tokenURL != nil {
		info.SameHost = a.tokenURL.Host == c.base.Host
	}
	life := a.lifetime
	if life == 0 {
		life = defaultLifetime
	}
	info.RenewBefore = renewBefore(life)
	return info
}
