package catalog

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSlots(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	criterion := Ref{Field: "criteria[].value_int", Target: "criteriavalue", External: true, GUID: "criteria[].valueint_guid",
		By: "fieldname", ByValue: map[string]string{"status": "status", "agent": "agent", "impact": ""}}
	value := Ref{Field: "conds[].lookup_value_id", Target: "status", Row: "values", In: "lookup_field_id"}
	rec := map[string]any{
		"newstatus":   n("4"),
		"fieldidlist": []any{n("3"), n("4")},
		"kanban":      "12, 13,14",
		"empty":       "",
		"criteria": []any{
			map[string]any{"fieldname": "Status", "value_int": n("5")},
			map[string]any{"fieldname": "agent", "value_int": n("6")},
			map[string]any{"fieldname": "impact", "value_int": n("2")},
			map[string]any{"fieldname": "summary", "value_int": n("0")},
		},
		"conds": []any{map[string]any{"lookup_field_id": n("9"), "lookup_value_id": n("31")}},
	}
	type got struct {
		At, Target string
		External   bool
		Value      any
	}
	cases := []struct {
		r    Ref
		want []got
	}{
		{Ref{Field: "newstatus", Target: "status"}, []got{{"newstatus", "status", false, n("4")}}},
		{Ref{Field: "fieldidlist", Target: "customfieldx", External: true}, []got{{"fieldidlist[0]", "customfieldx", true, n("3")}, {"fieldidlist[1]", "customfieldx", true, n("4")}}},
		{Ref{Field: "kanban", Target: "status", StringID: true, List: true}, []got{{"kanban[0]", "status", false, "12"}, {"kanban[1]", "status", false, "13"}, {"kanban[2]", "status", false, "14"}}},
		{Ref{Field: "empty", Target: "status", StringID: true, List: true}, nil},
		{Ref{Field: "absent", Target: "status"}, nil},
		// the sibling chooses the target; "impact" holds no id; unknown names fall back to Target
		{criterion, []got{{"criteria[0].value_int", "status", false, n("5")}, {"criteria[1].value_int", "agent", true, n("6")}, {"criteria[3].value_int", "criteriavalue", true, n("0")}}},
		{value, []got{{"conds[0].lookup_value_id", "status", false, n("31")}}},
	}
	for _, tc := range cases {
		var gs []got
		for _, s := range tc.r.SlotsAt(rec) {
			gs = append(gs, got{s.At, s.Target, s.External, s.Get()})
		}
		if !reflect.DeepEqual(gs, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.r.Field, gs, tc.want)
		}
	}

	// Elements of text lists are string ids; a criterion's id reads as its target wants it.
	sl := Ref{Field: "kanban", Target: "status", StringID: true, List: true}.Slots(rec)
	if text, none, err := sl[1].IDText(); text != "13" || none || err != nil {
		t.Errorf("kanban[1].IDText = %q %v %v", text, none, err)
	}
	if in, none, err := value.Slots(rec)[0].In(); in != "9" || none || err != nil {
		t.Errorf("In = %q %v %v", in, none, err)
	}

	// Setting and removing elements rewrites the field; its other slots stay valid.
	sl[0].Set(n("22"))
	sl[1].Remove()
	sl[2].Set("24")
	if rec["kanban"] != "22,24" {
		t.Errorf("kanban = %q, want 22,24", rec["kanban"])
	}
	ids := Ref{Field: "fieldidlist", Target: "x", External: true}.Slots(rec)
	ids[0].Remove()
	ids[1].Set(n("8"))
	if !reflect.DeepEqual(rec["fieldidlist"], []any{n("8")}) {
		t.Errorf("fieldidlist = %v, want [8]", rec["fieldidlist"])
	}
	one := Ref{Field: "newstatus", Target: "status"}.Slots(rec)[0]
	one.Remove()
	if rec["newstatus"] != n("0") {
		t.Errorf("newstatus = %v after Remove, want 0", rec["newstatus"])
	}
}

func TestRows(t *testing.T) {
	k := &Kind{Name: "f", RowKeys: map[string]string{"values": "name"}}
	rec := map[string]any{"values": []any{
		map[string]any{"id": json.Number("31"), "name": "Sales"},
		map[string]any{"id": json.Number("32"), "name": "Support"},
		map[string]any{"id": json.Number("33"), "name": "Support"},
	}}
	if row := RowByID(rec, "values", "32"); row == nil || row["name"] != "Support" {
		t.Errorf("RowByID 32 = %v", row)
	}
	if row := RowByID(rec, "values", "99"); row != nil {
		t.Errorf("RowByID 99 = %v", row)
	}
	if row := k.RowByKey(rec, "values", "Sales"); row == nil || row["id"] != json.Number("31") {
		t.Errorf("RowByKey Sales = %v", row)
	}
	if row := k.RowByKey(rec, "values", "Support"); row != nil {
		t.Errorf("RowByKey Support (twice) = %v, want none", row)
	}
	if key := k.RowKey("values", nil); key != "" {
		t.Errorf("RowKey(nil) = %q", key)
	}
}
