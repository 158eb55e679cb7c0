package importer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// TestLostAnswersRecoveredInOneRun: with a fraction of the write answers
// lost (the server applied the write, the connection dropped before the
// answer), one run completes the import: each lost answer is resolved by
// reading the target, nothing is written twice, and the target ends as a
// clean import leaves it.
func TestLostAnswersRecoveredInOneRun(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	for _, target := range []string{"demo-target", "empty"} {
		clean := startSim(t, target, 1)
		if _, _, err := importInto(context.Background(), snap, clean, keep, nil); err != nil {
			t.Fatal(err)
		}
		want, cleanWrites := neutralState(clean), clean.tenant.Stats().Writes
		for _, rate := range []float64{0.05, 0.3} {
			t.Run(fmt.Sprintf("%s %.0f%%", target, rate*100), func(t *testing.T) {
				t.Parallel()
				dst := startSimWith(t, halosim.Options{Dataset: target, Seed: 1, LostAnswers: rate, FaultSeed: 2})
				ledger, err := OpenLedger(filepath.Join(t.TempDir(), "ledger.json"), dst.client.BaseURL())
				if err != nil {
					t.Fatal(err)
				}
				runs, lost := 0, 0
				var first error
				for runs < 100 {
					runs++
					_, done, err := importInto(context.Background(), snap, dst, keep, ledger)
					lost += done.Lost
					if err == nil {
						break
					}
					if first == nil {
						first = err
					}
					if ledger, err = OpenLedger(ledger.Path(), dst.client.BaseURL()); err != nil {
						t.Fatal(err)
					}
				}
				st := dst.tenant.Stats()
				t.Logf("%s at %.0f%% lost answers: %d run(s), %d writes applied (a clean import: %d), %d answers lost, %d recovered in the run",
					target, rate*100, runs, st.Writes, cleanWrites, st.LostAnswers, lost)
				if runs != 1 {
					t.Errorf("%d runs needed, want 1; the first stopped on: %v", runs, first)
				}
				if st.LostAnswers == 0 {
					t.Fatalf("no answer was lost: the test does not exercise recovery")
				}
				if lost != st.LostAnswers {
					t.Errorf("the import counted %d lost answers, the server dropped %d", lost, st.LostAnswers)
				}
				if st.Writes != cleanWrites {
					t.Errorf("%d writes applied, a clean import applies %d", st.Writes, cleanWrites)
				}
				if got := neutralState(dst); !equalStates(got, want) {
					for _, d := range stateDiff(want, got) {
						t.Error(d)
					}
				}
				verifyImported(t, snap, dst)
				noRepeatedGUIDs(t, dst)
			})
		}
	}
}

// noRepeatedGUIDs fails when two records of a kind share a guid.
func noRepeatedGUIDs(t *testing.T, s *sim) {
	t.Helper()
	for kind, recs := range s.tenant.AllRecords() {
		seen := map[string]string{}
		for _, r := range recs {
			g := snapshot.Scalar(r["guid"])
			if g == "" {
				continue
			}
			if other, dup := seen[g]; dup {
				t.Errorf("%s %s and %s share the guid %s", kind, other, r.ID(), g)
			}
			seen[g] = r.ID()
		}
	}
}

// TestLostAnswerNotAppliedIsResent: a write that fails in a way the client
// cannot tell from a lost answer (a 502, a connection dropped before the
// server applied anything) is found not applied and sent again; a write
// that keeps failing is sent maxSends times, and the next run finishes.
func TestLostAnswerNotAppliedIsResent(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	ref := startSim(t, "demo-target", 1)
	if _, _, err := importInto(context.Background(), snap, ref, keep, nil); err != nil {
		t.Fatal(err)
	}
	want, total := neutralState(ref), ref.tenant.Stats().Writes
	tests := []struct {
		name       string
		fail       map[int]bool // POSTs (1-based) that fail before reaching the tenant
		lost, sent int
		err        string
	}{
		{name: "resent", fail: map[int]bool{3: true, 7: true, 20: true, 21: true}, lost: 4, sent: 4},
		{name: "bounded", fail: map[int]bool{5: true, 6: true, 7: true, 8: true, 9: true}, lost: maxSends, sent: maxSends - 1,
			err: "5 answers lost in a row; the target shows it not applied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tenant, err := halosim.New(halosim.Options{Dataset: "demo-target", Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			posts := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/") {
					mu.Lock()
					posts++
					n := posts
					mu.Unlock()
					if tt.fail[n] {
						if n%2 == 0 {
							w.WriteHeader(http.StatusBadGateway)
						} else if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
							conn.Close()
						}
						return
					}
				}
				tenant.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			dst := &sim{tenant: tenant, client: clientOf(t, tenant, srv.URL), url: srv.URL}
			_, done, err := importInto(context.Background(), snap, dst, keep, nil)
			if done.Lost != tt.lost || done.Resent != tt.sent {
				t.Errorf("%d answers lost, %d writes sent again; want %d, %d", done.Lost, done.Resent, tt.lost, tt.sent)
			}
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if w := tenant.Stats().Writes; w != total {
					t.Errorf("%d writes applied, want %d", w, total)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to say %q", err, tt.err)
				}
				tt.fail = nil // the next run
				if _, _, err := importInto(context.Background(), snap, dst, keep, nil); err != nil {
					t.Fatalf("rerun: %v", err)
				}
			}
			if got := neutralState(dst); !equalStates(got, want) {
				for _, d := range stateDiff(want, got) {
					t.Error(d)
				}
			}
		})
	}
}
