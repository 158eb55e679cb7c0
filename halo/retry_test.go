package halo

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// script answers API calls with the given steps in turn, then with record(12)
// (status 201 for writes). A step is a status code ("503"), a status with a
// Retry-After value ("429 1"), "drop" (close the connection without an
// answer) or "reset" (abort it with a TCP reset).
type script struct {
	mu    sync.Mutex
	steps []string
	hits  int
	times []time.Time
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // the whole request arrived: a write could be applied
	s.mu.Lock()
	s.hits++
	s.times = append(s.times, time.Now())
	step := ""
	if len(s.steps) > 0 {
		step, s.steps = s.steps[0], s.steps[1:]
	}
	s.mu.Unlock()
	switch step {
	case "":
		code := 200
		if r.Method != http.MethodGet {
			code = 201
		}
		writeRaw(w, code, record(12))
	case "drop", "reset":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if step == "reset" {
			conn.(*net.TCPConn).SetLinger(0)
		}
		conn.Close()
	default:
		code, after, _ := strings.Cut(step, " ")
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		n, _ := strconv.Atoi(code)
		http.Error(w, http.StatusText(n), n)
	}
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func (s *script) arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

// noKeepAlive gives every attempt its own connection, so that the transport
// never repeats a request by itself and the counts below are exact.
func noKeepAlive(c *Config) {
	c.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestGetRetries(t *testing.T) {
	tests := []struct {
		name        string
		steps       []string
		rateLimited int64
	}{
		{name: "500", steps: []string{"500"}},
		{name: "502 then 503", steps: []string{"502", "503"}},
		{name: "429 twice", steps: []string{"429", "429"}, rateLimited: 2},
		{name: "dropped connection", steps: []string{"drop"}},
		{name: "reset connection", steps: []string{"reset"}},
		{name: "a mix up to the last attempt", steps: []string{"drop", "503", "429"}, rateLimited: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{steps: tt.steps}
			tn := newTenant(t, s.serve)
			c := tn.client(t, noKeepAlive)
			got, err := c.Get(context.Background(), kind(t, "status"), "12")
			if err != nil {
				t.Fatal(err)
			}
			if !snapshot.Equal(got, decoded(t, record(12))) {
				t.Errorf("record = %s", snapshot.Canonical(got))
			}
			n := int64(len(tt.steps))
			st := c.Stats()
			if s.count() != int(n)+1 || st.Requests != n+1 || st.Retries != n || st.RateLimited != tt.rateLimited {
				t.Errorf("server saw %d requests; stats %+v; want %d requests, %d retries, %d rate limited", s.count(), st, n+1, n, tt.rateLimited)
			}
		})
	}
	t.Run("dropped connections, default transport", func(t *testing.T) {
		s := &script{steps: []string{"drop", "drop", "drop"}}
		tn := newTenant(t, s.serve)
		got, err := tn.client(t).Get(context.Background(), kind(t, "status"), "12")
		if err != nil {
			t.Fatal(err)
		}
		if !snapshot.Equal(got, decoded(t, record(12))) || s.count() != 4 {
			t.Errorf("record = %s after %d requests", snapshot.Canonical(got), s.count())
		}
	})
}

func TestGiveUp(t *testing.T) {
	s := &script{steps: []string{"503", "503", "503", "503", "503"}}
	tn := newTenant(t, s.serve)
	c := tn.client(t, func(c *Config) { c.Retry.MaxAttempts = 3 })
	_, err := c.Get(context.Background(), kind(t, "outcome"), "12")
	want := "GET /api/Outcome/12: giving up after 3 attempts: 503 Service Unavailable"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant  %s", err, want)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 {
		t.Errorf("error does not carry the status: %#v", err)
	}
	if s.count() != 3 {
		t.Errorf("%d requests, want 3", s.count())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	s := &script{steps: []string{"429 1"}}
	tn := newTenant(t, s.serve)
	c := tn.client(t) // backoff alone would wait at most 5ms
	if _, err := c.Get(context.Background(), kind(t, "status"), "12"); err != nil {
		t.Fatal(err)
	}
	if s.count() != 2 {
		t.Fatalf("%d requests", s.count())
	}
	if times := s.arrivals(); times[1].Sub(times[0]) < time.Second {
		t.Errorf("retried %s after a 429 with Retry-After: 1", times[1].Sub(times[0]))
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-5", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"86400", time.Hour, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		if got, ok := retryAfter(h, now); got != tt.want || ok != tt.ok {
			t.Errorf("Retry-After %q: %s, %v; want %s, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{retry: RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		var most time.Duration
		for range 200 {
			d := c.backoff(attempt)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: %s outside [0, %s]", attempt, d, ceiling)
			}
			most = max(most, d)
		}
		if most < ceiling/2 { // full jitter spreads over the whole range
			t.Errorf("attempt %d: longest of 200 delays %s, ceiling %s", attempt, most, ceiling)
		}
	}
}

func TestWritesRetriedOnlyWhenNotApplied(t *testing.T) {
	tests := []struct {
		name   string
		method string
		steps  []string
		hits   int
		err    string // "" for success
		maybe  bool   // the error says the outcome is unknown
	}{
		{name: "POST 500 not retried", method: "POST", steps: []string{"500"}, hits: 1, maybe: true,
			err: "POST /api/Status: 500 Internal Server Error; the write may or may not have been applied; check the tenant before repeating it"},
		{name: "POST 503 with Retry-After not retried", method: "POST", steps: []string{"503 0"}, hits: 1, maybe: true,
			err: "POST /api/Status: 503 Service Unavailable; the write may or may not have been applied; check the tenant before repeating it"},
		{name: "POST lost answer not retried", method: "POST", steps: []string{"drop"}, hits: 1, maybe: true,
			err: "POST /api/Status: 127.0.0.1:PORT closed the connection before answering in full; the write may or may not have been applied; check the tenant before repeating it"},
		{name: "POST 429 retried", method: "POST", steps: []string{"429", "429"}, hits: 3},
		{name: "POST 400 final", method: "POST", steps: []string{"400"}, hits: 1, err: "POST /api/Status: 400 Bad Request"},
		{name: "DELETE 500 retried, then 404 means done", method: "DELETE", steps: []string{"500", "404"}, hits: 2},
		{name: "DELETE lost answer retried, then 404 means done", method: "DELETE", steps: []string{"drop", "404"}, hits: 2},
		{name: "DELETE 429 then 404 is a 404", method: "DELETE", steps: []string{"429", "404"}, hits: 2, err: "DELETE /api/Status/12: 404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &script{steps: tt.steps}
			tn := newTenant(t, s.serve)
			c := tn.client(t, noKeepAlive)
			ctx := context.Background()
			var err error
			if tt.method == "POST" {
				var got snapshot.Record
				got, err = c.Post(ctx, kind(t, "status"), decoded(t, `{"name":"x"}`))
				if err == nil && !snapshot.Equal(got, decoded(t, record(12))) {
					t.Errorf("saved = %s", snapshot.Canonical(got))
				}
			} else {
				err = c.Delete(ctx, kind(t, "status"), "12")
			}
			want := strings.ReplaceAll(tt.err, "127.0.0.1:PORT", tn.Listener.Addr().String())
			if (err == nil) != (want == "") || err != nil && err.Error() != want {
				t.Errorf("error = %v\nwant  %s", err, want)
			}
			if errors.Is(err, ErrMaybeApplied) != tt.maybe {
				t.Errorf("errors.Is(err, ErrMaybeApplied) = %v", !tt.maybe)
			}
			if s.count() != tt.hits || c.Stats().Writes != int64(tt.hits) {
				t.Errorf("server saw %d writes, client counted %d; want %d", s.count(), c.Stats().Writes, tt.hits)
			}
		})
	}
}

// A POST that could not even connect was certainly not applied: it is retried.
func TestPostRetriedWhenNotSent(t *testing.T) {
	tn := newTenant(t, serveRecord)
	addr := closedPort(t)
	c, err := New(Config{URL: "http://" + addr, AuthURL: tn.URL + "/auth", ClientID: tn.id, ClientSecret: tn.secret, Retry: fast})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Post(context.Background(), kind(t, "status"), decoded(t, `{"name":"x"}`))
	want := "POST /api/Status: giving up after 4 attempts: cannot reach " + addr + ": connection refused"
	if err == nil || err.Error() != want || errors.Is(err, ErrMaybeApplied) {
		t.Errorf("error = %v\nwant  %s", err, want)
	}
	if st := c.Stats(); st.Requests != 4 || st.Retries != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestCancelStopsRetries(t *testing.T) {
	s := &script{steps: []string{"503 30"}}
	tn := newTenant(t, s.serve)
	c := tn.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, kind(t, "status"), "12")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("error = %v after %s", err, time.Since(start))
	}
}

func TestCancelledPostMayBeApplied(t *testing.T) {
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done() // the write is being applied when the caller gives up
	})
	c := tn.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Post(ctx, kind(t, "status"), decoded(t, `{"name":"x"}`))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrMaybeApplied) {
		t.Errorf("error = %v, want the deadline and ErrMaybeApplied", err)
	}
	if st := c.Stats(); st.Requests != 1 {
		t.Errorf("%d requests, want 1", st.Requests)
	}
}

func TestAttemptTimeout(t *testing.T) {
	var mu sync.Mutex
	slow := 1 // requests still to stall
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stall := slow > 0
		slow--
		mu.Unlock()
		if stall {
			io.Copy(io.Discard, r.Body) // else the server never notices the client left
			<-r.Context().Done()
			return
		}
		writeRaw(w, 200, record(12))
	})
	c := tn.client(t, func(c *Config) { c.Timeout = 50 * time.Millisecond })
	got, err := c.Get(context.Background(), kind(t, "status"), "12")
	if err != nil || !snapshot.Equal(got, decoded(t, record(12))) || c.Stats().Retries != 1 {
		t.Fatalf("GET after a stalled attempt: %v, %d retries", err, c.Stats().Retries)
	}
	mu.Lock()
	slow = 1
	mu.Unlock()
	_, err = c.Post(context.Background(), kind(t, "status"), decoded(t, `{"name":"x"}`))
	want := "POST /api/Status: " + tn.Listener.Addr().String() + " did not answer within 50ms; the write may or may not have been applied; check the tenant before repeating it"
	if err == nil || err.Error() != want || !errors.Is(err, ErrMaybeApplied) {
		t.Errorf("error = %v\nwant  %s", err, want)
	}
}
