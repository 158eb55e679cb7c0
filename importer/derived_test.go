package importer

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/diff"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// TestDerivedFieldsAgreeWithDiff imports a snapshot into the tenant it came
// from after changing one field of one record: an import plans an update
// exactly where diff reports a change. Fields Halo derives or numbers by
// itself (catalog Derived) are neither; any other field is both.
func TestDerivedFieldsAgreeWithDiff(t *testing.T) {
	ctx := context.Background()
	s := startSim(t, "demo", 1)
	base := exportSim(t, s)
	row0 := func(field string) func(snapshot.Record) map[string]any {
		return func(r snapshot.Record) map[string]any {
			if rows, _ := r[field].([]any); len(rows) > 0 {
				row, _ := rows[0].(map[string]any)
				return row
			}
			return nil
		}
	}
	top := func(r snapshot.Record) map[string]any { return r }
	tests := []struct {
		name    string
		kind    string
		in      func(snapshot.Record) map[string]any // the object to change
		field   string
		value   any
		changes bool
	}{
		{"a computed flag (_ prefix)", "status", top, "_canupdate", true, false},
		{"a computed warning", "status", top, "_warning", "stale", false},
		{"a usage counter (_count)", "status", top, "ticket_count", json.Number("999"), false},
		{"another usage counter", "status", top, "usage_count", json.Number("7"), false},
		{"a guid of the tenant's own", "status", top, "mailbox_guid", "2b1c0a6e-0000-4000-8000-000000000001", false},
		{"a recurring template's last run", "template", top, "lastcreated", "2020-01-01T00:00:00", false},
		{"a recurring template's next run", "template", top, "nextcreationdate", "2031-01-01T00:00:00", false},
		{"a reference's name partner", "outcome", top, "workflow_name", "Renamed elsewhere", false},
		{"a nested row's id", "tickettype", row0("allowed_status"), "id", json.Number("987654"), false},
		{"an owner back-reference", "tickettype", row0("allowed_status"), "ticketype_id", json.Number("987654"), false},
		{"a KeyPair2 label", "status", row0("tickettypes"), "label", "Renamed elsewhere", false},
		{"a plain field", "status", top, "colour", "#010203", true},
		{"a nested row's own field", "tickettype", row0("allowed_status"), "seq", json.Number("4242"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := cloneSnapshot(base)
			rec := firstWith(t, snap, tt.kind, tt.in)
			key := keyOf(t, tt.kind, rec)
			tt.in(rec)[tt.field] = tt.value

			opt := keep
			opt.AllowSameTenant = true
			opt.TargetURL = s.client.BaseURL()
			p, err := NewPlan(ctx, snap, s.client, opt)
			if err != nil {
				t.Fatal(err)
			}
			var planned []string
			for _, a := range p.Actions {
				if a.Op != Unchanged {
					planned = append(planned, a.Kind+" "+a.Key+" "+string(a.Op))
				}
			}
			updated := len(planned) == 1 && planned[0] == tt.kind+" "+key+" update"
			if len(planned) > 1 || len(planned) == 1 && !updated {
				t.Fatalf("the plan changes %v, want at most an update of %s %q", planned, tt.kind, key)
			}
			dr, err := diff.Compare(snap.Records, s.tenant.AllRecords())
			if err != nil {
				t.Fatal(err)
			}
			var changed []string
			for _, c := range dr.Changes {
				changed = append(changed, c.Kind+" "+c.Key+" "+string(c.Op))
			}
			differs := len(changed) == 1 && changed[0] == tt.kind+" "+key+" changed"
			if len(changed) > 1 || len(changed) == 1 && !differs {
				t.Fatalf("diff reports %v, want at most a change of %s %q", changed, tt.kind, key)
			}
			if updated != tt.changes || differs != tt.changes {
				t.Errorf("%s.%s: the import plans an update: %v; diff reports a change: %v; want %v for both",
					tt.kind, tt.field, updated, differs, tt.changes)
			}
		})
	}
}

// firstWith returns the first record of a kind in snap for which in finds
// the object to change (a record without the nested row is skipped).
func firstWith(t *testing.T, snap *snapshot.Snapshot, kind string, in func(snapshot.Record) map[string]any) snapshot.Record {
	t.Helper()
	for _, r := range snap.Records[kind] {
		if in(r) != nil {
			return r
		}
	}
	t.Fatalf("no %s record has the field to change", kind)
	return nil
}

func keyOf(t *testing.T, kind string, rec snapshot.Record) string {
	t.Helper()
	k := catalog.MustLookup(kind)
	key, ok := mapping.Key(k, rec)
	if !ok {
		t.Fatalf("%s %s has no natural key", kind, rec.ID())
	}
	return key
}
