package halo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/halocfg/halocfg/snapshot"
)

// pager serves rows with ids 1..n the ways Halo endpoints do.
type pager struct {
	n      int
	cap    int // most rows per page; 0: the endpoint ignores paging and sends every row
	step   int // first id of page p is (p-1)*step+1; default: the page size (no overlap)
	shape  func(rows string, n int) string
	mu     sync.Mutex
	querys []string
}

func bare(rows string, n int) string { return rows }
func wrapped(key string) func(string, int) string {
	return func(rows string, n int) string { return fmt.Sprintf(`{"record_count":%d,%q:%s}`, n, key, rows) }
}
func uncounted(key string) func(string, int) string {
	return func(rows string, n int) string { return fmt.Sprintf(`{%q:%s}`, key, rows) }
}

func (p *pager) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.querys = append(p.querys, r.URL.RawQuery)
	p.mu.Unlock()
	q := r.URL.Query()
	from, to := 1, p.n
	if p.cap > 0 {
		size, _ := strconv.Atoi(q.Get("page_size"))
		page, _ := strconv.Atoi(q.Get("page_no"))
		size = min(size, p.cap)
		step := p.step
		if step == 0 {
			step = size
		}
		from = (page-1)*step + 1
		to = min(from+size-1, p.n)
	}
	var rows []string
	for id := from; id <= to; id++ {
		rows = append(rows, record(id))
	}
	writeRaw(w, 200, p.shape("["+strings.Join(rows, ",")+"]", p.n))
}

func TestListPaging(t *testing.T) {
	tests := []struct {
		name     string
		p        *pager
		requests int
		rows     int
		err      string
	}{
		{name: "250 rows, pages capped at 100, record_count", p: &pager{n: 250, cap: 100, shape: wrapped("statuses")}, requests: 3, rows: 250},
		{name: "250 rows, bare arrays: short last page", p: &pager{n: 250, cap: 100, shape: bare}, requests: 3, rows: 250},
		{name: "server caps pages lower, record_count", p: &pager{n: 130, cap: 50, shape: wrapped("statuses")}, requests: 3, rows: 130},
		{name: "200 rows, record_count stops at 2 pages", p: &pager{n: 200, cap: 100, shape: wrapped("statuses")}, requests: 2, rows: 200},
		{name: "200 rows, no count: an empty third page", p: &pager{n: 200, cap: 100, shape: bare}, requests: 3, rows: 200},
		{name: "paging ignored, 150 rows in one answer", p: &pager{n: 150, shape: bare}, requests: 1, rows: 150},
		{name: "paging ignored, 100 rows: repeated page brings no new id", p: &pager{n: 100, shape: uncounted("statuses")}, requests: 2, rows: 100},
		{name: "overlapping pages de-duplicated", p: &pager{n: 250, cap: 100, step: 90, shape: bare}, requests: 3, rows: 250},
		{name: "unknown key, the only array", p: &pager{n: 120, cap: 100, shape: wrapped("things")}, requests: 2, rows: 120},
		{name: "empty", p: &pager{n: 0, cap: 100, shape: wrapped("statuses")}, requests: 1, rows: 0},
		{name: "known key beside side arrays", p: &pager{n: 5, cap: 100, shape: func(rows string, n int) string {
			return fmt.Sprintf(`{"columns":[{"id":1}],"record_count":%d,"statuses":%s}`, n, rows)
		}}, requests: 1, rows: 5},
		{name: "null list", p: &pager{n: 0, cap: 100, shape: func(string, int) string { return `{"record_count":0,"statuses":null}` }}, requests: 1, rows: 0},
		{name: "ambiguous arrays", p: &pager{n: 5, cap: 100, shape: func(rows string, n int) string {
			return fmt.Sprintf(`{"a":%s,"b":[],"record_count":%d}`, rows, n)
		}}, err: `GET /api/Status: the answer holds no "statuses" and several arrays, which is ambiguous (a, b)`},
		{name: "no array", p: &pager{n: 5, cap: 100, shape: func(string, int) string { return `{"record_count":5,"message":"hi"}` }},
			err: `GET /api/Status: the answer holds no list: no "statuses" and no other array (keys: message, record_count)`},
		{name: "not a list", p: &pager{n: 5, cap: 100, shape: func(string, int) string { return `"hello"` }},
			err: `GET /api/Status: the answer is a JSON string, want an array or an object`},
		{name: "row without id", p: &pager{n: 1, cap: 100, shape: func(string, int) string { return `[{"name":"x"}]` }},
			err: `GET /api/Status: row 1 has no id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			tn := newTenant(t, p.serve)
			c := tn.client(t)
			rows, err := c.List(context.Background(), kind(t, "status"))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tt.rows || len(p.querys) != tt.requests {
				t.Errorf("%d rows in %d requests, want %d in %d", len(rows), len(p.querys), tt.rows, tt.requests)
			}
			for i, row := range rows {
				if want := decoded(t, record(i+1)); !snapshot.Equal(row, want) {
					t.Fatalf("row %d = %s\nwant %s", i, snapshot.Canonical(row), snapshot.Canonical(want))
				}
			}
			for i, q := range p.querys {
				want := fmt.Sprintf("pageinate=true&page_size=100&page_no=%d&showall=true", i+1)
				if q != want {
					t.Errorf("request %d query %q, want %q", i+1, q, want)
				}
			}
		})
	}
}

func TestErrorAnswers(t *testing.T) {
	loginPage := "<!DOCTYPE html>\n<html>\n  <head><title>Halo – Log in</title></head>\n  <body>" + strings.Repeat("<p>Please sign in to continue.</p>\n", 20) + "</body></html>"
	tests := []struct {
		name  string
		api   http.HandlerFunc
		err   string
		check func(t *testing.T, err error)
	}{
		{name: "404 names the endpoint", api: http.NotFound, err: "GET /api/Status/12: 404 Not Found",
			check: func(t *testing.T, err error) {
				if !IsNotFound(err) {
					t.Error("IsNotFound = false")
				}
			}},
		{name: "400 quotes the body", api: func(w http.ResponseWriter, r *http.Request) {
			writeRaw(w, 400, `{"message": "Invalid   id"}`)
		}, err: `GET /api/Status/12: 400 Bad Request: {"message": "Invalid id"}`},
		{name: "HTML login page", api: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, loginPage)
		}, err: "GET /api/Status/12: the answer is not JSON (content type text/html; charset=utf-8): <!DOCTYPE html> <html> <head><title>Halo – Log in</title></head> <body><p>Please sign in to continue.</p> <p>Please sign…",
			check: func(t *testing.T, err error) {
				_, quoted, _ := strings.Cut(err.Error(), "charset=utf-8): ")
				if n := utf8.RuneCountInString(quoted); n > snippetLen+1 {
					t.Errorf("snippet of %d characters", n)
				}
			}},
		{name: "redirect to a login page", api: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/login" {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html>sign in</html>")
				return
			}
			http.Redirect(w, r, "/api/login?return=x", http.StatusFound)
		}, err: "GET /api/Status/12: the answer is not JSON (content type text/html, redirected to 127.0.0.1:PORT/api/login): <html>sign in</html>"},
		{name: "empty answer", api: func(w http.ResponseWriter, r *http.Request) {}, err: "GET /api/Status/12: the answer is empty (200 OK, content type none)"},
		{name: "array of two", api: func(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, "["+record(1)+","+record(2)+"]") },
			err: "GET /api/Status/12: the answer is an array of 2, want one record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := newTenant(t, tt.api)
			c := tn.client(t)
			_, err := c.Get(context.Background(), kind(t, "status"), "12")
			want := strings.ReplaceAll(tt.err, "127.0.0.1:PORT", tn.Listener.Addr().String())
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v\nwant  %s", err, want)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if st := c.Stats(); st.Retries != 0 {
				t.Errorf("%d retries of a final answer", st.Retries)
			}
		})
	}
}

func TestGetArrayOfOne(t *testing.T) {
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "includedetails=true&includeconfig=true" || r.URL.Path != "/api/TicketType/7" {
			http.Error(w, "unexpected "+r.URL.RequestURI(), 400)
			return
		}
		writeRaw(w, 200, "["+record(7)+"]")
	})
	got, err := tn.client(t).Get(context.Background(), kind(t, "tickettype"), "7")
	if err != nil {
		t.Fatal(err)
	}
	if !snapshot.Equal(got, decoded(t, record(7))) {
		t.Errorf("record = %s", snapshot.Canonical(got))
	}
}

func TestGetRefusesPathIDs(t *testing.T) {
	tn := newTenant(t, serveRecord)
	c := tn.client(t)
	for _, id := range []string{"", "..", "1/2", "1?x=2", "a b"} {
		if _, err := c.Get(context.Background(), kind(t, "status"), id); err == nil || !strings.Contains(err.Error(), "invalid id") {
			t.Errorf("id %q: error = %v", id, err)
		}
	}
	if n := c.Stats().Requests; n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestPost(t *testing.T) {
	in := decoded(t, `{"name":"Waiting – on customer","big":9007199254740993,"html":"<b>&</b>","note":null,"nested":[{"value":"12"}]}`)
	saved := `{"id":42,"name":"Waiting – on customer","big":9007199254740993,"html":"<b>&</b>","note":null,"nested":[{"value":"12"}],"guid":"g"}`
	tests := []struct {
		name   string
		answer string
	}{
		{name: "object answer", answer: saved},
		{name: "array answer", answer: "[" + saved + "]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			var contentType string
			tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ = io.ReadAll(r.Body)
				contentType = r.Header.Get("Content-Type")
				writeRaw(w, 201, tt.answer)
			})
			c := tn.client(t)
			got, err := c.Post(context.Background(), kind(t, "status"), in)
			if err != nil {
				t.Fatal(err)
			}
			if !snapshot.Equal(got, decoded(t, saved)) {
				t.Errorf("saved = %s", snapshot.Canonical(got))
			}
			var sent []json.RawMessage
			if err := json.Unmarshal(body, &sent); err != nil || len(sent) != 1 || !snapshot.Equal(decoded(t, string(sent[0])), in) {
				t.Errorf("sent %s, want an array of the record", body)
			}
			if !strings.Contains(string(body), "9007199254740993") || !strings.Contains(string(body), "<b>&</b>") {
				t.Errorf("sent %s: numbers or text altered", body)
			}
			if contentType != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", contentType)
			}
			if st := c.Stats(); st.Writes != 1 || st.Requests != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	var paths []string
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		if r.URL.Path == "/api/Priority/gone" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c := tn.client(t)
	ctx := context.Background()
	if err := c.Delete(ctx, kind(t, "priority"), "9b2d-11"); err != nil {
		t.Fatal(err)
	}
	err := c.Delete(ctx, kind(t, "priority"), "gone")
	if !IsNotFound(err) || err.Error() != "DELETE /api/Priority/gone: 404 Not Found" {
		t.Errorf("error = %v", err)
	}
	if want := "DELETE /api/Priority/9b2d-11,DELETE /api/Priority/gone"; strings.Join(paths, ",") != want {
		t.Errorf("requests %q, want %q", paths, want)
	}
	if st := c.Stats(); st.Writes != 2 {
		t.Errorf("writes %d", st.Writes)
	}
	if errors.Is(err, ErrMaybeApplied) {
		t.Error("a 404 is not an unknown outcome")
	}
}
