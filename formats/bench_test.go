package formats

import (
	"fmt"
	"io"
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
// kinds, every schema field filled) with each format, and report:
//   - records/s, timed with the collector at its defaults;
//   - peak-heap-MB, from one more, untimed run: the most live heap (runtime/
//     metrics /gc/heap/live:bytes right after a forced collection) above the
//     live heap before the run.
//
// Where the live heap is sampled matters. A writer's input snapshot is live
// all along (over a gigabyte at 50,000 records), and a collection of that
// much takes long enough for the writer to allocate hundreds of megabytes of
// short-lived garbage that the collection counts as live. So a write is
// sampled synchronously, from inside the writer's own goroutine, each time it
// starts writing a file, has written another 8 MB to it, and when it closes
// it: the moments its buffers are fullest. A read is sampled by a goroutine collecting back to
// back; its result grows to the size of the snapshot anyway.
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
				write := func(h *heapSampler) {
					d, err := snapshot.NewDir(filepath.Join(b.TempDir(), "snap"), false)
					if err != nil {
						b.Fatal(err)
					}
					if err := f.Write(s, sampledDir{d, h}); err != nil {
						b.Fatal(err)
					}
					if err := d.Commit(s.Manifest); err != nil {
						b.Fatal(err)
					}
				}
				for b.Loop() {
					write(nil)
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
				b.StopTimer()
				h := newHeapSampler()
				write(h)
				b.ReportMetric(float64(h.peakAbove())/(1<<20), "peak-heap-MB")
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
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
				b.StopTimer()
				b.ReportMetric(float64(peakHeap(read))/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// heapSampler keeps the most live heap seen above a base; nil samples nothing.
type heapSampler struct{ base, peak uint64 }

func newHeapSampler() *heapSampler {
	h := &heapSampler{base: liveHeap()}
	h.peak = h.base
	return h
}

func (h *heapSampler) sample() {
	if h != nil {
		h.peak = max(h.peak, liveHeap())
	}
}

func (h *heapSampler) peakAbove() uint64 { return h.peak - h.base }

// liveHeap collects garbage and returns the live heap.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// sampledDir samples the heap as the writer fills its files.
type sampledDir struct {
	*snapshot.Dir
	h *heapSampler
}

func (d sampledDir) Create(rel string) (io.WriteCloser, error) {
	w, err := d.Dir.Create(rel)
	return &sampledFile{WriteCloser: w, h: d.h}, err
}

type sampledFile struct {
	io.WriteCloser
	h *heapSampler
	n int
}

func (f *sampledFile) Write(p []byte) (int, error) {
	// The first write of a file too: a small file is written in one flush,
	// with the writer's buffers at their fullest just then.
	if f.n == 0 || f.n+len(p) >= 8<<20 {
		f.h.sample()
		f.n = 0
	}
	f.n += len(p)
	return f.WriteCloser.Write(p)
}

func (f *sampledFile) Close() error {
	f.h.sample()
	return f.WriteCloser.Close()
}

// peakHeap runs fn while a goroutine collects back to back, and returns the
// most live heap seen above the live heap before.
func peakHeap(fn func()) uint64 {
	h := newHeapSampler()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			h.sample()
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
	return h.peakAbove()
}
