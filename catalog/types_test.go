package catalog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decode reads JSON as the API clients do: numbers keep their text.
func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

func TestCheckTypes(t *testing.T) {
	cases := []struct {
		schema, rec string
		want        []string
	}{
		{"TStatus", `{"id":1,"guid":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"New","sequence":-3,"showonquickchange":true,"timeuntilloffhold":1.5,"unknown":{"x":1}}`, nil},
		{"TStatus", `{"name":null,"sequence":null,"guid":"","tickettypes":null}`, nil},
		{"TStatus", `{"sequence":"10"}`, []string{`sequence: want an integer, got the string "10"`}},
		{"TStatus", `{"sequence":1.5}`, []string{"sequence: want an integer, got the number 1.5"}},
		{"TStatus", `{"sequence":3000000000}`, []string{"sequence: 3000000000 does not fit int32"}},
		{"Device_List", `{"passportal_id":3000000000}`, nil},
		{"Device_List", `{"passportal_id":9223372036854775808}`, []string{"passportal_id: 9223372036854775808 does not fit int64"}},
		{"TStatus", `{"name":7,"showonquickchange":"true","timeuntilloffhold":false}`, []string{
			"name: want a string, got the number 7",
			`showonquickchange: want a boolean, got the string "true"`,
			"timeuntilloffhold: want a number, got a boolean",
		}},
		{"TStatus", `{"guid":"not-a-guid"}`, []string{`guid: want a uuid, got the string "not-a-guid"`}},
		{"TStatus", `{"outcomes":{"value":"1"}}`, []string{"outcomes: want an array, got an object"}},
		{"TStatus", `{"outcomes":[null,1,{"value":"1"}]}`, []string{"outcomes[1]: want an object, got the number 1"}},
		{"RequestType", `{"allowed_status":[{"status_id":1},{"status_id":"x","status_guid":[]}]}`, []string{
			`allowed_status[1].status_id: want an integer, got the string "x"`,
			"allowed_status[1].status_guid: want a string, got an array",
		}},
		{"RequestType", `{"fieldidlist":[1,null,"2"]}`, []string{`fieldidlist[2]: want an integer, got the string "2"`}},
		{"RequestType", `{"load_balance_schedule":{"time":"2024-05-01T10:00:00Z","last_run_date":"2024-05-01"}}`, nil},
		{"RequestType", `{"load_balance_schedule":{"time":"yesterday"}}`, []string{`load_balance_schedule.time: want a date-time, got the string "yesterday"`}},
		{"RequestType", `{"load_balance_schedule":[]}`, []string{"load_balance_schedule: want an object, got an array"}},
		{"NoSuchSchema", `{"id":"x"}`, nil},
	}
	for _, tc := range cases {
		if got := CheckTypes(tc.schema, decode(t, tc.rec)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.schema, tc.rec, got, tc.want)
		}
	}
}

// record is a named map type, as snapshot.Record is.
type record map[string]any

func TestCheckTypesNamedMaps(t *testing.T) {
	rec := map[string]any{"soc_default_target": record{"value": json.Number("1")}}
	want := []string{"soc_default_target.value: want a string, got the number 1"}
	if got := CheckTypes("RequestType", rec); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestJSONType(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "null"},
		{true, "boolean"},
		{json.Number("1"), "number"},
		{"x", "string"},
		{[]any{}, "array"},
		{map[string]any{}, "object"},
		{record{}, "object"},
	}
	for _, tc := range cases {
		if got := JSONType(tc.v); got != tc.want {
			t.Errorf("JSONType(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
