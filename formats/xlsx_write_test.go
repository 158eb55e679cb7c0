package formats

import (
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// The workbook is written part by part, each sheet straight into its zip
// entry (issue 12): it must be the workbook excelize wrote before, cell for
// cell. testdata/excelize-written.xlsx is what excelize's stream writer
// wrote from goldenSnapshot (commit b7a2883, the last to use it); the
// workbook written today from the same snapshot holds the same sheets, in
// the same order, with the same rows, hidden sheets, column widths, frozen
// panes and header styles. One column is new since: _cells' part, which
// numbers a long text's continuations (1 for each here, the golden's texts
// having one), expected beside the golden's rows as the writer numbers
// them, in the order the golden wrote them.
func TestWorkbookIsTheOneExcelizeWrote(t *testing.T) {
	old, err := excelize.OpenFile(filepath.Join("testdata", "excelize-written.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	dir := writeSnapshot(t, goldenSnapshot(), XLSX{})
	f, err := excelize.OpenFile(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if want := old.GetSheetList(); !slices.Equal(sheets, want) {
		t.Fatalf("sheets %v, want %v", sheets, want)
	}
	for _, sheet := range sheets {
		got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := old.GetRows(sheet, excelize.Options{RawCellValue: true})
		if sheet == cellsSheet {
			want = withParts(want)
			// the notes are the same; their order need not be
			slices.SortFunc(got[1:], slices.Compare)
			slices.SortFunc(want[1:], slices.Compare)
		}
		if len(got) != len(want) {
			t.Errorf("sheet %q: %d rows, want %d", sheet, len(got), len(want))
			continue
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("sheet %q, row %d:\n got %q\nwant %q", sheet, i+1, got[i], want[i])
			}
		}
		visible, _ := f.GetSheetVisible(sheet)
		if wantVisible, _ := old.GetSheetVisible(sheet); visible != wantVisible {
			t.Errorf("sheet %q: visible %v, want %v", sheet, visible, wantVisible)
		}
		if len(want) == 0 {
			continue
		}
		for c := range want[0] {
			col := colLetter(c)
			w, _ := f.GetColWidth(sheet, col)
			ww, _ := old.GetColWidth(sheet, col)
			if w != ww {
				t.Errorf("sheet %q, column %s: width %v, want %v", sheet, col, w, ww)
			}
			cell, oldCell := col+"1", col+"1"
			if sheet == cellsSheet && col == "F" { // part's header is styled as the others
				oldCell = "E1"
			}
			s, _ := f.GetCellStyle(sheet, cell)
			ws, _ := old.GetCellStyle(sheet, oldCell)
			st, _ := f.GetStyle(s)
			wst, _ := old.GetStyle(ws)
			if (st.Font == nil) != (wst.Font == nil) || st.Font != nil && *st.Font != *wst.Font {
				t.Errorf("sheet %q, %s: font %+v, want %+v", sheet, cell, st.Font, wst.Font)
			}
		}
		dim, _ := f.GetSheetDimension(sheet)
		wantDim, _ := old.GetSheetDimension(sheet)
		if sheet == cellsSheet { // one column wider: part
			wantDim = strings.Replace(wantDim, ":E", ":F", 1)
		}
		if dim != wantDim {
			t.Errorf("sheet %q: dimension %s, want %s", sheet, dim, wantDim)
		}
		panes, _ := f.GetPanes(sheet)
		wantPanes, _ := old.GetPanes(sheet)
		if panes.Freeze != wantPanes.Freeze || panes.XSplit != wantPanes.XSplit || panes.YSplit != wantPanes.YSplit ||
			panes.TopLeftCell != wantPanes.TopLeftCell || panes.ActivePane != wantPanes.ActivePane {
			t.Errorf("sheet %q: panes %+v, want %+v", sheet, panes, wantPanes)
		}
	}
	// Exactly, for one sheet: what the dimension declares, what is frozen, the header's style.
	if dim, _ := f.GetSheetDimension("status"); dim != "A1:AY14" {
		t.Errorf("status: dimension %s, want A1:AY14", dim)
	}
	if p, _ := f.GetPanes("status"); p.XSplit != 2 || p.YSplit != 1 || p.TopLeftCell != "C2" || !p.Freeze {
		t.Errorf("status: panes %+v, want frozen at C2", p)
	}
	if s, _ := f.GetCellStyle("status", "A1"); s == 0 {
		t.Error("status!A1: the header is not bold")
	} else if st, _ := f.GetStyle(s); st.Font == nil || !st.Font.Bold {
		t.Errorf("status!A1: font %+v, want bold", st.Font)
	}
}

// Cell text is written as excelize wrote it: characters XML cannot carry
// become U+FFFD, _xHHHH_ look-alikes keep their text, spaces at the ends stay.
func TestWorkbookCellText(t *testing.T) {
	cases := map[string]string{
		"plain":                   "plain",
		"a & b < c > d \"e\" 'f'": "a & b < c > d \"e\" 'f'",
		" padded\t":               " padded\t",
		"line\nbreak":             "line\nbreak",
		"cr\rhere":                "cr\rhere",
		"bell\x07":                "bell\uFFFD",
		"bad\xffutf8":             "bad\uFFFDutf8",
		"_x0041_":                 "_x0041_",
		"_x005F_x0041_":           "_x005F_x0041_",
		"_x005F_":                 "_x005F_",
		"ünï 😀":                   "ünï 😀",
	}
	s := snapshot.New("https://edge.halopsa.com", edgeSnapshot().Manifest.CreatedAt)
	var texts []string
	for in := range cases {
		texts = append(texts, in)
	}
	slices.Sort(texts)
	for _, in := range texts {
		s.Manifest.Tool += in // _about writes the tool as it is
	}
	s.Put("status", []snapshot.Record{{"id": json.Number("1"), "name": "x"}})
	dir := writeSnapshot(t, s, XLSX{})
	f, err := excelize.OpenFile(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := f.GetCellValue(aboutSheet, "B6")
	want := ""
	for _, in := range texts {
		want += cases[in]
	}
	if got != want {
		t.Errorf("_about!B6 = %q, want %q", got, want)
	}
}

// The writer reads each kind of a source once: a JSON kind is decoded once,
// not once to learn its columns and again to write them (issue 12).
func TestWorkbookReadsAKindOnce(t *testing.T) {
	s := genSnapshot(3)
	runs := map[string]int{}
	src := FromSnapshot(s)
	src.Stream = func(fn func(string, Records) error) error {
		return src.Each(func(kind string, recs []snapshot.Record) error {
			return fn(kind, func(yield func(snapshot.Record) error) error {
				runs[kind]++
				return sliceRecords(recs)(yield)
			})
		})
	}
	if err := writeWorkbook(src, io.Discard); err != nil {
		t.Fatal(err)
	}
	for kind := range s.Records {
		if runs[kind] != 1 {
			t.Errorf("%s: read %d times", kind, runs[kind])
		}
	}
}

// TestWorkbookWriterHoldsNoSheet (issue 12): excelize's stream writer kept
// each sheet in memory up to 16 MiB until the workbook was written, so that
// a workbook of a few large kinds held them all at once. Sheets now go
// straight into the zip: the writer holds a record and its buffers.
func TestWorkbookWriterHoldsNoSheet(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 50 MB of XML")
	}
	text := strings.Repeat("lorem ipsum dolor sit amet ", 100) // 2.7 KB, shared by every record
	s := snapshot.New("https://bench.halopsa.com", edgeSnapshot().Manifest.CreatedAt)
	for _, kind := range []string{"status", "priority", "sla", "outcome"} {
		recs := make([]snapshot.Record, 4000) // some 12 MB of XML each: kept in memory before
		for i := range recs {
			recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": "n" + strconv.Itoa(i), "notes": text}
		}
		s.Put(kind, recs)
	}
	var err error
	peak := heaptest.Peak(func() { err = writeWorkbook(FromSnapshot(s), io.Discard) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("peak live heap %.1f MiB", float64(peak)/(1<<20))
	if peak > 16<<20 { // before: 63 MiB
		t.Errorf("writing four 12 MB sheets held %d MiB at its peak", peak>>20)
	}
}

// failingWriter takes left bytes, then fails.
type failingWriter struct{ left int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errors.New("disk full")
	}
	w.left -= len(p)
	return len(p), nil
}

// A workbook whose file fails while the sheets are written (by a goroutine
// of their own) fails with the file's error, its goroutine gone and its
// temporary files removed.
func TestWorkbookWriteFails(t *testing.T) {
	tempDir(t)
	before := runtime.NumGoroutine()
	err := writeWorkbook(FromSnapshot(genSnapshot(20)), &failingWriter{left: 200_000})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "sheet ") {
		t.Fatalf("error %v, want the sheet and disk full", err)
	}
	noGoroutineLeft(t, before) // the sheet writer's, told to end
}

// withParts is the golden's rows of _cells with the column part: the header,
// and on each continuation (more) its number among its cell's, in the order
// of the rows.
func withParts(rows [][]string) [][]string {
	out := [][]string{append(slices.Clip(rows[0]), "part")}
	parts := map[[3]string]int{}
	for _, r := range rows[1:] {
		if cellAt(r, 3) == noteMore {
			cell := [3]string{r[0], r[1], r[2]}
			parts[cell]++
			r = append(slices.Clip(r), strconv.Itoa(parts[cell]))
		}
		out = append(out, r)
	}
	return out
}
