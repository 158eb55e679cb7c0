package formats

import (
	"encoding/json"
	"github.com/halocfg/halocfg/catalog"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/snapshot"
)

// xlsxFile edits a workbook the way an analyst's spreadsheet program would:
// cells keep their types, columns and sheets move.
type xlsxFile struct {
	t *testing.T
	*excelize.File
}

func editWorkbook(t *testing.T, path string, edit func(f *xlsxFile)) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	edit(&xlsxFile{t, f})
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

// readEdited writes s as a workbook, edits it and reads it back; path is
// the workbook's.
func readEdited(t *testing.T, s *snapshot.Snapshot, edit func(f *xlsxFile)) (path string, got map[string][]snapshot.Record, err error) {
	t.Helper()
	dir := writeSnapshot(t, s, XLSX{})
	path = filepath.Join(dir, xlsxName)
	editWorkbook(t, path, edit)
	got, err = ReadAll(XLSX{}, dir)
	return path, got, err
}

func (f *xlsxFile) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *xlsxFile) set(sheet, cell string, v any) { f.must(f.SetCellValue(sheet, cell, v)) }

// column finds a header in row 1.
func (f *xlsxFile) column(sheet, header string) string {
	f.t.Helper()
	rows, err := f.GetRows(sheet)
	f.must(err)
	for i, h := range rows[0] {
		if h == header {
			return colLetter(i)
		}
	}
	f.t.Fatalf("sheet %s: no column %s", sheet, header)
	return ""
}

// moveColumn moves column from before column to, keeping each cell's type.
func (f *xlsxFile) moveColumn(sheet, from, to string) {
	f.must(f.InsertCols(sheet, to, 1))
	fromN, _ := excelize.ColumnNameToNumber(from)
	toN, _ := excelize.ColumnNameToNumber(to)
	if fromN >= toN {
		fromN++
		from, _ = excelize.ColumnNumberToName(fromN)
	}
	rows, err := f.GetRows(sheet)
	f.must(err)
	for r := 1; r <= len(rows); r++ {
		src, dst := from+strconv.Itoa(r), to+strconv.Itoa(r)
		typ, err := f.GetCellType(sheet, src)
		f.must(err)
		raw, err := f.GetCellValue(sheet, src, excelize.Options{RawCellValue: true})
		f.must(err)
		switch {
		case raw == "":
		case typ == excelize.CellTypeBool:
			f.must(f.SetCellBool(sheet, dst, raw == "1"))
		case typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber:
			n, err := strconv.ParseFloat(raw, 64)
			f.must(err)
			f.must(f.SetCellFloat(sheet, dst, n, -1, 64))
		default:
			f.must(f.SetCellStr(sheet, dst, raw))
		}
	}
	f.must(f.RemoveCol(sheet, from))
}

// findRow is the row of the record with the given id on a kind sheet.
func (f *xlsxFile) findRow(sheet, id string) int {
	f.t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	f.must(err)
	for i, r := range rows {
		if len(r) > 0 && r[0] == id {
			return i + 1
		}
	}
	f.t.Fatalf("sheet %s: no id %s", sheet, id)
	return 0
}

func TestXLSXRestoresEdits(t *testing.T) {
	s := edgeSnapshot()
	want := func(edit func(map[string][]snapshot.Record)) map[string][]snapshot.Record {
		w := map[string][]snapshot.Record{}
		for k, recs := range s.Records {
			for _, r := range recs {
				w[k] = append(w[k], r.Clone())
			}
			if w[k] == nil {
				w[k] = []snapshot.Record{}
			}
		}
		edit(w)
		return w
	}
	byID := func(recs []snapshot.Record, id string) snapshot.Record {
		for _, r := range recs {
			if r.ID() == id {
				return r
			}
		}
		t.Fatalf("no record %s", id)
		return nil
	}
	cases := []struct {
		name string
		edit func(f *xlsxFile)
		want map[string][]snapshot.Record
	}{
		{"change values", func(f *xlsxFile) {
			row := strconv.Itoa(f.findRow("status", "903"))
			f.set("status", f.column("status", "name")+row, "Renamed")
			f.set("status", f.column("status", "sequence")+row, 12)
			f.set("status", f.column("status", "useworkflowbuttons")+row, true)
			f.set("status", f.column("status", "tickettypes")+row, `[{"value":"9"}]`)
			// a number typed over a number whose exact text was noted
			f.set("status", f.column("status", "ratio")+row, 2.5)
		}, want(func(w map[string][]snapshot.Record) {
			r := byID(w["status"], "903")
			r["name"], r["sequence"], r["useworkflowbuttons"] = "Renamed", json.Number("12"), true
			r["tickettypes"] = []any{map[string]any{"value": "9"}}
			r["ratio"] = json.Number("2.5")
		})},
		{"clear a cell", func(f *xlsxFile) {
			f.set("status", f.column("status", "name")+strconv.Itoa(f.findRow("status", "907")), nil)
		}, want(func(w map[string][]snapshot.Record) {
			byID(w["status"], "907")["name"] = nil // the column's empty cells are null
		})},
		{"delete a row", func(f *xlsxFile) {
			f.must(f.RemoveRow("status", f.findRow("status", "902")))
		}, want(func(w map[string][]snapshot.Record) {
			var keep []snapshot.Record
			for _, r := range w["status"] {
				if r.ID() != "902" {
					keep = append(keep, r)
				}
			}
			w["status"] = keep
		})},
		{"reorder columns and sheets", func(f *xlsxFile) {
			f.moveColumn("status", "B", "A")
			f.moveColumn("status", f.column("status", "useworkflowbuttons"), "C")
			f.moveColumn("priority", f.column("priority", "useworkflowbuttons"), "A")
			f.must(f.MoveSheet("priority", "_about"))
			f.must(f.MoveSheet("sla", "priority"))
		}, want(func(map[string][]snapshot.Record) {})},
		{"add a column and a row", func(f *xlsxFile) {
			col := "Z"
			f.set("status", col+"1", "added")
			f.set("status", col+strconv.Itoa(f.findRow("status", "900")), 42)
			f.set("status", col+strconv.Itoa(f.findRow("status", "901")), "text")
			f.set("status", col+strconv.Itoa(f.findRow("status", "902")), true)
			f.set("status", col+strconv.Itoa(f.findRow("status", "903")), 0.25)
			f.set("status", "A40", 1000)
			f.set("status", f.column("status", "name")+"40", "New status")
		}, want(func(w map[string][]snapshot.Record) {
			byID(w["status"], "900")["added"] = json.Number("42")
			byID(w["status"], "901")["added"] = "text"
			byID(w["status"], "902")["added"] = true
			byID(w["status"], "903")["added"] = json.Number("0.25")
			// a new row: empty cells take each column's default meaning
			w["status"] = append(w["status"], snapshot.Record{"id": json.Number("1000"), "name": "New status"})
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, got, err := readEdited(t, s, c.edit)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, c.want, got)
		})
	}
}

func TestXLSXEditErrorsNameSheetRowColumn(t *testing.T) {
	s := edgeSnapshot()
	cases := []struct {
		name string
		edit func(f *xlsxFile)
		want string
	}{
		{"text in an int column", func(f *xlsxFile) {
			f.set("status", f.column("status", "sequence")+"3", "abc")
		}, `sheet "status", row 3, column "sequence": "abc" is not an integer`},
		{"a fraction in an int column", func(f *xlsxFile) {
			f.set("status", f.column("status", "sequence")+"4", 1.5)
		}, `sheet "status", row 4, column "sequence": "1.5" is not an integer`},
		{"text in a bool column", func(f *xlsxFile) {
			f.set("priority", f.column("priority", "useworkflowbuttons")+"2", "maybe")
		}, `sheet "priority", row 2, column "useworkflowbuttons": "maybe" is not true or false`},
		{"text in a float column", func(f *xlsxFile) {
			f.set("status", f.column("status", "ratio")+"5", "lots")
		}, `sheet "status", row 5, column "ratio": "lots" is not a number`},
		{"broken JSON", func(f *xlsxFile) {
			f.set("status", f.column("status", "tickettypes")+"8", `[{"value":`)
		}, `sheet "status", row 8, column "tickettypes": "[{\"value\":" is not valid JSON`},
		{"missing id column", func(f *xlsxFile) {
			f.set("status", "A1", "identifier")
		}, `sheet "status", row 1: no "id" column`},
		{"duplicate id", func(f *xlsxFile) {
			f.set("status", "A4", 900)
		}, `sheet "status", row 4, column "id": id 900 is also in row 2`},
		{"empty id", func(f *xlsxFile) {
			f.set("status", "A5", nil)
		}, `sheet "status", row 5, column "id": empty`},
		{"duplicate header", func(f *xlsxFile) {
			f.set("status", "C1", "name")
		}, `sheet "status", row 1: column "name" appears twice (columns B and C)`},
		{"value without a header", func(f *xlsxFile) {
			f.set("status", "AD3", "stray")
		}, `sheet "status", row 3, column AD: value under an empty header`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _, err := readEdited(t, s, c.edit)
			assertErrorHas(t, err, p+": "+c.want)
		})
	}
}

func TestXLSXLayoutForPeople(t *testing.T) {
	s := genSnapshot(3)
	dir := writeSnapshot(t, s, XLSX{})
	f, err := excelize.OpenFile(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if sheets[0] != aboutSheet || len(sheets) != len(catalog.Kinds())+3 {
		t.Errorf("sheets %v, want _about, the %d kinds, _types, _cells", sheets, len(catalog.Kinds()))
	}
	for _, hidden := range []string{typesSheet, cellsSheet} {
		if v, _ := f.GetSheetVisible(hidden); v {
			t.Errorf("%s is visible", hidden)
		}
	}
	rows, err := f.GetRows("outcome")
	if err != nil {
		t.Fatal(err)
	}
	head := rows[0]
	if head[0] != "id" || head[1] != "outcome" {
		t.Errorf("outcome header starts %v, want id and the natural key", head[:2])
	}
	// a reference is followed by the name of the record it points at
	at := map[string]int{}
	for i, h := range head {
		at[h] = i
	}
	if at["newstatus (name)"] != at["newstatus"]+1 {
		t.Errorf("newstatus (name) at %d, newstatus at %d", at["newstatus (name)"], at["newstatus"])
	}
	st, _ := s.Records["outcome"][0].Int("newstatus")
	var statusName string
	for _, r := range s.Records["status"] {
		if id, _ := r.Int("id"); id == st {
			statusName = r["name"].(string)
		}
	}
	if got := rows[1][at["newstatus (name)"]]; statusName != "" && got != statusName {
		t.Errorf("newstatus (name) = %q, want %q", got, statusName)
	}
	// bold header, frozen first row, autofilter over the data
	style, _ := f.GetCellStyle("outcome", "A1")
	if st, _ := f.GetStyle(style); st == nil || st.Font == nil || !st.Font.Bold {
		t.Error("header is not bold")
	}
	panes, _ := f.GetPanes("outcome")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, want the first row frozen", panes)
	}
	if w, _ := f.GetColWidth("outcome", "A"); w < 8 || w > 50 {
		t.Errorf("id column width %v", w)
	}
	// formula-looking text stays text
	edge := writeSnapshot(t, edgeSnapshot(), XLSX{})
	g, err := excelize.OpenFile(filepath.Join(edge, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	formula, _ := g.GetCellFormula("status", "B5")
	typ, _ := g.GetCellType("status", "B5")
	v, _ := g.GetCellValue("status", "B5")
	if v != "=SUM(A1:A2)" || formula != "" || typ != excelize.CellTypeInlineString {
		t.Errorf("B5 = %q, formula %q, type %v: want the text =SUM(A1:A2)", v, formula, typ)
	}
}

// Without the hidden sheets the reader falls back on the cells' own types:
// numbers, booleans and text still restore, display columns stay out.
func TestXLSXWithoutHiddenSheets(t *testing.T) {
	s := genSnapshot(3)
	dir := writeSnapshot(t, s, XLSX{})
	editWorkbook(t, filepath.Join(dir, xlsxName), func(f *xlsxFile) {
		f.must(f.DeleteSheet(typesSheet))
		f.must(f.DeleteSheet(cellsSheet))
	})
	got, err := ReadAll(XLSX{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sortedCopy(s.Records["outcome"])
	outcomes := sortedCopy(got["outcome"])
	if len(outcomes) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(outcomes), len(want))
	}
	for i, r := range outcomes {
		for field := range r {
			if _, ok := want[i][field]; !ok {
				t.Errorf("outcome %s: field %q was not in the snapshot", r.ID(), field)
			}
		}
		for _, field := range []string{"id", "outcome", "newstatus", "hidden"} {
			if !snapshot.Equal(r[field], want[i][field]) {
				t.Errorf("outcome %s: %s = %v, want %v", r.ID(), field, r[field], want[i][field])
			}
		}
	}
}
