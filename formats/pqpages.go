package formats

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// pqPages keeps the pages parquet-go buffers for a row group (compressed,
// each column's until the group is written out, since a column's pages lie
// together in the file) in one temporary file rather than on the heap
// (issue 12): up to the compressed size of a row group, 10 MiB of export's
// peak at 50,000 records. It is a parquet.BufferPool: each buffer is a list
// of chunks of the file, which go back to the pool with the buffer and are
// reused by the next. The file is what the writer writes, staged: the
// Parquet file is the same, byte for byte.
type pqPages struct {
	f    *os.File
	mu   sync.Mutex
	n    int32   // chunks in the file
	free []int32 // chunks given back
}

// pqPageChunk is the size of a chunk: a buffer wastes at most one chunk of
// file, and writing a chunk takes one write.
const pqPageChunk = 32 << 10

func newPQPages() (*pqPages, error) {
	f, err := os.CreateTemp("", "halocfg-parquet-pages-*")
	if err != nil {
		return nil, err
	}
	// Unlinked at once, as mapping's skeletons are: nothing is left behind
	// however the process ends.
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return &pqPages{f: f}, nil
}

// close lets go of the file.
func (p *pqPages) close() error { return p.f.Close() }

func (p *pqPages) GetBuffer() io.ReadWriteSeeker { return &pqPageBuffer{p: p} }

func (p *pqPages) PutBuffer(b io.ReadWriteSeeker) {
	if b, ok := b.(*pqPageBuffer); ok && b.p == p {
		p.mu.Lock()
		p.free = append(p.free, b.chunks...)
		p.mu.Unlock()
		b.chunks, b.size, b.pos = nil, 0, 0
	}
}

// chunk takes a chunk, a free one first.
func (p *pqPages) chunk() (int32, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		return c, nil
	}
	if p.n == 1<<31-1 {
		return 0, errors.New("parquet page buffer: the file is full")
	}
	p.n++
	return p.n - 1, nil
}

// pqPageBuffer is one buffer of a pqPages: the bytes [0, size) lie in its
// chunks, in order.
type pqPageBuffer struct {
	p         *pqPages
	chunks    []int32
	size, pos int64
}

func (b *pqPageBuffer) Write(data []byte) (int, error) {
	n := 0
	for n < len(data) {
		i, at := b.pos/pqPageChunk, b.pos%pqPageChunk
		for int64(len(b.chunks)) <= i {
			c, err := b.p.chunk()
			if err != nil {
				return n, err
			}
			b.chunks = append(b.chunks, c)
		}
		part := data[n:min(len(data), n+int(pqPageChunk-at))]
		if _, err := b.p.f.WriteAt(part, int64(b.chunks[i])*pqPageChunk+at); err != nil {
			return n, fmt.Errorf("parquet page buffer: %w", err)
		}
		n += len(part)
		b.pos += int64(len(part))
		b.size = max(b.size, b.pos)
	}
	return n, nil
}

func (b *pqPageBuffer) Read(data []byte) (int, error) {
	if b.pos >= b.size {
		return 0, io.EOF
	}
	i, at := b.pos/pqPageChunk, b.pos%pqPageChunk
	part := data[:min(int64(len(data)), pqPageChunk-at, b.size-b.pos)]
	n, err := b.p.f.ReadAt(part, int64(b.chunks[i])*pqPageChunk+at)
	b.pos += int64(n)
	if n == len(part) {
		return n, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF // the file holds less than was written to it
	}
	return n, fmt.Errorf("parquet page buffer: %w", err)
}

func (b *pqPageBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.pos
	case io.SeekEnd:
		offset += b.size
	}
	if offset < 0 {
		return b.pos, errors.New("parquet page buffer: seek before the start")
	}
	b.pos = offset
	return offset, nil
}
