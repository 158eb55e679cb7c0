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
// server's (a 429). A period begins when a request has to wait; it ends
// when calm requests in a row are answered without waiting for the budget
// and without a 429. One request let through while the window rolls (the
// others still refused) does not end it: a stretch of requests held back is
// one line, not one per request or per retry.
type rateWait struct {
	log  *slog.Logger
	calm int // answers in a row that end a period: more than the requests in flight

	mu     sync.Mutex
	until  time.Time // the server refused a request: none is sent before
	period bool      // a period is under way
	told   bool      // and was told
	streak int       // answers in a row since the last wait
}

// refused holds every request for d at least: the server answered 429, so
// its window is full for the others too.
func (w *rateWait) refused(d time.Duration, upTo time.Duration, cause error) {
	at := time.Now().Add(d)
	w.mu.Lock()
	if at.After(w.until) {
		w.until = at
	}
	w.mu.Unlock()
	w.waiting(d, true, "cause", cause.Error(), "up_to", upTo)
}

// hold waits while the server's window is full.
func (w *rateWait) hold(ctx context.Context) error {
	for {
		w.mu.Lock()
		d := time.Until(w.until)
		w.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// waiting notes that a request waits about d for the rate window. The
// period is told once, at info level, by the first wait that the server
// caused (a 429) or that lasts a second or more; other waits are debug.
func (w *rateWait) waiting(d time.Duration, refused bool, attrs ...any) {
	w.mu.Lock()
	first := !w.period
	w.period, w.streak = true, 0
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

// answered notes a request the server answered (not 429) that did not
// wait for the budget nor left it full.
func (w *rateWait) answered() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.period {
		return
	}
	if w.streak++; w.streak >= w.calm {
		w.period, w.told, w.streak = false, false, 0
		w.log.Debug("halo: the rate window lets requests through again")
	}
}
