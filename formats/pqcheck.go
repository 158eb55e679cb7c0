package formats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquet-go trusts the sizes a file states: a corrupt footer or page header
// makes it allocate gigabytes, loop through billions of list items, or grow
// an LZ4 buffer without end, and none of that can be recovered like a panic.
// So before parquet-go decodes anything, the footer and every page header
// are walked here and their sizes checked against the bytes that are really
// there. Files halocfg writes always pass: the bounds come from the sizes the
// writer keeps to (parquet.go).

const (
	maxFooterBytes = parquetMaxFooterBytes
	// maxPageBytes bounds a page once decompressed. parquet-go ends a page
	// once its buffered values reach parquetPageBytes, checked after every
	// write of up to 64 rows; those rows are of one row group, whose values
	// stay under parquetGroupBytes but for the last record's, at most a cell.
	maxPageBytes = parquetPageBytes + parquetGroupBytes + parquetMaxCellBytes
	// maxChunkBytes bounds a column chunk once decompressed: the values of a
	// row group's column (within maxPageBytes) and the page headers, each of
	// which holds at most four min/max values of parquetStatBytes. (Earlier
	// versions copied whole values into page headers, four times; their files
	// fit too where their footer did.)
	maxChunkBytes  = 2 * maxPageBytes
	thriftMaxDepth = 64
)

var errThrift = errors.New("corrupt thrift structure")

// checkFooter validates the footer's framing and structure.
func checkFooter(r io.ReaderAt, size int64) error {
	if size < 12 {
		return errors.New("too short for a Parquet file")
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(head[:4]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return errors.New("no PAR1 magic: not a Parquet file")
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 || n > maxFooterBytes {
		return fmt.Errorf("corrupt footer: length %d in a %d-byte file", n, size)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return err
	}
	w := thriftWalker{b: footer}
	if err := w.structure(nil, nil); err != nil {
		return fmt.Errorf("corrupt footer: %w", err)
	}
	return nil
}

// checkChunks refuses column chunks halocfg does not write and walks the
// page headers of the rest.
func checkChunks(pf *parquet.File, r io.ReaderAt, size int64) error {
	for i, rg := range pf.Metadata().RowGroups {
		// Every record has an id, and every id takes at least a byte, so the
		// id column bounds the rows; the rows bound the values of every page
		// (RLE-encoded nulls cost nothing, so sizes alone bound nothing).
		var idBytes int64 = -1
		for _, cc := range rg.Columns {
			if len(cc.MetaData.PathInSchema) == 1 && cc.MetaData.PathInSchema[0] == "id" {
				idBytes = cc.MetaData.TotalUncompressedSize
			}
		}
		if rg.NumRows < 0 || rg.NumRows > idBytes {
			return fmt.Errorf("row group %d: %d rows but %d bytes of ids", i, rg.NumRows, idBytes)
		}
		for _, cc := range rg.Columns {
			m := cc.MetaData
			col := strings.Join(m.PathInSchema, ".")
			switch m.Codec {
			case format.Uncompressed, format.Zstd:
			default:
				return fmt.Errorf("row group %d, column %q: compressed with %s; halocfg writes zstd", i, col, m.Codec)
			}
			start := m.DataPageOffset
			if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < start {
				start = m.DictionaryPageOffset
			}
			if start < 4 || m.TotalCompressedSize < 0 || start+m.TotalCompressedSize > size || m.TotalUncompressedSize < 0 || m.TotalUncompressedSize > maxChunkBytes {
				return fmt.Errorf("row group %d, column %q: implausible chunk (offset %d, %d compressed, %d uncompressed bytes) in a %d-byte file",
					i, col, start, m.TotalCompressedSize, m.TotalUncompressedSize, size)
			}
			chunk := make([]byte, m.TotalCompressedSize)
			if _, err := r.ReadAt(chunk, start); err != nil {
				return err
			}
			if err := checkPages(chunk, m.Codec == format.Zstd, rg.NumRows); err != nil {
				return fmt.Errorf("row group %d, column %q: %w", i, col, err)
			}
		}
	}
	return nil
}

// checkPages walks the pages of one column chunk.
func checkPages(chunk []byte, zstdPages bool, rows int64) error {
	for n, off := 1, 0; off < len(chunk); n++ {
		var typ, uncompressed, compressed, defLen, repLen, values int64
		v2Compressed := true
		w := thriftWalker{b: chunk[off:]}
		err := w.structure(nil, func(path []int16, v int64) {
			switch {
			case len(path) == 1 && path[0] == 1:
				typ = v
			case len(path) == 1 && path[0] == 2:
				uncompressed = v
			case len(path) == 1 && path[0] == 3:
				compressed = v
			case len(path) == 2 && path[0] == 8 && path[1] == 5:
				defLen = v
			case len(path) == 2 && path[0] == 8 && path[1] == 6:
				repLen = v
			case len(path) == 2 && path[0] == 8 && path[1] == 7:
				v2Compressed = v != 0
			case len(path) == 2 && (path[0] == 5 || path[0] == 7 || path[0] == 8) && path[1] == 1,
				len(path) == 2 && path[0] == 8 && (path[1] == 2 || path[1] == 3):
				// num_values of data, dictionary and v2 pages; num_nulls, num_rows of v2
				values = max(values, v)
			}
		})
		if err != nil {
			return fmt.Errorf("page %d: header: %w", n, err)
		}
		body := chunk[off+w.p:]
		if values < 0 || values > rows {
			return fmt.Errorf("page %d: %d values in a row group of %d rows", n, values, rows)
		}
		if compressed < 0 || compressed > int64(len(body)) || uncompressed < 0 || uncompressed > maxPageBytes {
			return fmt.Errorf("page %d: implausible sizes (%d compressed, %d uncompressed bytes, %d left in the chunk)", n, compressed, uncompressed, len(body))
		}
		page := body[:compressed]
		off += w.p + int(compressed)
		if !zstdPages {
			continue
		}
		if typ == int64(format.DataPageV2) {
			if defLen < 0 || repLen < 0 || defLen+repLen > compressed {
				return fmt.Errorf("page %d: level lengths %d and %d exceed the page", n, defLen, repLen)
			}
			if !v2Compressed {
				continue
			}
			page = page[defLen+repLen:]
		}
		if len(page) == 0 {
			continue
		}
		var h zstd.Header
		if err := h.Decode(page); err != nil {
			return fmt.Errorf("page %d: not zstd data: %w", n, err)
		}
		if (h.HasFCS && h.FrameContentSize > uint64(uncompressed)) || h.WindowSize > maxPageBytes {
			return fmt.Errorf("page %d: zstd frame larger than the page it claims to hold", n)
		}
	}
	return nil
}

// thriftWalker walks a Thrift compact-protocol structure without building it,
// refusing any count that exceeds the bytes left (every element takes at least one).
type thriftWalker struct {
	b     []byte
	p     int
	depth int
}

const (
	ctStop = iota
	ctTrue
	ctFalse
	ctByte
	ctI16
	ctI32
	ctI64
	ctDouble
	ctBinary
	ctList
	ctSet
	ctMap
	ctStruct
)

func (w *thriftWalker) left() int { return len(w.b) - w.p }

func (w *thriftWalker) byte() (byte, error) {
	if w.p >= len(w.b) {
		return 0, io.ErrUnexpectedEOF
	}
	w.p++
	return w.b[w.p-1], nil
}

func (w *thriftWalker) uvarint() (uint64, error) {
	v, n := binary.Uvarint(w.b[w.p:])
	if n <= 0 {
		return 0, errThrift
	}
	w.p += n
	return v, nil
}

func (w *thriftWalker) varint() (int64, error) {
	v, err := w.uvarint()
	return int64(v>>1) ^ -int64(v&1), err
}

func (w *thriftWalker) count() (int, error) {
	n, err := w.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(w.left()) {
		return 0, fmt.Errorf("%w: %d items in %d bytes", errThrift, n, w.left())
	}
	return int(n), nil
}

// structure walks a struct, calling visit with the field path and value of
// every integer and boolean field.
func (w *thriftWalker) structure(path []int16, visit func([]int16, int64)) error {
	if w.depth++; w.depth > thriftMaxDepth {
		return fmt.Errorf("%w: nested too deep", errThrift)
	}
	defer func() { w.depth-- }()
	var last int16
	for {
		h, err := w.byte()
		if err != nil {
			return err
		}
		if h == ctStop {
			return nil
		}
		id := last + int16(h>>4)
		if h>>4 == 0 {
			v, err := w.varint()
			if err != nil {
				return err
			}
			id = int16(v)
		}
		last = id
		if err := w.value(h&0x0f, append(path, id), visit); err != nil {
			return err
		}
	}
}

func (w *thriftWalker) value(t byte, path []int16, visit func([]int16, int64)) error {
	switch t {
	case ctTrue, ctFalse:
		if visit != nil {
			visit(path, int64(2-t)) // 1 is true, 2 false
		}
	case ctByte:
		_, err := w.byte()
		return err
	case ctI16, ctI32, ctI64:
		v, err := w.varint()
		if err == nil && visit != nil {
			visit(path, v)
		}
		return err
	case ctDouble:
		if w.left() < 8 {
			return io.ErrUnexpectedEOF
		}
		w.p += 8
	case ctBinary:
		n, err := w.count()
		w.p += n
		return err
	case ctList, ctSet:
		h, err := w.byte()
		if err != nil {
			return err
		}
		n := int(h >> 4)
		if n == 15 {
			if n, err = w.count(); err != nil {
				return err
			}
		}
		for range n {
			if err := w.element(h & 0x0f); err != nil {
				return err
			}
		}
	case ctMap:
		n, err := w.count()
		if err != nil || n == 0 {
			return err
		}
		kv, err := w.byte()
		if err != nil {
			return err
		}
		for range n {
			if err := w.element(kv >> 4); err != nil {
				return err
			}
			if err := w.element(kv & 0x0f); err != nil {
				return err
			}
		}
	case ctStruct:
		return w.structure(path, visit)
	default:
		return fmt.Errorf("%w: unknown type %d", errThrift, t)
	}
	return nil
}

// element walks a list, set or map element; booleans there take a byte.
func (w *thriftWalker) element(t byte) error {
	if t == ctTrue || t == ctFalse {
		_, err := w.byte()
		return err
	}
	return w.value(t, nil, nil)
}
