package halo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// auth holds the bearer token that every API call shares. One goroutine
// fetches at a time; the others wait for its token.
type auth struct {
	c     *Client
	fetch chan struct{} // held while fetching

	mu        sync.Mutex
	tokenURL  *url.URL // found on the first fetch
	value     string
	gen       int           // bumped on every new token
	refreshAt time.Time     // on c.now's clock
	refused   error         // the credentials were refused: every call fails so
	issued    []string      // every token received, kept out of error text
	source    string        // where tokenURL came from (AuthInfo.Source)
	lifetime  time.Duration // expires_in of the last token; 0: none given
}

// defaultLifetime is Halo's usual token lifetime, assumed when an answer
// gives no expires_in.
const defaultLifetime = time.Hour

// renewBefore is how long before expiry a token of lifetime life is
// renewed: 10% of its lifetime, at most a minute.
func renewBefore(life time.Duration) time.Duration { return min(life/10, time.Minute) }

// token is a bearer token and the generation it belongs to.
type token struct {
	value string
	gen   int
}

// token returns a valid token, fetching one when there is none or the
// current one is close to expiry.
func (a *auth) token(ctx context.Context) (token, error) {
	for {
		if t, ok, err := a.current(); ok || err != nil {
			return t, err
		}
		select {
		case a.fetch <- struct{}{}:
		case <-ctx.Done():
			return token{}, ctx.Err()
		}
		var err error
		if _, ok, failed := a.current(); !ok && failed == nil { // nobody fetched one while we waited
			err = a.refresh(ctx)
		}
		<-a.fetch
		if err != nil {
			return token{}, err
		}
	}
}

func (a *auth) current() (token, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refused != nil {
		return token{}, false, a.refused
	}
	if a.value == "" || !a.c.now().Before(a.refreshAt) {
		return token{}, false, nil
	}
	return token{a.value, a.gen}, true, nil
}

// invalidate drops t after the API refused it, unless a newer token already replaced it.
func (a *auth) invalidate(t token) {
	a.mu.Lock()
	if a.gen == t.gen {
		a.value = ""
	}
	a.mu.Unlock()
}

func (a *auth) issuedTokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.issued...)
}

// refresh fetches a new token. A refusal of the credentials is remembered,
// so that concurrent and later calls fail at once instead of asking again.
func (a *auth) refresh(ctx context.Context) error {
	u, err := a.endpoint(ctx)
	if err != nil {
		return err
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {a.c.cfg.ClientID},
		"client_secret": {a.c.cfg.ClientSecret},
		"scope":         {"all"},
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	r := &request{method: http.MethodPost, url: u, what: "authentication failed at " + shown,
		body: []byte(form.Encode()), form: true, idempotent: true}
	sent := a.c.now()
	resp, err := a.c.do(ctx, r)
	if err != nil {
		if refusal := a.refusal(shown, err); refusal != nil {
			a.mu.Lock()
			a.refused = refusal
			a.mu.Unlock()
			return refusal
		}
		return err
	}
	var tr struct {
		AccessToken string      `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   json.Number `json:"expires_in"`
	}
	if err := snapshot.Unmarshal(resp.body, &tr); err != nil || tr.AccessToken == "" {
		return fmt.Errorf("authentication failed at %s: the answer holds no access_token (content type %q): %s",
			shown, resp.header.Get("Content-Type"), snippet(resp.body, a.c.redact))
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return fmt.Errorf("authentication failed at %s: token type %q, want Bearer", shown, tr.TokenType)
	}
	life, given := defaultLifetime, time.Duration(0)
	if secs, err := tr.ExpiresIn.Float64(); err == nil && secs > 0 {
		life = time.Duration(secs * float64(time.Second))
		given = life
	}
	a.mu.Lock()
	a.value = tr.AccessToken
	a.gen++
	a.lifetime = given
	a.refreshAt = sent.Add(life - renewBefore(life))
	a.issued = append(a.issued, tr.AccessToken)
	a.mu.Unlock()
	a.c.log.Debug("halo: new token", "url", shown, "expires_in", life)
	return nil
}

// refusal turns a 4xx answer of the token endpoint into a clear, final error;
// it returns nil for failures that another attempt may cure.
func (a *auth) refusal(shown string, err error) error {
	var se *StatusError
	if !errors.As(err, &se) || se.Code < 400 || se.Code >= 500 || se.Code == http.StatusTooManyRequests {
		return nil
	}
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = snapshot.Unmarshal(se.body, &oauth)
	var reason string
	switch oauth.Error {
	case "invalid_client", "unauthorized_client":
		reason = "the client id or secret was refused (" + oauth.Error + ")"
	case "invalid_scope":
		reason = `the scope "all" was refused (invalid_scope); check the API application's permissions`
	case "":
		reason = se.Error()
		if se.Code == http.StatusNotFound {
			reason += " (is the auth URL right?)"
		}
	default:
		reason = oauth.Error
		if oauth.Description != "" {
			reason += ": " + snippet([]byte(oauth.Description), a.c.redact)
		}
	}
	return &authError{msg: "authentication failed at " + shown + ": " + reason, err: se}
}

// endpoint is the token URL: {auth_url}/token from the configuration or
// from /api/authinfo, else {base}/auth/token. The tenant name rides in the query.
func (a *auth) endpoint(ctx context.Context) (*url.URL, error) {
	a.mu.Lock()
	u := a.tokenURL
	a.mu.Unlock()
	if u != nil {
		return u, nil
	}
	authURL := a.c.cfg.AuthURL
	what, source := "auth URL", "configured"
	if authURL == "" {
		var err error
		if authURL, err = a.discover(ctx); err != nil {
			return nil, err
		}
		what, source = "auth URL from /api/authinfo", "authinfo"
	}
	var err error
	if authURL == "" {
		u, source = a.c.at("/auth/token"), "fallback"
	} else if u, err = checkURL(what, authURL); err != nil {
		return nil, err
	} else {
		u.Path = strings.TrimRight(u.Path, "/") + "/token"
		u.RawPath = ""
	}
	if a.c.cfg.Tenant != "" {
		u.RawQuery = url.Values{"tenant": {a.c.cfg.Tenant}}.Encode()
	}
	a.mu.Lock()
	a.tokenURL, a.source = u, source
	a.mu.Unlock()
	return u, nil
}

// discover asks /api/authinfo for the authorisation server; "" when it
// cannot tell. When the tenant cannot be reached at all, the fallback on the
// same host cannot be either: that error is returned as it is, the clearest
// thing to say.
func (a *auth) discover(ctx context.Context) (string, error) {
	u := a.c.at("/api/authinfo")
	// Retried like any GET while the host cannot be reached (a cron run may
	// meet a passing outage); an answer without auth_url means the fallback.
	r := &request{method: http.MethodGet, url: u, what: "GET " + u.Path, idempotent: true}
	resp, err := a.c.do(ctx, r)
	var se *StatusError
	if err != nil && (ctx.Err() != nil || !errors.As(err, &se)) {
		return "", err
	}
	var info struct {
		AuthURL string `json:"auth_url"`
	}
	if err == nil {
		err = snapshot.Unmarshal(resp.body, &info)
	}
	if err != nil || info.AuthURL == "" {
		cause := "no auth_url"
		if err != nil {
			cause = err.Error()
		}
		a.c.log.Info("halo: no auth server from /api/authinfo; using /auth/token", "cause", cause)
		return "", nil
	}
	return info.AuthURL, nil
}
