package importer

import (
	"fmt"
	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// SameTenant reports whether two base URLs name one tenant, as the client
// tells servers apart (halo.SameTenant): normalised hosts, not strings.
func SameTenant(a, b string) bool { return halo.SameTenant(a, b) }

// checkRecords checks the records of a kind before anything is written:
// every record has an id, no id (nor priority's priorityid) repeats, and
// when typed is set every field the schema knows has its JSON type, at
// every depth, as a strict API would demand.
func checkRecords(k *catalog.Kind, recs []snapshot.Record, typed bool) []snapshot.Problem {
	var probs []snapshot.Problem
	bad := func(rec snapshot.Record, field, format string, a ...any) {
		key, _ := mapping.Key(k, rec)
		probs = append(probs, snapshot.Problem{Kind: k.Name, ID: rec.ID(), Key: key, Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	ids := map[string]bool{}
	refs := map[string]bool{}
	for i, rec := range recs {
		id := rec.ID()
		if id == "" {
			bad(rec, "id", "record %d has no id", i+1)
			continue
		}
		if ids[id] {
			bad(rec, "id", "the id appears twice")
		}
		ids[id] = true
		if k.RefField != "id" {
			ref := snapshot.Scalar(rec[k.RefField])
			switch {
			case ref == "":
				bad(rec, k.RefField, "missing: references to a %s use it", k.Name)
			case refs[ref]:
				bad(rec, k.RefField, "%s appears twice", ref)
			}
			refs[ref] = true
		}
		if typed {
			for _, msg := range catalog.CheckTypes(k.Schema, rec) {
				bad(rec, "", "%s", msg)
			}
		}
	}
	return probs
}
