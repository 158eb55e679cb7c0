package importer

import (
	"context"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// Back-references to the row that holds them (Ref.OwnerRow: a workflow
// step's translations[].entity_id, a custom field value's access_control[].
// entity_id, an approval rule's approval_process_step_id) are Halo's: an
// import sends none, the target sets each to the id it gives the row, and
// no external problem is raised for them. Into an empty target and into one
// that shares records under other ids; a second run writes nothing.
func TestRowBackReferences(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	inSource := rowOwnerValues(snap.Records)
	for _, f := range []string{
		"workflow steps[].translations[].entity_id", "workflow steps[].actions[].translations[].entity_id",
		"workflow stages[].translations[].entity_id", "workflow steps[].actions[].conditions[].flowsubdetails_criteria_id",
		"customfield values[].access_control[].entity_id", "customfield values[].translations[].entity_id",
		"tickettype fields[].translations[].entity_id", "approvalprocess steps[].fields[].rtid",
		"approvalprocess steps[].rules[].approval_process_step_id", "template todo_list[].allowed_clients[].todo_id",
	} {
		if inSource[f] == 0 {
			t.Errorf("%s: the demo holds none: the test does not exercise it", f)
		}
	}
	for _, target := range []string{"empty", "demo-target"} {
		t.Run(target, func(t *testing.T) {
			dst := startSim(t, target, 1)
			pf, err := NewPlan(context.Background(), snap, dst.client, Options{External: mapping.ExternalFail, TargetURL: dst.client.BaseURL()})
			if err != nil {
				t.Fatal(err)
			}
			owners := map[string]bool{}
			for _, r := range rowOwnerRefs() {
				owners[r.Field] = true
			}
			for _, pr := range pf.Problems {
				if pr.External != "" && owners[pr.Field] {
					t.Errorf("external problem for a row back-reference: %s %s: %s", pr.Kind, pr.Field, pr.Msg)
				}
			}
			_, _, err = importInto(context.Background(), snap, dst, keep, nil)
			skipIfSimZeroIDs(t, err)
			if err != nil {
				t.Fatal(err)
			}
			all := dst.tenant.AllRecords()
			if errs := halosim.CheckReferences(all); len(errs) > 0 {
				t.Errorf("target after the import: %d inconsistencies, first: %v", len(errs), errs[0])
			}
			got := rowOwnerValues(all)
			for f, n := range inSource {
				if got[f] < n {
					t.Errorf("%s: %d back-references set to their row's id in the target, want at least the source's %d", f, got[f], n)
				}
			}
			dst.tenant.ResetStats()
			p2, done2, err := importInto(context.Background(), snap, dst, keep, nil)
			if err != nil || done2.Writes() != 0 || dst.tenant.Stats().Writes != 0 {
				t.Errorf("second run: %v, plan %+v, %d writes", err, p2.Summary, dst.tenant.Stats().Writes)
			}
		})
	}
}

// rowOwnerRefs are the catalog's back-references to rows, every kind's.
func rowOwnerRefs() []catalog.Ref {
	var out []catalog.Ref
	for _, k := range catalog.Kinds() {
		for _, r := range k.Refs {
			if r.OwnerRow != "" {
				out = append(out, r)
			}
		}
	}
	return out
}

// rowOwnerValues counts, per "kind field", the back-references to rows in
// recs that hold the (nonzero) id of the row that holds them.
func rowOwnerValues(recs map[string][]snapshot.Record) map[string]int {
	out := map[string]int{}
	for _, k := range catalog.Kinds() {
		for _, r := range k.Refs {
			if r.OwnerRow == "" {
				continue
			}
			idf := k.RowIDField(r.OwnerRow)
			for _, rec := range recs[k.Name] {
				hs, leaf := r.RowHolders(rec)
				for _, h := range hs {
					text, none, err := r.IDText(h.Holder[leaf])
					if err == nil && !none && text == snapshot.Scalar(h.Row[idf]) {
						out[k.Name+" "+r.Field]++
					}
				}
			}
		}
	}
	return out
}
