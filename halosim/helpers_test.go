package halosim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// sim is a tenant served over real HTTP, with a token and a fake clock.
type sim struct {
	t      testing.TB
	tenant *Tenant
	url    string
	token  string
	clock  *clock
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newSim(t testing.TB, o Options) *sim {
	t.Helper()
	tn, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)}
	tn.now = c.Now
	srv := httptest.NewServer(tn)
	t.Cleanup(srv.Close)
	s := &sim{t: t, tenant: tn, url: srv.URL, clock: c}
	id, secret, tenant := tn.Credentials()
	code, body := s.requestToken(id, secret, "all", tenant)
	if code != http.StatusOK {
		t.Fatalf("token: %d %s", code, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token response %s: %v", body, err)
	}
	s.token = tok.AccessToken
	return s
}

func (s *sim) requestToken(id, secret, scope, tenant string) (int, []byte) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	u := s.url + "/auth/token"
	if tenant != "" {
		u += "?tenant=" + url.QueryEscape(tenant)
	}
	resp, err := http.PostForm(u, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// do sends an API request with the sim's token.
func (s *sim) do(method, path string, body []byte, contentType string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (s *sim) get(path string) (int, []byte) {
	s.t.Helper()
	resp, b, err := s.do(http.MethodGet, path, nil, "")
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, b
}

func (s *sim) post(path string, body string) (int, []byte) {
	s.t.Helper()
	resp, b, err := s.do(http.MethodPost, path, []byte(body), "application/json; charset=utf-8")
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	return resp.StatusCode, b
}

// listRows decodes either list shape into rows.
func listRows(t testing.TB, k *catalog.Kind, body []byte) (rows []snapshot.Record, recordCount int, bare bool) {
	t.Helper()
	if bytes.HasPrefix(body, []byte("[")) {
		if err := snapshot.Unmarshal(body, &rows); err != nil {
			t.Fatalf("%s list: %v", k.Name, err)
		}
		return rows, len(rows), true
	}
	var w map[string]json.RawMessage
	if err := snapshot.Unmarshal(body, &w); err != nil {
		t.Fatalf("%s list: %v", k.Name, err)
	}
	if err := snapshot.Unmarshal(w[k.ListKey], &rows); err != nil {
		t.Fatalf("%s list key %q: %v in %.200s", k.Name, k.ListKey, err, body)
	}
	if err := json.Unmarshal(w["record_count"], &recordCount); err != nil {
		t.Fatalf("%s record_count: %v", k.Name, err)
	}
	return rows, recordCount, false
}

// listAll lists every record of a kind the way a careful client does:
// the kind's ListQuery, and pages for paged endpoints.
func (s *sim) listAll(k *catalog.Kind) []snapshot.Record {
	s.t.Helper()
	var all []snapshot.Record
	for page := 1; ; page++ {
		q := k.ListQuery
		if behaviours[k.Name].paged {
			q = strings.TrimPrefix(q+"&pageinate=true&page_size=100&page_no="+strconv.Itoa(page), "&")
		}
		code, body := s.get("/api" + k.Endpoint + "?" + q)
		if code != http.StatusOK {
			s.t.Fatalf("list %s: %d %s", k.Name, code, body)
		}
		rows, total, _ := listRows(s.t, k, body)
		all = append(all, rows...)
		if !behaviours[k.Name].paged || len(rows) == 0 || len(all) >= total {
			return all
		}
	}
}

func ids(recs []snapshot.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID()
	}
	return out
}

// state is a tenant's whole content, for "nothing changed" checks.
func state(tn *Tenant) string {
	var b strings.Builder
	for _, k := range catalog.Kinds() {
		b.Write(snapshot.Canonical(tn.Records(k.Name)))
	}
	return b.String()
}
