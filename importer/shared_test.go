package importer

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// TestDuplicateNamesInTheSource: two outcomes named "Close Ticket" (one
// hidden, each with its own newstatus), as real tenants have them, do not
// block an import. Into a tenant without the name both are created; into
// one that holds one of them (under another guid), that one pairs with the
// source record its other fields match best and the other is created; a
// rerun, with or without the ledger, writes nothing.
func TestDuplicateNamesInTheSource(t *testing.T) {
	ctx := context.Background()
	snap := exportSim(t, startSim(t, "demo", 1))
	find := func(key string) snapshot.Record {
		for _, r := range snap.Records["outcome"] {
			if r["outcome"] == key {
				return r
			}
		}
		t.Fatalf("no outcome %q", key)
		return nil
	}
	visible, hidden := find("Close"), find("Cancel") // newstatus Closed and Cancelled
	for _, r := range []snapshot.Record{visible, hidden} {
		r["outcome"], r["buttonname"] = "Close Ticket", "Close Ticket"
	}
	visible["hidden"], hidden["hidden"] = false, true

	tests := []struct {
		name    string
		prepare func(t *testing.T, dst *sim) // the target before the import
		creates []string                     // source outcome ids the import creates; nil: every one
		paired  map[string]string            // source outcome id -> how it is matched
	}{
		{name: "into an empty tenant", prepare: func(*testing.T, *sim) {}},
		{
			name: "into a tenant that holds one of them",
			prepare: func(t *testing.T, dst *sim) {
				// Both imported, then the visible one deleted and the hidden
				// one given a guid of the target's own: only its fields tell.
				p, _, err := importInto(ctx, snap, dst, keep, nil)
				if err != nil {
					t.Fatal(err)
				}
				k := catalog.MustLookup("outcome")
				ids := p.IDs()["outcome"]
				if err := dst.client.Delete(ctx, k, ids[visible.ID()]); err != nil {
					t.Fatal(err)
				}
				if _, err := dst.client.Post(ctx, k, snapshot.Record{"id": json.Number(ids[hidden.ID()]), "guid": "0b6f3e0e-7d52-4c39-9a55-3a3f0c1d2e4f"}); err != nil {
					t.Fatal(err)
				}
			},
			creates: []string{visible.ID()},
			paired:  map[string]string{hidden.ID(): "closest"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := startSim(t, "empty", 1)
			tt.prepare(t, dst)
			ledger, err := OpenLedger(filepath.Join(t.TempDir(), "ledger.json"), dst.client.BaseURL())
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := importInto(ctx, snap, dst, keep, ledger)
			if errors.Is(err, ErrProblems) {
				t.Fatalf("problems: %v", p.Problems)
			}
			if err != nil {
				t.Fatal(err)
			}
			var created []string
			for _, a := range p.Actions {
				if a.Kind != "outcome" {
					continue
				}
				if a.Op == Create {
					created = append(created, a.SourceID)
				}
				if by, ok := tt.paired[a.SourceID]; ok && a.MatchedBy != by {
					t.Errorf("outcome %s (%s) matched by %q, want %q", a.SourceID, a.Key, a.MatchedBy, by)
				}
			}
			if tt.creates == nil {
				for _, r := range snap.Records["outcome"] {
					tt.creates = append(tt.creates, r.ID())
				}
			}
			if !equalSets(created, tt.creates) {
				t.Errorf("created outcomes %v, want %v", created, tt.creates)
			}
			verifyByIDs(t, snap, dst, p.IDs())
			if n := len(dst.tenant.Records("outcome")); n != len(snap.Records["outcome"]) {
				t.Errorf("the target holds %d outcomes, the source %d", n, len(snap.Records["outcome"]))
			}

			// Reruns, with the ledger and without it (by guid), write nothing.
			for _, l := range []*Ledger{ledger, nil} {
				dst.tenant.ResetStats()
				p2, done, err := importInto(ctx, snap, dst, keep, l)
				if err != nil {
					t.Fatalf("rerun (ledger %v): %v %v", l != nil, err, p2.Problems)
				}
				if done.Writes() != 0 || dst.tenant.Stats().Writes != 0 {
					t.Errorf("rerun (ledger %v): %d writes", l != nil, done.Writes())
				}
			}
		})
	}
}

// verifyByIDs checks that every source record's target record (ids: source
// id -> target id per kind) says what the source record says, references
// compared by the natural key of what they point at.
func verifyByIDs(t *testing.T, snap *snapshot.Snapshot, dst *sim, ids mapping.IDs) {
	t.Helper()
	src, tgt, _ := peopleTenants(t, snap, dst)
	for _, k := range catalog.Kinds() {
		for _, s := range snap.Records[k.Name] {
			key, _ := mapping.Key(k, s)
			r := tgt.ByID(k.Name, ids[k.Name][s.ID()])
			if r == nil {
				t.Errorf("%s %s (%s): no target record", k.Name, s.ID(), key)
				continue
			}
			want, got := src.Neutral(k, s), tgt.Neutral(k, r)
			for f, v := range want {
				if !snapshot.Equal(v, got[f]) {
					t.Errorf("%s %s (%s): %s = %s, want %s", k.Name, s.ID(), key, f, clip(snapshot.Canonical(got[f])), clip(snapshot.Canonical(v)))
				}
			}
		}
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}
