package halo

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

func TestAuthDiscovery(t *testing.T) {
	tests := []struct {
		name     string
		authinfo func(tn *tenant) http.HandlerFunc // nil: the default, auth_url = URL/auth
		cfg      func(tn *tenant, c *Config)
		want     string // token request path?query
		authinfs int    // authinfo requests
		source   string // AuthInfo().Source
	}{
		{source: "authinfo", name: "discovered", want: "/auth/token", authinfs: 1},
		{source: "authinfo", name: "discovered elsewhere", want: "/identity/token", authinfs: 1,
			authinfo: func(tn *tenant) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, 200, map[string]any{"auth_url": tn.URL + "/identity/"})
				}
			}},
		{source: "authinfo", name: "auth server at the root", want: "/token", authinfs: 1,
			authinfo: func(tn *tenant) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"auth_url": tn.URL}) }
			}},
		{source: "fallback", name: "authinfo 404 falls back", want: "/auth/token", authinfs: 1,
			authinfo: func(*tenant) http.HandlerFunc { return http.NotFound }},
		// A 5xx is retried like any GET's (fast.MaxAttempts), then the fallback is used.
		{source: "fallback", name: "authinfo 503 retried, then falls back", want: "/auth/token", authinfs: fast.MaxAttempts,
			authinfo: func(*tenant) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
			}},
		{source: "fallback", name: "authinfo without auth_url falls back", want: "/auth/token", authinfs: 1,
			authinfo: func(*tenant) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{"tenant_id": "x"}) }
			}},
		{source: "fallback", name: "authinfo HTML falls back", want: "/auth/token", authinfs: 1,
			authinfo: func(*tenant) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) }
			}},
		{source: "configured", name: "configured auth URL skips discovery", want: "/sso/token", authinfs: 0,
			cfg: func(tn *tenant, c *Config) { c.AuthURL = tn.URL + "/sso" }},
		{source: "authinfo", name: "tenant name in the query", want: "/auth/token?tenant=acme", authinfs: 1,
			cfg: func(tn *tenant, c *Config) { c.Tenant = "acme" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTenant(t, serveRecord)
			if tt.authinfo != nil {
				tn.authinfo = tt.authinfo(tn)
			}
			c := tn.client(t, func(c *Config) {
				if tt.cfg != nil {
					tt.cfg(tn, c)
				}
			})
			got, err := c.Get(context.Background(), kind(t, "status"), "12")
			if err != nil {
				t.Fatal(err)
			}
			if !snapshot.Equal(got, decoded(t, record(12))) {
				t.Errorf("record = %s", snapshot.Canonical(got))
			}
			if len(tn.tokenRequests()) != 1 || tn.tokenRequests()[0] != tt.want {
				t.Errorf("token requests = %q, want [%q]", tn.tokenRequests(), tt.want)
			}
			if n := tn.count("/api/authinfo"); n != tt.authinfs {
				t.Errorf("authinfo requests = %d, want %d", n, tt.authinfs)
			}
			if got := c.AuthInfo(); got.Source != tt.source || !got.SameHost {
				t.Errorf("AuthInfo() = %+v, want source %q on the tenant's host", got, tt.source)
			}
		})
	}
}

func TestTokenReusedAcrossGoroutines(t *testing.T) {
	tn := newTenant(t, serveRecord)
	c := tn.client(t, func(c *Config) { c.Concurrency = 8 })
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Go(func() {
			_, err := c.Get(context.Background(), kind(t, "status"), "12")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := c.Stats()
	if st.TokenFetches != 1 || len(tn.tokenRequests()) != 1 || st.Requests != 40 || tn.count("/api/Status/12") != 40 {
		t.Errorf("token fetches %d (server saw %d), requests %d (server saw %d); want 1 token for 40 requests",
			st.TokenFetches, len(tn.tokenRequests()), st.Requests, tn.count("/api/Status/12"))
	}
}

// clock is a fake clock for token expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	tests := []struct {
		ttl       int
		advance   time.Duration
		refreshed bool
	}{
		{ttl: 3600, advance: 3539 * time.Second, refreshed: false}, // a minute early at most
		{ttl: 3600, advance: 3541 * time.Second, refreshed: true},
		{ttl: 100, advance: 89 * time.Second, refreshed: false}, // 10% early for short lives
		{ttl: 100, advance: 91 * time.Second, refreshed: true},
	}
	for _, tt := range tests {
		tn := newTenant(t, serveRecord)
		tn.ttl = tt.ttl
		c := tn.client(t)
		clk := &clock{now: time.Now()}
		c.now = clk.Now
		ctx := context.Background()
		if _, err := c.Get(ctx, kind(t, "status"), "12"); err != nil {
			t.Fatal(err)
		}
		clk.Add(tt.advance)
		if _, err := c.Get(ctx, kind(t, "status"), "12"); err != nil {
			t.Fatal(err)
		}
		want := 1
		if tt.refreshed {
			want = 2
		}
		if got := c.Stats().TokenFetches; got != int64(want) || tn.refusals() != 0 {
			t.Errorf("ttl %d, after %s: %d token fetches and %d 401s, want %d and none", tt.ttl, tt.advance, got, tn.refusals(), want)
		}
	}
}

func TestTokenRefreshedOnceAfter401(t *testing.T) {
	t.Run("revoked token", func(t *testing.T) {
		tn := newTenant(t, serveRecord)
		c := tn.client(t)
		ctx := context.Background()
		if _, err := c.Get(ctx, kind(t, "status"), "12"); err != nil {
			t.Fatal(err)
		}
		tn.revoke()
		got, err := c.Get(ctx, kind(t, "status"), "12")
		if err != nil {
			t.Fatal(err)
		}
		if !snapshot.Equal(got, decoded(t, record(12))) {
			t.Errorf("record = %s", snapshot.Canonical(got))
		}
		st := c.Stats()
		if st.TokenFetches != 2 || tn.refusals() != 1 || st.Requests != 3 || st.Retries != 0 {
			t.Errorf("stats %+v, 401s %d; want 2 token fetches, 1 refused request, 3 requests", st, tn.refusals())
		}
	})
	t.Run("token refused twice", func(t *testing.T) {
		tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no permission", http.StatusUnauthorized)
		})
		c := tn.client(t)
		_, err := c.Get(context.Background(), kind(t, "status"), "12")
		want := "GET /api/Status/12: 401 Unauthorized: no permission: the API refused a fresh token too; check the API application's permissions/scope"
		if err == nil || err.Error() != want || !errors.Is(err, ErrAuth) {
			t.Errorf("error = %v\nwant %s (and ErrAuth)", err, want)
		}
		if st := c.Stats(); st.TokenFetches != 2 || st.Requests != 2 {
			t.Errorf("stats %+v, want 2 token fetches and 2 requests", st)
		}
	})
}

func TestBadSecret(t *testing.T) {
	tn := newTenant(t, serveRecord)
	c := tn.client(t, func(c *Config) { c.ClientSecret = "wrong-secret" })
	ctx := context.Background()
	want := "authentication failed at " + tn.URL + "/auth/token: the client id or secret was refused (invalid_client)"
	for range 2 { // the second call fails at once, without asking again
		_, err := c.Get(ctx, kind(t, "status"), "12")
		if err == nil || err.Error() != want || !errors.Is(err, ErrAuth) {
			t.Errorf("error = %v\nwant %s", err, want)
		}
	}
	if st := c.Stats(); st.TokenFetches != 1 || st.Requests != 0 {
		t.Errorf("stats %+v, want 1 token fetch and no API request", st)
	}
}

func TestUnreachable(t *testing.T) {
	t.Run("unknown host", func(t *testing.T) {
		c, err := New(Config{URL: "https://acme-halocfg-test.invalid", ClientID: "id", ClientSecret: "secret", Retry: fast})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(context.Background(), kind(t, "status"), "1")
		want := "GET /api/authinfo: cannot reach acme-halocfg-test.invalid: no such host"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v\nwant %s", err, want)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		addr := closedPort(t)
		c, err := New(Config{URL: "http://" + addr, ClientID: "id", ClientSecret: "secret",
			Retry: RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(context.Background(), kind(t, "status"), "1")
		want := "GET /api/authinfo: giving up after 2 attempts: cannot reach " + addr + ": connection refused"
		if err == nil || err.Error() != want {
			t.Errorf("error = %v\nwant %s", err, want)
		}
	})
}

// closedPort returns a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestNewValidates(t *testing.T) {
	ok := Config{URL: "https://acme.halopsa.com", ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name string
		mod  func(*Config)
		err  string // "" when New must succeed
		base string
	}{
		{name: "https", base: "https://acme.halopsa.com"},
		{name: "trailing /api and credentials dropped", mod: func(c *Config) { c.URL = "https://me:pw@acme.halopsa.com/api/" }, base: "https://acme.halopsa.com"},
		{name: "http loopback v4", mod: func(c *Config) { c.URL = "http://127.0.0.1:8480" }, base: "http://127.0.0.1:8480"},
		{name: "http loopback range", mod: func(c *Config) { c.URL = "http://127.9.8.7" }, base: "http://127.9.8.7"},
		{name: "http localhost", mod: func(c *Config) { c.URL = "http://localhost:1" }, base: "http://localhost:1"},
		{name: "http loopback v6", mod: func(c *Config) { c.URL = "http://[::1]:8480" }, base: "http://[::1]:8480"},
		{name: "http remote", mod: func(c *Config) { c.URL = "http://acme.halopsa.com" },
			err: `halo URL "http://acme.halopsa.com": plain http is allowed only to loopback hosts (localhost, 127.0.0.0/8, ::1); use https://`},
		{name: "http remote auth URL", mod: func(c *Config) { c.AuthURL = "http://auth.example.com" },
			err: `auth URL "http://auth.example.com": plain http is allowed only to loopback hosts (localhost, 127.0.0.0/8, ::1); use https://`},
		{name: "http lookalike host", mod: func(c *Config) { c.URL = "http://127.0.0.1.example.com" }, err: "plain http is allowed only"},
		{name: "no scheme", mod: func(c *Config) { c.URL = "acme.halopsa.com" },
			err: `halo URL "acme.halopsa.com": want an absolute URL such as https://acme.halopsa.com`},
		{name: "other scheme", mod: func(c *Config) { c.URL = "ftp://acme.halopsa.com" }, err: "want an absolute URL"},
		{name: "unparsable", mod: func(c *Config) { c.URL = "https://acme\x7f.com" }, err: "halo URL: not a valid URL"},
		{name: "no id", mod: func(c *Config) { c.ClientID = "" }, err: "halo: a client id is required"},
		{name: "no secret", mod: func(c *Config) { c.ClientSecret = "" }, err: "halo: a client secret is required"},
		{name: "bad rate", mod: func(c *Config) { c.Rate = Rate{N: 5} }, err: "halo: rate 5 per 0s: both must be positive"},
		{name: "bad concurrency", mod: func(c *Config) { c.Concurrency = -1 }, err: "concurrency -1: want 1 to 64"},
		{name: "too high a concurrency", mod: func(c *Config) { c.Concurrency = 65 }, err: "concurrency 65: want 1 to 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			c, err := New(cfg)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.BaseURL() != tt.base {
					t.Errorf("BaseURL = %q, want %q", c.BaseURL(), tt.base)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error = %v, want %q", err, tt.err)
			}
		})
	}
}
