package halo

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// simClient serves a simulated tenant on loopback and connects to it.
func simClient(t *testing.T, o halosim.Options, mod func(*Config)) (*halosim.Tenant, *Client) {
	t.Helper()
	tenant, err := halosim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tenant)
	t.Cleanup(srv.Close)
	id, secret, name := tenant.Credentials()
	cfg := Config{URL: srv.URL, ClientID: id, ClientSecret: secret, Tenant: name, Rate: Unlimited, Retry: fast}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tenant, c
}

// fetchAll lists every kind and gets every record, eight calls at a time.
func fetchAll(t *testing.T, c *Client) map[string][]snapshot.Record {
	t.Helper()
	ctx := context.Background()
	out := map[string][]snapshot.Record{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, k := range catalog.Kinds() {
		rows, err := c.List(ctx, k)
		if err != nil {
			t.Fatalf("%s: %v", k.Name, err)
		}
		for _, row := range rows {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				rec, err := c.Get(ctx, k, row.ID())
				if err != nil {
					t.Errorf("%s %s: %v", k.Name, row.ID(), err)
					return
				}
				mu.Lock()
				out[k.Name] = append(out[k.Name], rec)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for _, recs := range out {
		snapshot.SortByID(recs)
	}
	return out
}

func sameRecords(t *testing.T, got map[string][]snapshot.Record, tenant *halosim.Tenant) {
	t.Helper()
	for _, k := range catalog.Kinds() {
		want := tenant.Records(k.Name)
		if len(got[k.Name]) != len(want) {
			t.Errorf("%s: %d records, want %d", k.Name, len(got[k.Name]), len(want))
			continue
		}
		for i := range want {
			if !snapshot.Equal(got[k.Name][i], want[i]) {
				t.Errorf("%s %s: got %s\nwant %s", k.Name, want[i].ID(), snapshot.Canonical(got[k.Name][i]), snapshot.Canonical(want[i]))
			}
		}
	}
}

func TestHalosim(t *testing.T) {
	t.Run("every record exactly", func(t *testing.T) {
		tenant, c := simClient(t, halosim.Options{Dataset: "demo", Tenant: "acme"}, nil)
		sameRecords(t, fetchAll(t, c), tenant)
		if st := c.Stats(); st.TokenFetches != 1 || st.Retries != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("faults and a rate limit equal to the budget", func(t *testing.T) {
		const n, window = 40, 300 * time.Millisecond
		tenant, c := simClient(t, halosim.Options{Dataset: "demo", RateLimit: n, RateWindow: window, FaultRate: 0.2, FaultSeed: 7},
			func(c *Config) {
				c.Rate = Rate{N: n, Window: window}
				c.Retry = RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}
			})
		sameRecords(t, fetchAll(t, c), tenant)
		st, sim := c.Stats(), tenant.Stats()
		if sim.RateLimited != 0 || st.RateLimited != 0 {
			t.Errorf("%d requests refused for the rate (client saw %d)", sim.RateLimited, st.RateLimited)
		}
		if sim.Faults == 0 || st.Retries != int64(sim.Faults) || st.Requests != int64(sim.Requests) {
			t.Errorf("%d faults, %d retries; %d requests sent, %d served", sim.Faults, st.Retries, st.Requests, sim.Requests)
		}
		t.Logf("%d requests, %d faults, %d retries, waited %s for budget", st.Requests, sim.Faults, st.Retries, st.RateWaited.Round(time.Millisecond))
	})
	t.Run("paging over 150 records a kind", func(t *testing.T) {
		tenant, c := simClient(t, halosim.Options{Dataset: "scale:150"}, nil)
		for _, k := range catalog.Kinds() {
			rows, err := c.List(context.Background(), k)
			if err != nil {
				t.Fatal(err)
			}
			want := tenant.Records(k.Name)
			snapshot.SortByID(rows)
			if len(rows) != len(want) {
				t.Fatalf("%s: %d rows, want %d", k.Name, len(rows), len(want))
			}
			for i := range want {
				if rows[i].ID() != want[i].ID() {
					t.Fatalf("%s: row %d has id %s, want %s", k.Name, i, rows[i].ID(), want[i].ID())
				}
			}
		}
	})
	t.Run("create, read back, delete", func(t *testing.T) {
		_, c := simClient(t, halosim.Options{Dataset: "demo"}, nil)
		ctx := context.Background()
		k := kind(t, "status")
		rows, err := c.List(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		model, err := c.Get(ctx, k, rows[0].ID())
		if err != nil {
			t.Fatal(err)
		}
		in := model.Clone()
		delete(in, "id")
		delete(in, "guid")
		in["name"] = "Waiting – on a “supplier” 🚚"
		saved, err := c.Post(ctx, k, in)
		if err != nil {
			t.Fatal(err)
		}
		if saved.ID() == "" || saved.ID() == model.ID() || saved["name"] != in["name"] {
			t.Fatalf("saved %s", snapshot.Canonical(saved))
		}
		back, err := c.Get(ctx, k, saved.ID())
		if err != nil || !snapshot.Equal(back, saved) {
			t.Fatalf("read back %s, %v\nsaved %s", snapshot.Canonical(back), err, snapshot.Canonical(saved))
		}
		if err := c.Delete(ctx, k, saved.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, k, saved.ID()); !IsNotFound(err) {
			t.Errorf("after delete: %v, want a 404", err)
		}
	})
}

// An earlier run (or another tool) filled the server's window before this
// client started: it cannot see those requests, so it meets 429s, and must
// wait the window out rather than give up after MaxAttempts.
func TestWaitsOutAWindowFilledByOthers(t *testing.T) {
	const n, window = 20, 300 * time.Millisecond
	tenant, earlier := simClient(t, halosim.Options{Dataset: "demo", RateLimit: n, RateWindow: window}, nil)
	for range n {
		if _, err := earlier.Get(context.Background(), kind(t, "status"), "1"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := New(Config{URL: earlier.BaseURL(), ClientID: earlier.cfg.ClientID, ClientSecret: earlier.cfg.ClientSecret,
		Rate: Rate{N: n, Window: window}, Concurrency: 4,
		Retry: RetryPolicy{MaxAttempts: 2, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, RateLimitWait: 10 * window}})
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, fetchAll(t, c), tenant)
	if c.Stats().RateLimited == 0 {
		t.Errorf("no 429 met: the test does not exercise a full window (server: %+v)", tenant.Stats())
	}
}
