package formats

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/internal/heaptest"
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
//
// BenchmarkLargeText does the same for issue 8's email templates with 8 MB
// bodies, and reports the Parquet file's size and its footer's too.

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
			b.Run(fmt.Sprintf("%s/%d", f.Name(), n), func(b *testing.B) { benchWrite(b, s, f, n) })
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, n := range benchSizes {
		s := benchSnapshot(n)
		for _, f := range allFormats() {
			dir := writeSnapshot(b, s, f)
			b.Run(fmt.Sprintf("%s/%d", f.Name(), n), func(b *testing.B) { benchRead(b, s, f, dir, n) })
		}
	}
}

// BenchmarkLargeText writes and reads issue 8's nine email templates with
// 8 MB bodies as Parquet, and reports the file's size and its footer's.
func BenchmarkLargeText(b *testing.B) {
	const n = 9
	s := largeTextSnapshot(n, 8<<20)
	b.Run("write", func(b *testing.B) {
		dir := benchWrite(b, s, Parquet{}, n)
		data, err := os.ReadFile(filepath.Join(dir, "parquet", "emailtemplate.parquet"))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(data))/(1<<20), "file-MB")
		b.ReportMetric(float64(binary.LittleEndian.Uint32(data[len(data)-8:]))/(1<<10), "footer-KB")
	})
	b.Run("read", func(b *testing.B) { benchRead(b, s, Parquet{}, writeSnapshot(b, s, Parquet{}), n) })
}

// benchWrite times writing s (n records) with f, reports records/s and the
// peak heap, and returns the snapshot directory of the last write.
func benchWrite(b *testing.B, s *snapshot.Snapshot, f Format, n int) string {
	write := func(h *heapSampler) string {
		final := filepath.Join(b.TempDir(), "snap")
		d, err := snapshot.NewDir(final, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Write(FromSnapshot(s), sampledDir{d, h}); err != nil {
			b.Fatal(err)
		}
		if err := d.Commit(s.Manifest); err != nil {
			b.Fatal(err)
		}
		return final
	}
	for b.Loop() {
		write(nil)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.StopTimer()
	h := newHeapSampler()
	dir := write(h)
	b.ReportMetric(float64(h.peakAbove())/(1<<20), "peak-heap-MB")
	return dir
}

// benchRead times reading the snapshot of s (n records) that f wrote in
// dir, and reports records/s and the peak heap.
func benchRead(b *testing.B, s *snapshot.Snapshot, f Format, dir string, n int) {
	read := func() {
		got, err := ReadAll(f, dir)
		if err != nil {
			b.Fatal(err)
		}
		for kind, recs := range s.Records {
			if len(got[kind]) != len(recs) {
				b.Fatalf("read %d %s records, want %d", len(got[kind]), kind, len(recs))
			}
		}
	}
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.StopTimer()
	b.ReportMetric(float64(peakHeap(read))/(1<<20), "peak-heap-MB")
}

// heapSampler keeps the most live heap seen above a base; nil samples nothing.
type heapSampler struct{ base, peak uint64 }

func newHeapSampler() *heapSampler {
	runtime.GC() // see heaptest.Peak
	h := &heapSampler{base: heaptest.Live()}
	h.peak = h.base
	return h
}

func (h *heapSampler) sample() {
	if h != nil {
		h.peak = max(h.peak, heaptest.Live())
	}
}

func (h *heapSampler) peakAbove() uint64 { return h.peak - h.base }

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
func peakHeap(fn func()) uint64 { return heaptest.Peak(fn) }
