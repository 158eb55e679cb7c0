package halo

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// remoteName is a host name that is not loopback. The tests' dialer sends it
// to a loopback listener, since a test cannot count on a non-loopback
// address of its own. The client decides on the name in the URL (it never
// resolves it to decide), so the name is what the rule is tested on.
const remoteName = "halo.remote.example"

// remote plays another host: it records every request it receives, then
// answers as next says (record(12) when nil).
type remote struct {
	*httptest.Server
	next http.HandlerFunc

	mu  sync.Mutex
	got []string // method, URI, Authorization and body of each request
}

func newRemote(t *testing.T, tls bool, next http.HandlerFunc) *remote {
	rm := &remote{next: next}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rm.mu.Lock()
		rm.got = append(rm.got, r.Method+" "+r.URL.RequestURI()+" auth="+r.Header.Get("Authorization")+" body="+string(body))
		rm.mu.Unlock()
		if rm.next != nil {
			rm.next(w, r)
			return
		}
		writeRaw(w, 200, record(12))
	})
	if tls {
		rm.Server = httptest.NewTLSServer(h)
	} else {
		rm.Server = httptest.NewServer(h)
	}
	t.Cleanup(rm.Close)
	return rm
}

func (rm *remote) received() []string {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	return append([]string(nil), rm.got...)
}

// named is rm's URL with remoteName for its host.
func (rm *remote) named() string {
	_, port, _ := net.SplitHostPort(rm.Listener.Addr().String())
	return strings.Replace(rm.URL, rm.Listener.Addr().String(), net.JoinHostPort(remoteName, port), 1)
}

// redirectTo answers with a redirect to location (a function: the servers
// are started after the handlers are made).
func redirectTo(code int, location func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, location(), code) }
}

// redirectPath redirects from to to, on the same server, and lets next answer the rest.
func redirectPath(from, to string, code int, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == from {
			http.Redirect(w, r, to, code)
			return
		}
		next(w, r)
	}
}

// TestRedirects checks that no redirect carries the client secret or a bearer
// token off the host it was meant for, and that every hop keeps the
// https-or-loopback rule. Each attack is served over real HTTP by a second
// server that records whatever reaches it.
func TestRedirects(t *testing.T) {
	type setup struct {
		tn *tenant
		rm *remote
	}
	tests := []struct {
		name      string
		tls       bool // the tenant speaks https
		remoteTLS bool
		remote    func(s *setup) http.HandlerFunc // the remote's answer; nil: record(12)
		tenant    func(s *setup)                  // sets the tenant's handlers
		wantErr   []string                        // "" when the call must succeed
		countPath string                          // the tenant path asked exactly once
	}{
		{
			name: "token endpoint 307 to another host over http", tls: true,
			tenant: func(s *setup) {
				s.tn.tokenEP = redirectTo(http.StatusTemporaryRedirect, func() string { return s.rm.URL + "/token" })
			},
			wantErr:   []string{"authentication failed at https://", "redirect (307 Temporary Redirect) to http://REMOTE/token", "client secret"},
			countPath: "/auth/token",
		},
		{
			name: "token endpoint 308 on the same host", tls: true,
			tenant: func(s *setup) {
				s.tn.tokenEP = redirectPath("/auth/token", "/other/token", http.StatusPermanentRedirect, s.tn.token)
			},
			wantErr:   []string{"redirect (308 Permanent Redirect) to https://TENANT/other/token", "never follows a redirect of the token request"},
			countPath: "/auth/token",
		},
		{
			name: "API 302 from https to http on the same host name", tls: true,
			tenant: func(s *setup) {
				s.tn.api = redirectTo(http.StatusFound, func() string { return s.rm.URL + "/api/Status/12" })
			},
			wantErr:   []string{"GET /api/Status/12: redirect (302 Found) to http://REMOTE/api/Status/12", "another scheme, host or port", "bearer token"},
			countPath: "/api/Status/12",
		},
		{
			name: "API 307 to another https host", tls: true, remoteTLS: true,
			tenant: func(s *setup) {
				s.tn.api = redirectTo(http.StatusTemporaryRedirect, func() string { return s.rm.URL + "/api/Status/12" })
			},
			wantErr:   []string{"GET /api/Status/12: redirect (307 Temporary Redirect) to https://REMOTE/api/Status/12"},
			countPath: "/api/Status/12",
		},
		{
			name: "API 301 within the same origin is followed", tls: true,
			tenant: func(s *setup) {
				s.tn.api = redirectPath("/api/Status/12", "/api/Status/12/", http.StatusMovedPermanently, serveRecord)
			},
			countPath: "/api/Status/12",
		},
		{
			name: "authinfo redirected to a non-loopback http host",
			tenant: func(s *setup) {
				s.tn.authinfo = redirectTo(http.StatusFound, func() string { return s.rm.named() + "/api/authinfo" })
			},
			// Believed, the remote's answer would send the secret wherever it says.
			remote: func(s *setup) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, 200, map[string]any{"auth_url": s.tn.URL + "/stolen"})
				}
			},
			wantErr:   []string{"GET /api/authinfo: redirect (302 Found) to http://" + remoteName, "plain http is allowed only to loopback hosts"},
			countPath: "/api/authinfo",
		},
		{
			name: "authinfo redirected to another https host is followed", tls: true, remoteTLS: true,
			tenant: func(s *setup) {
				s.tn.authinfo = redirectTo(http.StatusFound, func() string { return s.rm.named() + "/api/authinfo" })
			},
			remote: func(s *setup) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, 200, map[string]any{"auth_url": s.tn.URL + "/auth"})
				}
			},
			countPath: "/api/authinfo",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &setup{}
			if tt.tls {
				s.tn = newTLSTenant(t, serveRecord)
			} else {
				s.tn = newTenant(t, serveRecord)
			}
			var next http.HandlerFunc
			if tt.remote != nil {
				next = tt.remote(s)
			}
			s.rm = newRemote(t, tt.remoteTLS, next)
			tt.tenant(s)

			// The tenant's own client trusts the test certificate (the
			// remote's too: httptest has one); the dialer sends remoteName
			// to the remote's loopback listener.
			tr := s.tn.Client().Transport.(*http.Transport).Clone()
			remoteAddr := s.rm.Listener.Addr().String()
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if host, _, _ := net.SplitHostPort(addr); host == remoteName {
					addr = remoteAddr
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}
			if tr.TLSClientConfig != nil {
				tr.TLSClientConfig.ServerName = "example.com" // in httptest's certificate, unlike remoteName
			}
			c := s.tn.client(t, func(c *Config) { c.HTTPClient = &http.Client{Transport: tr} })

			got, err := c.Get(context.Background(), kind(t, "status"), "12")
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !snapshot.Equal(got, decoded(t, record(12))) {
					t.Errorf("record = %s", snapshot.Canonical(got))
				}
			} else {
				if err == nil {
					t.Fatalf("no error; the remote received %q", s.rm.received())
				}
				t.Log(err)
				for _, want := range tt.wantErr {
					want = strings.ReplaceAll(want, "REMOTE", s.rm.Listener.Addr().String())
					want = strings.ReplaceAll(want, "TENANT", s.tn.Listener.Addr().String())
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\nwant it to contain %q", err, want)
					}
				}
				for _, secret := range append(s.tn.tokens(), s.tn.secret) {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error shows a secret: %q", err)
					}
				}
				// Nothing arrived at the remote: neither the secret nor a token.
				if got := s.rm.received(); len(got) > 0 {
					t.Errorf("the remote received %q", got)
				}
				if n := len(s.tn.tokenRequests()); n > 1 {
					t.Errorf("%d token requests, want at most 1", n)
				}
			}
			// A refused redirect is final: it is not retried.
			if n := s.tn.count(tt.countPath); n != 1 {
				t.Errorf("%s asked %d times, want 1", tt.countPath, n)
			}
		})
	}
}
