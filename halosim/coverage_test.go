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
		for _, k := range catalog.Kinds() {
			recs := tn.Records(k.Name)
			for _, r := range k.Refs {
				used := false
				for _, rec := range recs {
					hs, leaf := r.Holders(rec)
					for _, h := range hs {
						if arr, ok := h[leaf].([]any); ok { // fieldidlist: an array of ids
							used = used || len(arr) > 0
						} else if _, none, err := r.IDText(h[leaf]); err == nil && !none {
							used = true
						}
					}
				}
				if !used && (!r.External || ds == "scale:40") {
					t.Errorf("%s: %s %s is never set", ds, k.Name, r.Field)
				}
			}
		}
	}
}
