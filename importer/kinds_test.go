package importer

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// newKinds are the kinds added with issue 10.
var newKinds = []string{"workday", "lookup", "todogroup", "cannedtext", "tickettab", "customfield", "fieldgroup", "approvalprocess", "ticketrule"}

// refCheck counts, per target kind, the references checked in the target
// and those that now hold another id than in the source.
type refCheck struct {
	checked, moved map[string]int
	fields         map[string]int // "kind field" -> references checked that got another id
}

// checkRefsRemapped walks every internal reference of every source record
// and of its target record (paired by natural key): both must point at
// records (or rows, a field's values) with the same natural keys.
func checkRefsRemapped(t *testing.T, snap *snapshot.Snapshot, dst *sim) refCheck {
	t.Helper()
	src, tgt := mapping.NewTenant(snap.Records), mapping.NewTenant(dst.tenant.AllRecords())
	rc := refCheck{checked: map[string]int{}, moved: map[string]int{}, fields: map[string]int{}}
	for _, k := range catalog.Kinds() {
		for _, s := range snap.Records[k.Name] {
			key, _ := mapping.Key(k, s)
			ts := tgt.ByKey(k.Name, key)
			if len(ts) != 1 {
				t.Errorf("%s %q: %d target records", k.Name, key, len(ts))
				continue
			}
			at := map[string]catalog.Slot{}
			for _, sl := range k.SlotsAt(ts[0]) {
				at[sl.At] = sl
			}
			for _, sl := range k.SlotsAt(s) {
				if sl.External || sl.Ref.Owner {
					continue
				}
				text, none, err := sl.IDText()
				if err != nil || none {
					continue
				}
				tsl, ok := at[sl.At]
				if !ok {
					t.Errorf("%s %q: %s is not in the target record", k.Name, key, sl.At)
					continue
				}
				want, got := src.SlotKey(sl), tgt.SlotKey(tsl)
				if want != got {
					t.Errorf("%s %q: %s points at %s in the target, want %s", k.Name, key, sl.At, got, want)
					continue
				}
				what := sl.Target
				if sl.Ref.Row != "" {
					what += "." + sl.Ref.Row
				}
				rc.checked[what]++
				rc.fields[k.Name+" "+sl.Ref.Field] += 0
				if ttext, _, _ := tsl.IDText(); ttext != text {
					rc.moved[what]++
					rc.fields[k.Name+" "+sl.Ref.Field]++
				}
			}
		}
	}
	return rc
}

// Every new kind goes into an empty tenant and into one that shares part of
// its configuration under other ids; every reference to and from the new
// kinds, a custom field's values included, points at the target's records
// with the same natural keys; a second run writes nothing.
func TestNewKindsImported(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	for _, target := range []string{"empty", "demo-target"} {
		t.Run(target, func(t *testing.T) {
			dst := startSim(t, target, 1)
			p, done, err := importInto(context.Background(), snap, dst, keep, nil)
			skipIfSimZeroIDs(t, err)
			if err != nil {
				t.Fatal(err)
			}
			verifyImported(t, snap, dst)
			rc := checkRefsRemapped(t, snap, dst)

			written := map[string]int{}
			for _, a := range p.Actions {
				if a.Op == Create || a.Op == Update {
					written[a.Kind]++
				}
			}
			for _, kind := range newKinds {
				if len(snap.Records[kind]) == 0 || written[kind] == 0 {
					t.Errorf("%s: %d records in the snapshot, %d written", kind, len(snap.Records[kind]), written[kind])
				}
				if !referenced(kind) {
					continue // canned text: nothing points at it
				}
				if rc.checked[kind] == 0 {
					t.Errorf("no reference to a %s was checked", kind)
				}
				if target == "demo-target" && rc.moved[kind] == 0 {
					t.Errorf("no reference to a %s got another id: the demo must exercise the remapping", kind)
				}
				from := 0
				for f := range rc.fields {
					if len(f) > len(kind) && f[:len(kind)+1] == kind+" " {
						from++
					}
				}
				if kind != "todogroup" && kind != "lookup" && kind != "workday" && kind != "cannedtext" && from == 0 {
					t.Errorf("no reference held by a %s was checked", kind)
				}
			}
			// References the catalog missed before: criteria values by their
			// field name (three levels down in a workflow's actions), text
			// lists of ids, charge rates.
			for _, f := range []string{
				"workflow steps[].actions[].conditions[].value_int", "workflow steps[].actions[].conditions_exec[].value_int",
				"workflow steps[].step_conditions[].value_int", "workflow steps[].actions[].conditions[].stdid",
				"template automationcriteria[].value_int", "ticketrule criteria[].value_int", "ticketrule outcomes[].value_int",
				"approvalprocess steps[].rules[].criteria[].value_int",
				"tickettype kanbanstatuschoice_list", "ticketarea kanbanstatuschoice_list",
				"outcome chargerate", "outcome travelrate", "category chargerate", "tickettype chargerate",
			} {
				if n, ok := rc.fields[f]; !ok || (target == "demo-target" && n == 0) {
					t.Errorf("%s: checked %v, %d to another id: the demo must exercise it", f, ok, n)
				}
			}
			if rc.checked["customfield.values"] == 0 || (target == "demo-target" && rc.moved["customfield.values"] == 0) {
				t.Errorf("custom field values: %d references checked, %d to another id", rc.checked["customfield.values"], rc.moved["customfield.values"])
			}
			var kinds []string
			for k, n := range rc.checked {
				kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, rc.moved[k], n))
			}
			sort.Strings(kinds)
			t.Logf("demo -> %s: %d writes; references moved/checked: %v", target, done.Writes(), kinds)

			dst.tenant.ResetStats()
			p2, done2, err := importInto(context.Background(), snap, dst, keep, nil)
			if err != nil || done2.Writes() != 0 || dst.tenant.Stats().Writes != 0 {
				t.Errorf("second run: %v, plan %+v, %d writes", err, p2.Summary, dst.tenant.Stats().Writes)
				for _, a := range p2.Actions {
					if a.Op != Unchanged {
						t.Logf("  %s %s %s %v", a.Op, a.Kind, a.Key, a.Fields)
					}
				}
			}
		})
	}
}

// referenced reports whether a reference of the catalog may point at kind.
func referenced(kind string) bool {
	for _, k := range catalog.Kinds() {
		for _, r := range k.Refs {
			if !r.Owner && slices.Contains(r.Kinds(), kind) {
				return true
			}
		}
	}
	return false
}

// The new kinds are exported as the tenant holds them, hidden and inactive
// records included (halosim lists those only with the kind's ListQuery).
func TestNewKindsExported(t *testing.T) {
	s := startSim(t, "demo", 1)
	snap := exportSim(t, s)
	for _, kind := range newKinds {
		want := s.tenant.Records(kind)
		if got := snap.Records[kind]; len(want) == 0 || !slices.EqualFunc(got, want, func(a, b snapshot.Record) bool { return snapshot.Equal(a, b) }) {
			t.Errorf("%s: exported %d records, the tenant holds %d (or they differ)", kind, len(got), len(want))
		}
	}
	if inactive := snap.Records["lookup"][4]; inactive["name"] != "Legacy Rate" || inactive["inactive"] != true {
		t.Errorf("the inactive charge rate is missing: %v %v", inactive["name"], inactive["inactive"])
	}
}
