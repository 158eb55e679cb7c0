package halosim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		s := newSim(t, Options{Dataset: "demo", RateLimit: 3, RateWindow: 5 * time.Minute, RetryAfter: retryAfter})
		for i := range 3 {
			if code, body := s.get("/api/Status"); code != 200 {
				t.Fatalf("request %d: %d %s", i+1, code, body)
			}
			s.clock.Add(time.Minute)
		}
		// t=3m: three requests in the window.
		resp, body, err := s.do(http.MethodGet, "/api/Status", nil, "")
		if err != nil || resp.StatusCode != 429 {
			t.Fatalf("fourth request: %v %v", resp.StatusCode, err)
		}
		if want := "Rate Limit Reached – 3 Requests per rolling 5 minute window"; string(body) != want {
			t.Errorf("429 body %q, want %q", body, want)
		}
		if got := resp.Header.Get("Retry-After"); (got != "") != retryAfter || retryAfter && got != "120" {
			t.Errorf("RetryAfter %v: Retry-After %q", retryAfter, got)
		}
		// 429s do not count: at t=5m1s the first request has left the window.
		s.clock.Add(2*time.Minute + time.Second)
		if code, _ := s.get("/api/Status"); code != 200 {
			t.Errorf("after the oldest left the window: %d, want 200", code)
		}
		if code, _ := s.get("/api/Status"); code != 429 {
			t.Errorf("window full again: %d, want 429", code)
		}
		// Token and authinfo requests are not limited.
		id, secret, _ := s.tenant.Credentials()
		if code, _ := s.requestToken(id, secret, "all", ""); code != 200 {
			t.Errorf("token while limited: %d", code)
		}
		st := s.tenant.Stats()
		if st.RateLimited != 2 || st.Requests != 6 || st.ByMethod["GET"] != 6 {
			t.Errorf("stats %+v", st)
		}
	}
}

func TestSetRateLimitAndResetStats(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo"})
	s.tenant.SetRateLimit(1, time.Hour)
	s.get("/api/Status")
	if code, body := s.get("/api/Status"); code != 429 || string(body) != "Rate Limit Reached – 1 Requests per rolling 1 hour window" {
		t.Errorf("%d %s", code, body)
	}
	s.tenant.SetRateLimit(0, 0)
	if code, _ := s.get("/api/Status"); code != 200 {
		t.Errorf("unlimited again: %d", code)
	}
	s.tenant.ResetStats()
	if st := s.tenant.Stats(); st.Requests != 0 || st.RateLimited != 0 || len(st.ByMethod) != 0 {
		t.Errorf("after ResetStats: %+v", st)
	}
}

func TestFaults(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", FaultRate: 1, FaultSeed: 9})
	before := state(s.tenant)
	codes := map[int]int{}
	dropped := 0
	const n = 60
	for i := range n {
		method, body := http.MethodGet, []byte(nil)
		if i%2 == 1 {
			method, body = http.MethodPost, []byte(`[{"name":"Faulty"}]`)
		}
		resp, _, err := s.do(method, "/api/Status", body, "application/json")
		switch {
		case err != nil:
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Logf("dropped request error: %v", err)
			}
			dropped++
		default:
			codes[resp.StatusCode]++
		}
	}
	if dropped < n/5 || codes[500]+codes[502]+codes[503] < n/5 || codes[500]+codes[502]+codes[503]+dropped != n {
		t.Errorf("%d dropped, answers %v; want both kinds of fault, every request failed", dropped, codes)
	}
	if state(s.tenant) != before {
		t.Error("a faulted write was applied")
	}
	// net/http retries a GET dropped on a reused connection, so there may be
	// more requests than calls; every one of them failed.
	if st := s.tenant.Stats(); st.Faults != st.Requests || st.Requests < n || st.Writes != 0 {
		t.Errorf("stats %+v", st)
	}
	s.tenant.SetFaults(0)
	if code, _ := s.get("/api/Status"); code != 200 {
		t.Errorf("faults off: %d", code)
	}
}

func TestFaultRateIsAFraction(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", FaultRate: 0.25, FaultSeed: 1})
	failed := 0
	for range 400 {
		resp, _, err := s.do(http.MethodGet, "/api/Status", nil, "")
		if err != nil || resp.StatusCode >= 500 {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("%d of 400 failed at rate 0.25", failed)
	}
}

func TestLatencyHonoursCancellation(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/Status", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request under an hour of latency: %v, want the deadline", err)
	}
	s.tenant.SetLatency(0)
	if code, _ := s.get("/api/Status"); code != 200 {
		t.Errorf("latency off: %d", code)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				method, path, body := http.MethodGet, "/api/Outcome?showhidden=true", ""
				switch (g + i) % 3 {
				case 1:
					path = "/api/TicketType/1?includedetails=true&includeconfig=true"
				case 2:
					method, path, body = http.MethodPost, "/api/Status", `[{"name":"Concurrent"}]`
				}
				// t.Fatal may not be called here, off the test's goroutine.
				if resp, _, err := s.do(method, path, []byte(body), "application/json"); err != nil || resp.StatusCode != 200 {
					t.Errorf("%s %s: %v", method, path, err)
				}
				s.tenant.Stats()
			}
		}()
	}
	wg.Wait()
	st := s.tenant.Stats()
	if st.Requests != 160 || st.Writes+st.ListPages+st.Details != 160 {
		t.Errorf("stats %+v", st)
	}
	if errs := CheckReferences(s.tenant.AllRecords()); len(errs) > 0 {
		t.Error(errs)
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tn, url, stop, err := Serve(ctx, "127.0.0.1:0", Options{Dataset: "empty"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(url + "/api/authinfo")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("authinfo: %v", err)
	}
	resp.Body.Close()
	if id, _, _ := tn.Credentials(); id == "" {
		t.Error("no client id")
	}
	stop()
	if _, err := http.Get(url + "/api/authinfo"); err == nil {
		t.Error("still serving after stop")
	}
}

// TestLostAnswers: a fraction of POSTs is applied and then loses its answer,
// the same POSTs for the same seed.
func TestLostAnswers(t *testing.T) {
	run := func() (lost []int, s *sim) {
		s = newSim(t, Options{Dataset: "empty", LostAnswers: 0.3, FaultSeed: 4})
		for i := range 100 {
			resp, _, err := s.do(http.MethodPost, "/api/Status", []byte(fmt.Sprintf(`[{"name":"S%d"}]`, i)), "application/json")
			switch {
			case err != nil:
				lost = append(lost, i)
			case resp.StatusCode != 200:
				t.Fatalf("POST %d: %d", i, resp.StatusCode)
			}
		}
		return lost, s
	}
	lost, s := run()
	if len(lost) < 15 || len(lost) > 45 {
		t.Errorf("%d of 100 answers lost at 0.3", len(lost))
	}
	if st := s.tenant.Stats(); st.Writes != 100 || len(s.tenant.Records("status")) != 100 || st.LostAnswers != len(lost) {
		t.Errorf("every write is applied, answered or not: %d writes, %d records, %d lost (%d seen)", st.Writes, len(s.tenant.Records("status")), st.LostAnswers, len(lost))
	}
	if again, _ := run(); !slices.Equal(again, lost) {
		t.Errorf("another run with the same seed lost %v, the first %v", again, lost)
	}
	s.tenant.SetLostAnswers(0)
	if code, _ := s.post("/api/Status", `[{"name":"Answered"}]`); code != 200 {
		t.Errorf("lost answers off: %d", code)
	}
}
