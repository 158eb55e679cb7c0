package importer

import (
	"testing"

	"github.com/halocfg/halocfg/halosim"
)

// References the catalog once left external and now places from what
// Halo's API description says of them (inferred, for probe to check): a
// template's updateparent_status_close is a status, a creation rule's
// createonchildclose_id a template, an integration field mapping's fiid a
// custom field (FieldInfo), a lookup code's sub_lookup[] lookup codes. Each is remapped into an empty and
// into an overlapping target; a second run writes nothing.
func TestPlacedReferences(t *testing.T) {
	snap := exportSim(t, startSim(t, "demo", 1))
	fields := []string{
		"template updateparent_status_close",
		"template creation_rules[].createonchildclose_id",
		"outcome azure_input_mappings[].fiid", "outcome azure_output_mappings[].fiid",
		"lookup sub_lookup[].id",
	}
	for _, target := range []string{"empty", "demo-target"} {
		t.Run(target, func(t *testing.T) {
			dst := startSim(t, target, 1)
			importKeep(t, snap, dst)
			rc := checkRefsRemapped(t, snap, dst)
			for _, f := range fields {
				if n, ok := rc.fields[f]; !ok || n == 0 {
					t.Errorf("%s: %d references remapped to another id (present %v), want some: the demo must exercise it", f, n, ok)
				}
			}
			if errs := halosim.CheckReferences(dst.tenant.AllRecords()); len(errs) > 0 {
				t.Errorf("target after the import: %d inconsistencies, first: %v", len(errs), errs[0])
			}
			rerunWritesNothing(t, snap, dst)
		})
	}
}
