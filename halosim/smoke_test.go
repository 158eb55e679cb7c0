package halosim

import (
	"testing"

	"github.com/halocfg/halocfg/catalog"
)

func TestSmoke(t *testing.T) {
	for _, ds := range []string{"demo", "demo-target", "scale:30"} {
		tn, err := New(Options{Dataset: ds, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		all := tn.AllRecords()
		for _, e := range CheckReferences(all) {
			t.Error(ds, e)
		}
		for _, e := range CheckNaturalKeys(all) {
			t.Error(ds, e)
		}
		for _, k := range catalog.Kinds() {
			for _, r := range all[k.Name] {
				if err := tn.validate(k, r); err != nil {
					t.Error(ds, k.Name, r.ID(), err)
				}
			}
		}
	}
}
