package formats

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// After the rows, parquet-go writes the page index (a column index, the min
// and max of every page, then an offset index, for every column chunk) and
// the footer. For a column written without bounds it writes a column index
// all the same, with an empty min and max for every page: an engine that
// skips pages by it (Spark, Trino) would skip pages holding what it looks
// for. tailWriter holds that end of the file back and writes it without
// those column indexes.
//
// The parts it keeps stay in parquet-go's order (every column index, then
// every offset index, each by row group and column) and back to back:
// parquet-go's own reader (File.ReadPageIndex) reads each section in one
// piece from the offset of the first column chunk's part, and reads no
// column index at all when the first column has none. The first column is a
// kind's id (fieldOrder), which has one; _halocfg, which has none, is the
// last (it sorted first while the columns were sorted by name).
type tailWriter struct {
	w      io.Writer
	passed int64 // bytes written through to w
	hold   bool  // set once every row is written
	tail   bytes.Buffer
}

func (t *tailWriter) Write(p []byte) (int, error) {
	if t.hold {
		return t.tail.Write(p)
	}
	n, err := t.w.Write(p)
	t.passed += int64(n)
	return n, err
}

// finish writes the end of the file that was held back: the page index less
// the column indexes of the unbounded columns, and a footer that points at
// what is left and that the reader accepts.
func (t *tailWriter) finish(unbounded map[string]bool) error {
	b := t.tail.Bytes()
	if len(b) < 8 || string(b[len(b)-4:]) != "PAR1" {
		return errors.New("parquet-go wrote no footer")
	}
	end := int64(len(b)) - 8 - int64(binary.LittleEndian.Uint32(b[len(b)-8:])) // where the footer starts in b
	if end < 0 {
		return errors.New("parquet-go wrote its footer before the last rows")
	}
	var md format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[end:len(b)-8], &md); err != nil {
		return fmt.Errorf("reading back the footer parquet-go wrote: %w", err)
	}

	var chunks []*format.ColumnChunk
	for i := range md.RowGroups {
		for j := range md.RowGroups[i].Columns {
			chunks = append(chunks, &md.RowGroups[i].Columns[j])
		}
	}
	// The page index ends where the footer starts; check that its parts are
	// where they are said to be, one after the other.
	start := end
	for _, c := range chunks {
		start -= int64(c.ColumnIndexLength) + int64(c.OffsetIndexLength)
	}
	type part struct {
		offset *int64
		length *int32
	}
	var parts []part
	for _, c := range chunks {
		parts = append(parts, part{&c.ColumnIndexOffset, &c.ColumnIndexLength})
	}
	for _, c := range chunks {
		parts = append(parts, part{&c.OffsetIndexOffset, &c.OffsetIndexLength})
	}
	at := start
	for _, p := range parts {
		if *p.length == 0 {
			continue
		}
		if start < 0 || *p.offset-t.passed != at {
			return errors.New("parquet-go laid out its page index in an unexpected way")
		}
		at += int64(*p.length)
	}

	out := bytes.Clone(b[:start])
	for i, p := range parts {
		old := *p.offset - t.passed
		if *p.length == 0 || (i < len(chunks) && unbounded[chunks[i].MetaData.PathInSchema[0]]) {
			*p.offset, *p.length = 0, 0
			continue
		}
		*p.offset = t.passed + int64(len(out))
		out = append(out, b[old:old+int64(*p.length)]...)
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &md)
	if err != nil {
		return err
	}
	if len(footer) > parquetMaxFooterBytes {
		return fmt.Errorf("a footer of %d bytes (%d row groups of %d columns); halocfg reads footers of up to %d MiB",
			len(footer), len(md.RowGroups), len(md.Schema)-1, parquetMaxFooterBytes>>20)
	}
	out = append(out, footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	_, err = t.w.Write(append(out, "PAR1"...))
	return err
}
