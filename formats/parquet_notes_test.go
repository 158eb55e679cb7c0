package formats

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/halocfg/halocfg/snapshot"
)

// pqCells reads a Parquet file's column names, in order, and each row's
// cells by column name (nil for null, the text of byte arrays).
func pqCells(t *testing.T, path string) (names []string, rows []map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pf.Schema().Columns() {
		names = append(names, c[0])
	}
	for _, rg := range pf.RowGroups() {
		r := rg.Rows()
		buf := make([]parquet.Row, 64)
		for {
			n, err := r.ReadRows(buf)
			for _, row := range buf[:n] {
				cells := map[string]any{}
				for _, v := range row {
					switch {
					case v.IsNull():
						cells[names[v.Column()]] = nil
					case v.Kind() == parquet.ByteArray:
						cells[names[v.Column()]] = string(v.ByteArray())
					default:
						cells[names[v.Column()]] = v.String()
					}
				}
				rows = append(rows, cells)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		r.Close()
	}
	return names, rows
}

// TestParquetNotesLastAndNullOnOrdinaryRows (issue 12): _halocfg was the
// first column (SELECT * showed it first) and was set on every row of four
// kinds: every record lacked a field one record had, and Halo writes whole
// doubles as 24.0. Now it is the last column, and null but where a row
// differs from its columns' defaults.
func TestParquetNotesLastAndNullOnOrdinaryRows(t *testing.T) {
	s := snapshot.New("https://notes.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	recs := []string{
		`{"id": 1, "name": "New", "colour": "#fff", "timeuntilloffhold": 24.0}`,
		`{"id": 2, "name": "Open", "timeuntilloffhold": 0.5}`,
		`{"id": 3, "name": "Hold", "colour": "#000", "timeuntilloffhold": 48.0}`,
		`{"id": 4, "name": "Waiting", "colour": "#0f0", "timeuntilloffhold": 1E-07, "x_halo_new_setting": "on"}`,
		`{"id": 5, "name": "Closed", "colour": null, "timeuntilloffhold": null, "x_halo_new_setting": null}`,
		`{"id": 6, "name": "Resolved", "colour": "#00f", "timeuntilloffhold": 12.0}`,
		`{"id": 7, "name": "Plain", "colour": "#00f", "timeuntilloffhold": 3}`,
	}
	var rs []snapshot.Record
	for _, js := range recs {
		r, err := snapshot.DecodeRecord([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	s.Put("status", rs)
	dir := writeSnapshot(t, s, Parquet{})

	names, rows := pqCells(t, filepath.Join(dir, "parquet", "status.parquet"))
	if names[0] != "id" || names[len(names)-1] != notesColumn {
		t.Errorf("columns %v: want id first (the schema's order) and %s last", names, notesColumn)
	}
	if !slices.Equal(names, []string{"id", "name", "colour", "timeuntilloffhold", "x_halo_new_setting", notesColumn}) {
		t.Errorf("columns %v", names)
	}
	want := []any{
		nil,
		`{"absent":["colour"]}`,
		nil,
		`{"exact":{"timeuntilloffhold":"1E-07"}}`,
		`{"null":["x_halo_new_setting"]}`,
		nil,
		`{"exact":{"timeuntilloffhold":"3"}}`,
	}
	for i, row := range rows {
		if row[notesColumn] != want[i] {
			t.Errorf("row %d (id %v): %s %v, want %v", i+1, row["id"], notesColumn, row[notesColumn], want[i])
		}
	}
	got, err := ReadAll(Parquet{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got)
}

// TestParquetPageIndexReadsInParquetGo: parquet-go's own reader finds the
// column indexes from the first column chunk's (File.ReadPageIndex). With
// _halocfg first, which has none, it read none; now the first column is id,
// and the column indexes the writer keeps (not those of the unbounded
// columns, which it drops) must all be where that reader looks.
func TestParquetPageIndexReadsInParquetGo(t *testing.T) {
	s := largeTextSnapshot(5, 4<<10) // body_html over parquetStatBytes: unbounded, between bounded columns
	dir := writeSnapshot(t, s, Parquet{})
	b, err := os.ReadFile(filepath.Join(dir, "parquet", "emailtemplate.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("parquet-go, reading the page index: %v", err)
	}
	cols := pf.Schema().Columns()
	if cols[0][0] != "id" {
		t.Fatalf("first column %v", cols[0])
	}
	ci := pf.ColumnIndexes()
	if len(ci) != len(cols) {
		t.Fatalf("%d column indexes for %d columns", len(ci), len(cols))
	}
	for i, c := range cols {
		bounded := len(ci[i].MaxValues) > 0
		if want := c[0] != "body_html" && c[0] != notesColumn; bounded != want {
			t.Errorf("column %s: column index with %d pages, want one: %v", c[0], len(ci[i].MaxValues), want)
		}
	}
	if lo, hi := ci[0].MinValues[0], ci[0].MaxValues[0]; len(lo) != 8 || len(hi) != 8 || lo[0] != 1 || hi[0] != 5 {
		t.Errorf("id from %v to %v, want 1 to 5", lo, hi)
	}
	checkStatistics(t, b, pf.Metadata(), "body_html", notesColumn)
}

// TestParquetBadDefaults: the columns' defaults and a row's notes come from
// the file: a name that is no column is an error naming it, as is a
// version this halocfg does not read.
func TestParquetBadDefaults(t *testing.T) {
	write := func(t *testing.T, notes string, meta ...string) string {
		t.Helper()
		dir := t.TempDir()
		p := filepath.Join(dir, "parquet", "status.parquet")
		os.MkdirAll(filepath.Dir(p), 0o700)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		schema := parquet.NewSchema("status", newOrderedGroup([]string{"id", "name", notesColumn},
			[]parquet.Node{parquet.Optional(parquet.Leaf(parquet.Int64Type)), parquet.Optional(parquet.String()), parquet.Optional(parquet.JSON())}))
		opts := []parquet.WriterOption{schema, parquet.KeyValueMetadata(pqKeyKind, "status"), parquet.KeyValueMetadata(pqKeyFields, `["id","name"]`)}
		for i := 0; i < len(meta); i += 2 {
			opts = append(opts, parquet.KeyValueMetadata(meta[i], meta[i+1]))
		}
		w := parquet.NewWriter(f, opts...)
		nv := parquet.NullValue().Level(0, 0, 2)
		if notes != "" {
			nv = parquet.ByteArrayValue([]byte(notes)).Level(0, 1, 2)
		}
		row := parquet.Row{parquet.Int64Value(1).Level(0, 1, 0), parquet.NullValue().Level(0, 0, 1), nv}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := []struct {
		name  string
		notes string
		meta  []string
		want  string
	}{
		{"absent names no column", "", []string{pqKeyVersion, "2", pqKeyAbsent, `["name","nosuch"]`}, `metadata halocfg.absent: field "nosuch" has no column`},
		{"dotted names the notes", "", []string{pqKeyVersion, "2", pqKeyDotted, `["_halocfg"]`}, `metadata halocfg.dotted: field "_halocfg" has no column`},
		{"absent is not JSON", "", []string{pqKeyVersion, "2", pqKeyAbsent, `name`}, `metadata halocfg.absent: invalid character`},
		{"a null note names no column", `{"null":["nosuch"]}`, []string{pqKeyVersion, "2", pqKeyAbsent, `["name"]`}, `row 1, column _halocfg: field "nosuch" has no column`},
		{"version 3", "", []string{pqKeyVersion, "3"}, `halocfg.format_version "3" is not supported (this halocfg reads 1 to 2)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := write(t, c.notes, c.meta...)
			_, err := ReadAll(Parquet{}, dir)
			assertErrorHas(t, err, filepath.Join(dir, "parquet", "status.parquet"), c.want)
		})
	}
	// The same file, well formed: name is absent from the record, not null.
	got, err := ReadAll(Parquet{}, write(t, "", pqKeyVersion, "2", pqKeyAbsent, `["name"]`))
	if err != nil {
		t.Fatal(err)
	}
	if r := got["status"][0]; len(r) != 1 || r.ID() != "1" {
		t.Errorf("record %v, want only id 1", r)
	}
}
