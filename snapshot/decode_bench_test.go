package snapshot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeRecord decodes the records of the formats' golden snapshot
// (every kind, ticket types hundreds of fields wide), or of the snapshot
// directory in HALOCFG_BENCH_JSON (a json/ folder, e.g. one bench/run.sh
// kept), with the one-pass decoder and the one it replaced, side by side.
func BenchmarkDecodeRecord(b *testing.B) {
	dir := os.Getenv("HALOCFG_BENCH_JSON")
	if dir == "" {
		dir = filepath.Join("..", "formats", "testdata", "golden", "json")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var recs []json.RawMessage
	size := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var rs []json.RawMessage
		if err := json.Unmarshal(data, &rs); err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		for _, r := range rs {
			recs, size = append(recs, r), size+len(r)
		}
	}
	if len(recs) == 0 {
		b.Skipf("no records in %s", dir)
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
