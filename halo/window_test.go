package halo

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// infoLog is a text logger of Info and above into l.
func infoLog(l *lockedBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// linesWith returns the lines of l that hold substr.
func linesWith(l *lockedBuffer, substr string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

// getAll fetches n records, as many at once as the client allows.
func getAll(t *testing.T, c *Client, n int) {
	t.Helper()
	var g errgroup.Group
	for range n {
		g.Go(func() error {
			_, err := c.Get(context.Background(), kind(t, "status"), "12")
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestRateWindowToldOnce: a server whose window an earlier run filled
// answers 429 (without Retry-After, as Halo) until it rolls; every request
// of the client waits, and the log says so once per wait, not once per
// retried request.
func TestRateWindowToldOnce(t *testing.T) {
	var closedUntil atomic.Int64 // unix nanos: 429 before
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		if time.Now().UnixNano() < closedUntil.Load() {
			http.Error(w, "Rate Limit Reached – 300 Requests per rolling 5 minute window", http.StatusTooManyRequests)
			return
		}
		writeRaw(w, 200, record(12))
	})
	var logs lockedBuffer
	c := tn.client(t, func(c *Config) {
		c.Logger = infoLog(&logs)
		c.Concurrency = 4
		c.Retry = RetryPolicy{MaxAttempts: 3, BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond, RateLimitWait: 10 * time.Second}
	})
	for period := 1; period <= 2; period++ {
		closedUntil.Store(time.Now().Add(time.Second).UnixNano())
		getAll(t, c, 12)
		if told := linesWith(&logs, `msg="halo: waiting for the rate window"`); len(told) != period {
			t.Errorf("after wait %d: told %d times, want %d:\n%s", period, len(told), period, strings.Join(told, "\n"))
		}
	}
	if warned := linesWith(&logs, "level=WARN"); len(warned) > 0 {
		t.Errorf("%d warnings for requests that only waited for the rate window:\n%s", len(warned), strings.Join(warned, "\n"))
	}
	if st := c.Stats(); st.RateLimited < 8 {
		t.Errorf("%d 429s: the server did not refuse every request it should have", st.RateLimited)
	}
	told := linesWith(&logs, `msg="halo: waiting for the rate window"`)
	if len(told) > 0 && (!strings.Contains(told[0], "wait=") || !strings.Contains(told[0], "Rate Limit Reached") || !strings.Contains(told[0], "level=INFO")) {
		t.Errorf("the line does not say how long and why: %s", told[0])
	}
}

// TestBudgetWaitToldOnce: requests beyond the client's own budget wait for
// slots to leave the window; the log says so once for the whole stretch.
func TestBudgetWaitToldOnce(t *testing.T) {
	tn := newTenant(t, func(w http.ResponseWriter, r *http.Request) { writeRaw(w, 200, record(12)) })
	var logs lockedBuffer
	c := tn.client(t, func(c *Config) {
		c.Logger = infoLog(&logs)
		c.Concurrency = 4
		c.Rate = Rate{N: 4, Window: 1200 * time.Millisecond}
	})
	getAll(t, c, 12) // three windows' worth
	told := linesWith(&logs, `msg="halo: waiting for the rate window"`)
	if len(told) != 1 {
		t.Errorf("told %d times, want once:\n%s", len(told), strings.Join(linesWith(&logs, "level="), "\n"))
	}
	if len(told) == 1 && (!strings.Contains(told[0], "rate=4/1.2s") || !strings.Contains(told[0], "wait=")) {
		t.Errorf("the line does not say how long and which budget: %s", told[0])
	}
	if st := c.Stats(); st.RateWaited < time.Second {
		t.Errorf("waited %s in all: the budget did not hold requests back", st.RateWaited)
	}
}
