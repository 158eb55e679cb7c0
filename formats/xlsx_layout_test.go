package formats

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/catalog"
)

var dimensionRef = regexp.MustCompile(`<dimension ref="([^"]*)"`)

// TestWorkbookDeclaresItsRange (issue 12): every sheet declared
// <dimension ref="A1">, and readers that trust it (openpyxl in read-only
// mode) saw no rows. Each sheet now declares the range its cells fill.
func TestWorkbookDeclaresItsRange(t *testing.T) {
	s := genSnapshot(3)
	for kind, recs := range edgeSnapshot().Records { // notes in _cells
		s.Put(kind, recs)
	}
	s.Put("sla", nil)
	dir := writeSnapshot(t, s, XLSX{})
	data, err := os.ReadFile(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	p, err := openPackage(bytes.NewReader(data), int64(len(data)), xlsxLimit)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != len(s.Records)+3 {
		t.Fatalf("sheets %v", sheets)
	}
	for _, sheet := range sheets {
		rc, err := p.parts[p.sheetPart(sheet)].Open()
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 64<<10)
		n, _ := io.ReadFull(rc, head)
		rc.Close()
		m := dimensionRef.FindSubmatch(head[:n])
		if m == nil {
			t.Errorf("sheet %q: no <dimension> in %.300s", sheet, head[:n])
			continue
		}
		// What the cells fill: the widest row and the last row.
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		width := 0
		for _, r := range rows {
			width = max(width, len(r))
		}
		want := "A1:" + cellName(width, len(rows))
		if recs, ok := s.Records[sheet]; ok && len(rows) != len(recs)+1 {
			t.Errorf("sheet %q: %d rows for %d records", sheet, len(rows), len(recs))
		}
		if string(m[1]) != want {
			t.Errorf("sheet %q: <dimension ref=%q>, its cells fill %s", sheet, m[1], want)
		}
	}
	// Known shapes: _about is two columns wide; _cells has notes.
	if cells, _ := f.GetRows(cellsSheet); len(cells) < 10 {
		t.Errorf("_cells holds %d rows: the test wants notes", len(cells))
	}
	if got, _ := f.GetSheetDimension("sla"); got != "A1" && got != "A1:A1" {
		t.Errorf("sla, no records: dimension %s, want A1", got)
	}
}

// TestWorkbookFreezesIDAndKey (issue 12): ticket-type sheets are 325
// columns wide; the id and natural-key columns stay in sight with the header.
func TestWorkbookFreezesIDAndKey(t *testing.T) {
	s := genSnapshot(2)
	for kind, recs := range peopleSnapshot().Records {
		s.Put(kind, recs)
	}
	dir := writeSnapshot(t, s, XLSX{})
	f, err := excelize.OpenFile(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]string{ // the frozen columns of a few sheets, exactly
		"status":     {"id", "name"},
		"outcome":    {"id", "outcome"},
		"category":   {"id", "type_id", "value"},
		"lookup":     {"id", "lookupid", "name"},
		"todogroup":  {"id", "text"},
		"tickettype": {"id", "name"},
		"site":       {"id", "client_name", "name"},
	}
	for kind := range s.Records {
		k, _ := catalog.LookupStored(kind)
		panes, err := f.GetPanes(kind)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(kind)
		header := rows[0]
		if !panes.Freeze || panes.YSplit != 1 || panes.XSplit < 1 || panes.XSplit > len(header) {
			t.Errorf("%s: panes %+v", kind, panes)
			continue
		}
		frozen := header[:panes.XSplit]
		for _, key := range append([]string{"id"}, k.NaturalKey...) {
			if slices.Contains(header, key) && !slices.Contains(frozen, key) { // an empty directory has only id
				t.Errorf("%s: frozen columns %v lack %s", kind, frozen, key)
			}
		}
		if w, ok := want[kind]; ok && !slices.Equal(frozen, w) {
			t.Errorf("%s: frozen columns %v, want %v", kind, frozen, w)
		}
		if panes.TopLeftCell != cellName(panes.XSplit+1, 2) || panes.ActivePane != "bottomRight" {
			t.Errorf("%s: top left cell %s, active pane %s", kind, panes.TopLeftCell, panes.ActivePane)
		}
	}
	if len(want) > len(s.Records) {
		t.Fatal("the snapshot lacks kinds the test names")
	}
}
