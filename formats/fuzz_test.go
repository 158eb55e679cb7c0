package formats

import (
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
	return nopCloser{b}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// smallSnapshot is a seed quick to mutate: a few status records with edge values.
func smallSnapshot() *snapshot.Snapshot {
	s := edgeSnapshot()
	recs := s.Records["status"]
	s.Records = map[string][]snapshot.Record{}
	s.Put("status", []snapshot.Record{recs[0], recs[3], recs[4], recs[7], recs[8]})
	return s
}

func seedWith(f *testing.F, format string, files ...string) {
	for _, rel := range files {
		f.Add(golden(f, rel))
	}
	for _, b := range badInputs(f)[format] {
		f.Add(b)
	}
	m := memDir{}
	fm, _ := Lookup(format)
	if err := fm.Write(smallSnapshot(), m); err != nil {
		f.Fatal(err)
	}
	for _, b := range m {
		f.Add(b.Bytes())
	}
}

func FuzzReadJSON(f *testing.F) {
	seedWith(f, "json", "json/status.json", "json/priority.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := decodeJSONRecords(data)
		if err != nil {
			return
		}
		b, err := snapshot.MarshalIndent(recs)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeJSONRecords(b)
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		sameRecords(t, recs, again)
	})
}

func FuzzReadXLSX(f *testing.F) {
	seedWith(f, "xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := readWorkbook(data)
		if err != nil {
			return
		}
		s := build(snapshot.Manifest{}, wb.records)
		var b bytes.Buffer
		if err := writeWorkbook(s, &b); err != nil {
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

func FuzzReadParquet(f *testing.F) {
	seedWith(f, "parquet", "parquet/status.parquet", "parquet/tickettypegroup.parquet")
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := readParquet(bytes.NewReader(data), int64(len(data)), "status")
		if err != nil {
			return
		}
		s := build(snapshot.Manifest{}, map[string][]snapshot.Record{"status": recs})
		m := memDir{}
		if err := writeParquetFile(s, "status", s.Records["status"], m, "p"); err != nil {
			t.Skipf("accepted but not writable: %v", err)
		}
		again, err := readParquet(bytes.NewReader(m["p"].Bytes()), int64(m["p"].Len()), "status")
		if err != nil {
			t.Fatalf("reading what was written: %v", err)
		}
		sameRecords(t, s.Records["status"], again)
	})
}

func sameRecords(t *testing.T, want, got []snapshot.Record) {
	t.Helper()
	assertSameRecords(t, map[string][]snapshot.Record{"k": want}, map[string][]snapshot.Record{"k": got})
}
