package snapshot

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encodingJSON is what Canonical wrote before it wrote the text itself.
func encodingJSON(t testing.TB, v any) []byte { return encodingJSONIndent(t, v, "", "") }

// encodingJSONIndent is what AppendIndent wrote before it wrote the text itself.
func encodingJSONIndent(t testing.TB, v any, prefix, indent string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestCanonicalAsEncodingJSON checks that Canonical and AppendIndent write
// what encoding/json writes, byte for byte, on the values decoders make and
// on the others (which they leave to encoding/json).
func TestCanonicalAsEncodingJSON(t *testing.T) {
	var controls []byte
	for c := range 0x20 {
		controls = append(controls, byte(c))
	}
	for _, v := range []any{
		nil, true, false, "", "plain", string(controls) + `"\/<>&` + "\x7f",
		"bad \xff UTF-8 \xed\xa0\x80 and \xe2\x82", "\u2028 \u2029 \u00e9 \U0001F600 \uFFFD",
		json.Number("9007199254740993"), json.Number("-0.5e-10"), json.Number(""),
		[]any{}, []any(nil), []any{nil, 1.5, json.Number("7"), []any{map[string]any{}}},
		map[string]any{}, map[string]any(nil), Record(nil),
		map[string]any{"b": 1, "a": "x", "": nil, "é": true, "Z": []any{"\n"}, "a\xff": 2, "\u2028": 3},
		Record{"id": json.Number("12"), "name": "n", "rows": []any{Record{"x": int64(-3)}, map[string]any{"y": float32(0.1)}}},
		map[string]any{"f": 1e21, "g": 1e-7, "i": 42, "s": struct{ A int }{1}},
	} {
		want := encodingJSON(t, v)
		if got := Canonical(v); !bytes.Equal(got, want) {
			t.Errorf("Canonical(%#v)\n= %s\nwant %s", v, got, want)
		}
		sameIndent(t, v)
	}
	b, err := MarshalIndent([]Record{{"id": json.Number("1"), "a": []any{}, "o": map[string]any{"x": nil}}})
	if want := "[\n  {\n    \"a\": [],\n    \"id\": 1,\n    \"o\": {\n      \"x\": null\n    }\n  }\n]\n"; err != nil || string(b) != want {
		t.Errorf("MarshalIndent: %q, %v\nwant %q", b, err, want)
	}
}

// sameIndent checks AppendIndent against encoding/json's SetIndent with the
// prefixes and indents halocfg uses, and others.
func sameIndent(t *testing.T, v any) {
	t.Helper()
	for _, pi := range [][2]string{{"", "  "}, {"  ", "  "}, {"\t", ""}, {"", ""}} {
		want := encodingJSONIndent(t, v, pi[0], pi[1])
		got, err := AppendIndent([]byte("before"), v, pi[0], pi[1])
		if err != nil || !bytes.Equal(got, append([]byte("before"), want...)) {
			t.Errorf("AppendIndent(%#v, %q, %q)\n= %s (%v)\nwant %s", v, pi[0], pi[1], got, err, want)
		}
	}
}

// FuzzCanonical checks Canonical against encoding/json on what the decoder
// makes of any input, and on any bytes as a string or a key.
func FuzzCanonical(f *testing.F) {
	f.Add([]byte(`{"id":12,"a":[1,"x\u2028",{"z":null,"b":true}],"":{}}`))
	f.Add([]byte("\"\x01\xff<&\""))
	f.Fuzz(func(t *testing.T, in []byte) {
		if v, err := DecodeValue(in); err == nil {
			if got, want := Canonical(v), encodingJSON(t, v); !bytes.Equal(got, want) {
				t.Errorf("Canonical(%q)\n= %s\nwant %s", in, got, want)
			}
			sameIndent(t, v)
		}
		v := map[string]any{string(in): []any{string(in)}}
		if got, want := Canonical(v), encodingJSON(t, v); !bytes.Equal(got, want) {
			t.Errorf("Canonical(%q)\n= %s\nwant %s", in, got, want)
		}
	})
}

func BenchmarkCanonical(b *testing.B) {
	recs := benchRecords(b)
	var vs []any
	for _, r := range recs {
		v, err := DecodeValue(r)
		if err != nil {
			b.Fatal(err)
		}
		vs = append(vs, v)
	}
	for _, bm := range []struct {
		name   string
		encode func(any) []byte
	}{{"encoding/json", func(v any) []byte { return encodingJSON(b, v) }}, {"Canonical", Canonical}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, v := range vs {
					bm.encode(v)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vs)), "ns/record")
		})
	}
}
