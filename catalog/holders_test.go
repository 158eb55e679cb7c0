package catalog

import (
	"reflect"
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
	}
}
