package formats

import (
	"path/filepath"
	"testing"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// TestConvertReadsAKindARecordAtATime (issue 12): the Parquet and workbook
// readers built a whole kind (the workbook's reader held the whole file as
// well) before a writer saw its first record, so converting from them held
// more than the kind's records: 1 to 1.4 GB at 50,000 records. They now
// read a kind's rows a batch at a time (Parquet) or as the sheet's XML
// streams out of the zip (XLSX).
func TestConvertReadsAKindARecordAtATime(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 6,000 full-schema records")
	}
	const kind = "tickettype"
	s := kindSnapshot(kind, 6000)
	dir := writeSnapshot(t, s, Parquet{}, XLSX{})

	one := heaptest.Held(func() any {
		held, err := ReadAll(Parquet{}, dir)
		if err != nil {
			t.Fatal(err)
		}
		return held
	})

	cases := []struct {
		from, to Format
		quarters uint64 // of one, the most it may hold
	}{
		// The JSON writer holds a record: reading is all there is. The
		// Parquet reader holds a page and its decoder for each of the 325
		// columns, and a record (78 to 129 MiB measured, in flight; 170
		// when it decoded 256 rows ahead).
		{Parquet{}, JSON{}, 3},
		// The workbook reader holds a row and its record's notes; the bound leaves room
		// for what a sample of the live heap catches in flight (55 to 74 MiB
		// measured, before: 425).
		{XLSX{}, JSON{}, 2},
		// The other writers hold a row group, or a sheet's buffers, besides
		// (TestConvertStreamsAKind); the readers are the same (before: 483
		// and 466 MiB, after: 138 and 161, for 354 MiB of records).
	}
	for _, c := range cases {
		t.Run(c.from.Name()+"-"+c.to.Name(), func(t *testing.T) {
			src := copyFormat(t, dir, c.from)
			var out string
			peak := heaptest.Peak(func() {
				var err error
				if out, err = convertTo(t, src, c.to); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("peak live heap %d MiB; the kind's records, held: %d MiB", peak>>20, one>>20)
			if peak > one*c.quarters/4 {
				t.Errorf("converting %s from %s to %s held %d MiB at its peak; the kind's records take %d MiB", kind, c.from.Name(), c.to.Name(), peak>>20, one>>20)
			}
			got, err := ReadAll(c.to, out)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got)
		})
	}
}

// A workbook whose rows were moved out of id order (sorted by name in a
// spreadsheet) cannot be streamed in order: the kind is read whole and
// sorted, from a snapshot directory and from a lone workbook alike.
func TestStreamedWorkbookOutOfIDOrder(t *testing.T) {
	s := genSnapshot(5)
	dir := writeSnapshot(t, s, XLSX{})
	book := filepath.Join(dir, xlsxName)
	editWorkbook(t, book, func(f *xlsxFile) {
		rows, err := f.GetRows("status")
		f.must(err)
		f.must(f.DuplicateRowTo("status", 2, len(rows)+1)) // the first record last
		f.must(f.RemoveRow("status", 2))
	})
	relist(t, dir, func(snapshot.File) bool { return true })
	for name, path := range map[string]string{"directory": dir, "workbook": book} {
		t.Run(name, func(t *testing.T) {
			out, err := convertTo(t, path, JSON{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadAll(JSON{}, out)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got)
		})
	}
}
