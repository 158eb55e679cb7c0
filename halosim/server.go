package halosim

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// ServeHTTP answers Halo's auth and ticket-configuration API.
func (t *Tenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	switch {
	case p == "/api/authinfo":
		t.authInfo(w, r)
	case p == "/auth/token":
		t.issueToken(w, r)
	case strings.HasPrefix(p, "/api/"):
		t.api(w, r)
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such path: "+r.URL.Path)
	}
}

// authInfo tells clients where the token endpoint is; it needs no token.
func (t *Tenant) authInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" "+r.URL.Path)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var b bytes.Buffer
	b.WriteString(`{"auth_url":`)
	writeString(&b, scheme+"://"+r.Host+"/auth")
	b.WriteString(`,"tenant_id":`)
	writeString(&b, t.tenantID)
	b.WriteString("}")
	writeBody(w, http.StatusOK, b.Bytes())
}

// issueToken is the client-credentials token endpoint.
func (t *Tenant) issueToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" "+r.URL.Path)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be a form")
		return
	}
	if t.tenant != "" && r.URL.Query().Get("tenant") != t.tenant {
		writeError(w, http.StatusBadRequest, "invalid_request", "unknown tenant")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	idOK := subtle.ConstantTimeCompare([]byte(r.PostForm.Get("client_id")), []byte(t.clientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(r.PostForm.Get("client_secret")), []byte(t.secret)) == 1
	if !idOK || !secretOK {
		writeError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	scoped := false
	for _, s := range strings.Fields(r.PostForm.Get("scope")) {
		scoped = scoped || s == "all"
	}
	access := randomHex(32)
	t.cmu.Lock()
	now := t.now()
	for k, tok := range t.tokens {
		if now.After(tok.expires) {
			delete(t.tokens, k)
		}
	}
	t.tokens[access] = token{expires: now.Add(t.tokenTTL), scoped: scoped}
	t.stats.Tokens++
	ttl := t.tokenTTL
	t.cmu.Unlock()
	body := fmt.Sprintf(`{"scope":%q,"token_type":"Bearer","access_token":%q,"expires_in":%d}`,
		r.PostForm.Get("scope"), access, int(ttl.Seconds()))
	writeBody(w, http.StatusOK, []byte(body))
}

// api answers a request under /api: rate limit, latency, faults, auth, then
// the entity routes.
func (t *Tenant) api(w http.ResponseWriter, r *http.Request) {
	t.cmu.Lock()
	t.stats.Requests++
	t.stats.ByMethod[r.Method]++
	limited, limit, window, retry := t.admit()
	latency := t.latency
	t.cmu.Unlock()
	if limited {
		if retry {
			w.Header().Set("Retry-After", strconv.Itoa(t.retryAfterSeconds()))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, "Rate Limit Reached – %d Requests per rolling %s window", limit, windowText(window))
		return
	}
	if latency > 0 {
		timer := time.NewTimer(latency)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	if t.fault(w) {
		return
	}
	if !t.authorized(r) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/") // api, Entity[, id]
	var k *catalog.Kind
	if len(parts) >= 2 {
		k = kindOf(parts[1])
		if pk := peopleOf(parts[1]); k == nil && pk != nil {
			t.listPeople(w, r, pk, parts)
			return
		}
	}
	if k == nil || len(parts) > 3 {
		writeError(w, http.StatusNotFound, "not_found", "no such path: "+r.URL.Path)
		return
	}
	switch {
	case len(parts) == 2 && r.Method == http.MethodGet:
		t.list(w, r, k)
	case len(parts) == 2 && r.Method == http.MethodPost:
		t.write(w, r, k)
	case len(parts) == 3 && r.Method == http.MethodGet:
		t.detail(w, r, k, parts[2])
	case len(parts) == 3 && r.Method == http.MethodDelete:
		t.remove(w, k, parts[2])
	default:
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" "+r.URL.Path)
	}
}

// admit records a request in the rolling window, or reports it over the
// limit; requests answered 429 do not count. Callers hold t.cmu.
func (t *Tenant) admit() (limited bool, limit int, window time.Duration, retry bool) {
	if t.rateLimit <= 0 {
		return false, 0, 0, false
	}
	now := t.now()
	cut := 0
	for cut < len(t.recent) && !t.recent[cut].After(now.Add(-t.rateWindow)) {
		cut++
	}
	t.recent = t.recent[cut:]
	if len(t.recent) >= t.rateLimit {
		t.stats.RateLimited++
		return true, t.rateLimit, t.rateWindow, t.retryAfter
	}
	t.recent = append(t.recent, now)
	return false, 0, 0, false
}

// retryAfterSeconds is when the oldest request in the window leaves it.
func (t *Tenant) retryAfterSeconds() int {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	if len(t.recent) == 0 {
		return 1
	}
	wait := t.recent[0].Add(t.rateWindow).Sub(t.now())
	return max(1, int((wait+time.Second-1)/time.Second))
}

// windowText renders a window as Halo's 429 text does: "5 minute".
func windowText(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hour", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minute", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d second", d/time.Second)
	}
	return d.String()
}

// fault fails the request when the dice say so: half answered with a 5xx,
// half dropped without a response.
func (t *Tenant) fault(w http.ResponseWriter) bool {
	t.cmu.Lock()
	hit := t.faultRate > 0 && t.faults.Float64() < t.faultRate
	kind := t.faults.IntN(6)
	if hit {
		t.stats.Faults++
	}
	t.cmu.Unlock()
	if !hit {
		return false
	}
	if kind < 3 {
		code := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[kind]
		writeError(w, code, "server_error", "simulated fault")
		return true
	}
	dropConnection(w)
	return true
}

// dropConnection closes the connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // HTTP/2: abort the stream
}

func (t *Tenant) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return false
	}
	t.cmu.Lock()
	defer t.cmu.Unlock()
	tok, ok := t.tokens[strings.TrimSpace(h[7:])]
	return ok && tok.scoped && t.now().Before(tok.expires)
}

// kindOf matches an endpoint name case-insensitively, as Halo's routes do.
func kindOf(entity string) *catalog.Kind {
	for _, k := range catalog.Kinds() {
		if strings.EqualFold("/"+entity, k.Endpoint) {
			return k
		}
	}
	return nil
}

// flag reads a boolean query parameter; Halo's parameter names ignore case.
func flag(r *http.Request, name string) bool {
	return strings.EqualFold(param(r, name), "true")
}

func param(r *http.Request, name string) string {
	for k, v := range r.URL.Query() {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// list serves GET /api/{Entity}: summaries, hidden records only with the
// kind's flags, paged endpoints capped at 100 rows a page.
func (t *Tenant) list(w http.ResponseWriter, r *http.Request, k *catalog.Kind) {
	if t.dev.forbidden[k.Endpoint] {
		writeError(w, http.StatusForbidden, "forbidden", "the API application may not read "+k.Endpoint)
		return
	}
	b := t.behaviour(k)
	showHidden := true
	for _, p := range b.showParams {
		showHidden = showHidden && flag(r, p)
	}
	t.mu.RLock()
	tb := t.data[k.Name]
	rows := make([]snapshot.Record, 0, len(tb.ids))
	for _, id := range tb.ids {
		rec := tb.byID[id]
		if showHidden || !b.isHidden(rec) {
			row := summary(k, rec)
			t.reshape(k, row)
			rows = append(rows, row)
		}
	}
	t.mu.RUnlock()
	total := len(rows)
	if b.paged {
		rows = pageRows(r, rows, t.dev.pageSize[k.Name])
	}
	var out bytes.Buffer
	if b.bare {
		writeJSON(&out, rows, k.Schema)
	} else {
		fmt.Fprintf(&out, `{"record_count":%d,`, total)
		if b.side != "" {
			fmt.Fprintf(&out, `%q:[{"id":1,"name":"All"}],`, b.side)
		}
		key := k.ListKey
		if x, ok := t.dev.listKey[k.Name]; ok {
			key = x
		}
		fmt.Fprintf(&out, `%q:`, key)
		writeJSON(&out, rows, k.Schema)
		out.WriteByte('}')
	}
	t.count(func(s *Stats) { s.ListPages++ })
	writeBody(w, http.StatusOK, out.Bytes())
}

// pageRows is the page of rows a paged list answers: page_no of
// page_size (at most 100) with pageinate=true, else the first 50.
func pageRows(r *http.Request, rows []snapshot.Record, ignoreSize bool) []snapshot.Record {
	if !flag(r, "pageinate") {
		return rows[:min(50, len(rows))]
	}
	size := clamp(param(r, "page_size"), 50, 1, 100)
	if ignoreSize {
		size = 50 // the pagesize deviation: page_size ignored
	}
	page := clamp(param(r, "page_no"), 1, 1, 1<<30)
	from := min((page-1)*size, len(rows))
	return rows[from:min(from+size, len(rows))]
}

// clamp parses a positive integer parameter, def when absent or invalid.
func clamp(s string, def, lo, hi int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		n = def
	}
	return min(max(n, lo), hi)
}

// detail serves GET /api/{Entity}/{id}: the full record.
func (t *Tenant) detail(w http.ResponseWriter, r *http.Request, k *catalog.Kind, id string) {
	t.mu.RLock()
	tb := t.data[k.Name]
	rec, ok := tb.byID[canonicalID(k, id)]
	if ok {
		rec = t.view(tb, rec)
	}
	t.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s %s not found", k.Name, id))
		return
	}
	full := true
	for _, p := range t.behaviour(k).detailParams {
		full = full && flag(r, p)
	}
	if !full {
		fields, _ := catalog.Schema(k.Schema)
		for _, f := range fields {
			if f.Type == "array" {
				delete(rec, f.Name)
			}
		}
	}
	t.reshape(k, rec)
	var out bytes.Buffer
	writeJSON(&out, rec, k.Schema)
	t.count(func(s *Stats) { s.Details++ })
	writeBody(w, http.StatusOK, out.Bytes())
}

// canonicalID normalises a path id: integers lose leading zeros, uuids
// their case. Anything else matches nothing.
func canonicalID(k *catalog.Kind, id string) string {
	if k.StringID {
		return strings.ToLower(id)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return "\x00"
	}
	return strconv.FormatInt(n, 10)
}

// remove serves DELETE /api/{Entity}/{id}.
func (t *Tenant) remove(w http.ResponseWriter, k *catalog.Kind, id string) {
	t.mu.Lock()
	tb := t.data[k.Name]
	id = canonicalID(k, id)
	_, ok := tb.byID[id]
	if ok {
		tb.remove(id)
	}
	t.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("%s %s not found", k.Name, id))
		return
	}
	t.count(func(s *Stats) { s.Deletes++ })
	w.WriteHeader(http.StatusOK)
}

func (t *Tenant) count(f func(*Stats)) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	f(&t.stats)
}

func writeBody(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// writeError answers {"error": code, "message": msg}; OAuth clients read
// error_description, so token errors carry both.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b bytes.Buffer
	b.WriteString(`{"error":`)
	writeString(&b, code)
	b.WriteString(`,"message":`)
	writeString(&b, msg)
	b.WriteString(`,"error_description":`)
	writeString(&b, msg)
	b.WriteString("}")
	writeBody(w, status, b.Bytes())
}
