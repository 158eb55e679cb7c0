package formats

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"
)

// Hostile workbooks are built here, into the test's temporary directory:
// small files that inflate to gigabytes. A part is written either whole, or
// as head + unit×n + tail, deflated once per megabyte of units and the
// compressed megabyte repeated, so that a gigabyte of XML costs milliseconds.

// bombPart is the content of one zip entry: head, unit repeated n times,
// tail; or, where gen is set, what gen writes.
type bombPart struct {
	head, unit, tail string
	n                int
	gen              func(w io.Writer)
}

func (p bombPart) size() int64 {
	return int64(len(p.head)) + int64(len(p.unit))*int64(p.n) + int64(len(p.tail))
}

// writeBomb writes to path the workbook base with the parts given replaced
// (or added, by name, after the others).
func writeBomb(t testing.TB, path string, base []byte, parts map[string]bombPart) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	done := map[string]bool{}
	for _, f := range zr.File {
		if p, ok := parts[f.Name]; ok {
			writeBombPart(t, zw, f.Name, p)
			done[f.Name] = true
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	for name, p := range parts {
		if !done[name] {
			writeBombPart(t, zw, name, p)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeBombPart(t testing.TB, zw *zip.Writer, name string, p bombPart) {
	t.Helper()
	if p.gen != nil {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		p.gen(w)
		return
	}
	raw, crc := deflateRepeat(t, p)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(p.size()),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
}

// deflateRepeat deflates p. Once the window holds nothing but whole units,
// deflating another megabyte of units gives the same bytes each time: those
// bytes are repeated instead of deflating every unit.
func deflateRepeat(t testing.TB, p bombPart) ([]byte, uint32) {
	t.Helper()
	var out, buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	crc := crc32.NewIEEE()
	write := func(s string) {
		fw.Write([]byte(s))
		crc.Write([]byte(s))
	}
	flush := func() []byte {
		fw.Flush()
		b := bytes.Clone(buf.Bytes())
		buf.Reset()
		return b
	}
	write(p.head)
	left := p.n
	perChunk := max(1, (1<<20)/max(len(p.unit), 1))
	if p.unit != "" && left > 3*perChunk+(64<<10)/len(p.unit)+1 {
		// Fill the window with units, then deflate two chunks of them.
		warm := (64<<10)/len(p.unit) + 1
		write(strings.Repeat(p.unit, warm))
		left -= warm
		out.Write(flush())
		chunk := strings.Repeat(p.unit, perChunk)
		write(chunk)
		first := flush()
		write(chunk)
		second := flush()
		left -= 2 * perChunk
		if !bytes.Equal(first, second) {
			t.Fatal("deflateRepeat: two chunks of units deflate differently")
		}
		out.Write(first)
		out.Write(second)
		for ; left >= perChunk; left -= perChunk {
			out.Write(first)
			crc.Write([]byte(chunk))
		}
	}
	write(strings.Repeat(p.unit, left))
	write(p.tail)
	fw.Close()
	out.Write(buf.Bytes())
	return out.Bytes(), crc.Sum32()
}

func TestDeflateRepeat(t *testing.T) {
	for _, p := range []bombPart{
		{head: "<a>", unit: "<b>x</b>", tail: "</a>", n: 1_000_000},
		{head: "h", unit: strings.Repeat("u", 3000), tail: "t", n: 2000},
		{head: "h", unit: "u", tail: "t", n: 10},
	} {
		raw, crc := deflateRepeat(t, p)
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Fatal(err)
		}
		want := p.head + strings.Repeat(p.unit, p.n) + p.tail
		if string(got) != want || crc != crc32.ChecksumIEEE([]byte(want)) {
			t.Errorf("unit %.10q×%d: inflates to %d bytes, want %d", p.unit, p.n, len(got), len(want))
		}
	}
}

// sheetXML wraps rows into a worksheet.
func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		rows + `</sheetData></worksheet>`
}

const sstHead = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

func inlineCell(ref, text string) string {
	return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, text)
}

// bomb is a hostile workbook: the small snapshot's workbook with parts
// replaced or added, and what the error reading it must say.
type bomb struct {
	name  string
	parts func() map[string]bombPart
	want  []string
}

// Parts of the small snapshot's workbook.
const (
	aboutPart  = "xl/worksheets/sheet1.xml"
	statusPart = "xl/worksheets/sheet2.xml"
	cellsPart  = "xl/worksheets/sheet5.xml"
	stylesPart = "xl/styles.xml"
)

// sheetRows is a sheet part: a header row, then unit n times (rows without
// numbers, which follow each other).
func sheetRows(header, unit string, n int) bombPart {
	return bombPart{
		head: strings.TrimSuffix(sheetXML(header), `</sheetData></worksheet>`),
		unit: unit, n: n, tail: `</sheetData></worksheet>`,
	}
}

// longSST is a shared-string table whose string 0 is as long as a cell holds.
var longSST = bombPart{head: sstHead + `<si><t>` + strings.Repeat("b", 32767) + `</t></si><si><t>status</t></si><si><t>name</t></si><si><t>more</t></si></sst>`}

// cellsMore is a _cells row continuing status 900's name with string 0.
const cellsMore = `<row><c t="s"><v>1</v></c><c><v>900</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c><c t="s"><v>0</v></c></row>`

var cellsHeader = `<row r="1">` + inlineCell("A1", "sheet") + inlineCell("B1", "id") + inlineCell("C1", "column") + inlineCell("D1", "note") + inlineCell("E1", "value") + `</row>`

// bombs are the workbooks of issue 8, and one for each limit they would meet
// if the limit before it were lifted.
func bombs() []bomb {
	return []bomb{{
		name: "1 MB holding a cell of 1 GiB",
		parts: func() map[string]bombPart {
			p := sheetRows(`<row r="1">`+inlineCell("A1", "id")+inlineCell("B1", "name")+`</row>`, strings.Repeat("a", 1024), 1<<20)
			p.head += `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>`
			p.tail = `</t></is></c></row>` + p.tail
			return map[string]bombPart{statusPart: p}
		},
		want: []string{`sheet "status" inflates to 1.0 GiB`, "more than the 64.7 MiB halocfg reads from a file of its size (32 MiB + 32 × the file's 1.0 MiB"},
	}, {
		name: "6 MB holding a shared-string table of 2.4 GiB",
		parts: func() map[string]bombPart {
			return map[string]bombPart{
				sstName:   {head: sstHead, unit: `<si><t>x</t></si>`, n: 150_000_000, tail: `</sst>`},
				aboutPart: {head: sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)},
			}
		},
		want: []string{"the shared-string table (xl/sharedStrings.xml) inflates to 2.4 GiB", "more than the 222.4 MiB"},
	}, {
		name: "1.8 MB of _cells continuing a text with a 32,767-character shared string 4.7 million times",
		parts: func() map[string]bombPart {
			return map[string]bombPart{sstName: longSST, cellsPart: sheetRows(cellsHeader, cellsMore, 4_700_000)}
		},
		want: []string{`sheet "_cells" inflates to 502.0 MiB`, "more than the 87.1 MiB"},
	}, {
		name: "100 KB of _cells within the size limits, continuing a text 250,000 times",
		parts: func() map[string]bombPart {
			return map[string]bombPart{sstName: longSST, cellsPart: sheetRows(cellsHeader, cellsMore, 250_000)}
		},
		want: []string{`sheet "_cells", row 1117, column E: the workbook's cells cost more than 35.2 MiB (their text, plus 64 bytes each), the most halocfg reads from a file of its size (32 MiB + 32 × the file's`},
	}, {
		name: "40 KB: a column _types does not type, in 200,000 rows",
		parts: func() map[string]bombPart {
			header := `<row r="1">` + inlineCell("A1", "id") + inlineCell("B1", "extra") + `</row>`
			return map[string]bombPart{statusPart: sheetRows(header, `<row><c><v>1</v></c><c t="b"><v>1</v></c></row>`, 200_000)}
		},
		want: []string{`sheet "status", row 3, column "id": id 1 is also in row 2`},
	}, {
		name: "400 KB of 1.9 million one-digit cells",
		parts: func() map[string]bombPart {
			return map[string]bombPart{statusPart: {gen: tinyCells(120_000)}}
		},
		want: []string{`sheet "status", row `, `the workbook's cells cost more than`},
	}, {
		name: "2.8 MB holding a styles.xml of 946 MiB",
		parts: func() map[string]bombPart {
			return map[string]bombPart{stylesPart: {
				head: `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`,
				unit: `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`, n: 16_000_000,
				tail: `</cellXfs></styleSheet>`,
			}}
		},
		want: []string{`part "xl/styles.xml" inflates to 946.0 MiB`},
	}}
}

// seedBook is the small snapshot's workbook, which the bombs start from.
func seedBook(t testing.TB) []byte {
	var b bytes.Buffer
	if err := writeWorkbook(FromSnapshot(smallSnapshot()), &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyCells writes a status sheet of n records of 16 one-digit fields.
func tinyCells(n int) func(w io.Writer) {
	return func(w io.Writer) {
		var b strings.Builder
		b.WriteString(`<row r="1">` + inlineCell("A1", "id"))
		for c := 2; c <= 16; c++ {
			b.WriteString(inlineCell(cellName(c, 1), fmt.Sprintf("f%d", c)))
		}
		b.WriteString(`</row>`)
		io.WriteString(w, strings.TrimSuffix(sheetXML(b.String()), `</sheetData></worksheet>`))
		fields := strings.Repeat(`<c><v>1</v></c>`, 15)
		for i := range n {
			fmt.Fprintf(w, `<row><c><v>%d</v></c>%s</row>`, i+1, fields)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	}
}
