package formats

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// The fuzzers feed the readers arbitrary bytes, seeded with the golden files,
// the broken files of bad_test.go and small fresh ones. A reader must return
// records or an error, never panic or hang; and what it accepts must write
// and read back unchanged. Crashers found go to testdata/fuzz, which go test
// replays.

// memDir is a Creator in memory.
type memDir map[string]*bytes.Buffer

func (m memDir) Create(rel string) (io.WriteCloser, error) {
	b := &bytes.Buffer{}
	m[rel] = b
	return memFile{b, func() { delete(m, rel) }}, nil
}

type memFile struct {
	io.Writer
	discard func()
}

func (memFile) Close() error { return nil }

func (f memFile) Discard() error { f.discard(); return nil }

// smallSnapshot is quick to mutate: a few status and priority records with edge values.
func smallSnapshot() *snapshot.Snapshot {
	e := edgeSnapshot()
	s := snapshot.New(e.Manifest.Source, e.Manifest.CreatedAt)
	st, pr := e.Records["status"], e.Records["priority"]
	s.Put("status", []snapshot.Record{st[0], st[3], st[4], st[7], st[8]})
	s.Put("priority", []snapshot.Record{pr[1], pr[2], pr[9]})
	return s
}

// seedWith seeds a fuzzer with the small snapshot of testdata/seed and the
// broken files of bad_test.go. Large seeds (the golden snapshot) make the
// fuzzer spend its time minimizing instead of exploring.
func seedWith(f *testing.F, format string, files ...string) {
	for _, rel := range files {
		f.Add(seedFile(f, rel))
	}
	for _, b := range badInputs(f)[format] {
		f.Add(b)
	}
}

func FuzzReadJSON(f *testing.F) {
	seedWith(f, "json", "json/status.json", "json/priority.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := decodeJSONRecords(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, err := snapshot.MarshalIndent(recs)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeJSONRecords(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		sameRecords(t, recs, again)
	})
}

// xlsxParts are the workbook parts FuzzReadXLSX mutates as XML: a zip
// mutated byte by byte mostly fails its checksums and tests little else.
var xlsxParts = []string{
	"xl/worksheets/sheet2.xml", // status
	"xl/worksheets/sheet3.xml", // priority
	"xl/worksheets/sheet4.xml", // _types
	"xl/worksheets/sheet5.xml", // _cells
	"xl/workbook.xml",
	"xl/styles.xml",
}

// FuzzReadXLSX takes either a whole file, or a part number byte followed by
// that part's XML, put back into the seed workbook.
func FuzzReadXLSX(f *testing.F) {
	seedWith(f, "xlsx", xlsxName)
	book := seedFile(f, xlsxName)
	for i, name := range xlsxParts {
		f.Add(append([]byte{byte(i)}, zipPart(f, book, name)...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 && int(data[0]) < len(xlsxParts) {
			data = withZipPart(t, book, xlsxParts[data[0]], data[1:])
		}
		wb, err := readWorkbook(data)
		if err != nil {
			return
		}
		s := build(snapshot.Manifest{}, wb.records)
		var b bytes.Buffer
		if err := writeWorkbook(FromSnapshot(s), &b); err != nil {
			t.Skipf("accepted but not writable: %v", err) // e.g. a header longer than a writer allows
		}
		again, err := readWorkbook(b.Bytes())
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		for kind, recs := range s.Records {
			sameRecords(t, recs, again.records[kind])
		}
	})
}

func zipPart(t testing.TB, book []byte, name string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withZipPart returns the workbook with one part replaced.
func withZipPart(t testing.TB, book []byte, name string, content []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			w.Write(content)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func FuzzReadParquet(f *testing.F) {
	seedWith(f, "parquet", "parquet/status.parquet", "parquet/priority.parquet")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []string{"status", "priority"} {
			recs, err := readParquet(bytes.NewReader(data), int64(len(data)), kind)
			if err != nil {
				continue
			}
			s := build(snapshot.Manifest{}, map[string][]snapshot.Record{kind: recs})
			m := memDir{}
			if err := writeParquetFile(s.Manifest, kind, sliceRecords(s.Records[kind]), m, "p"); err != nil {
				t.Skipf("accepted but not writable: %v", err)
			}
			again, err := readParquet(bytes.NewReader(m["p"].Bytes()), int64(m["p"].Len()), kind)
			if err != nil {
				t.Fatalf("reading what was written: %v", err)
			}
			sameRecords(t, s.Records[kind], again)
		}
	})
}

func sameRecords(t *testing.T, want, got []snapshot.Record) {
	t.Helper()
	assertSameRecords(t, map[string][]snapshot.Record{"k": want}, map[string][]snapshot.Record{"k": got})
}
