package snapshot

import (
	"encoding/json"
	"reflect"
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

// TestDecodeValueAsBefore checks the one-pass decoder against the decoder it
// replaced (oldDecodeValue) on the inputs most likely to tell them apart:
// the same values, the same errors.
func TestDecodeValueAsBefore(t *testing.T) {
	deep := func(n int, open, end string) string {
		return strings.Repeat(open, n) + strings.Repeat(end, n)
	}
	for _, in := range []string{
		// escapes and surrogate pairs
		`"\"\\\/\b\f\n\r\t"`, `"\u0000\u001f\u00e9\u20AC\uFFFF"`, `"\ud83d\ude00\uD83D\uDE00"`,
		`"a\ud800b"`, `"\udc00"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"\ud83d"`,
		`"\ud83d\\"`, `"\ufffd` + "\uFFFD" + `"`, `{"\ud800":1}`, `"\u12"`, `"\x"`, `"\`, `"abc`,
		// numbers exact
		`0`, `-0`, `7`, `42`, `-7`, `100`, `9007199254740993`, `-9223372036854775809`, `1e400`, `-0.5e-10`,
		`1E+2`, `0.1000000000000000055511151231257827`, `01`, `1.`, `.5`, `+1`, `-`, `1e`, `1e+`, `--1`, `2x`,
		// literals, empty containers, whitespace
		`true`, `false`, `null`, `nul`, `truex`, `[]`, `{}`, `[[]]`, `[{}]`, `{"a":{},"b":[]}`,
		" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" :\n{ } }\n ", ``, ` `, `[1,]`, `{"a":1,}`, `[1 2]`,
		`{"a" 1}`, `{a:1}`, `{"a":1`, `[`, `{`, `{"a":}`, `]`, "\ufeff{}",
		// repeated keys, at depth, in order of the text
		`{"a":1,"a":1}`, `{"a":{"b":[{"c":1,"d":2,"c":3}]}}`, `[{"a":1},{"b":1,"b":2}]`,
		`{"n\u0061me":1,"name":2}`, `{"a":1,"a":{"b":"` + "\xff" + `"}}`, `{"a":{"b":"` + "\xff" + `"},"a":1}`,
		`{"a":1,"a":2} x`, `{"a":[1,2,{"":0,"":1}]}`, `{"":{"":{"x":1,"x":1}}}`,
		// invalid UTF-8 in keys and values, with other problems after it
		"\"\xff\"", "{\"a\xffb\":1}", "{\"a\":[\"ok\",\"\xc3(\"]}", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"\xff\x01\"", "\"\xff\\ud800\"", "\"\\ud800\xff\"", "{\"a\":\"\xff\",\"a\":1}", "{\"a\":1}\xff",
		// trailing data
		`{} {}`, `{}}`, `{} "abc`, `1 2`,
		// depth: as deep as Go's decoder allows
		deep(10000, "[", "]"), deep(9999, `{"a":`, "}") + "}", `[` + deep(9999, "[", "]") + `]`,
	} {
		name := in
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		t.Run(name, func(t *testing.T) { sameAsOld(t, []byte(in)) })
	}
}

// TestDecodeValueRefuses checks what the one-pass decoder refuses where the
// old one did not: a lone surrogate its count of written U+FFFD missed, and
// nesting deeper than Go's decoder allows (the old token decoder recursed
// without bound, and a deep enough value overflowed the stack).
func TestDecodeValueRefuses(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"\\ufffd\ud800"`, `field "": text holds a lone surrogate escape (\ud800 to \udfff), not valid Unicode`},
		{`{"a":["\\uFFFD\udfff"]}`, `field "a[0]": text holds a lone surrogate escape (\ud800 to \udfff), not valid Unicode`},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), `nested deeper than 10000 levels`},
		{`{"a":` + strings.Repeat("[", 10001), `nested deeper than 10000 levels`},
	}
	for _, tt := range tests {
		_, err := DecodeValue([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%.40s: error %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

// sameAsOld checks that DecodeValue decodes in as oldDecodeValue does: the
// same value, of the same Go types, as encoding/json's; or an error where it
// gave one, with the same text where the old one named the field. Syntax
// errors are worded as encoding/json words them (the old token decoder's
// words differed at the end of the input: "EOF").
func sameAsOld(t *testing.T, in []byte) {
	t.Helper()
	got, err := DecodeValue(in)
	want, oldErr := oldDecodeValue(in)
	switch {
	case err == nil && oldErr == nil:
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: decoded %#v\nold decoder   %#v", in, got, want)
		}
		var std any
		if err := Unmarshal(in, &std); err != nil || !reflect.DeepEqual(got, std) {
			t.Errorf("%q: decoded %#v\nencoding/json %#v (%v)", in, got, std, err)
		}
	case err == nil:
		t.Errorf("%q: decoded %#v, the old decoder refused it: %v", in, got, oldErr)
	case oldErr == nil:
		// Only a lone surrogate the old decoder missed (it counted the U+FFFD
		// written, and "\\ufffd" fooled it): what it returned holds a U+FFFD.
		if !strings.Contains(err.Error(), "lone surrogate") || !strings.Contains(string(Canonical(want)), "\uFFFD") {
			t.Errorf("%q: error %v, the old decoder decoded %s", in, err, Canonical(want))
		}
	case namesField(oldErr) && err.Error() != oldErr.Error():
		t.Errorf("%q: error %q\nold decoder %q", in, err, oldErr)
	}
}

// namesField reports whether err is one of the strict decoder's own errors
// (not a syntax error of encoding/json).
func namesField(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "field ") || strings.HasPrefix(s, "key ") || strings.HasPrefix(s, "a key ") ||
		s == "unexpected data after the JSON value"
}

// FuzzDecodeValue checks the one-pass decoder against the old one (and
// encoding/json) on any input.
func FuzzDecodeValue(f *testing.F) {
	for _, s := range []string{
		`{"id":12,"name":"a\u00e9\ud83d\ude00","n":-1.5e3,"l":[1,{"x":null}],"o":{},"b":true}`,
		`{"id":5,"a":{"b":1,"b":2}}`, "{\"k\xff\":\"v\xfe\"}", `["\ud800",{"a":[]},"\\ufffd"]`,
		`{"a":1} x`, `[1,2,[3,[4]]]`, `"\ud83d\u0041"`, `0.0e-0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { sameAsOld(t, in) })
}
