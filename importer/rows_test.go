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
			importKeep(t, snap, dst)
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
			rerunWritesNothing(t, snap, dst)
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

// References to rows of the record itself (a template milestone's
// dependencies, a workflow target's stages) and to stages of the workflow
// a ticket rule's OLA names are paired by the rows' names: a created record
// goes without them and is patched once the target numbered its rows; an
// updated one points at the target's rows at once. Read back, each points
// at the target's row with the source row's name; a second run writes nothing.
func TestOwnRowReferences(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	fields := []string{
		"template milestones[].dependencies[].parent", "template milestones[].dependencies[].child",
		"workflow targets[].start_stage_id", "workflow targets[].end_stage_id",
		"ticketrule olas[].start_stage_id", "ticketrule olas[].end_stage_id",
	}
	for _, target := range []string{"empty", "demo-target"} {
		t.Run(target, func(t *testing.T) {
			dst := startSim(t, target, 1)
			p, done := importKeep(t, snap, dst)
			rc := checkRefsRemapped(t, snap, dst)
			moved := 0
			for _, f := range fields {
				n, ok := rc.fields[f]
				if !ok {
					t.Errorf("%s: the demo holds none: the test does not exercise it", f)
				}
				moved += n
			}
			if moved == 0 {
				t.Errorf("no reference to a row got another id: the demo must exercise the remapping")
			}
			if target == "empty" && done.Patch == 0 {
				t.Errorf("into an empty target: %d patches, want the created templates' and workflows' rows patched", done.Patch)
			}
			if errs := halosim.CheckReferences(dst.tenant.AllRecords()); len(errs) > 0 {
				t.Errorf("target after the import: %d inconsistencies, first: %v", len(errs), errs[0])
			}
			t.Logf("demo -> %s: %d writes (%d patches), %d row references to another id", target, p.Summary.Writes(), done.Patch, moved)
			rerunWritesNothing(t, snap, dst)
		})
	}
}

// importKeep imports snap into dst at --external keep, skipping the test
// where the simulator hands out no usable ids.
func importKeep(t *testing.T, snap *snapshot.Snapshot, dst *sim) (*Plan, Summary) {
	t.Helper()
	p, done, err := importInto(context.Background(), snap, dst, keep, nil)
	skipIfSimZeroIDs(t, err)
	if err != nil {
		t.Fatal(err)
	}
	return p, done
}

// rerunWritesNothing imports snap into dst again: nothing may be written.
func rerunWritesNothing(t *testing.T, snap *snapshot.Snapshot, dst *sim) {
	t.Helper()
	dst.tenant.ResetStats()
	p, done, err := importInto(context.Background(), snap, dst, keep, nil)
	if err != nil || done.Writes() != 0 || dst.tenant.Stats().Writes != 0 {
		t.Errorf("second run: %v, plan %+v, %d writes", err, p.Summary, dst.tenant.Stats().Writes)
	}
}

// An update that adds a row to a record and a reference to it from another
// row of the same record (a new milestone that an existing one depends on)
// sets the reference once the target numbered the row: one patch after the
// update. A second run writes nothing.
func TestOwnRowAddedByAnUpdate(t *testing.T) {
	snap := cloneSnapshot(exportSim(t, startSim(t, "demo", 1)))
	dst := startSim(t, "demo-target", 1)
	tk := catalog.MustLookup("template")
	tgt := mapping.NewTenant(dst.tenant.AllRecords())
	var rec snapshot.Record
	for _, r := range snap.Records["template"] {
		key, _ := mapping.Key(tk, r)
		if ms, _ := r["milestones"].([]any); len(ms) > 0 && len(tgt.ByKey("template", key)) == 1 {
			rec = r
			break
		}
	}
	if rec == nil {
		t.Fatal("no template with milestones in both tenants: the test does not exercise an update")
	}
	key, _ := mapping.Key(tk, rec)
	ms := rec["milestones"].([]any)
	first := ms[0].(map[string]any)
	extra := map[string]any{}
	for f, v := range first {
		extra[f] = v
	}
	extra["id"], extra["name"], extra["dependencies"] = snapshotNumber(99001), "Extra", []any{}
	first["dependencies"] = append(first["dependencies"].([]any), map[string]any{"id": snapshotNumber(99002),
		"parent": snapshotNumber(99001), "child": first["id"], "parent_name": "Extra"})
	rec["milestones"] = append(ms, extra)

	_, done := importKeep(t, snap, dst)
	if done.Patch == 0 {
		t.Errorf("%d patches, want the updated template %q patched once its new milestone has an id", done.Patch, key)
	}
	got := mapping.NewTenant(dst.tenant.AllRecords()).ByKey("template", key)[0]
	trow := tk.RowByKey(got, "milestones", "Extra")
	if trow == nil {
		t.Fatalf("template %q: no milestone Extra in the target", key)
	}
	found := false
	for _, m := range got["milestones"].([]any) {
		for _, d := range m.(map[string]any)["dependencies"].([]any) {
			if snapshot.Same(d.(map[string]any)["parent"], trow["id"]) {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("template %q: no dependency points at the target's milestone Extra (id %v)", key, trow["id"])
	}
	rerunWritesNothing(t, snap, dst)
}
