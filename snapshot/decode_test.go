package snapshot

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDecodeRecordRefuses checks that a record's text is never silently
// changed on the way in: invalid UTF-8 (Go's decoder would put U+FFFD in its
// place) and a repeated key (Go's decoder would keep the last) are errors
// naming the record's id and the field, at every depth.
func TestDecodeRecordRefuses(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // the error, exactly
	}{
		{"invalid UTF-8 in a value", "{\"id\":12,\"name\":\"ab\xffc\"}",
			`id 12: field "name": text is not valid UTF-8 (byte 0xff)`},
		{"invalid UTF-8 at depth", "{\"id\":3,\"steps\":[{\"name\":\"x\"},{\"name\":\"\xc3(\"}]}",
			`id 3: field "steps[1].name": text is not valid UTF-8 (byte 0xc3)`},
		{"invalid UTF-8 in a key", "{\"id\":3,\"x\":{\"na\xe2\x82me\":1}}",
			`id 3: field "x": a key is not valid UTF-8 (byte 0xe2)`},
		{"an escaped lone surrogate", `{"id":4,"name":"a\ud800b"}`,
			`id 4: field "name": text holds a lone surrogate escape (\ud800 to \udfff), not valid Unicode`},
		{"the id after the bad field", "{\"a\":\"\xff\",\"id\":8}",
			`id 8: field "a": text is not valid UTF-8 (byte 0xff)`},
		{"no id", "{\"a\":\"\xff\"}",
			`field "a": text is not valid UTF-8 (byte 0xff)`},
		{"a repeated key", `{"id":5,"name":"a","name":"b"}`,
			`id 5: key "name" appears twice`},
		{"a repeated escaped key", `{"id":5,"x":"\":","n\u0061me":"a","name":"b"}`,
			`id 5: key "name" appears twice`},
		{"a repeated key in a nested row", `{"id":6,"steps":[{"a":1},{"a":1,"b":2,"a":2}]}`,
			`id 6: field "steps[1]": key "a" appears twice`},
		{"a repeated key in a nested object", `{"id":7,"x":{"y":{"z":1,"z":1}}}`,
			`id 7: field "x.y": key "z" appears twice`},
		{"null", `null`, `record is null, want a JSON object`},
		{"an array", `[{"id":1}]`, `record is an array, want a JSON object`},
		{"trailing data", `{"id":1} {}`, `unexpected data after the JSON value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DecodeRecord([]byte(tt.in))
			if err == nil {
				t.Fatalf("decoded %s", Canonical(r))
			}
			if err.Error() != tt.want {
				t.Errorf("error %q\nwant     %q", err, tt.want)
			}
		})
	}
}

// TestDecodeRecordKeeps checks that the strict decoder decodes what Go's
// does, losslessly: exact numbers, null vs absent, empty arrays and objects,
// U+FFFD that the text really holds, escapes, surrogate pairs.
func TestDecodeRecordKeeps(t *testing.T) {
	in := `{"id":9007199254740993,"ratio":0.1000000000000000055511151231257827,"note":null,"empty":"",` +
		`"list":[],"obj":{},"rows":[{"a":[1,"2",{"b":false}]},null],"fffd":"\ufffd and ` + "\uFFFD" + `",` +
		`"pair":"\ud83d\ude00","tricky":"x\": 1, \"y\\","k":{"\"":1,"\\":2},"esc":"tab\there \"q\" \\ \u00e9","neg":-0.5e-10,"t":true}`
	got, err := DecodeRecord([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var want Record
	if err := Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if !Equal(got, want) {
		t.Errorf("decoded %s\nwant    %s", Canonical(got), Canonical(want))
	}
	if n, _ := got["id"].(json.Number); n.String() != "9007199254740993" {
		t.Errorf("id = %v", got["id"])
	}
	if _, ok := got["list"].([]any); !ok {
		t.Errorf("list = %#v, want []any", got["list"])
	}
	if _, ok := got["obj"].(map[string]any); !ok {
		t.Errorf("obj = %#v, want map[string]any", got["obj"])
	}
	if s := got["fffd"].(string); strings.Count(s, "\uFFFD") != 2 {
		t.Errorf("fffd = %q", s)
	}
}
