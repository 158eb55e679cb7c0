package formats

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// The record generator fills every field of a kind's OpenAPI schema (and one
// level of the schemas it nests) with values that vary by record, so that the
// round-trip suite and the benchmarks see records shaped like Halo's.

// floatTexts are number texts as Halo (.NET) and encoding/json write them; a
// DOUBLE does not reproduce some of them ("2.0", "1E-07") by itself.
var floatTexts = []string{"1.5", "0.1", "2.0", "1E-07", "-0", "0", "12.25", "1e+30", "3", "-7.125"}

// genSnapshot returns a snapshot holding n generated records of every kind.
func genSnapshot(n int) *snapshot.Snapshot {
	s := snapshot.New("https://example.halopsa.com", time.Date(2024, 5, 1, 12, 30, 0, 123456789, time.UTC))
	s.Manifest.Tool = "halocfg test"
	for _, k := range catalog.Kinds() {
		recs := make([]snapshot.Record, n)
		for i := range recs {
			recs[i] = genRecord(k, i)
		}
		s.Put(k.Name, recs)
	}
	return s
}

// genRecord fills every field of k's schema; i varies the values.
func genRecord(k *catalog.Kind, i int) snapshot.Record {
	fields, ok := catalog.Schema(k.Schema)
	if !ok {
		panic("no schema " + k.Schema)
	}
	r := genObject(fields, i, 1)
	if k.StringID {
		r["id"] = genUUID(i, 0)
	} else {
		r["id"] = json.Number(strconv.Itoa(i + 1))
	}
	return r
}

func genObject(fields []catalog.Field, i, depth int) snapshot.Record {
	r := make(snapshot.Record, len(fields))
	for j, f := range fields {
		if f.Name == "" {
			continue
		}
		r[f.Name] = genValue(f, i, j, depth)
	}
	return r
}

func genValue(f catalog.Field, i, j, depth int) any {
	seed := i*31 + j
	switch f.Type {
	case "integer":
		return json.Number(strconv.Itoa(seed % 1000))
	case "number":
		return json.Number(floatTexts[seed%len(floatTexts)])
	case "boolean":
		return seed%2 == 0
	case "string":
		switch f.Format {
		case "uuid":
			return genUUID(i, j)
		case "date-time":
			return time.Date(2024, 1, 1+seed%28, seed%24, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
		}
		return fmt.Sprintf("%s %d", f.Name, seed)
	case "array":
		n := seed % 3
		out := make([]any, 0, n)
		for e := range n {
			if f.Ref == "" {
				if f.Items == "integer" {
					out = append(out, json.Number(strconv.Itoa(seed+e)))
				} else {
					out = append(out, fmt.Sprintf("item %d", e))
				}
				continue
			}
			out = append(out, genNested(f.Ref, i+e, depth))
		}
		return out
	case "object":
		if f.Ref == "" {
			return map[string]any{}
		}
		return genNested(f.Ref, i, depth)
	}
	return nil
}

// genNested fills a nested schema; schemas.json holds one level of nesting,
// so deeper objects come out empty.
func genNested(ref string, i, depth int) any {
	fields, ok := catalog.Schema(ref)
	if !ok || depth > 1 {
		return map[string]any{}
	}
	return map[string]any(genObject(fields, i, depth+1))
}

func genUUID(i, j int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, j, i*1000+j)
}

// edgeRecords are the cases every format must carry exactly, as status
// records (integer ids) and as priority records (string ids).
func edgeRecords(stringID bool) []snapshot.Record {
	long := strings.Repeat("long text 🎉 ", 3000) // 36,000 runes, 39,000 UTF-16 units
	recs := []snapshot.Record{
		{"name": "", "shortname": nil, "colour": "#ff0000", "sequence": json.Number("0"), "useworkflowbuttons": false},
		{"name": nil, "sequence": json.Number("9007199254740993"), "useworkflowbuttons": true,
			"huge": json.Number("123456789012345678901234567890"), "ratio": json.Number("0.1")},
		{"name": "🎉 Статус مرحبا 你好 שלום", "ratio": json.Number("1E-07"), "bigint": json.Number("-9223372036854775808")},
		{"name": "=SUM(A1:A2)", "shortname": "+1", "colour": "-1", "intent": "@cmd", "ratio": json.Number("2.0")},
		{"name": "007", "shortname": "1e5", "colour": "TRUE", "intent": "0x1F", "ratio": json.Number("-0")},
		{"name": long, "shortname": "a\nb\tc\r\nd", "colour": " padded ", "intent": "\x01ctl\x1f \ufffe _x0041_ _x005F_x0041_"},
		{"name": "nested", "tickettypes": []any{
			map[string]any{"value": "3", "label": "Incident", "isnew": false},
			map[string]any{"value": "4", "label": nil, "deep": []any{[]any{}, map[string]any{"k": []any{json.Number("1.0")}}}},
		}, "outcomes": []any{}, "empty_object": map[string]any{}, "only_here": json.Number("1"),
			"long_json": []any{long}},
		{"name": "mixed a", "mixed": json.Number("5"), "mixed_nested": []any{json.Number("1")}, "ratio": json.Number("1.5")},
		{"name": "mixed b", "mixed": "5", "mixed_nested": "[1]", "ratio": json.Number("1e+30")},
		{"name": "mixed c", "mixed": true, "mixed_nested": nil, "ratio": nil, "bigfloat": json.Number("1e400")},
		{"name": "unicode field", "naïve-field": "ok", "sequence": json.Number("-42")},
	}
	for i, r := range recs {
		if stringID {
			r["id"] = genUUID(900+i, 1)
			r["priorityid"] = json.Number(strconv.Itoa(i + 1))
		} else {
			r["id"] = json.Number(strconv.Itoa(900 + i))
		}
	}
	return recs
}

// edgeSnapshot holds the edge records, plus a kind that was exported with no records.
func edgeSnapshot() *snapshot.Snapshot {
	s := snapshot.New("https://edge.halopsa.com", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC))
	s.Put("status", edgeRecords(false))
	s.Put("priority", edgeRecords(true))
	s.Put("sla", nil)
	return s
}

func TestGeneratorFillsEverySchemaField(t *testing.T) {
	for _, k := range catalog.Kinds() {
		fields, _ := catalog.Schema(k.Schema)
		r := genRecord(k, 3)
		for _, f := range fields {
			if f.Name == "" {
				continue
			}
			if _, ok := r[f.Name]; !ok {
				t.Errorf("%s: field %s not generated", k.Name, f.Name)
			}
		}
		if r.ID() == "" {
			t.Errorf("%s: no id", k.Name)
		}
	}
}
