package catalog

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestDerived(t *testing.T) {
	tests := []struct {
		kind, path string
		want       bool
	}{
		{"status", "colour", false},
		{"status", "id", false}, // identity, not derived
		{"status", "name", false},
		{"status", "guid", true},
		{"status", "_warning", true},
		{"status", "_canupdate", true},
		{"status", "ticket_count", true},
		{"template", "rule_count", true},
		{"status", "tickettypes[].label", true},  // a KeyPair2 label
		{"status", "tickettypes.label", true},    // brackets may be left out
		{"status", "tickettypes[].value", false}, // the reference itself
		{"outcome", "workflow_name", true},
		{"outcome", "newstatus_guid", true},
		{"outcome", "newstatus", false},
		{"tickettype", "allowed_status[].ticketype_id", true}, // owner back-reference
		{"tickettype", "allowed_status[].id", true},           // row id
		{"tickettype", "allowed_status[].status_id", false},
		{"tickettype", "allowed_status[].seq", false},
		{"template", "lastcreated", true},
		{"template", "nextcreationdate", true},
		{"status", "lastcreated", false}, // only a template's
		{"workflow", "steps[].fdid", true},
		{"workflow", "always_allow_actions[].id", false}, // a reference named id
		{"customfield", "values[].id", true},             // rows other records point at
		{"customfield", "values[].name", false},
	}
	for _, tt := range tests {
		k := MustLookup(tt.kind)
		if got := k.Derived(tt.path); got != tt.want {
			t.Errorf("%s %s: Derived = %v, want %v", tt.kind, tt.path, got, tt.want)
		}
	}
}

// TestNoReferenceIsDerived: a reference is compared, whatever its name.
func TestNoReferenceIsDerived(t *testing.T) {
	for _, k := range Kinds() {
		for _, r := range k.Refs {
			if !r.Owner && k.Derived(r.Field) {
				t.Errorf("%s: the reference %s is Derived: imports and diff would not compare it", k.Name, r.Field)
			}
			if r.Owner && !k.Derived(r.Field) {
				t.Errorf("%s: the owner back-reference %s is not Derived", k.Name, r.Field)
			}
		}
	}
}

func TestStripDerived(t *testing.T) {
	var rec map[string]any
	if err := json.Unmarshal([]byte(`{"id": 7, "guid": "g", "name": "Problem", "_warning": "x", "ticket_count": 3,
		"allowed_status": [{"id": 1, "ticketype_id": 7, "status_id": 4, "status_guid": "s", "seq": 2}],
		"config": {"nested_count": 1, "_flag": true, "keep": 1}}`), &rec); err != nil {
		t.Fatal(err)
	}
	MustLookup("tickettype").StripDerived(rec)
	got, _ := json.Marshal(rec)
	want := `{"allowed_status":[{"seq":2,"status_id":4}],"config":{"keep":1},"id":7,"name":"Problem"}`
	if string(got) != want {
		t.Errorf("StripDerived:\n got %s\nwant %s", got, want)
	}
}

func TestStripRowIDs(t *testing.T) {
	var rec map[string]any
	if err := json.Unmarshal([]byte(`{"id": 7, "guid": "g", "_warning": "x",
		"allowed_status": [{"id": 1, "ticketype_id": 7, "status_id": 4, "status_guid": "s", "sla_guid": "x", "seq": 2}]}`), &rec); err != nil {
		t.Fatal(err)
	}
	MustLookup("tickettype").StripRowIDs(rec)
	got, _ := json.Marshal(rec)
	// What is sent: the row's id and a guid no reference explains go; the
	// reference, its partners and the owner back-reference stay.
	want := `{"_warning":"x","allowed_status":[{"seq":2,"status_guid":"s","status_id":4,"ticketype_id":7}],"guid":"g","id":7}`
	if string(got) != want {
		t.Errorf("StripRowIDs:\n got %s\nwant %s", got, want)
	}
}

// Fields that looked like external references to rows and are none (read
// from Halo's schemas: keys beside entity, numbers within a record, owners
// of criteria rows in other records) are no Ref and are listed for probe.
func TestRowFieldsThatAreNoReference(t *testing.T) {
	unverified := map[string]bool{}
	for _, n := range UnverifiedNotRefs() {
		unverified[n.Key] = true
	}
	for _, tt := range []struct{ kind, field, key string }{
		{"workflow", "steps[].translations[].entity_id2", "LanguagePackTranslationsCustom.entity_id2"},
		{"status", "translations[].entity_id2", "LanguagePackTranslationsCustom.entity_id2"},
		{"workflow", "steps[].step_conditions[].flowsubdetails_criteria_id", "AutoassignCriteria.flowsubdetails_criteria_id"},
		{"ticketrule", "criteria[].qualification_criteria_id", "AutoassignCriteria.qualification_criteria_id"},
		{"template", "automationcriteria[].qualification_criteria_id", "AutoassignCriteria.qualification_criteria_id"},
		{"workflow", "stages[].outcome_step", "FlowStages.outcome_step"},
		{"template", "creation_rules[].group_id", "StdRequestRule.group_id"},
	} {
		k := MustLookup(tt.kind)
		if i := slices.IndexFunc(k.Refs, func(r Ref) bool { return r.Field == tt.field }); i >= 0 {
			t.Errorf("%s %s: a Ref (%+v), want no reference", tt.kind, tt.field, k.Refs[i])
		}
		if !unverified[tt.key] {
			t.Errorf("%s %s: %s is not among the unverified no-references", tt.kind, tt.field, tt.key)
		}
	}
}
