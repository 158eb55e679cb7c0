package formats

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Benchmarks write and read n full-schema records (spread evenly over the
// 11 kinds, every schema field filled) with each format, and report:
//   - records/s, timed with the collector at its defaults;
//   - peak-heap-MB, from one more, untimed run: the highest live heap above
//     the live heap before the run (which already holds the input snapshot).
//     A goroutine collects garbage back to back during the run and reads the
//     live heap after each collection (runtime/metrics /gc/heap/live:bytes),
//     so garbage not yet collected is not counted; a peak shorter than one
//     collection cycle (tens of ms at 5,000 records, about a second at 50,000)
//     can be missed.
//
// go test -run '^$' -bench . -benchtime 1x ./formats

var benchSizes = []int{5000, 50000}

// benchSnapshot spreads n generated records over the kinds.
func benchSnapshot(n int) *snapshot.Snapshot {
	s := snapshot.New("https://bench.halopsa.com", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	kinds := catalog.Kinds()
	for i, k := range kinds {
		count := n / len(kinds)
		if i < n%len(kinds) {
			count++
		}
		recs := make([]snapshot.Record, count)
		for j := range recs {
			recs[j] = genRecord(k, j)
		}
		s.Put(k.Name, recs)
	}
	return s
}

func BenchmarkWrite(b *testing.B) {
	for _, n := range benchSizes {
		s := benchSnapshot(n)
		for _, f := range allFormats() {
			b.Run(fmt.Sprintf("%s/%d", f.Name(), n), func(b *testing.B) {
				write := func() {
					d, err := snapshot.NewDir(filepath.Join(b.TempDir(), "snap"), false)
					if err != nil {
						b.Fatal(err)
					}
					if err := f.Write(s, d); err != nil {
						b.Fatal(err)
					}
					if err := d.Commit(s.Manifest); err != nil {
						b.Fatal(err)
					}
				}
				for b.Loop() {
					write()
				}
				report(b, n, write)
			})
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, n := range benchSizes {
		s := benchSnapshot(n)
		for _, f := range allFormats() {
			dir := writeSnapshot(b, s, f)
			b.Run(fmt.Sprintf("%s/%d", f.Name(), n), func(b *testing.B) {
				read := func() {
					got, err := f.Read(dir)
					if err != nil {
						b.Fatal(err)
					}
					if len(got["outcome"]) != len(s.Records["outcome"]) {
						b.Fatalf("read %d outcomes, want %d", len(got["outcome"]), len(s.Records["outcome"]))
					}
				}
				for b.Loop() {
					read()
				}
				report(b, n, read)
			})
		}
	}
}

// report reports records/s of the timed loop, then runs op once more to measure its peak heap.
func report(b *testing.B, n int, op func()) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.StopTimer()
	b.ReportMetric(float64(peakHeap(op))/(1<<20), "peak-heap-MB")
}

// peakHeap runs fn and returns the most live heap it held above the live heap before it.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		runtime.GC()
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := live()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			peak = max(peak, live())
			select {
			case <-done:
				return
			default:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	if peak < base {
		return 0
	}
	return peak - base
}
