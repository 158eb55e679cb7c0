package formats

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// TestParquetWriterHoldsNoRowGroup (issue 12): parquet-go keeps the pages
// of a row group, compressed, until the group ends, on the heap unless
// told otherwise: up to the compressed size of a row group (8 MiB of
// values), 10 MiB of export's peak at 50,000 records. They wait in a
// temporary file now. A kind of 6 MiB of text that compresses little (one
// row group) is written holding a few pages.
func TestParquetWriterHoldsNoRowGroup(t *testing.T) {
	const n, size = 384, 16 << 10
	s := largeTextSnapshot(n, 16)
	r := rand.New(rand.NewPCG(1, 2))
	for _, rec := range s.Records["emailtemplate"] {
		b := make([]byte, size)
		for i := range b {
			b[i] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/"[r.IntN(64)]
		}
		rec["body_html"] = string(b)
	}
	src := FromSnapshot(s)
	// Sampled as the file is written: the pages of a row group are all
	// held when it goes out.
	h := newHeapSampler()
	if err := (Parquet{}).Write(src, sampledCreator{h}); err != nil {
		t.Fatal(err)
	}
	peak := h.peakAbove()
	t.Logf("writing %d KiB of text to Parquet: peak live heap %d KiB", n*size>>10, peak>>10)
	// Before: 8.7 MiB; after: 0.9 to 2.6.
	if peak > n*size/2 {
		t.Errorf("writing %d KiB of text to Parquet held %d KiB at its peak, more than half of it", n*size>>10, peak>>10)
	}
}

// TestPQPagesReadBackWhatWasWritten: a buffer reads back what was written
// to it, across chunks, after a seek to the start, and its chunks serve the
// next buffer once it is given back, leaving the other buffers whole. The
// file is unlinked as soon as it is made: TMPDIR holds nothing, even
// while it is in use (a killed export leaves nothing behind).
func TestPQPagesReadBackWhatWasWritten(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	p, err := newPQPages()
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	defer func() {
		if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
			t.Errorf("TMPDIR holds %v while the pages are in use", entries)
		}
	}()
	r := rand.New(rand.NewPCG(3, 4))
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	readBack := func(b io.ReadWriteSeeker) []byte {
		if off, err := b.Seek(0, io.SeekStart); err != nil || off != 0 {
			t.Fatalf("seek: %d, %v", off, err)
		}
		got, err := io.ReadAll(b)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, sizes := range [][]int{{}, {1}, {pqPageChunk}, {pqPageChunk - 1, 2}, {100, 3 * pqPageChunk, 7}, {5 * pqPageChunk}} {
		a, b := p.GetBuffer(), p.GetBuffer()
		var wantA, wantB []byte
		for _, n := range sizes { // interleaved, as the columns of a row group
			da, db := data(n), data(n+1)
			wantA, wantB = append(wantA, da...), append(wantB, db...)
			if _, err := a.Write(da); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Write(db); err != nil {
				t.Fatal(err)
			}
		}
		if got := readBack(a); !bytes.Equal(got, wantA) {
			t.Errorf("writes of %v: read back %d bytes, not the %d written", sizes, len(got), len(wantA))
		}
		p.PutBuffer(a)
		c := p.GetBuffer() // takes a's chunks
		wantC := data(2*pqPageChunk + 5)
		if _, err := c.Write(wantC); err != nil {
			t.Fatal(err)
		}
		if got := readBack(b); !bytes.Equal(got, wantB) {
			t.Errorf("writes of %v: the second buffer read back %d bytes, not the %d written", sizes, len(got), len(wantB))
		}
		if got := readBack(c); !bytes.Equal(got, wantC) {
			t.Errorf("writes of %v: a buffer on given-back chunks read back %d bytes, not the %d written", sizes, len(got), len(wantC))
		}
		p.PutBuffer(b)
		p.PutBuffer(c)
	}
	if p.n > 12 {
		t.Errorf("the file has %d chunks: given-back chunks are not reused", p.n)
	}
}
