package halo

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// rateWait holds the requests of a client while the server's rate window
// is full, and tells once per wait period that requests wait for the rate
// window, whether for the client's own budget (Config.Rate) or for the
// server's (a 429). A period begins when a request has to wait and ends
// when one goes through without waiting: a stretch of many requests held
// back is one line, not one per request or per retry.
type rateWait struct {
	log *slog.Logger

	mu    sync.Mutex
	until time.Time // the server refused a request: none is sent before
	since time.Time // the start of the period under way; zero: none
	told  bool      // the period was told
}

// refused holds every request until the time d from now, at least: the
// server answered 429, so its window is full for the others too.
func (w *rateWait) refused(d time.Duration, upTo time.Duration, cause error) {
	at := time.Now().Add(d)
	w.mu.Lock()
	if at.After(w.until) {
		w.until = at
	}
	w.mu.Unlock()
	w.waiting(d, true, "cause", cause.Error(), "up_to", upTo)
}

// hold waits while the server's window is full; it reports how long (0
// when it did not wait).
func (w *rateWait) hold(ctx context.Context) (time.Duration, error) {
	var held time.Duration
	for {
		w.mu.Lock()
		d := time.Until(w.until)
		w.mu.Unlock()
		if d <= 0 {
			return held, nil
		}
		start := time.Now()
		err := sleep(ctx, d)
		held += time.Since(start)
		if err != nil {
			return held, err
		}
	}
}

// waiting notes that a request waits about d for the rate window. The
// first wait of a period is told, at info level when the server refused
// a request or the wait is a second or more.
func (w *rateWait) waiting(d time.Duration, refused bool, attrs ...any) {
	w.mu.Lock()
	first := w.since.IsZero()
	if first {
		w.since = time.Now()
	}
	tell := !w.told && (refused || d >= time.Second)
	w.told = w.told || tell
	w.mu.Unlock()
	level := slog.LevelDebug
	if tell {
		level = slog.LevelInfo
	} else if !first {
		return
	}
	w.log.Log(context.Background(), level, "halo: waiting for the rate window", append([]any{"wait", d.Round(time.Millisecond)}, attrs...)...)
}

// through notes that a request sent at sent went without waiting and was
// not refused: the period, if any, is over, unless it began after the
// request went out.
func (w *rateWait) through(sent time.Time) {
	w.mu.Lock()
	if !w.since.IsZero() && !w.since.After(sent) {
		w.since, w.told = time.Time{}, false
	}
	w.mu.Unlock()
}
