package halosim

import (
	"testing"

	"github.com/halocfg/halocfg/catalog"
)

// TestEveryReferenceIsExercised: each internal reference of the catalog
// points somewhere in every dataset, so importer and verify tests remap them
// all; in the scale dataset so do the external ones, which must be mapped,
// cleared or kept.
func TestEveryReferenceIsExercised(t *testing.T) {
	for _, ds := range datasets {
		tn, _ := New(Options{Dataset: ds, Seed: 7})
		chosen, all := map[string]bool{}, map[string]bool{} // targets of references a sibling chooses
		for _, k := range catalog.Kinds() {
			recs := tn.Records(k.Name)
			for _, r := range k.Refs {
				used := map[string]bool{} // targets pointed at
				for _, rec := range recs {
					for _, sl := range r.Slots(rec) {
						if _, none, err := sl.IDText(); err == nil && !none {
							used[sl.Target] = true
						}
					}
				}
				if r.By == "" {
					if !used[r.Target] && (!r.External || ds == "scale:40") {
						t.Errorf("%s: %s %s is never set", ds, k.Name, r.Field)
					}
					continue
				}
				// A reference whose target a sibling chooses points at some
				// kind; all of them together at every kind they may.
				kinds := 0
				for target := range used {
					chosen[target] = true
					if _, isKind := catalog.Lookup(target); isKind {
						kinds++
					}
				}
				if kinds == 0 {
					t.Errorf("%s: %s %s never points at a record of the snapshot", ds, k.Name, r.Field)
				}
				for _, target := range r.Targets() {
					all[target] = true
				}
			}
		}
		for target := range all {
			if _, isKind := catalog.Lookup(target); !chosen[target] && (isKind || ds == "scale:40") {
				t.Errorf("%s: no reference a sibling chooses points at a %s", ds, target)
			}
		}
	}
}
