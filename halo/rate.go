package halo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is a request budget: at most N requests in any rolling Window.
// The zero Rate means DefaultRate; Unlimited sets no budget.
type Rate struct {
	N         int
	Window    time.Duration
	Unlimited bool
}

// DefaultRate stays under Halo's own limit of 300 requests per rolling 5 minutes.
var DefaultRate = Rate{N: 250, Window: 5 * time.Minute}

// Unlimited is the Rate that sets no budget.
var Unlimited = Rate{Unlimited: true}

// Bounds of a rate a user gives: Halo counts in windows of minutes, and the
// limiter keeps one slot per request of a window.
const (
	maxRateRequests = 1_000_000
	maxRateWindow   = 24 * time.Hour
)

// ParseRate reads "250/5m", "10/1s" or "300/m" (a bare unit is one of it);
// "0", "none" and "unlimited" mean no budget.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "0", "none", "unlimited":
		return Unlimited, nil
	}
	bad := func(why string) (Rate, error) {
		return Rate{}, fmt.Errorf("rate %q: %s (want REQUESTS/WINDOW such as 250/5m, or unlimited)", s, why)
	}
	count, window, ok := strings.Cut(s, "/")
	if !ok {
		return bad("no window")
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil {
		return bad(fmt.Sprintf("%q is not a whole number of requests", count))
	}
	if n <= 0 || n > maxRateRequests {
		return bad(fmt.Sprintf("the number of requests must be from 1 to %d", maxRateRequests))
	}
	window = strings.TrimSpace(window)
	if window != "" && strings.IndexAny(window[:1], "0123456789.") < 0 {
		window = "1" + window // "300/m": one minute
	}
	w, err := time.ParseDuration(window)
	if err != nil {
		return bad(fmt.Sprintf("%q is not a duration such as 5m or 1s", window))
	}
	if w <= 0 || w > maxRateWindow {
		return bad(fmt.Sprintf("the window must be positive and at most %s", maxRateWindow))
	}
	return Rate{N: n, Window: w}, nil
}

// String renders the rate as ParseRate reads it: "250/5m".
func (r Rate) String() string {
	if r.Unlimited {
		return "unlimited"
	}
	w := r.Window.String()
	for _, zero := range []string{"m0s", "h0m"} { // 5m0s -> 5m; 1h0m0s -> 1h0m -> 1h
		if strings.HasSuffix(w, zero) {
			w = w[:len(w)-2]
		}
	}
	return fmt.Sprintf("%d/%s", r.N, w)
}

func (r Rate) valid() error {
	if r.Unlimited {
		return nil
	}
	if r.N <= 0 || r.Window <= 0 {
		return fmt.Errorf("rate %d per %s: both must be positive", r.N, r.Window)
	}
	return nil
}

// limiter is a rolling-window budget. A request holds a slot from the moment
// it is sent until Window after the first byte of its answer arrived (or it
// failed). The server counts a request when it arrives, which is after we
// send it and before it answers, so every request the server counts in any
// window of its own still holds a slot here: a budget equal to the server's
// limit never meets a 429, whatever the latency. Holding the slot until the
// whole answer is read would add the time of reading it to every window,
// for nothing. (A token bucket refills during the window and would not.)
type limiter struct {
	n      int
	window time.Duration

	mu       sync.Mutex
	inflight int
	done     []time.Time   // completion times within the window, oldest first
	waiting  int           // callers waiting in acquire
	wake     chan struct{} // closed on a release while someone waits
}

func newLimiter(n int, window time.Duration) *limiter {
	return &limiter{n: n, window: window, wake: make(chan struct{})}
}

// acquire waits for a slot, returning how long it waited. onWait is called
// once, when the caller has to wait, with the time until the oldest slot
// leaves the window (0 when every slot is in flight).
func (l *limiter) acquire(ctx context.Context, onWait func(time.Duration)) (time.Duration, error) {
	var start time.Time
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	l.mu.Lock()
	for {
		now := time.Now()
		expired := 0
		for expired < len(l.done) && now.Sub(l.done[expired]) >= l.window {
			expired++
		}
		l.done = l.done[expired:]
		if l.inflight+len(l.done) < l.n {
			l.inflight++
			l.mu.Unlock()
			if start.IsZero() {
				return 0, nil
			}
			return time.Since(start), nil
		}
		first := start.IsZero()
		if first {
			start = now
		}
		wake := l.wake
		l.waiting++
		var expiry <-chan time.Time
		var d time.Duration
		if len(l.done) > 0 { // else every slot is in flight: wait for a release
			d = l.done[0].Add(l.window).Sub(now)
			if timer == nil {
				timer = time.NewTimer(d)
			} else {
				timer.Reset(d)
			}
			expiry = timer.C
		}
		l.mu.Unlock()
		if first && onWait != nil {
			onWait(d)
		}
		var err error
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-wake:
		case <-expiry:
		}
		l.mu.Lock()
		l.waiting--
		if err != nil {
			l.mu.Unlock()
			return time.Since(start), err
		}
	}
}

// full reports whether a request would wait now: no slot is free, or
// others wait for one.
func (l *limiter) full() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	expired := 0
	for expired < len(l.done) && now.Sub(l.done[expired]) >= l.window {
		expired++
	}
	return l.waiting > 0 || l.inflight+len(l.done)-expired >= l.n
}

// release ends the request holding a slot, answered at the time at (not in
// the future); the slot frees Window after it.
func (l *limiter) release(at time.Time) {
	l.mu.Lock()
	l.inflight--
	i := len(l.done) // kept oldest first: answers may end in another order than they began
	for i > 0 && l.done[i-1].After(at) {
		i--
	}
	l.done = slices.Insert(l.done, i, at)
	if l.waiting > 0 {
		close(l.wake)
		l.wake = make(chan struct{})
	}
	l.mu.Unlock()
}
