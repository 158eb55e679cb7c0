package formats

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// editCells rewrites the rows of _cells under its header, as an analyst's
// spreadsheet program would after a sort or an edit.
func editCells(edit func(rows [][]string) [][]string) func(f *xlsxFile) {
	return func(f *xlsxFile) {
		rows, err := f.GetRows(cellsSheet, excelize.Options{RawCellValue: true})
		f.must(err)
		n := len(rows)
		rows = edit(rows[1:])
		for i, r := range rows {
			cells := make([]any, 5)
			for j := range cells {
				cells[j] = cellAt(r, j)
			}
			f.must(f.SetSheetRow(cellsSheet, "A"+strconv.Itoa(i+2), &cells))
		}
		for i := n; i > len(rows)+1; i-- {
			f.must(f.RemoveRow(cellsSheet, i))
		}
	}
}

// The reader takes _cells in any order (sorted, kinds interleaved, sheet
// names in another case); a note naming no kind's sheet, a cell noted twice
// (which one holds would be a guess) and a note it does not know are errors
// naming the rows of _cells; the notes of a kind whose sheet is gone go
// with it, as those of a deleted row or column do.
func TestXLSXCellsAsEdited(t *testing.T) {
	s := edgeSnapshot()
	add := func(row ...string) func([][]string) [][]string {
		return func(rows [][]string) [][]string { return append(rows, row) }
	}
	cases := []struct {
		name string
		edit func(rows [][]string) [][]string
		want string // the error; "" reads back s
	}{
		{"reversed", func(rows [][]string) [][]string {
			slices.Reverse(rows)
			return rows
		}, ""},
		{"sorted by column, then id from the last", func(rows [][]string) [][]string {
			slices.SortStableFunc(rows, func(a, b []string) int {
				return cmp.Or(cmp.Compare(a[2], b[2]), -cmp.Compare(a[1], b[1]))
			})
			return rows
		}, ""},
		{"sheet named in another case", func(rows [][]string) [][]string {
			for _, r := range rows {
				if r[0] == "status" {
					r[0] = "Status"
				}
			}
			return rows
		}, ""},
		{"notes of a kind the workbook has no sheet for", add("tickettype", "1", "name", "null"), ""},
		{"notes of a record not on its sheet", add("status", "999", "name", "null"), ""},
		{"notes of a sheet that is no kind's", add("nosuch", "900", "name", "null"),
			`sheet "_cells", row 26, column "sheet": "nosuch" is not a kind's sheet (`},
		{"an exact number noted twice", add("status", "902", "ratio", "exact", "1E-07"),
			`sheet "_cells", row 26: a second note "exact" for sheet "status", id 902, column "ratio" (row 5 notes "exact"): which one holds is a guess`},
		{"an empty cell noted null and empty", add("status", "900", "name", "null"),
			`sheet "_cells", row 26: a second note "null" for sheet "status", id 900, column "name" (row 2 notes "empty"): which one holds is a guess`},
		{"json noted twice, the second first", func(rows [][]string) [][]string {
			return append([][]string{{"status", "905", "intent", "json"}}, rows...)
		}, `sheet "_cells", row 10: a second note "json" for sheet "status", id 905, column "intent" (row 2 notes "json")`},
		{"a note halocfg does not write", add("status", "900", "name", "bold"),
			`sheet "_cells", row 26, column "note": "bold" is not a note halocfg writes`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, got, err := readEdited(t, s, editCells(c.edit))
			if c.want != "" {
				assertErrorHas(t, err, p+": "+c.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got)
		})
	}
}

// longNotes is n status records whose names run past a cell into a
// continuation note of about 27,000 characters (letters that do not
// deflate to nothing).
func longNotes(n int) *snapshot.Snapshot {
	s := repetitiveSnapshot(n, 1)
	r := rand.New(rand.NewPCG(1, 2))
	name := make([]byte, excelize.TotalCellChars+27_000)
	for _, rec := range s.Records["status"] {
		for i := range name {
			name[i] = 'a' + byte(r.IntN(26))
		}
		rec["name"] = string(name)
	}
	return s
}

// The notes of _cells are read a record's at a time, when its row is: what
// the reader holds does not grow with them. It held them all (10 times the
// records, some 26 MiB more of notes: 25 MiB more held). What grows now is
// what a sample of the live heap catches in flight, more often in a longer
// read (3 to 5 MiB measured; a record is 60 KiB): the bound is half the notes.
func TestXLSXReaderHoldsNoNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,100 records of long text")
	}
	peak := func(n int) uint64 {
		dir := writeSnapshot(t, longNotes(n), XLSX{})
		read := 0
		p := heaptest.Peak(func() {
			err := XLSX{}.Stream(dir, func(kind string, recs Records) error {
				return recs(func(r snapshot.Record) error {
					read++
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
		})
		if read != n {
			t.Fatalf("read %d records of %d", read, n)
		}
		return p
	}
	const n = 100
	few, many := peak(n), peak(10*n)
	notes := uint64(10 * n * 27_000)
	t.Logf("peak live heap reading %d records: %d KiB, %d: %d KiB; their notes: %d KiB", n, few>>10, 10*n, many>>10, notes>>10)
	if many > few+notes/2 {
		t.Errorf("reading %d records held %d KiB more than reading %d; their notes take %d KiB", 10*n, (many-few)>>10, n, notes>>10)
	}
}
