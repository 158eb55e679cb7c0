package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/snapshot"
)

// workbook is what a halocfg workbook holds, read whole.
type workbook struct {
	about   map[string]string // source, tenant, created_at, tool, format_version
	records map[string][]snapshot.Record
}

// readWorkbookAt reads a whole workbook of size bytes from r within l, its
// temporary files in tmp.
func readWorkbookAt(r io.ReaderAt, size int64, tmp string, l xlsxLimits) (*workbook, error) {
	x, err := openXLSX(r, size, tmp, l)
	if err != nil {
		return nil, err
	}
	defer x.close()
	wb := &workbook{about: x.about, records: map[string][]snapshot.Record{}}
	for _, k := range x.kinds {
		if wb.records[k.kind], err = x.records("", k.sheet, k.kind).all(); err != nil {
			return nil, err
		}
	}
	return wb, nil
}

// readWorkbook reads a whole workbook held in memory, as halocfg reads one.
func readWorkbook(data []byte) (*workbook, error) {
	var wb *workbook
	err := inTempDir(func(tmp string) (err error) {
		wb, err = readWorkbookWithin(data, tmp, xlsxLimit)
		return err
	})
	return wb, err
}

func readWorkbookWithin(data []byte, tmp string, l xlsxLimits) (*workbook, error) {
	return readWorkbookAt(bytes.NewReader(data), int64(len(data)), tmp, l)
}

// The reader takes a cell's text as excelize's Rows did: an inline string's
// and a shared string's own text and their runs' (not phonetic runs'), with
// OOXML's _xHHHH_ escapes decoded; a number as written.
func TestXLSXReadsTextAsExcelize(t *testing.T) {
	tempDir(t)
	rich := `<r><t>ab</t></r><r><rPr><b/></rPr><t xml:space="preserve">c </t></r><rPh sb="0" eb="1"><t>x</t></rPh>`
	sst := bombPart{head: sstHead + `<si>` + rich + `</si><si><t>_x0041__x005F_x0042_</t></si></sst>`}
	rows := `<row r="2"><c r="A2"><v>900</v></c><c r="B2" t="inlineStr"><is>` + rich + `</is></c></row>` +
		`<row r="3"><c r="A3"><v>901</v></c><c r="B3" t="s"><v>0</v></c></row>` +
		`<row r="4"><c r="A4"><v>902</v></c><c r="B4" t="s"><v> 1 </v></c></row>` +
		`<row r="5"><c r="A5"><v>903</v></c><c r="B5" t="str"><v>_x0041_</v></c></row>` +
		`<row r="6"><c r="A6"><v>904</v></c><c r="B6"><v>1.50</v></c></row>`
	book := bombBytes(t, map[string]bombPart{
		sstName:    sst,
		statusPart: {head: sheetXML(`<row r="1">` + inlineCell("A1", "id") + inlineCell("B1", "extra") + `</row>` + rows)},
	})
	wb, err := readWorkbook(book)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"900": "abc ", "901": "abc ", "902": "A_x0042_", "903": "_x0041_", "904": json.Number("1.5")}
	got := map[string]any{}
	for _, r := range wb.records["status"] {
		got[r.ID()] = r["extra"]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("extra by id: %v\nwant %v", got, want)
	}

	// Row by row, the cells are excelize's.
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	theirs, err := f.GetRows("status", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var ours [][]string
	err = inTempDir(func(tmp string) error {
		x, err := openXLSX(bytes.NewReader(book), int64(len(book)), tmp, xlsxLimit)
		if err != nil {
			return err
		}
		defer x.close()
		return x.readSheet("status", func(n int, cells, _ []string) error {
			for len(ours) < n-1 {
				ours = append(ours, nil)
			}
			ours = append(ours, slices.Clone(cells))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%q", ours) != fmt.Sprintf("%q", theirs) {
		t.Errorf("rows %q\nexcelize reads %q", ours, theirs)
	}
}
