package export_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/export"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// tenant starts a simulated tenant over real HTTP and a client for it.
func tenant(t testing.TB, o halosim.Options, cfg halo.Config) (*halosim.Tenant, *halo.Client) {
	t.Helper()
	sim, err := halosim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	cfg.ClientID, cfg.ClientSecret, cfg.Tenant = sim.Credentials()
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.Rate == (halo.Rate{}) {
		cfg.Rate = halo.Unlimited // Halo's default budget would make tests take minutes
	}
	c, err := halo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

// sameAsTenant fails unless recs holds exactly the simulator's full records.
func sameAsTenant(t *testing.T, sim *halosim.Tenant, recs map[string][]snapshot.Record) {
	t.Helper()
	for _, k := range catalog.Kinds() {
		want := sim.Records(k.Name)
		got := recs[k.Name]
		if len(got) != len(want) {
			t.Errorf("%s: exported %d records, tenant has %d", k.Name, len(got), len(want))
			continue
		}
		for i := range want {
			if !snapshot.Equal(got[i], want[i]) {
				t.Errorf("%s %s: exported record differs from the tenant's:\n got %s\nwant %s",
					k.Name, want[i].ID(), snapshot.Canonical(got[i]), snapshot.Canonical(want[i]))
			}
		}
	}
}

func countRecords(recs map[string][]snapshot.Record) int {
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	return n
}

func TestExportEqualsTenant(t *testing.T) {
	for _, dataset := range []string{"demo", "demo-target", "scale:300"} {
		t.Run(dataset, func(t *testing.T) {
			if testing.Short() && dataset == "scale:300" {
				t.Skip("short")
			}
			sim, c := tenant(t, halosim.Options{Dataset: dataset, Seed: 7}, halo.Config{})
			recs, err := export.Fetch(context.Background(), c, export.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameAsTenant(t, sim, recs)
			// Every record fetched exactly once: requests = list pages + records.
			st := sim.Stats()
			if st.Details != countRecords(recs) {
				t.Errorf("detail requests = %d, want one per record (%d)", st.Details, countRecords(recs))
			}
			if c.Stats().Requests != int64(st.ListPages+st.Details) {
				t.Errorf("client sent %d requests, want list pages + records = %d + %d", c.Stats().Requests, st.ListPages, st.Details)
			}
		})
	}
}

// The export includes hidden and inactive records, which the lists show only
// when asked; the simulated datasets hold some of each.
func TestExportIncludesHiddenAndInactive(t *testing.T) {
	sim, c := tenant(t, halosim.Options{Dataset: "demo", Seed: 1}, halo.Config{})
	recs, err := export.Fetch(context.Background(), c, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		kind, field string
		value       string
	}{
		{"outcome", "hidden", "true"},
		{"tickettype", "visible", "false"},
		{"workflow", "active", "false"},
	}
	for _, ck := range checks {
		found := false
		for _, r := range recs[ck.kind] {
			if snapshot.Scalar(r[ck.field]) == ck.value {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no record with %s=%s exported", ck.kind, ck.field, ck.value)
		}
	}
	sameAsTenant(t, sim, recs)
}

func TestExportWithinRateLimit(t *testing.T) {
	window := 400 * time.Millisecond
	retry := halo.RetryPolicy{MaxAttempts: 12, BaseDelay: 20 * time.Millisecond, MaxDelay: window}
	cases := []struct {
		name             string
		simLimit, budget int
		want429          bool
	}{
		{"budget equals the server's limit", 40, 40, false},
		{"server limit half the budget", 20, 40, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim, c := tenant(t,
				halosim.Options{Dataset: "demo", Seed: 3, RateLimit: tc.simLimit, RateWindow: window, Latency: 2 * time.Millisecond},
				halo.Config{Rate: halo.Rate{N: tc.budget, Window: window}, Concurrency: 8, Retry: retry})
			recs, err := export.Fetch(context.Background(), c, export.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sameAsTenant(t, sim, recs)
			got := sim.Stats().RateLimited
			if !tc.want429 && got != 0 {
				t.Errorf("server answered 429 %d times; a budget equal to its limit must never trip it", got)
			}
			if tc.want429 && got == 0 {
				t.Errorf("server never answered 429: the test does not exercise the limit")
			}
		})
	}
}

func TestExportSurvivesFaultsAndTokenExpiry(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	retry := halo.RetryPolicy{MaxAttempts: 10, BaseDelay: 5 * time.Millisecond, MaxDelay: 100 * time.Millisecond}
	sim, c := tenant(t,
		halosim.Options{Dataset: "scale:60", Seed: 5, FaultRate: 0.05, FaultSeed: 9, TokenTTL: 500 * time.Millisecond, Latency: 8 * time.Millisecond},
		halo.Config{Retry: retry, Concurrency: 4})
	start := time.Now()
	recs, err := export.Fetch(context.Background(), c, export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameAsTenant(t, sim, recs)
	st := sim.Stats()
	if st.Faults == 0 {
		t.Error("no faults injected: the test proves nothing")
	}
	if c.Stats().Retries < int64(st.Faults) {
		t.Errorf("client retried %d times for %d faults", c.Stats().Retries, st.Faults)
	}
	if st.Tokens < 2 {
		t.Errorf("only %d token issued: the export did not outlive one, the test proves nothing", st.Tokens)
	}
	t.Logf("faults %d, retries %d, tokens %d, in %s", st.Faults, c.Stats().Retries, st.Tokens, time.Since(start))
}

func TestExportCancelled(t *testing.T) {
	_, c := tenant(t, halosim.Options{Dataset: "scale:50", Seed: 1, Latency: 5 * time.Millisecond}, halo.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	_, err := export.Fetch(ctx, c, export.Options{Progress: func(done, total int) {
		if done == 20 {
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("a cancelled export returned no error")
	}
}

// BenchmarkExportLatency exports scale:500 through 20 ms of simulated latency
// at several concurrencies: wall time per export and requests.
func BenchmarkExportLatency(b *testing.B) {
	for _, conc := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			for b.Loop() {
				sim, c := tenant(b, halosim.Options{Dataset: "scale:500", Seed: 1, Latency: 20 * time.Millisecond}, halo.Config{Concurrency: conc})
				recs, err := export.Fetch(context.Background(), c, export.Options{Concurrency: 2 * conc})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(c.Stats().Requests), "requests")
				b.ReportMetric(float64(countRecords(recs)), "records")
				b.ReportMetric(float64(sim.Stats().ListPages), "listpages")
			}
		})
	}
}

// rateRun exports dataset from a tenant that allows n requests per window,
// with a budget of the same, and returns the requests sent, the wall time
// and the 429s the tenant answered.
func rateRun(t testing.TB, dataset string, n int, window time.Duration) (int, time.Duration, int) {
	sim, c := tenant(t, halosim.Options{Dataset: dataset, Seed: 1, RateLimit: n, RateWindow: window, Latency: 5 * time.Millisecond},
		halo.Config{Rate: halo.Rate{N: n, Window: window}, Concurrency: 4})
	start := time.Now()
	if _, err := export.Fetch(context.Background(), c, export.Options{}); err != nil {
		t.Fatal(err)
	}
	return int(c.Stats().Requests), time.Since(start), sim.Stats().RateLimited
}

// TestExportAtTheRateFloor (issue 12): with a budget equal to the server's
// limit, an export takes no more than 1.05 times the floor, requests / rate,
// and meets no 429. The rolling window lets n requests go at once and n more
// each window after, so the least time possible is the window times
// (requests - 1) / n, rounded down; the budget is chosen so that the
// requests just overflow a whole number of windows, where the floor and
// that least time are closest and any time lost per window shows.
func TestExportAtTheRateFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 6 seconds")
	}
	const dataset, window, windows = "scale:8", 2 * time.Second, 3
	// The requests, counted once without a limit: list pages and records.
	sim, c := tenant(t, halosim.Options{Dataset: dataset, Seed: 1}, halo.Config{})
	if _, err := export.Fetch(context.Background(), c, export.Options{}); err != nil {
		t.Fatal(err)
	}
	requests := sim.Stats().ListPages + sim.Stats().Details
	n := (requests - 1) / windows // requests = windows*n + a few
	got, wall, limited := rateRun(t, dataset, n, window)
	if got != requests {
		t.Fatalf("%d requests, want %d as without a limit", got, requests)
	}
	floor := time.Duration(float64(requests) / float64(n) * float64(window))
	least := window * time.Duration((requests-1)/n)
	t.Logf("%d requests at %d/%s: %s; floor (requests / rate) %s: %.3fx; least possible %s: %.3fx",
		requests, n, window, wall.Round(time.Millisecond), floor.Round(time.Millisecond), wall.Seconds()/floor.Seconds(), least, wall.Seconds()/least.Seconds())
	if limited != 0 {
		t.Errorf("the tenant answered 429 %d times; a budget equal to its limit must never trip it", limited)
	}
	if ratio := wall.Seconds() / floor.Seconds(); ratio > 1.05 {
		t.Errorf("%d requests took %s, %.3fx the floor of %s (requests / rate); want at most 1.05x", requests, wall.Round(time.Millisecond), ratio, floor.Round(time.Millisecond))
	}
}

// BenchmarkExportRateFloor exports from a tenant that allows 200 requests a
// second with a budget of the same, and reports the wall time as a ratio to
// the floor, requests / rate, and to the least time the rolling window
// allows, the window times (requests - 1) / 200 rounded down. The window is
// long against the request's own time, as Halo's 5 minutes are.
func BenchmarkExportRateFloor(b *testing.B) {
	const n, window = 200, time.Second
	for b.Loop() {
		req, wall, limited := rateRun(b, "scale:200", n, window)
		b.ReportMetric(wall.Seconds()/(float64(req)/n*window.Seconds()), "x-floor")
		b.ReportMetric(wall.Seconds()/(window*time.Duration((req-1)/n)).Seconds(), "x-least")
		b.ReportMetric(float64(req), "requests")
		b.ReportMetric(float64(limited), "429s")
	}
}

// A record deleted between the list and its detail request is left out and
// reported; the rest of the export goes on.
func TestExportRecordDeletedMidway(t *testing.T) {
	sim, err := halosim.New(halosim.Options{Dataset: "demo", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	gone := sim.Records("status")[0]
	path := "/api/Status/" + gone.ID()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	id, secret, _ := sim.Credentials()
	c, err := halo.New(halo.Config{URL: srv.URL, ClientID: id, ClientSecret: secret, Rate: halo.Unlimited})
	if err != nil {
		t.Fatal(err)
	}
	var reported []string
	recs, err := export.Fetch(context.Background(), c, export.Options{Gone: func(kind, id string) {
		reported = append(reported, kind+" "+id)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"status " + gone.ID()}; fmt.Sprint(reported) != fmt.Sprint(want) {
		t.Errorf("reported gone: %v, want %v", reported, want)
	}
	statuses := sim.Records("status")[1:]
	if !snapshot.Equal(recs["status"], statuses) {
		t.Errorf("statuses: got %d records, want the %d still there", len(recs["status"]), len(statuses))
	}
}
