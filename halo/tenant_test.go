package halo

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// tenant is a small Halo look-alike for the tests: /api/authinfo, a
// client-credentials token endpoint (any path ending in /token) and, behind
// a bearer token check, whatever api handler the test gives.
type tenant struct {
	*httptest.Server
	id, secret string
	ttl        int // expires_in of issued tokens, seconds

	mu         sync.Mutex
	valid      map[string]bool
	issued     []string
	hits       map[string]int // by path
	tokenPaths []string       // path?query of every token request
	unauth     int            // 401 answers to API calls

	authinfo http.HandlerFunc // nil: {"auth_url": URL+"/auth"}
	tokenEP  http.HandlerFunc // nil: the client-credentials endpoint below
	api      http.HandlerFunc
}

func newTenant(t testing.TB, api http.HandlerFunc) *tenant {
	t.Helper()
	return startTenant(t, api, httptest.NewServer)
}

// newTLSTenant is newTenant over https; its Client() trusts the server's certificate.
func newTLSTenant(t testing.TB, api http.HandlerFunc) *tenant {
	t.Helper()
	return startTenant(t, api, httptest.NewTLSServer)
}

func startTenant(t testing.TB, api http.HandlerFunc, start func(http.Handler) *httptest.Server) *tenant {
	tn := &tenant{id: "client-1", secret: "s3cr3t-" + randomHex(8), ttl: 3600,
		valid: map[string]bool{}, hits: map[string]int{}, api: api}
	tn.Server = start(http.HandlerFunc(tn.serve))
	t.Cleanup(tn.Close)
	return tn
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (tn *tenant) serve(w http.ResponseWriter, r *http.Request) {
	tn.mu.Lock()
	tn.hits[r.URL.Path]++
	tn.mu.Unlock()
	switch {
	case r.URL.Path == "/api/authinfo":
		if tn.authinfo != nil {
			tn.authinfo(w, r)
			return
		}
		writeJSON(w, 200, map[string]any{"auth_url": tn.URL + "/auth", "tenant_id": "x"})
	case strings.HasSuffix(r.URL.Path, "/token") && tn.tokenEP != nil:
		tn.tokenEP(w, r)
	case strings.HasSuffix(r.URL.Path, "/token"):
		tn.token(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		tn.mu.Lock()
		ok := tn.valid[tok]
		if !ok {
			tn.unauth++
		}
		tn.mu.Unlock()
		if !ok {
			http.Error(w, `{"message":"unauthorised"}`, http.StatusUnauthorized)
			return
		}
		tn.api(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (tn *tenant) token(w http.ResponseWriter, r *http.Request) {
	tn.mu.Lock()
	tn.tokenPaths = append(tn.tokenPaths, r.URL.RequestURI())
	tn.mu.Unlock()
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" || f.Get("scope") != "all" {
		writeJSON(w, 400, map[string]any{"error": "invalid_request"})
		return
	}
	if f.Get("client_id") != tn.id || f.Get("client_secret") != tn.secret {
		// Real servers sometimes echo what they were sent; the client must not pass it on.
		writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "bad secret " + f.Get("client_secret")})
		return
	}
	tok := "tok-" + randomHex(16)
	tn.mu.Lock()
	tn.valid[tok] = true
	tn.issued = append(tn.issued, tok)
	tn.mu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": tn.ttl})
}

// revoke makes every token issued so far invalid.
func (tn *tenant) revoke() {
	tn.mu.Lock()
	clear(tn.valid)
	tn.mu.Unlock()
}

func (tn *tenant) count(path string) int {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return tn.hits[path]
}

func (tn *tenant) tokenRequests() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.tokenPaths...)
}

func (tn *tenant) refusals() int {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return tn.unauth
}

func (tn *tenant) tokens() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.issued...)
}

// fast retries keep the tests quick.
var fast = RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, RateLimitWait: 50 * time.Millisecond}

func (tn *tenant) config() Config {
	return Config{URL: tn.URL, ClientID: tn.id, ClientSecret: tn.secret, Retry: fast, Rate: Unlimited}
}

func (tn *tenant) client(t *testing.T, mods ...func(*Config)) *Client {
	t.Helper()
	cfg := tn.config()
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// writeRaw answers with JSON text as it is, so numbers keep their exact digits.
func writeRaw(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprint(w, body)
}

// record is the JSON of a status whose numbers do not fit a float64.
func record(id int) string {
	return fmt.Sprintf(`{"id":%d,"name":"Status %d","big":9007199254740993,"ratio":0.1000000000000000055511151231257827,"note":null,"unknown_field":{"x":[1,"2"]}}`, id, id)
}

func decoded(t *testing.T, text string) snapshot.Record {
	t.Helper()
	r, err := snapshot.DecodeRecord([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func kind(t testing.TB, name string) *catalog.Kind {
	t.Helper()
	k, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no kind %s", name)
	}
	return k
}

// serveRecord answers every API call with record(12).
func serveRecord(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, record(12)) }
