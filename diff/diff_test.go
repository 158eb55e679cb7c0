package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func tenantRecords(t *testing.T, dataset string) map[string][]snapshot.Record {
	t.Helper()
	// One seed for both: the simulator gives records it shares between
	// datasets the same field values, and each tenant its own ids and guids.
	sim, err := halosim.New(halosim.Options{Dataset: dataset, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return sim.AllRecords()
}

func text(r *Result) string {
	var b bytes.Buffer
	r.WriteText(&b)
	return b.String()
}

// shifted returns the configuration of recs as another tenant would hold it:
// every id the catalog knows of (records, references, rows of arrays of
// references) moved by 1000, every guid changed, records and arrays of
// references in reverse order. External references stay: they point at the
// same agents, teams ... in both.
func shifted(recs map[string][]snapshot.Record) map[string][]snapshot.Record {
	out := map[string][]snapshot.Record{}
	for kind, rs := range recs {
		k, _ := catalog.Lookup(kind)
		list := []snapshot.Record{}
		for i := len(rs) - 1; i >= 0; i-- {
			c := rs[i].Clone()
			c["id"] = shiftID(c["id"])
			if k.RefField != "id" {
				c[k.RefField] = shiftID(c[k.RefField])
			}
			shiftRefs(k, c, nil)
			shiftGUIDs(map[string]any(c))
			list = append(list, c)
		}
		out[kind] = list
	}
	return out
}

// copies are the arrays whose elements copy whole records of another kind.
var copies = map[string]map[string]string{"sla": {"priorities": "priority"}, "workflow": {"always_allow_actions": "outcome"}}

// shiftRefs moves the internal references of rec (but those under the
// fields in skip) and the row ids of its arrays of references (those no
// reference uses), and reverses those arrays.
func shiftRefs(k *catalog.Kind, rec map[string]any, skip map[string]bool) {
	used := map[string]bool{} // "allowed_status[].id"
	for _, r := range k.Refs {
		used[r.Field] = true
	}
	for _, sl := range k.Slots(rec) {
		if !sl.External && !skip[sl.Ref.Top()] {
			sl.Set(shiftID(sl.Get()))
		}
	}
	for array := range k.RowKeys { // rows other records point at (a field's values)
		rows, _ := rec[array].([]any)
		for _, row := range rows {
			row.(map[string]any)["id"] = shiftID(row.(map[string]any)["id"])
		}
	}
	done := map[string]bool{}
	for _, r := range k.Refs {
		if !r.Nested() {
			continue
		}
		prefix := r.Field[:strings.LastIndex(r.Field, ".")]
		if _, keyed := k.RowKeys[strings.TrimSuffix(prefix, "[]")]; done[prefix] || keyed {
			continue // keyed rows were shifted above
		}
		done[prefix] = true
		hs, _ := r.Holders(rec)
		for _, h := range hs {
			for _, f := range []string{"id", "fdid"} {
				if _, ok := h[f]; ok && !used[prefix+"."+f] {
					h[f] = shiftID(h[f])
				}
			}
		}
		if arr, ok := rec[r.Top()].([]any); ok {
			rec[r.Top()] = reversed(arr)
		}
	}
	for top, kind := range copies[k.Name] {
		ck, _ := catalog.Lookup(kind)
		outer := map[string]bool{} // fields of the copy whose references k moved above
		for _, r := range k.Refs {
			if p := r.Path(); len(p) > 1 && p[0] == top+"[]" {
				outer[strings.TrimSuffix(p[1], "[]")] = true
			}
		}
		arr, _ := rec[top].([]any)
		for _, e := range arr {
			shiftRefs(ck, e.(map[string]any), outer) // its own id moved above, as a row id or a reference
		}
	}
}

func reversed(a []any) []any {
	out := make([]any, len(a))
	for i, x := range a {
		out[len(a)-1-i] = x
	}
	return out
}

// shiftGUIDs changes every guid, at any depth.
func shiftGUIDs(v any) {
	switch v := v.(type) {
	case map[string]any:
		for f, x := range v {
			if s, ok := x.(string); ok && strings.HasSuffix(f, "guid") && len(s) > 8 {
				v[f] = "deadbeef" + s[8:]
			}
			shiftGUIDs(x)
		}
	case []any:
		for _, x := range v {
			shiftGUIDs(x)
		}
	}
}

func shiftID(v any) any {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return v
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if len(s) > 8 { // a uuid (priority's id)
			return "deadbeef" + s[8:]
		}
		return v
	}
	if n == 0 || n == -1 {
		return v
	}
	s = strconv.FormatInt(n+1000, 10)
	if _, ok := v.(string); ok {
		return s
	}
	return json.Number(s)
}

func TestSameConfigurationOtherIDs(t *testing.T) {
	for _, ds := range []string{"demo", "demo-target"} {
		t.Run(ds, func(t *testing.T) {
			a := tenantRecords(t, ds)
			b := shifted(a)
			// The shift did move every id.
			if snapshot.Equal(a["status"][0]["id"], b["status"][len(b["status"])-1]["id"]) {
				t.Fatal("ids not shifted")
			}
			r := mustCompare(t, a, b)
			if !r.Equal() {
				t.Errorf("equal configuration under other ids reports differences:\n%s", text(r))
			}
			n := 0
			for _, k := range r.Kinds {
				n += k.A
			}
			if len(r.Kinds) != len(catalog.Kinds()) || n < 80 {
				t.Errorf("compared %d kinds, %d records", len(r.Kinds), n)
			}
		})
	}
}

// naturalKey is the test's own: the kind's key fields joined by "/".
func naturalKey(k *catalog.Kind, rec snapshot.Record) string {
	var parts []string
	for _, f := range k.NaturalKey {
		parts = append(parts, snapshot.Scalar(rec[f]))
	}
	return strings.Join(parts, "/")
}

func TestDemoTenants(t *testing.T) {
	a, b := tenantRecords(t, "demo"), tenantRecords(t, "demo-target")
	r := mustCompare(t, a, b)
	if r.Equal() {
		t.Fatal("demo and demo-target compare equal")
	}

	// The result does not depend on ids: the target under other ids gives
	// the same differences.
	r2 := mustCompare(t, a, shifted(b))
	for i := range r2.Changes {
		r2.Changes[i].IDB = ""
	}
	for i := range r.Changes {
		c := r.Changes[i]
		c.IDB = ""
		if i >= len(r2.Changes) || !snapshotEqual(c, r2.Changes[i]) {
			t.Fatalf("diff against the target under other ids differs at change %d: %+v", i, c)
		}
	}

	got := map[string]Change{}
	for _, c := range r.Changes {
		got[c.Kind+"|"+c.Key] = c
		// Nothing reported is an id, a guid, a partner or a volatile field;
		// but the id of a copy of another record, a reference (fields[].fieldinfo.id).
		k := catalog.MustLookup(c.Kind)
		for _, f := range c.Fields {
			generic := regexp.MustCompile(`\[[^]]*\]`).ReplaceAllString(f.Path, "[]")
			if slices.ContainsFunc(k.Refs, func(r catalog.Ref) bool { return r.Field == generic && !r.Owner }) {
				continue
			}
			for _, seg := range strings.FieldsFunc(f.Path, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
				if seg == "id" || seg == "fdid" || strings.HasSuffix(seg, "guid") || strings.HasPrefix(seg, "_") || strings.HasSuffix(seg, "_count") {
					t.Errorf("%s %s: reports %s", c.Kind, c.Key, f.Path)
				}
			}
		}
	}

	for _, k := range catalog.Kinds() {
		// Added and removed: exactly the keys one side lacks.
		keysA, keysB := map[string]snapshot.Record{}, map[string]snapshot.Record{}
		for _, rec := range a[k.Name] {
			keysA[naturalKey(k, rec)] = rec
		}
		for _, rec := range b[k.Name] {
			keysB[naturalKey(k, rec)] = rec
		}
		for key := range keysA {
			if _, ok := keysB[key]; !ok && got[k.Name+"|"+key].Op != Removed {
				t.Errorf("%s %q: only in A, reported %q", k.Name, key, got[k.Name+"|"+key].Op)
			}
		}
		for key := range keysB {
			if _, ok := keysA[key]; !ok && got[k.Name+"|"+key].Op != Added {
				t.Errorf("%s %q: only in B, reported %q", k.Name, key, got[k.Name+"|"+key].Op)
			}
		}

		// Every top-level scalar field of the records both hold: reported
		// exactly when it differs; references by the key of their target.
		partner := map[string]bool{"id": true, "guid": true, k.RefField: true}
		refs := map[string]catalog.Ref{}
		for _, ref := range k.Refs {
			if !ref.Nested() {
				partner[ref.GUID], partner[ref.Name] = true, true
				refs[ref.Field] = ref
			}
		}
		for key, ra := range keysA {
			rb, ok := keysB[key]
			if !ok {
				continue
			}
			reported := map[string]Field{}
			for _, f := range got[k.Name+"|"+key].Fields {
				reported[f.Path] = f
			}
			for _, f := range unionKeys(ra, rb) {
				va, vb := ra[f], rb[f]
				if partner[f] || ignored(f) || isComposite(va) || isComposite(vb) {
					continue
				}
				if ref, ok := refs[f]; ok && !ref.Owner {
					va, vb = resolve(t, a, ref, va), resolve(t, b, ref, vb)
				}
				_, inA := ra[f]
				_, inB := rb[f]
				differs := inA != inB || !snapshot.Equal(va, vb)
				rep, isReported := reported[f]
				switch {
				case differs && !isReported:
					t.Errorf("%s %q: %s differs (%v -> %v) but is not reported", k.Name, key, f, va, vb)
				case !differs && isReported:
					t.Errorf("%s %q: %s is equal but reported (%v -> %v)", k.Name, key, f, rep.Before, rep.After)
				case differs && (!sameValue(rep.Before, va) || !sameValue(rep.After, vb)):
					t.Errorf("%s %q: %s reported %v -> %v, want %v -> %v", k.Name, key, f, rep.Before, rep.After, va, vb)
				}
			}
		}
	}

	// Differences the dataset was built with, nested ones included.
	for _, want := range []struct{ kind, key, path, before, after string }{
		{"status", "New", "colour", `"#2e86de"`, `"#1b4f72"`},
		{"status", "On Hold", "sequence", `60`, `65`},
		{"outcome", "Escalate", "buttonname", `"Escalate"`, `"Escalate to L2"`},
		{"category", "1/Hardware>Laptop", "sla_id", `"sla:No SLA"`, `"sla:Gold"`},
		{"sla", "Standard", "priorities[priority:P1 - Critical].fixtime", `4`, `2`},
		{"tickettype", "Task", "allowed_status[status:Awaiting Parts]", "(absent)", `{"status_id":"status:Awaiting Parts","tickettype_group_id":"tickettypegroup:Projects","tickettype_name":""}`},
	} {
		c := got[want.kind+"|"+want.key]
		found := false
		for _, f := range c.Fields {
			if f.Path == want.path {
				found = true
				if b, a := short(f.Before, f.NoBefore), short(f.After, f.NoAfter); b != want.before || a != want.after {
					t.Errorf("%s %s %s: %s -> %s, want %s -> %s", want.kind, want.key, want.path, b, a, want.before, want.after)
				}
			}
		}
		if !found {
			t.Errorf("%s %s: %s not reported; fields: %+v", want.kind, want.key, want.path, c.Fields)
		}
	}
	if t.Failed() {
		t.Logf("diff:\n%s", text(r))
	}
}

// ignored is the documented list of fields diff leaves out, written out
// again here so that the test does not take diff's word for it.
func ignored(f string) bool {
	return strings.HasPrefix(f, "_") || strings.HasSuffix(f, "_count") || strings.HasSuffix(f, "guid") ||
		f == "lastcreated" || f == "nextcreationdate"
}

// sameValue compares JSON values, numbers by value (diff writes 4.0 as 4).
func sameValue(a, b any) bool {
	na, okA := a.(json.Number)
	nb, okB := b.(json.Number)
	if okA && okB {
		fa, _, errA := big.ParseFloat(na.String(), 10, 256, big.ToNearestEven)
		fb, _, errB := big.ParseFloat(nb.String(), 10, 256, big.ToNearestEven)
		return errA == nil && errB == nil && fa.Cmp(fb) == 0
	}
	return snapshot.Equal(a, b)
}

func snapshotEqual(a, b Change) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// resolve renders a reference as "kind:natural key" by a plain search of
// the records (null for none), independently of mapping.
func resolve(t *testing.T, recs map[string][]snapshot.Record, ref catalog.Ref, v any) any {
	id := snapshot.Scalar(v)
	if ref.List && strings.Contains(id, ",") { // a text list of ids: "12,13"
		var keys []string
		for _, e := range strings.Split(id, ",") {
			keys = append(keys, fmt.Sprint(resolve(t, recs, ref, e)))
		}
		return strings.Join(keys, ",")
	}
	if id == "" || id == "0" || id == "-1" {
		return nil
	}
	if ref.External {
		return v
	}
	tk, _ := catalog.Lookup(ref.Target)
	for _, rec := range recs[ref.Target] {
		if snapshot.Scalar(rec[tk.RefField]) == id {
			return tk.Name + ":" + naturalKey(tk, rec)
		}
	}
	t.Fatalf("%s %s: no target in the dataset", ref.Field, id)
	return nil
}

func rec(t *testing.T, js string) snapshot.Record {
	t.Helper()
	r, err := snapshot.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// small is a hand-made pair: B is A under other ids with a few changes.
func small(t *testing.T) (a, b map[string][]snapshot.Record) {
	a = map[string][]snapshot.Record{
		"status": {
			rec(t, `{"id": 1, "guid": "a1", "name": "New", "colour": "#ff0000", "ticket_count": 3, "tickettypes": [{"value": "5", "label": "Incident"}]}`),
			rec(t, `{"id": 2, "guid": "a2", "name": "Closed", "colour": "#000000"}`),
			rec(t, `{"id": 3, "guid": "a3", "name": "Old"}`),
		},
		"tickettype": {
			rec(t, `{"id": 5, "name": "Incident", "initial_status": 1, "initial_status_guid": "a1", "allowed_status": [{"id": 1, "status_id": 1, "ticketype_id": 5}, {"id": 2, "status_id": 2, "ticketype_id": 5}]}`),
		},
		"outcome": {
			rec(t, `{"id": 10, "outcome": "Resolve", "newstatus": 2, "_warning": "x", "notes": "=SUM(A1)", "x": {"limit": 1}}`),
			rec(t, `{"id": 11, "outcome": "Note", "newstatus": 0, "emailbody": "long"}`),
		},
		"workflow": {},
	}
	b = map[string][]snapshot.Record{
		"status": {
			rec(t, `{"id": 101, "guid": "b1", "name": "New", "colour": "#0000ff", "ticket_count": 9, "tickettypes": [{"value": "105", "label": "Incident"}]}`),
			rec(t, `{"id": 102, "guid": "b2", "name": "Closed", "colour": "#000000"}`),
			rec(t, `{"id": 104, "guid": "b4", "name": "Brand New"}`),
		},
		"tickettype": {
			rec(t, `{"id": 105, "name": "Incident", "initial_status": 102, "initial_status_guid": "b2", "allowed_status": [{"id": 7, "status_id": 101, "ticketype_id": 105}]}`),
		},
		"outcome": {
			rec(t, `{"id": 110, "outcome": "Resolve", "newstatus": 102, "_warning": "y", "notes": "=SUM(A1)", "x": {"limit": 2, "new": null}}`),
			rec(t, `{"id": 111, "outcome": "Note", "newstatus": -1, "emailbody": "`+strings.Repeat("é", 40000)+`"}`),
		},
		"category": {},
	}
	return a, b
}

func TestTextGolden(t *testing.T) {
	a, b := small(t)
	r := mustCompare(t, a, b)
	r.A, r.B = "snapshots/A", "snapshots/B"
	got := text(r)
	golden := filepath.Join("testdata", "small.txt")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("text output:\n%s\nwant (%s):\n%s", got, golden, want)
	}
	added, removed, changed := r.Totals()
	if added != 1 || removed != 1 || changed != 4 || len(r.OnlyA) != 1 || len(r.OnlyB) != 1 {
		t.Errorf("totals %d %d %d, only %v %v", added, removed, changed, r.OnlyA, r.OnlyB)
	}
}

func TestJSON(t *testing.T) {
	a, b := small(t)
	r := mustCompare(t, a, b)
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Equal                  bool
		Added, Removed, Change int
		Kinds_only_in_a        []string
		Changes                []struct {
			Kind, Key, Change, ID_a, ID_b string
			Fields                        []map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Equal || doc.Added != 1 || doc.Removed != 1 || len(doc.Kinds_only_in_a) != 1 || doc.Kinds_only_in_a[0] != "workflow" {
		t.Errorf("summary: %+v", doc)
	}
	var x []map[string]any
	for _, c := range doc.Changes {
		if c.Kind == "outcome" && c.Key == "Resolve" {
			x = c.Fields
			if c.ID_a != "10" || c.ID_b != "110" {
				t.Errorf("ids %q %q", c.ID_a, c.ID_b)
			}
		}
	}
	// x.new is absent in A (no "before" key) and null in B ("after": null).
	want := map[string]map[string]any{
		"x.limit": {"field": "x.limit", "before": 1.0, "after": 2.0},
		"x.new":   {"field": "x.new", "after": nil},
	}
	if len(x) != 2 {
		t.Fatalf("outcome Resolve fields: %v", x)
	}
	for _, f := range x {
		w := want[f["field"].(string)]
		if len(f) != len(w) {
			t.Errorf("field %v, want %v", f, w)
		}
		for k, v := range w {
			if got, ok := f[k]; !ok || got != v {
				t.Errorf("field %v, want %v", f, w)
			}
		}
	}
}

func TestXLSX(t *testing.T) {
	a, b := small(t)
	r := mustCompare(t, a, b)
	var buf bytes.Buffer
	if err := r.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "summary,changes" {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows("changes")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != "kind|key|change|field|before (A)|after (B)|id in A|id in B|note" {
		t.Errorf("header %v", rows[0])
	}
	var lines []string
	for _, row := range rows[1:] {
		if len(row) > 5 && len(row[5]) > 100 {
			cut := row[5]
			if n := len(utf16Len(cut)); n > maxCell || !strings.Contains(cut, "[cut: 40000 characters in all") {
				t.Errorf("long value: %d UTF-16 units, ends %q", n, cut[len(cut)-60:])
			}
			row[5] = "(long)"
		}
		lines = append(lines, strings.Join(row, "|"))
	}
	sort.Strings(lines)
	want := []string{
		"outcome|Note|changed|emailbody|long|(long)|11|111",
		"outcome|Resolve|changed|x.limit|1|2|10|110",
		"outcome|Resolve|changed|x.new|(absent)|null|10|110",
		"status|Brand New|added|||||104",
		"status|New|changed|colour|#ff0000|#0000ff|1|101",
		"status|Old|removed||||3",
		`tickettype|Incident|changed|allowed_status[status:Closed]|{"status_id":"status:Closed"}|(absent)|5|105`,
		"tickettype|Incident|changed|initial_status|status:New|status:Closed|5|105",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes sheet:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// A value that looks like a formula stays text.
	if formula, _ := f.GetCellFormula("changes", "E2"); formula != "" {
		t.Errorf("a formula in the workbook: %q", formula)
	}
	sum, _ := f.GetRows("summary")
	if len(sum) < 4 || strings.Join(sum[1], "|") != "status|3|3|1|1|1" {
		t.Errorf("summary %v", sum)
	}
}

func utf16Len(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			out = append(out, 0, 0)
		} else {
			out = append(out, 0)
		}
	}
	return out
}

// BenchmarkCompare compares two tenants of 300 records of every kind.
func BenchmarkCompare(b *testing.B) {
	sim, err := halosim.New(halosim.Options{Dataset: "scale:300", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	a := sim.AllRecords()
	other := shifted(a)
	b.ResetTimer()
	for b.Loop() {
		if r, err := Compare(a, other); err != nil || !r.Equal() {
			b.Fatal("not equal", err)
		}
	}
	b.ReportMetric(float64(len(a)*300), "records/op")
}

// TestSharedKeyReportedNotGuessed: records that share a key pair as an
// import pairs them (mapping.Match): by the closest match of their other
// fields, never by a guess between equals.
func TestSharedKeyReportedNotGuessed(t *testing.T) {
	a := map[string][]snapshot.Record{"outcome": {
		rec(t, `{"id": 1, "outcome": "Note", "colour": "red"}`),
		rec(t, `{"id": 2, "outcome": "Note", "colour": "blue"}`),
	}}
	// B's Note is as close to A's red one as to the blue one: none is paired.
	b := map[string][]snapshot.Record{"outcome": {rec(t, `{"id": 7, "outcome": "Note", "colour": "green"}`)}}
	r := mustCompare(t, a, b)
	var ops []string
	for _, c := range r.Changes {
		ops = append(ops, string(c.Op)+" "+c.IDA+c.IDB)
		if c.Note != "2 records in A and 1 in B have this key; they are not paired by guess" {
			t.Errorf("%s %s%s: note %q", c.Op, c.IDA, c.IDB, c.Note)
		}
	}
	if strings.Join(ops, ",") != "removed 1,removed 2,added 7" {
		t.Errorf("changes %v", ops)
	}
	if !strings.Contains(text(r), "  - Note (id 1: 2 records in A and 1 in B have this key; they are not paired by guess)\n") {
		t.Errorf("text:\n%s", text(r))
	}

	// B's Note is A's red one: they pair, the blue one is removed.
	b["outcome"][0]["colour"] = "red"
	r = mustCompare(t, a, b)
	if len(r.Changes) != 1 || r.Changes[0].Op != Removed || r.Changes[0].IDA != "2" ||
		r.Changes[0].Note != "2 records in A and 1 in B have this key; they are not paired by guess" {
		t.Errorf("changes %+v", r.Changes)
	}

	// B's Note is A's red one, its sequence changed: they pair by the
	// fields they hold in full (diff reads them again for that), and the
	// change is reported.
	a["outcome"][0]["sequence"], a["outcome"][1]["sequence"] = json.Number("1"), json.Number("1")
	b["outcome"][0]["sequence"] = json.Number("2")
	r = mustCompare(t, a, b)
	if got := text(r); !strings.Contains(got, "  ~ Note\n      sequence: 1 -> 2\n") || !strings.Contains(got, "  - Note (id 2: ") {
		t.Errorf("text:\n%s", got)
	}
}

func TestFieldText(t *testing.T) {
	for _, tc := range []struct {
		f    Field
		want string
	}{
		{Field{Path: "colour", Before: "a", After: nil}, `colour: "a" -> null`},
		{Field{Path: "x", After: json.Number("1"), NoBefore: true}, `x: (absent) -> 1`},
		{Field{Path: "allowed_status[status:Closed]", Before: map[string]any{}, NoAfter: true, Member: true}, `allowed_status - status:Closed`},
		{Field{Path: "tickettypes[tickettype:Desk [EU]]", After: map[string]any{}, NoBefore: true, Member: true}, `tickettypes + tickettype:Desk [EU]`},
		{Field{Path: "priorities[priority:P1].translations[]", After: map[string]any{"a": json.Number("1")}, NoBefore: true, Member: true}, `priorities[priority:P1].translations + {"a":1}`},
	} {
		if got := tc.f.text(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.f.Path, got, tc.want)
		}
	}
}

// mustCompare is Compare, failing the test on an error.
func mustCompare(t testing.TB, a, b map[string][]snapshot.Record) *Result {
	t.Helper()
	r, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// changing is a source whose records change after a number of reads: a
// snapshot rewritten while diff reads it.
func changing(before, after map[string][]snapshot.Record, reads int) formats.Source {
	n := 0
	return formats.Source{Each: func(fn func(string, []snapshot.Record) error) error {
		n++
		recs := before
		if n > reads {
			recs = after
		}
		for _, k := range catalog.Stored() {
			if rs, ok := recs[k.Name]; ok {
				if err := fn(k.Name, rs); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

// diff reads each side up to three times (skeletons, digests, the records
// that differ). A side that loses records between reads fails the diff,
// naming them, rather than pass them for unchanged.
func TestSnapshotChangedBetweenReads(t *testing.T) {
	statuses := func(names ...string) map[string][]snapshot.Record {
		var rs []snapshot.Record
		for i, n := range names {
			rs = append(rs, snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": n, "colour": "red"})
		}
		return map[string][]snapshot.Record{"status": rs}
	}
	a := statuses("New", "Open", "Closed")
	edited := statuses("New", "Open", "Closed")
	edited["status"][1]["colour"] = "blue"
	for _, c := range []struct {
		name   string
		b      formats.Source
		errMsg string
	}{
		{"a record gone before the digests", changing(a, map[string][]snapshot.Record{"status": {a["status"][0], a["status"][2]}}, 1), "status 2: not in B when read again"},
		{"a kind gone before the digests", changing(a, map[string][]snapshot.Record{}, 1), "status: not found when the snapshots were read again"},
		{"a record that differs gone before the last read", changing(edited, statuses("New"), 2), "status: B holds 0 of the 1 records that differ, read again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := CompareSources(memory(a), c.b)
			if err == nil || err.Error() != c.errMsg {
				t.Errorf("CompareSources: %v, %v; want the error %q", r, err, c.errMsg)
			}
		})
	}
	// Unchanged, the same sources compare.
	r, err := CompareSources(memory(a), changing(edited, edited, 0))
	if err != nil || text(r) == "" || len(r.Changes) != 1 || r.Changes[0].Key != "Open" {
		t.Errorf("CompareSources: %+v, %v", r, err)
	}
}

// A snapshot that holds an id twice (verify reports it) compares as the
// tenant would hold it: the record read last under the id counts.
func TestIDHeldTwice(t *testing.T) {
	a := map[string][]snapshot.Record{"status": {
		rec(t, `{"id": 1, "name": "Open", "colour": "red"}`),
		rec(t, `{"id": 2, "name": "Closed", "colour": "red"}`),
		rec(t, `{"id": 1, "name": "Open", "colour": "blue"}`),
	}}
	b := map[string][]snapshot.Record{"status": {
		rec(t, `{"id": 5, "name": "Open", "colour": "blue"}`),
		rec(t, `{"id": 6, "name": "Closed", "colour": "red"}`),
	}}
	r := mustCompare(t, a, b)
	if !r.Equal() || r.Kinds[0].A != 2 || r.Kinds[0].B != 2 {
		t.Errorf("kinds %+v, changes %+v", r.Kinds, r.Changes)
	}
}
