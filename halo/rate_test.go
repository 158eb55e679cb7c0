package halo

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want Rate
		text string // String() of the result
		err  string
	}{
		{in: "250/5m", want: Rate{N: 250, Window: 5 * time.Minute}, text: "250/5m"},
		{in: "300/5m", want: Rate{N: 300, Window: 5 * time.Minute}, text: "300/5m"},
		{in: "10/1s", want: Rate{N: 10, Window: time.Second}, text: "10/1s"},
		{in: " 20 / 200ms ", want: Rate{N: 20, Window: 200 * time.Millisecond}, text: "20/200ms"},
		{in: "300/m", want: Rate{N: 300, Window: time.Minute}, text: "300/1m"},
		{in: "1000/1h", want: Rate{N: 1000, Window: time.Hour}, text: "1000/1h"},
		{in: "90/1m30s", want: Rate{N: 90, Window: 90 * time.Second}, text: "90/1m30s"},
		{in: "0", want: Unlimited, text: "unlimited"},
		{in: "unlimited", want: Unlimited, text: "unlimited"},
		{in: "None", want: Unlimited, text: "unlimited"},
		{in: "", err: `rate "": no window (want REQUESTS/WINDOW such as 250/5m, or unlimited)`},
		{in: "250", err: `rate "250": no window`},
		{in: "x/5m", err: `rate "x/5m": "x" is not a whole number of requests`},
		{in: "0/5m", err: `rate "0/5m": the number of requests must be from 1 to 1000000`},
		{in: "-3/5m", err: `the number of requests must be from 1 to 1000000`},
		{in: "1000000/5m", want: Rate{N: 1000000, Window: 5 * time.Minute}, text: "1000000/5m"},
		{in: "1000001/5m", err: `the number of requests must be from 1 to 1000000`},
		{in: "99999999999999999999/5m", err: `is not a whole number of requests`},
		{in: "250/25h", err: `the window must be positive and at most 24h0m0s`},
		{in: "250/9999999999h", err: `is not a duration`},
		{in: "250/5", err: `rate "250/5": "5" is not a duration such as 5m or 1s`},
		{in: "250/0s", err: `rate "250/0s": the window must be positive and at most 24h0m0s`},
		{in: "250/", err: `rate "250/": "" is not a duration`},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseRate(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.text {
			t.Errorf("ParseRate(%q) = %+v (%s), %v; want %+v (%s)", tt.in, got, got, err, tt.want, tt.text)
		}
	}
}

func TestLimiterWindowStartsAtCompletion(t *testing.T) {
	const window = 50 * time.Millisecond
	l := newLimiter(2, window)
	ctx := context.Background()
	for range 2 {
		if d, err := l.acquire(ctx, nil); err != nil || d != 0 {
			t.Fatalf("acquire within budget waited %s, %v", d, err)
		}
	}
	// Both slots are in flight: a third request waits for a release, however long.
	short, cancel := context.WithTimeout(ctx, 2*window)
	defer cancel()
	if _, err := l.acquire(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire beyond budget: %v, want to wait until the deadline", err)
	}
	released := time.Now()
	l.release(time.Now())
	waited, err := l.acquire(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if since := time.Since(released); since < window || waited < window {
		t.Errorf("slot reused %s after completion (waited %s), want at least %s", since, waited, window)
	}
}

// A slot frees a window after the first byte of its answer: the server
// counted the request before it answered, and an answer slow to read (a large
// record) must not hold the next window back by the time it takes to read.
func TestRateSlotFreesAtFirstByte(t *testing.T) {
	const window, body = 400 * time.Millisecond, 250 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		text := record(12)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, text[:10])
		w.(http.Flusher).Flush()
		time.Sleep(body) // the rest of a large answer
		io.WriteString(w, text[10:])
	})
	c := tn.client(t, func(c *Config) { c.Rate = Rate{N: 1, Window: window} })
	ctx := context.Background()
	if err := c.Authenticate(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(window) // the slots of authinfo and the token free
	for range 2 {
		if _, err := c.Get(ctx, kind(t, "status"), "12"); err != nil {
			t.Fatal(err)
		}
	}
	gap := arrivals[1].Sub(arrivals[0])
	if gap < window {
		t.Errorf("the second request arrived %s after the first: within the window of %s", gap, window)
	}
	if gap >= window+body {
		t.Errorf("the second request arrived %s after the first: its slot waited for the whole answer (%s) and the window (%s)", gap, body, window)
	}
}

// windowServer is an API that counts arrivals in a rolling window, as Halo
// does, and answers 429 to any request beyond its limit.
type windowServer struct {
	n         int
	window    time.Duration
	dropEvery int // drop the connection of every dropEvery-th accepted request

	mu       sync.Mutex
	arrivals []time.Time
	refused  int
	served   int
}

func (s *windowServer) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	kept := s.arrivals[:0]
	for _, a := range s.arrivals {
		if now.Sub(a) < s.window {
			kept = append(kept, a)
		}
	}
	s.arrivals = append(kept, now) // refused requests count too
	over := len(s.arrivals) > s.n
	drop := false
	if over {
		s.refused++
	} else {
		s.served++
		drop = s.dropEvery > 0 && s.served%s.dropEvery == 0
	}
	s.mu.Unlock()
	if over {
		http.Error(w, "Rate Limit Reached – 20 Requests per rolling window", http.StatusTooManyRequests)
		return
	}
	if drop {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	time.Sleep(time.Duration(rand.Int64N(int64(8 * time.Millisecond)))) // latency
	writeRaw(w, 200, record(12))
}

// counts returns the requests refused and served so far.
func (s *windowServer) counts() (refused, served int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused, s.served
}

func TestRateBudgetAvoids429(t *testing.T) {
	const (
		n        = 20
		window   = 200 * time.Millisecond
		requests = 60
	)
	run := func(t *testing.T, rate Rate, dropEvery int) (*Client, *windowServer, time.Duration, []error) {
		s := &windowServer{n: n, window: window, dropEvery: dropEvery}
		tn := newTenant(t, s.serve)
		c := tn.client(t, func(c *Config) {
			c.Rate = rate
			c.Concurrency = 4
			if dropEvery == 0 {
				c.Retry.MaxAttempts = 1 // a 429 shows as an error
				c.Retry.RateLimitWait = time.Nanosecond
			}
		})
		start := time.Now()
		errs := make([]error, requests)
		var wg sync.WaitGroup
		for i := range requests {
			wg.Go(func() {
				got, err := c.Get(context.Background(), kind(t, "status"), "12")
				if err == nil && !snapshot.Equal(got, decoded(t, record(12))) {
					err = errors.New("wrong record")
				}
				errs[i] = err
			})
		}
		wg.Wait()
		return c, s, time.Since(start), errs
	}

	t.Run("budget equal to the server's limit", func(t *testing.T) {
		c, s, elapsed, errs := run(t, Rate{N: n, Window: window}, 0)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st := c.Stats()
		refused, served := s.counts()
		if refused != 0 || st.RateLimited != 0 || served != requests {
			t.Errorf("server refused %d and served %d of %d requests", refused, served, requests)
		}
		// 62 slots (token and authinfo included) at 20 per window need three windows' wait.
		if elapsed < 3*window || st.RateWaited <= 0 {
			t.Errorf("%d requests took %s and waited %s; the budget allows %d per %s", requests, elapsed, st.RateWaited, n, window)
		}
		t.Logf("%d requests in %s, waited %s in all", requests, elapsed.Round(time.Millisecond), st.RateWaited.Round(time.Millisecond))
	})
	// A GET whose reused connection breaks is sent again by the transport
	// itself; that arrival must take budget too.
	t.Run("dropped connections", func(t *testing.T) {
		c, s, _, errs := run(t, Rate{N: n, Window: window}, 7)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st := c.Stats()
		refused, served := s.counts()
		drops := served / 7
		if refused != 0 || st.Requests != int64(served) || st.Retries != int64(drops) {
			t.Errorf("server refused %d and accepted %d (%d dropped); client sent %d with %d retries", refused, served, drops, st.Requests, st.Retries)
		}
	})
	t.Run("control: without a budget the server refuses", func(t *testing.T) {
		c, s, _, _ := run(t, Unlimited, 0)
		refused, _ := s.counts()
		if refused == 0 || c.Stats().RateLimited != int64(refused) {
			t.Errorf("server refused %d, client saw %d 429s: the test server does not limit", refused, c.Stats().RateLimited)
		}
	})
}

func TestConcurrencyBound(t *testing.T) {
	var mu sync.Mutex
	var now, most int
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		now++
		most = max(most, now)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		now--
		mu.Unlock()
		writeRaw(w, 200, record(12))
	})
	c := tn.client(t, func(c *Config) { c.Concurrency = 3 })
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), kind(t, "status"), "12"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most > 3 || most < 2 {
		t.Errorf("%d requests in flight at most, want 3", most)
	}
}

func BenchmarkLimiter(b *testing.B) {
	l := newLimiter(250, time.Microsecond)
	ctx := context.Background()
	for b.Loop() {
		if _, err := l.acquire(ctx, nil); err != nil {
			b.Fatal(err)
		}
		l.release(time.Now())
	}
}

func BenchmarkLimiterParallel(b *testing.B) {
	l := newLimiter(250, time.Microsecond)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.acquire(ctx, nil); err != nil {
				b.Fatal(err)
			}
			l.release(time.Now())
		}
	})
}

// BenchmarkGet is one detail request over loopback: the client's whole cost
// per call (slots, token, request, lossless decoding).
func BenchmarkGet(b *testing.B) {
	tn := newTenant(b, serveRecord)
	c, err := New(tn.config())
	if err != nil {
		b.Fatal(err)
	}
	k := kind(b, "status")
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Get(ctx, k, "12"); err != nil {
			b.Fatal(err)
		}
	}
}
