package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestHolders(t *testing.T) {
	el1, el2 := map[string]any{"value": "1"}, map[string]any{"value": "2"}
	obj := map[string]any{"value": "3"}
	rec := map[string]any{
		"newstatus":          7,
		"tickettypes":        []any{el1, "not an object", el2},
		"soc_default_target": obj,
		"steps":              []any{map[string]any{"actions": []any{map[string]any{"id": 1}}}},
	}
	cases := []struct {
		field string
		want  []map[string]any
		leaf  string
	}{
		{"newstatus", []map[string]any{rec}, "newstatus"},
		{"tickettypes[].value", []map[string]any{el1, el2}, "value"},
		{"soc_default_target.value", []map[string]any{obj}, "value"},
		{"steps[].actions[].id", []map[string]any{{"id": 1}}, "id"},
		{"missing[].id", nil, "id"},
	}
	for _, tc := range cases {
		hs, leaf := Ref{Field: tc.field}.Holders(rec)
		if leaf != tc.leaf || !reflect.DeepEqual(hs, tc.want) {
			t.Errorf("%s: %v %q, want %v %q", tc.field, hs, leaf, tc.want, tc.leaf)
		}
		if l := Leaf(tc.field); l != tc.leaf {
			t.Errorf("Leaf(%s) = %q, want %q", tc.field, l, tc.leaf)
		}
	}
}

func TestHoldersAt(t *testing.T) {
	rec := map[string]any{
		"newstatus":          7,
		"tickettypes":        []any{map[string]any{"value": "1"}, "not an object", map[string]any{"value": "2"}},
		"soc_default_target": map[string]any{"value": "3"},
		"steps":              []any{map[string]any{}, map[string]any{"actions": []any{map[string]any{"id": 1}, map[string]any{"id": 2}}}},
	}
	cases := []struct {
		field string
		at    []string
	}{
		{"newstatus", []string{"newstatus"}},
		{"tickettypes[].value", []string{"tickettypes[0].value", "tickettypes[2].value"}},
		{"soc_default_target.value", []string{"soc_default_target.value"}},
		{"steps[].actions[].id", []string{"steps[1].actions[0].id", "steps[1].actions[1].id"}},
		{"missing[].id", nil},
	}
	for _, tc := range cases {
		r := Ref{Field: tc.field}
		hs, leaf, at := r.HoldersAt(rec)
		want, wantLeaf := r.Holders(rec)
		if !reflect.DeepEqual(at, tc.at) || !reflect.DeepEqual(hs, want) || leaf != wantLeaf {
			t.Errorf("%s: %v %q %q, want %v %q %q", tc.field, hs, leaf, at, want, wantLeaf, tc.at)
		}
	}
}

func TestIDText(t *testing.T) {
	internal := Ref{Field: "newstatus", Target: "status"}
	keyPair := Ref{Field: "tickettypes[].value", Target: "tickettype", StringID: true}
	external := Ref{Field: "agent", Target: "agent", External: true}
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		r    Ref
		v    any
		text string
		none bool
		err  string
	}{
		{internal, nil, "", true, ""},
		{internal, n("0"), "", true, ""},
		{internal, n("-1"), "", true, ""},
		{internal, n("12"), "12", false, ""},
		{internal, n("012"), "12", false, ""},
		{internal, n("1.5"), "", false, "want an integer id, got the number 1.5"},
		{internal, "12", "", false, `want an integer id, got the string "12"`},
		{internal, true, "", false, "want an id, got a boolean"},
		{internal, []any{}, "", false, "want an id, got an array"},
		{keyPair, "", "", true, ""},
		{keyPair, "0", "", true, ""},
		{keyPair, "-1", "", true, ""},
		{keyPair, "7", "7", false, ""},
		{keyPair, "abc", "", false, `want an integer id, got the string "abc"`},
		{keyPair, n("7"), "", false, "want a string id, got the number 7"},
		{external, n("4"), "4", false, ""},
		{external, "4", "4", false, ""},
		{external, "E-17", "E-17", false, ""},
		{external, n("0"), "", true, ""},
		{external, "", "", true, ""},
	}
	for _, tc := range cases {
		text, none, err := tc.r.IDText(tc.v)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if text != tc.text || none != tc.none || msg != tc.err {
			t.Errorf("%s %#v: %q %v %q, want %q %v %q", tc.r.Field, tc.v, text, none, msg, tc.text, tc.none, tc.err)
		}
	}
}

func TestValue(t *testing.T) {
	internal := Ref{Field: "newstatus", Target: "status"}
	keyPair := Ref{Field: "tickettypes[].value", Target: "tickettype", StringID: true}
	if v := internal.Value("12"); v != json.Number("12") {
		t.Errorf("internal: %#v, want json.Number 12", v)
	}
	if v := keyPair.Value("12"); v != "12" {
		t.Errorf("KeyPair2: %#v, want the string 12", v)
	}
	for _, r := range []Ref{internal, keyPair} {
		if text, none, err := r.IDText(r.Value("12")); text != "12" || none || err != nil {
			t.Errorf("%s: IDText(Value(12)) = %q %v %v", r.Field, text, none, err)
		}
	}
}

func TestFieldAt(t *testing.T) {
	tests := []struct {
		schema, path string
		typ, items   string
		ok           bool
	}{
		{"TOutcome", "newstatus", "integer", "", true},
		{"RequestType", "allowed_status[].status_id", "integer", "", true},
		{"RequestType", "fieldidlist", "array", "integer", true},
		{"FlowHeader", "steps[].actions[].action_id", "integer", "", true},
		{"RequestType", "allowed_status.status_id", "", "", false}, // an array, not an object
		{"TOutcome", "no_such_field", "", "", false},
	}
	for _, tt := range tests {
		f, _, ok := FieldAt(tt.schema, tt.path)
		if ok != tt.ok || f.Type != tt.typ || f.Items != tt.items {
			t.Errorf("FieldAt(%s, %s) = %+v, %v; want type %q items %q, %v", tt.schema, tt.path, f, ok, tt.typ, tt.items, tt.ok)
		}
	}
	intField, _, _ := FieldAt("TOutcome", "newstatus")
	list, _, _ := FieldAt("RequestType", "fieldidlist")
	for _, tt := range []struct {
		f    Field
		v    any
		fits bool
	}{
		{intField, json.Number("9"), true},
		{intField, "x", false},
		{intField, json.Number("1.5"), false},
		{intField, nil, true},
		{list, json.Number("4"), true},
		{list, "4", false},
	} {
		if got := tt.f.Fits(tt.v); got != tt.fits {
			t.Errorf("%s.Fits(%#v) = %v", tt.f.Name, tt.v, got)
		}
	}
}

// A back-reference to a row (Ref.OwnerRow) is walked with the row that
// holds it; a workflow's steps are numbered by fdid, other rows by id.
func TestRowHolders(t *testing.T) {
	wf := MustLookup("workflow")
	var r Ref
	for _, x := range wf.Refs {
		if x.Field == "steps[].actions[].translations[].entity_id" {
			r = x
		}
	}
	if !r.Owner || r.OwnerRow != "steps[].actions[]" || !wf.Derived(r.Field) {
		t.Fatalf("steps[].actions[].translations[].entity_id: %+v, derived %v; want a derived back-reference to steps[].actions[]", r, wf.Derived(r.Field))
	}
	rec := map[string]any{"steps": []any{
		map[string]any{"fdid": 7, "actions": []any{
			map[string]any{"id": 70, "translations": []any{map[string]any{"entity_id": 1}, map[string]any{"entity_id": 2}}},
			map[string]any{"id": 71, "translations": []any{map[string]any{"entity_id": 3}}},
		}},
		map[string]any{"fdid": 8, "actions": []any{map[string]any{"id": 80}}},
	}}
	hs, leaf := r.RowHolders(rec)
	var got []string
	for _, h := range hs {
		got = append(got, fmt.Sprint(h.Row["id"], "<-", h.Holder[leaf]))
	}
	if want := []string{"70<-1", "70<-2", "71<-3"}; leaf != "entity_id" || !slices.Equal(got, want) {
		t.Errorf("RowHolders: %v (leaf %s), want %v", got, leaf, want)
	}
	for array, want := range map[string]string{"steps[]": "fdid", "steps[].actions[]": "id", "stages[]": "id"} {
		if got := wf.RowIDField(array); got != want {
			t.Errorf("RowIDField(%s) = %s, want %s", array, got, want)
		}
	}
}
