package formats

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/halocfg/halocfg/internal/heaptest"
)

// pqZstdInput is n bytes of text that compresses as pages do: words from a
// small vocabulary, and every 64 KiB a copy of an earlier stretch (some a
// megabyte or more back, to reach across the windows).
func pqZstdInput(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	words := []string{"ticket", "status", "Ünïcödé", "{{user}}", "<p>", "42", "0.5", "null", "\"id\":", "✓", "workflow", "\n"}
	b := make([]byte, 0, n+64)
	for len(b) < n {
		if len(b) > 1<<16 && len(b)%(1<<16) < 16 {
			from := r.IntN(len(b) - 4096)
			b = append(b, b[from:from+4096]...)
			continue
		}
		if r.IntN(8) == 0 {
			b = fmt.Appendf(b, "%x", r.Uint64())
		}
		b = append(b, words[r.IntN(len(words))]...)
	}
	return b[:n]
}

// TestPQZstdWritesParquetGosBytes: the codec that sizes its window to the
// page writes what parquet-go's zstd codec writes, at every size around the
// edges that matter (zstd's 1 KiB minimum window and 128 KiB block, the
// 1 MiB window kept, the windows made for a page, the default 8 MiB), and
// it reads back.
func TestPQZstdWritesParquetGosBytes(t *testing.T) {
	sizes := []int{0, 1, 100, 1024, 1025, 4096, 128<<10 - 1, 128 << 10, 128<<10 + 1, 300 << 10,
		1<<20 - 1, 1 << 20, 1<<20 + 1, 3 << 20, 4 << 20, 4<<20 + 1, 8<<20 - 1, 8 << 20, 8<<20 + 1, 11 << 20}
	if testing.Short() {
		sizes = sizes[:13]
	}
	for _, n := range sizes {
		for seed := range uint64(2) {
			src := pqZstdInput(n, seed)
			if seed == 1 { // and the same text again, which matches across the whole input
				src = append(src[:n/2:n/2], src[:n-n/2]...)
			}
			want, err := parquet.Zstd.Encode(nil, src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pqCodec.Encode([]byte("stale"), src)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%d bytes (seed %d): %d bytes compressed, parquet-go's codec %d; they differ", n, seed, len(got), len(want))
				continue
			}
			back, err := pqCodec.Decode(nil, got)
			if err != nil || !bytes.Equal(back, src) {
				t.Errorf("%d bytes (seed %d): read back %d bytes, %v", n, seed, len(back), err)
			}
		}
	}
}

// discardDir is a Creator whose files go nowhere: what a writer holds is
// measured without the files it writes.
type discardDir struct{}

func (discardDir) Create(string) (io.WriteCloser, error) { return nopWriteCloser{io.Discard}, nil }

type nopWriteCloser struct{ io.Writer }

// sampledCreator is a discardDir that samples the heap at each write.
type sampledCreator struct{ h *heapSampler }

func (c sampledCreator) Create(string) (io.WriteCloser, error) {
	return nopWriteCloser{writerFunc(func(p []byte) (int, error) { c.h.sample(); return len(p), nil })}, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (nopWriteCloser) Close() error { return nil }

// TestParquetWriterHoldsNoZstdWindow (issue 12): parquet-go's zstd encoder
// keeps a history of twice its 8 MiB window, 16 MiB, once it compresses a
// page longer than 128 KiB, and its sync.Pool made a second encoder when
// the next page came on another thread: the largest part of export's peak
// (16 MiB at 5,000 records, 32 at 50,000). Writing a kind of pages of
// 260 KiB (64 records of 4 KiB a batch) now holds a history of 1 MiB.
func TestParquetWriterHoldsNoZstdWindow(t *testing.T) {
	s := largeTextSnapshot(400, 4<<10)
	src := FromSnapshot(s)
	peak := heaptest.Peak(func() {
		if err := (Parquet{}).Write(src, discardDir{}); err != nil {
			t.Error(err)
		}
	})
	t.Logf("writing 400 records of 4 KiB to Parquet: peak live heap %d KiB", peak>>10)
	// Before: 19.5 MiB; after: 4.2 to 4.6.
	if peak > 8<<20 {
		t.Errorf("writing 400 records of 4 KiB to Parquet held %d KiB at its peak; a zstd history of 16 MiB?", peak>>10)
	}
}
