package formats

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

const goldenDir = "testdata/golden"

// goldenSnapshot is the snapshot stored in testdata/golden: two generated
// records of every kind plus the edge cases.
func goldenSnapshot() *snapshot.Snapshot {
	s := genSnapshot(2)
	s.Manifest.CreatedAt = edgeSnapshot().Manifest.CreatedAt
	for _, kind := range []string{"status", "priority"} {
		s.Put(kind, append(s.Records[kind], edgeSnapshot().Records[kind]...))
	}
	return s
}

// TestGolden reads the files an earlier build wrote: what halocfg wrote
// once, it must read forever. go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	want := goldenSnapshot()
	if *update {
		os.RemoveAll(goldenDir)
		d, err := snapshot.NewDir(goldenDir, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(want, d, allFormats()); err != nil {
			d.Abort()
			t.Fatal(err)
		}
		if err := d.Commit(want.Manifest); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Open(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, want.Records, got.Records)
	for _, f := range allFormats() {
		t.Run(f.Name(), func(t *testing.T) {
			recs, err := f.Read(goldenDir)
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
