package formats

import (
	"math/bits"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// pqZstd compresses Parquet pages as parquet-go's zstd codec does, byte for
// byte, with a history sized to the page (issue 12). The default encoder's
// window is 8 MiB, and once it compresses a page longer than a zstd block
// (128 KiB) it keeps a 16 MiB history for good; parquet-go pools its
// encoders in a sync.Pool, which made a second one (32 MiB) whenever the
// next page was compressed on another thread. A page no longer than the
// window gives the same frame whatever the window (a single segment: no
// window in its header, no match reaching further back than the page), so
// a page of up to 1 MiB goes to an encoder of a 1 MiB window, kept; a
// longer one to an encoder made for it, of the page's size rounded up to a
// power of two, at most the default 8 MiB, and dropped after: what it
// holds is of the page's size, which the writer holds anyway.
type pqZstd struct {
	mu   sync.Mutex
	idle []*zstd.Encoder // of window pqZstdSmall
}

const (
	pqZstdSmall   = 1 << 20
	pqZstdDefault = 8 << 20 // parquet-go's: zstd's for its default level
	pqZstdIdle    = 2       // encoders kept: the writers running at once, mostly one
)

var pqCodec = &pqZstd{}

func (*pqZstd) String() string                            { return "ZSTD" }
func (*pqZstd) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Decode is parquet-go's: only the writer uses this codec.
func (*pqZstd) Decode(dst, src []byte) ([]byte, error) { return parquet.Zstd.Decode(dst, src) }

func (c *pqZstd) Encode(dst, src []byte) ([]byte, error) {
	window := pqZstdWindow(len(src))
	if window > pqZstdSmall {
		e, err := newPQZstd(window)
		if err != nil {
			return nil, err
		}
		return e.EncodeAll(src, dst[:0]), nil
	}
	var e *zstd.Encoder
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		e, c.idle = c.idle[n-1], c.idle[:n-1]
	}
	c.mu.Unlock()
	if e == nil {
		var err error
		if e, err = newPQZstd(window); err != nil {
			return nil, err
		}
	}
	dst = e.EncodeAll(src, dst[:0])
	c.mu.Lock()
	if len(c.idle) < pqZstdIdle {
		c.idle = append(c.idle, e)
	}
	c.mu.Unlock()
	return dst, nil
}

// pqZstdWindow is the window for a page of n bytes: n rounded up to a power
// of two, within [pqZstdSmall, pqZstdDefault].
func pqZstdWindow(n int) int {
	if n <= pqZstdSmall {
		return pqZstdSmall
	}
	if n >= pqZstdDefault {
		return pqZstdDefault
	}
	return 1 << bits.Len(uint(n-1))
}

// newPQZstd makes an encoder of parquet-go's options (compress/zstd's Codec
// at its default level and concurrency) but the window. The lower memory
// option changes the sizes it allocates, not what it writes: its history
// is the window and a block, not twice the window.
func newPQZstd(window int) (*zstd.Encoder, error) {
	return zstd.NewWriter(nil,
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(false),
		zstd.WithWindowSize(window),
		zstd.WithLowerEncoderMem(true),
	)
}
