package formats

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// testdata/golden holds a snapshot of every kind with the edge cases;
// testdata/seed a small one that seeds the fuzzers.
const (
	goldenDir = "testdata/golden"
	seedDir   = "testdata/seed"
)

// goldenKinds are the kinds testdata/golden was written with: files an
// earlier build wrote hold the kinds of their day, and must still read.
var goldenKinds = []string{"emailtemplate", "tickettypegroup", "status", "priority", "sla", "category",
	"workflow", "tickettype", "ticketarea", "template", "outcome"}

// goldenSnapshot is the snapshot stored in testdata/golden: two generated
// records of each golden kind plus the edge cases.
func goldenSnapshot() *snapshot.Snapshot {
	s := genSnapshot(2)
	for kind := range s.Records {
		if !slices.Contains(goldenKinds, kind) {
			delete(s.Records, kind)
			delete(s.Manifest.Kinds, kind)
		}
	}
	s.Manifest.CreatedAt = edgeSnapshot().Manifest.CreatedAt
	for _, kind := range []string{"status", "priority"} {
		s.Put(kind, append(s.Records[kind], edgeSnapshot().Records[kind]...))
	}
	return s
}

func writeTestdata(t *testing.T, dir string, s *snapshot.Snapshot) {
	t.Helper()
	os.RemoveAll(dir)
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(s, d, allFormats()); err != nil {
		d.Abort()
		t.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
}

// TestGolden reads the files an earlier build wrote: what halocfg wrote
// once, it must read forever. go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	want := goldenSnapshot()
	if *update {
		writeTestdata(t, goldenDir, want)
		writeTestdata(t, seedDir, smallSnapshot())
	}
	seed, err := Open(seedDir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, smallSnapshot().Records, seed.Records)
	got, err := Open(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, want.Records, got.Records)
	for _, f := range allFormats() {
		t.Run(f.Name(), func(t *testing.T) {
			recs, err := ReadAll(f, goldenDir)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, want.Records, recs)
		})
	}
	// JSON is byte for byte what the writer makes today.
	for kind := range want.Records {
		rel := filepath.Join("json", kind+".json")
		stored, err := os.ReadFile(filepath.Join(goldenDir, rel))
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := snapshot.MarshalIndent(want.Records[kind])
		if string(stored) != string(fresh) {
			t.Errorf("%s differs from what JSON writes today", rel)
		}
	}
}

// TestWorkbookResavedByLibreOffice reads testdata/golden/snapshot.xlsx as
// LibreOffice Calc 7.4 saved it again (libreoffice --headless --convert-to
// xlsx): shared strings instead of inline ones, its own styles and number
// text. It must restore the golden snapshot exactly. Regenerate it that way
// whenever goldenSnapshot changes.
func TestWorkbookResavedByLibreOffice(t *testing.T) {
	s, err := Open(filepath.Join("testdata", "libreoffice-resaved.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, goldenSnapshot().Records, s.Records)
	if !s.Manifest.CreatedAt.Equal(goldenSnapshot().Manifest.CreatedAt) {
		t.Errorf("created_at %v", s.Manifest.CreatedAt)
	}
}
