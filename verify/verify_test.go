package verify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/internal/snaptest"
	"github.com/halocfg/halocfg/snapshot"
)

func rec(t *testing.T, js string) snapshot.Record {
	t.Helper()
	r, err := snapshot.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// small returns a consistent snapshot of three kinds that refer to each other.
func small(t *testing.T) *snapshot.Snapshot {
	s := snapshot.New("http://test", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	s.Put("status", []snapshot.Record{
		rec(t, `{"id": 1, "name": "New", "statuschangeto": 0, "tickettypes": [{"value": "5", "label": "Incident"}]}`),
		rec(t, `{"id": 2, "name": "Closed", "statuschangeto": 1, "nochangetemplate": null}`),
	})
	s.Put("tickettype", []snapshot.Record{
		rec(t, `{"id": 5, "name": "Incident", "initial_status": 1, "allowed_status": [{"status_id": 1, "ticketype_id": 5}, {"status_id": 2, "ticketype_id": 5}], "default_agent": 77, "fieldidlist": [3, 4]}`),
	})
	s.Put("outcome", []snapshot.Record{
		rec(t, `{"id": 10, "outcome": "Close", "newstatus": 2, "tickettypes": [{"value": "5"}], "workflow_id": -1}`),
	})
	return s
}

// write commits s at dir in the given formats.
func write(t *testing.T, dir string, s *snapshot.Snapshot, names string) {
	t.Helper()
	fs, err := formats.Parse(names)
	if err != nil {
		t.Fatal(err)
	}
	snaptest.Write(t, dir, s, fs...)
}

func messages(r *Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func TestClean(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, small(t), "xlsx,json,parquet")
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("problems in a clean snapshot:\n%s", messages(r))
	}
	if strings.Join(r.Formats, ",") != "json,parquet,xlsx" || r.Records != 4 || r.Files != 7 {
		t.Errorf("formats %v, records %d, files %d", r.Formats, r.Records, r.Files)
	}
	// status.tickettypes 1, statuschangeto 1, initial_status 1, allowed_status 2x2 (status and owner), outcome 2;
	// external: default_agent; fieldidlist's two custom fields are not in the snapshot
	if r.Refs != 9 || r.External != 1 {
		t.Errorf("checked %d internal and %d external references, want 9 and 1", r.Refs, r.External)
	}
	if want := []Unverifiable{{Kind: "tickettype", Field: "fieldidlist", Target: "customfield", Count: 2}}; !reflect.DeepEqual(r.Unverifiable, want) {
		t.Errorf("unverifiable %+v, want %+v", r.Unverifiable, want)
	}
}

func TestProblems(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string // one line each, in order
	}{
		{"flipped byte", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "json", "status.json")
			b, _ := os.ReadFile(p)
			i := strings.Index(string(b), "Closed")
			b[i] ^= 0x20 // "closed": same size, still parses
			os.WriteFile(p, b, 0o600)
		}, []string{"json/status.json: checksum mismatch: sha256 "}},
		{"missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "json", "outcome.json"))
		}, []string{
			"json/outcome.json: missing (listed in the manifest)",
			"outcome: json: no records of this kind; the manifest counts 1",
		}},
		{"truncated file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "json", "tickettype.json")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, []string{
			"json/tickettype.json: ",
			"json: does not parse: ",
		}},
		{"extra file", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "json", "notes.txt"), []byte("hi"), 0o600)
		}, []string{"json/notes.txt: present but not in the manifest"}},
		{"count", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *snapshot.Manifest) { m.Kinds["status"] = snapshot.KindInfo{Records: 3} })
		}, []string{"status: json: 2 records, the manifest counts 3"}},
		{"everything at once", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "json", "status.json")
			b, _ := os.ReadFile(p)
			b[len(b)-3] = '!'
			os.WriteFile(p, b, 0o600)
			os.Remove(filepath.Join(dir, "json", "outcome.json"))
			os.WriteFile(filepath.Join(dir, "stray"), nil, 0o600)
		}, []string{
			"json/outcome.json: missing",
			"json/status.json: checksum mismatch",
			"stray: present but not in the manifest",
			"json: does not parse: ",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertProblems(t, broken(t, "json", tc.break_), tc.want)
		})
	}
}

// broken verifies the small snapshot, written in the given formats and
// then broken by break_.
func broken(t *testing.T, formats string, break_ func(t *testing.T, dir string)) *Report {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, small(t), formats)
	break_(t, dir)
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// assertProblems checks the report's problems, one line each, in order:
// each starts with its want.
func assertProblems(t *testing.T, r *Report, want []string) {
	t.Helper()
	var got []string
	for _, p := range r.Problems {
		got = append(got, p.String())
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), messages(r))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], w)
		}
	}
}

func editManifest(t *testing.T, dir string, edit func(*snapshot.Manifest)) {
	t.Helper()
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(&m)
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(dir, snapshot.ManifestName), b, 0o600)
}

func TestReferences(t *testing.T) {
	s := small(t)
	s.Records["outcome"][0]["newstatus"] = json.Number("99")
	s.Records["tickettype"][0]["allowed_status"].([]any)[1].(map[string]any)["status_id"] = json.Number("42")
	s.Records["status"][0]["tickettypes"] = []any{map[string]any{"value": "abc"}}
	r := verifySnapshot(t, s, []string{
		`status 1: tickettypes[].value: want an integer id, got the string "abc"`,
		"tickettype 5: allowed_status[].status_id: dangling reference: no status with id 42 in the snapshot",
		"outcome 10: newstatus: dangling reference: no status with id 99 in the snapshot",
	})
	p := r.Problems[2]
	if p.Kind != "outcome" || p.ID != "10" || p.Field != "newstatus" {
		t.Errorf("problem fields: %+v", p)
	}
}

// A reference to a custom field's value resolves to a row of the field its
// sibling names.
func TestValueReferences(t *testing.T) {
	s := small(t)
	s.Put("customfield", []snapshot.Record{rec(t, `{"id": 3, "name": "CFDepartment", "values": [{"id": 31, "name": "Sales"}]}`),
		rec(t, `{"id": 4, "name": "CFRegion", "values": []}`)})
	s.Records["tickettype"][0]["fields"] = []any{map[string]any{"fieldid": json.Number("3"), "value_restrictions": []any{
		map[string]any{"field_id": json.Number("3"), "value_id": json.Number("31")},
		map[string]any{"field_id": json.Number("3"), "value_id": json.Number("32")},
		map[string]any{"field_id": json.Number("7"), "value_id": json.Number("71")},
	}}}
	verifySnapshot(t, s, []string{
		"tickettype 5: fields[].value_restrictions[].field_id: dangling reference: no customfield with id 7 in the snapshot",
		"tickettype 5: fields[].value_restrictions[].value_id: dangling reference: customfield 3 has no values row 32",
		`tickettype 5: fields[].value_restrictions[].value_id: dangling reference: values row 71 of customfield "7", which is not in the snapshot (field_id)`,
	})
}

// verifySnapshot writes s as JSON, verifies it and wants exactly the problems want.
func verifySnapshot(t *testing.T, s *snapshot.Snapshot, want []string) *Report {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, s, "json")
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(r); got != strings.Join(want, "\n")+"\n" {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	return r
}

func TestUnverifiable(t *testing.T) {
	// An export with --only outcome: its references to statuses and ticket
	// types cannot be checked, and are not dangling.
	s := small(t)
	delete(s.Records, "status")
	delete(s.Records, "tickettype")
	delete(s.Manifest.Kinds, "status")
	delete(s.Manifest.Kinds, "tickettype")
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, s, "json")
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Errorf("problems:\n%s", messages(r))
	}
	want := []Unverifiable{{"outcome", "newstatus", "status", 1}, {"outcome", "tickettypes[].value", "tickettype", 1}}
	if len(r.Unverifiable) != 2 || r.Unverifiable[0] != want[0] || r.Unverifiable[1] != want[1] {
		t.Errorf("unverifiable = %+v, want %+v", r.Unverifiable, want)
	}
}

func TestFormatsDisagree(t *testing.T) {
	// JSON and Parquet written from different records, each file with a
	// correct checksum: only comparing the formats finds it.
	a := small(t)
	b := small(t)
	b.Records["status"][1]["name"] = "Done"
	dir := filepath.Join(t.TempDir(), "snap")
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := (formats.JSON{}).Write(formats.FromSnapshot(a), d); err != nil {
		t.Fatal(err)
	}
	if err := (formats.Parquet{}).Write(formats.FromSnapshot(b), d); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(a.Manifest); err != nil {
		t.Fatal(err)
	}
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := messages(r); got != "status 2: json and parquet hold different records\n" {
		t.Errorf("problems:\n%s", got)
	}
}

func TestNotASnapshot(t *testing.T) {
	if _, err := Dir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a snapshot") {
		t.Errorf("Dir of an empty directory: %v", err)
	}
}

func TestManifestPathOutside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, small(t), "json")
	editManifest(t, dir, func(m *snapshot.Manifest) {
		m.Files = append(m.Files, snapshot.File{Path: "../outside", Bytes: 1, SHA256: "00"})
	})
	r, _ := Dir(dir)
	if got := messages(r); got != "../outside: the manifest lists a path outside the snapshot\n" {
		t.Errorf("problems:\n%s", got)
	}
}

// BenchmarkVerify verifies a snapshot of 300 records of every kind in all three formats.
func BenchmarkVerify(b *testing.B) {
	sim, err := halosim.New(halosim.Options{Dataset: "scale:300", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	s := snapshot.New("http://bench", time.Now())
	for kind, recs := range sim.AllRecords() {
		s.Put(kind, recs)
	}
	dir := filepath.Join(b.TempDir(), "snap")
	d, _ := snapshot.NewDir(dir, false)
	fs, _ := formats.Parse("json,parquet,xlsx")
	if err := formats.Write(s, d, fs); err != nil {
		b.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := Dir(dir)
		if err != nil || !r.OK() {
			b.Fatal(err, r.Problems)
		}
	}
}

// TestCompleteFormats: a format whose files are gone is reported file by
// file, as before; the report says which formats a restore can read alone,
// and which one it reads. A file that is there but differs stops a restore
// whatever its format.
func TestCompleteFormats(t *testing.T) {
	cases := []struct {
		name     string
		break_   func(t *testing.T, dir string)
		formats  string // read
		complete string
		restore  string
		problems []string
	}{
		{"nothing wrong", func(t *testing.T, dir string) {}, "json,parquet,xlsx", "json,parquet,xlsx", "json", nil},
		{"json and the workbook deleted", func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(dir, "json"))
			os.Remove(filepath.Join(dir, "snapshot.xlsx"))
		}, "parquet", "parquet", "parquet", []string{
			"json/outcome.json: missing (listed in the manifest)",
			"json/status.json: missing (listed in the manifest)",
			"json/tickettype.json: missing (listed in the manifest)",
			"snapshot.xlsx: missing (listed in the manifest)",
		}},
		{"one json file deleted", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "json", "status.json"))
		}, "json,parquet,xlsx", "parquet,xlsx", "parquet", []string{
			"json/status.json: missing (listed in the manifest)",
			"status: json: no records of this kind; the manifest counts 2",
		}},
		{"the workbook changed", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "snapshot.xlsx")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, 0), 0o600)
		}, "json,parquet,xlsx", "json,parquet", "", []string{
			"snapshot.xlsx: checksum mismatch: ",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := broken(t, "json,parquet,xlsx", tc.break_)
			if f, c := strings.Join(r.Formats, ","), strings.Join(r.Complete, ","); f != tc.formats || c != tc.complete || r.Restore != tc.restore {
				t.Errorf("formats %s, complete %s, restore %q; want %s, %s, %q", f, c, r.Restore, tc.formats, tc.complete, tc.restore)
			}
			assertProblems(t, r, tc.problems)
		})
	}
}

// verify keeps the skeletons of the records in a temporary file: when it
// cannot be made, verify fails saying so, rather than report references
// it could not check as dangling or fine.
func TestVerifyTemporaryFileFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, small(t), "json")
	t.Setenv("TMPDIR", "/nonexistent/halocfg-test")
	r, err := Dir(dir)
	if err == nil || !strings.Contains(err.Error(), "holding record skeletons in a temporary file") || !strings.Contains(err.Error(), "/nonexistent/halocfg-test") {
		t.Errorf("Dir: %v, %v", r, err)
	}
}
