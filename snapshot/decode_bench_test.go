package snapshot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeRecord decodes records with the one-pass decoder and the
// one it replaced, side by side.
func BenchmarkDecodeRecord(b *testing.B) {
	recs := benchRecords(b)
	size := 0
	for _, r := range recs {
		size += len(r)
	}
	for _, bm := range []struct {
		name   string
		decode func([]byte) (any, error)
	}{{"old", oldDecodeValue}, {"new", DecodeValue}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range recs {
					if _, err := bm.decode(r); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
		})
	}
}

// benchRecords reads the records of the formats' golden snapshot (every
// kind, ticket types hundreds of fields wide), or of the json/ folder in
// HALOCFG_BENCH_JSON (e.g. of a snapshot bench/run.sh kept).
func benchRecords(b *testing.B) []json.RawMessage {
	dir := os.Getenv("HALOCFG_BENCH_JSON")
	if dir == "" {
		dir = filepath.Join("..", "formats", "testdata", "golden", "json")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var recs []json.RawMessage
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var rs []json.RawMessage
		if err := json.Unmarshal(data, &rs); err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		recs = append(recs, rs...)
	}
	if len(recs) == 0 {
		b.Skipf("no records in %s", dir)
	}
	return recs
}
