package formats

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/halocfg/halocfg/snapshot"
)

// Email templates with bodies of megabytes (issue 8): parquet-go copies a
// column's min and max whole into every page header and, per row group,
// into the footer, so nine 8 MB bodies made a 470 MB file with a 151 MB
// footer that the reader refused. What halocfg writes it must read back,
// and the file must be about the size of its data.

// largeBody is an email body of n bytes of HTML, different for each i.
func largeBody(i, n int) string {
	b := make([]byte, 0, n+128)
	for line := 0; len(b) < n; line++ {
		b = fmt.Appendf(b, "<p>Template %d, line %d: Dear {{user}}, ticket {{id}} was updated by %d. Ünïcödé ✓</p>\n", i, line, line*7919%10007)
	}
	return string(b[:n])
}

// largeTextSnapshot holds n email templates whose body_html has size bytes,
// and a short body_text.
func largeTextSnapshot(n, size int) *snapshot.Snapshot {
	s := snapshot.New("https://large.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	recs := make([]snapshot.Record, n)
	for i := range recs {
		recs[i] = snapshot.Record{
			"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("Template %d", i+1),
			"body_html": largeBody(i, size), "body_text": "Dear {{user}}",
		}
	}
	s.Put("emailtemplate", recs)
	return s
}

// parquetLayout is where a Parquet file's bytes go.
type parquetLayout struct {
	size, footer, maxHeader int64
	rowGroups               int
	md                      *format.FileMetaData
}

func layoutOf(t *testing.T, b []byte) parquetLayout {
	t.Helper()
	l := parquetLayout{size: int64(len(b)), footer: int64(binary.LittleEndian.Uint32(b[len(b)-8:]))}
	pf, err := parquet.OpenFile(bytes.NewReader(b), l.size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		t.Fatal(err)
	}
	l.md = pf.Metadata()
	l.rowGroups = len(l.md.RowGroups)
	for _, rg := range l.md.RowGroups {
		for _, cc := range rg.Columns {
			m := cc.MetaData
			start := m.DataPageOffset
			if m.DictionaryPageOffset > 0 {
				start = min(start, m.DictionaryPageOffset)
			}
			chunk := b[start : start+m.TotalCompressedSize]
			for off := 0; off < len(chunk); {
				var compressed int64
				w := thriftWalker{b: chunk[off:]}
				if err := w.structure(nil, func(path []int16, v int64) {
					if len(path) == 1 && path[0] == 3 {
						compressed = v
					}
				}); err != nil {
					t.Fatal(err)
				}
				l.maxHeader = max(l.maxHeader, int64(w.p))
				off += w.p + int(compressed)
			}
		}
	}
	return l
}

// checkStatistics checks the statistics and page index of every column
// chunk: the unbounded columns have neither min/max nor a column index, the
// others have min/max of at most parquetStatBytes and a column index with
// an entry for every page the offset index lists.
func checkStatistics(t *testing.T, b []byte, md *format.FileMetaData, unbounded ...string) {
	t.Helper()
	decode := func(offset int64, length int32, v any) {
		t.Helper()
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[offset:offset+int64(length)], v); err != nil {
			t.Fatalf("page index at %d: %v", offset, err)
		}
	}
	for i, rg := range md.RowGroups {
		for _, cc := range rg.Columns {
			col, st := cc.MetaData.PathInSchema[0], cc.MetaData.Statistics
			var oi format.OffsetIndex
			decode(cc.OffsetIndexOffset, cc.OffsetIndexLength, &oi)
			if slices.Contains(unbounded, col) {
				if st.MinValue != nil || st.MaxValue != nil || cc.ColumnIndexLength != 0 {
					t.Errorf("row group %d, column %s: min %d bytes, max %d bytes, column index %d bytes; want none",
						i, col, len(st.MinValue), len(st.MaxValue), cc.ColumnIndexLength)
				}
				continue
			}
			if len(st.MinValue) > parquetStatBytes || len(st.MaxValue) > parquetStatBytes {
				t.Errorf("row group %d, column %s: min %d bytes, max %d bytes", i, col, len(st.MinValue), len(st.MaxValue))
			}
			if cc.ColumnIndexLength == 0 {
				t.Errorf("row group %d, column %s: no column index", i, col)
				continue
			}
			var ci format.ColumnIndex
			decode(cc.ColumnIndexOffset, cc.ColumnIndexLength, &ci)
			if len(ci.NullPages) != len(oi.PageLocations) || len(ci.MaxValues) != len(oi.PageLocations) {
				t.Errorf("row group %d, column %s: column index of %d pages, offset index of %d", i, col, len(ci.NullPages), len(oi.PageLocations))
			}
		}
	}
}

func TestParquetLargeTextReadsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 72 MB of text")
	}
	const n, size = 9, 8 << 20
	s := largeTextSnapshot(n, size)
	dir := writeSnapshot(t, s, Parquet{})
	got, err := ReadAll(Parquet{}, dir)
	if err != nil {
		t.Fatalf("reading what the writer wrote: %v", err)
	}
	assertSameRecords(t, s.Records, got)

	b, err := os.ReadFile(filepath.Join(dir, "parquet", "emailtemplate.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	l := layoutOf(t, b)
	t.Logf("%d bytes of text: file %d bytes, footer %d, largest page header %d, %d row groups", n*size, l.size, l.footer, l.maxHeader, l.rowGroups)
	// The text compresses; whatever it is, the file is no larger than the
	// text itself, and neither footer nor page headers grow with it.
	if l.size > n*size {
		t.Errorf("file of %d bytes for %d bytes of text", l.size, n*size)
	}
	if l.footer > 64<<10 {
		t.Errorf("footer of %d bytes", l.footer)
	}
	if l.maxHeader > 8<<10 {
		t.Errorf("a page header of %d bytes", l.maxHeader)
	}
	checkStatistics(t, b, l.md, "body_html", notesColumn)
	// A short text column keeps its bounds: here each row group's one name.
	for i, rg := range l.md.RowGroups {
		for _, cc := range rg.Columns {
			if st := cc.MetaData.Statistics; cc.MetaData.PathInSchema[0] == "name" && (string(st.MinValue) != s.Records["emailtemplate"][i]["name"] || string(st.MaxValue) != string(st.MinValue)) {
				t.Errorf("row group %d: name from %q to %q", i, st.MinValue, st.MaxValue)
			}
		}
	}
}

// TestParquetRefusesOverlongCells: a cell longer than the reader takes is an
// error naming the record and field, not a file the reader would refuse.
func TestParquetRefusesOverlongCells(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 256 MiB")
	}
	s := largeTextSnapshot(2, 10)
	s.Records["emailtemplate"][1]["body_html"] = strings.Repeat("x", parquetMaxCellBytes+1)
	err := Write(s, memDir{}, []Format{Parquet{}})
	want := `writing parquet: parquet/emailtemplate.parquet: emailtemplate record 2 (id 2), field "body_html": 268435457 bytes; a Parquet cell holds at most 256 MiB`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
