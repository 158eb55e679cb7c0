package formats

import (
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
			cells := make([]any, 6)
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
			assertReadsEdited(t, s, editCells(c.edit), c.want)
		})
	}
}

// assertReadsEdited writes s as a workbook, edits it and reads it back:
// want is the error, or "" for s.
func assertReadsEdited(t *testing.T, s *snapshot.Snapshot, edit func(f *xlsxFile), want string) {
	t.Helper()
	p, got, err := readEdited(t, s, edit)
	if want != "" {
		assertErrorHas(t, err, p+": "+want)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got)
}

// longText is a status record whose name runs over three continuations,
// each of one letter, later letters first: sorted by value, the
// continuations come in the wrong order.
func longText() *snapshot.Snapshot {
	s := snapshot.New("https://edge.halopsa.com", edgeSnapshot().Manifest.CreatedAt)
	name := strings.Repeat("d", excelize.TotalCellChars) + strings.Repeat("c", excelize.TotalCellChars) +
		strings.Repeat("b", excelize.TotalCellChars) + "aaa"
	s.Put("status", []snapshot.Record{{"id": json.Number("1"), "name": name, "colour": "red"}})
	return s
}

// A long text's continuations are numbered in _cells' column part, so that
// sorting _cells does not scramble the text (it did: they were taken in the
// order of the rows). A workbook written before, without part, is read in
// the order of its rows; a part that is no number, numbers a note other
// than a continuation, repeats, leaves a gap or stands beside a
// continuation without one is refused naming the rows of _cells.
func TestXLSXLongTextAsEdited(t *testing.T) {
	s := longText()
	// setPart sets the part of the rows of _cells (2 is the first after
	// the header) as halocfg wrote them: the row of "c", then "b", then "a".
	setPart := func(parts map[int]string) func([][]string) [][]string {
		return func(rows [][]string) [][]string {
			for n, p := range parts {
				rows[n-2] = append(rows[n-2][:5:5], p)
			}
			return rows
		}
	}
	cases := []struct {
		name   string
		edit   func(rows [][]string) [][]string
		want   string // the error; "" reads back s
		noPart bool   // the column part removed, as a workbook written before it
	}{
		{"as written", func(rows [][]string) [][]string { return rows }, "", false},
		{"written before part, in order", func(rows [][]string) [][]string { return rows }, "", true},
		{"reversed", func(rows [][]string) [][]string {
			slices.Reverse(rows)
			return rows
		}, "", false},
		{"sorted by value", func(rows [][]string) [][]string {
			slices.SortStableFunc(rows, func(a, b []string) int { return cmp.Compare(a[4], b[4]) })
			return rows
		}, "", false},
		{"part zero", setPart(map[int]string{3: "0"}),
			`sheet "_cells", row 3, column "part": "0" is not a continuation's number (1 to 1048575)`, false},
		{"part not a number", setPart(map[int]string{3: "two"}),
			`sheet "_cells", row 3, column "part": "two" is not a continuation's number (1 to 1048575)`, false},
		{"part past int64", setPart(map[int]string{3: "99999999999999999999"}),
			`sheet "_cells", row 3, column "part": "99999999999999999999" is not a continuation's number (1 to 1048575)`, false},
		{"part past the rows of a sheet", setPart(map[int]string{3: "1048576"}),
			`sheet "_cells", row 3, column "part": "1048576" is not a continuation's number (1 to 1048575)`, false},
		{"part on another note", func(rows [][]string) [][]string {
			return append(rows, []string{"status", "1", "shortname", "null", "", "1"})
		}, `sheet "_cells", row 5, column "part": "1" on a note "null"; only continuations ("more") are numbered`, false},
		{"part repeated", setPart(map[int]string{4: "1"}),
			`sheet "_cells", row 4: part 1 of the text of sheet "status", id 1, column "name" again (row 2 is part 1): which one holds is a guess`, false},
		{"a gap", setPart(map[int]string{4: "4"}),
			`sheet "_cells", row 4: part 4 of the text of sheet "status", id 1, column "name", but no part 3: a continuation is missing`, false},
		{"no first part", setPart(map[int]string{2: "4"}),
			`sheet "_cells", row 3: part 2 of the text of sheet "status", id 1, column "name", but no part 1: a continuation is missing`, false},
		{"numbered and not", setPart(map[int]string{3: ""}),
			`sheet "_cells", row 3: a continuation of the text of sheet "status", id 1, column "name" without a part, and row 2 is part 1: their order is a guess`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertReadsEdited(t, s, func(f *xlsxFile) {
				editCells(c.edit)(f)
				if c.noPart {
					f.must(f.RemoveCol(cellsSheet, "F"))
					if rows, _ := f.GetRows(cellsSheet); len(rows[0]) != 5 {
						t.Fatalf("_cells header %q", rows[0])
					}
				}
			}, c.want)
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
	const n = 100
	// The lower of two peaks of each size (PeakPerUnit): one peak caught
	// in the middle of a collection varies by megabytes under load.
	per := heaptest.PeakPerUnit(n, 10*n, func(n int) func() {
		dir := writeSnapshot(t, longNotes(n), XLSX{})
		return func() {
			read := 0
			err := XLSX{}.Stream(dir, func(kind string, recs Records) error {
				return recs(func(r snapshot.Record) error {
					read++
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if read != n {
				t.Fatalf("read %d records of %d", read, n)
			}
		}
	})
	more := per * 9 * n
	notes := uint64(10 * n * 27_000)
	t.Logf("reading %d records held %d KiB more than reading %d; their notes: %d KiB", 10*n, more>>10, n, notes>>10)
	if more > notes/2 {
		t.Errorf("reading %d records held %d KiB more than reading %d; their notes take %d KiB", 10*n, more>>10, n, notes>>10)
	}
}
