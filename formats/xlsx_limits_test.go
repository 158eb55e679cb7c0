package formats

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// tempDir points TMPDIR, where the reader and excelize put their temporary
// files, at a directory of the test's own, checked empty in the end.
func tempDir(t *testing.T) string {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	t.Cleanup(func() { assertEmptyDir(t, tmp) })
	return tmp
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s: left behind in %s", e.Name(), dir)
	}
}

// bombBytes is the seed workbook with parts replaced, in memory.
func bombBytes(t *testing.T, parts map[string]bombPart) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeBomb(t, path, seedBook(t), parts)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// zipOf is a zip of the named parts, in order.
func zipOf(t *testing.T, parts ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// seedParts are the seed workbook's parts, for zipOf.
func seedParts(t *testing.T) [][2]string {
	t.Helper()
	book := seedBook(t)
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var parts [][2]string
	for _, f := range zr.File {
		parts = append(parts, [2]string{f.Name, string(zipPart(t, book, f.Name))})
	}
	return parts
}

func statusSheet(rows string) bombPart {
	return bombPart{head: sheetXML(`<row r="1">` + inlineCell("A1", "id") + inlineCell("B1", "name") + `</row>` + rows)}
}

func randomBytes(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return string(b)
}

// Each limit a hostile workbook can meet once the zip's budget is met: the
// error names the sheet (or part), row and column, and the limit.
func TestXLSXReadLimits(t *testing.T) {
	tooManyParts := make([][2]string, 10_001)
	for i := range tooManyParts {
		tooManyParts[i] = [2]string{fmt.Sprintf("p%d", i), ""}
	}
	bigParts := seedParts(t)
	for i := range 5 {
		bigParts = append(bigParts, [2]string{fmt.Sprintf("xl/media/image%d.png", i), randomBytes(900 << 10)})
	}
	for _, c := range []struct {
		name string
		book func(t *testing.T) []byte
		want string
	}{
		// Not limits but the same scan: excelize stops reading a sheet at XML
		// that is not well formed without an error, which would lose every
		// row after it without a word.
		{"invalid UTF-8 in a cell", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><c r="A2"><v>1</v></c>` + inlineCell("B2", "N\xffw") + `</row><row r="3"><c r="A3"><v>2</v></c></row>`)})
		}, `sheet "status", row 2, column B: not well-formed XML at line 1: invalid UTF-8`},
		{"a sheet cut short", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: {head: strings.TrimSuffix(statusSheet(`<row r="2"><c r="A2"><v>1</v></c></row>`).head, "</sheetData></worksheet>")}})
		}, `sheet "status", row 2: not well-formed XML: it ends inside an element`},
		{"a broken tag", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><c r="A2"><v>1</v></c></row><row r="3" <c></row>`)})
		}, `sheet "status", row 2: not well-formed XML at line 1: expected attribute name in element`},
		{"a cell over 32,767 characters", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><c r="A2"><v>1</v></c>` + inlineCell("B2", strings.Repeat("é", 32768)) + `</row>`)})
		}, `sheet "status", row 2, column B: the cell holds more than 32767 characters, the most a cell holds`},
		{"a text over 1 MiB", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><x>` + strings.Repeat("a", 1<<20+1) + `</x></row>`)})
		}, `sheet "status", row 2: an XML token (a tag and its text, or a comment) longer than 1 MiB`},
		{"a comment over 1 MiB", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<!--` + strings.Repeat("<a>", 400_000) + `-->`)})
		}, `sheet "status", row 1: an XML token (a tag and its text, or a comment) longer than 1 MiB`},
		{"a CDATA section over 1 MiB", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><c r="A2" t="str"><v><![CDATA[` + strings.Repeat("<>", 600_000) + `]]></v></c></row>`)})
		}, `sheet "status", row 2, column A: an XML token`},
		{"a document type declaration, then 1 MiB", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<!DOCTYPE worksheet [<!ENTITY a "aaaa">]>` + strings.Repeat(`<row/>`, 200_000))})
		}, `sheet "status", row 174717: an XML token (a tag and its text, or a comment) longer than 1 MiB`},
		{"elements nested 65 deep", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(strings.Repeat("<x>", 65) + strings.Repeat("</x>", 65))})
		}, `sheet "status", row 1: elements nested more than 64 deep`},
		{"rows out of order", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="5"><c r="A5"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>`)})
		}, `sheet "status": row 3 comes after row 5; rows must be in ascending order`},
		{"a row past the last", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="1048577"><c><v>1</v></c></row>`)})
		}, `sheet "status": row 1048577: a sheet has at most 1048576 rows`},
		{"unnumbered rows past the last", func(t *testing.T) []byte {
			p := sheetRows(`<row r="1">`+inlineCell("A1", "id")+`</row>`, `<row/>`, 1<<20)
			return bombBytes(t, map[string]bombPart{statusPart: p})
		}, `sheet "status": row 1048577: a sheet has at most 1048576 rows`},
		{"unnumbered cells past the last column", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2">` + strings.Repeat(`<c><v>1</v></c>`, 16385) + `</row>`)})
		}, `sheet "status", row 2: a row has at most 16384 columns`},
		{"cells out of order", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{statusPart: statusSheet(`<row r="2"><c r="C2"><v>1</v></c><c r="B2"><v>2</v></c></row>`)})
		}, `sheet "status", row 2: cell B2 comes after column C; cells must be in ascending order`},
		{"a shared string over 32,767 characters", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{sstName: {head: sstHead + `<si><t>a</t></si><si><t>` + strings.Repeat("a", 32768) + `</t></si></sst>`}})
		}, `shared strings, string 2: more than 32767 characters, the most a cell holds`},
		{"a shared string nested in an element", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{sstName: {head: sstHead + `<x><si><t>a</t></si></x></sst>`}})
		}, `shared strings, string 1: a string (<si>) nested in another element`},
		{"more shared strings than one per 32 bytes of budget", func(t *testing.T) []byte {
			return bombBytes(t, map[string]bombPart{sstName: {head: sstHead, unit: `<si/>`, n: 2_200_000, tail: `</sst>`}})
		}, `strings, the most halocfg reads from a file of its size (one per 32 bytes of 32 MiB + 32 × the file's`},
		{"10,001 parts", func(t *testing.T) []byte {
			return zipOf(t, tooManyParts...)
		}, `the zip holds 10001 parts, more than the 10000 halocfg reads`},
		{"a part twice", func(t *testing.T) []byte {
			return zipOf(t, append(seedParts(t), [2]string{`xl\styles.xml`, ""})...)
		}, `the zip holds part "xl/styles.xml" twice`},
		{"a picture over 1 MiB", func(t *testing.T) []byte {
			return zipOf(t, append(seedParts(t), [2]string{"xl/media/image1.png", randomBytes(2 << 20)})...)
		}, `part "xl/media/image1.png" inflates to 2 MiB, more than the 1 MiB halocfg reads from a part other than a worksheet or the shared strings`},
		{"pictures over 4 MiB together", func(t *testing.T) []byte {
			return zipOf(t, bigParts...)
		}, `the parts other than worksheets and the shared strings inflate to more than 4 MiB (part "xl/media/image4.png" brings them to`},
	} {
		t.Run(c.name, func(t *testing.T) {
			book := c.book(t)
			tempDir(t)
			_, err := readWorkbook(book)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nwant it to say %q", err, c.want)
			}
		})
	}
}

// Every part is scanned, as excelize may read any as a sheet; a picture's
// bytes end the scan where they stop being XML, whatever they hold.
func TestXLSXPictureIsNoSheet(t *testing.T) {
	tempDir(t)
	picture := "\x89PNG\r\n<!DOCTYPE" + strings.Repeat("<", 1000) + randomBytes(900<<10)
	book := zipOf(t, append(seedParts(t), [2]string{"xl/media/image1.png", picture})...)
	wb, err := readWorkbook(book)
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, smallSnapshot().Records["status"], wb.records["status"])
}

// A shared string is charged at each reference; where excelize might
// resolve another string than the scan (two <v>, elements inside <v>),
// at the longest.
func TestXLSXSharedStringsChargedPerReference(t *testing.T) {
	long := sstHead + `<si><t>` + strings.Repeat("b", 30_000) + `</t></si><si><t>x</t></si></sst>`
	for _, c := range []struct {
		name, cell string
		refused    bool
	}{
		{"the long string", `<c t="s"><v>0</v></c>`, true},
		{"the short string", `<c t="s"><v>1</v></c>`, false},
		{"two values", `<c t="s"><v>1</v><v>1</v></c>`, true},
		{"an element inside the value", `<c t="s"><v>1<x/></v></c>`, true},
		{"an index padded with spaces", `<c t="s"><v>  1 </v></c>`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tempDir(t)
			// 3,000 references: 90 MB of text if charged the long string,
			// more than a 32 MiB floor and 32 times this small file allow
			book := bombBytes(t, map[string]bombPart{
				sstName:   {head: long},
				aboutPart: sheetRows(`<row r="1">`+inlineCell("A1", "halocfg snapshot")+`</row>`, `<row>`+c.cell+`</row>`, 3000),
			})
			_, err := readWorkbook(book)
			refused := err != nil && strings.Contains(err.Error(), `sheet "_about", row `) && strings.Contains(err.Error(), "the workbook's cells cost more than")
			if refused != c.refused {
				t.Errorf("refused %v, want %v (%v)", refused, c.refused, err)
			}
		})
	}
}

// A column _types does not type takes each cell's own type; the scan that
// follows the sheet for them keeps to excelize's rows through gaps and
// unnumbered rows.
func TestXLSXUntypedColumnTakesCellTypes(t *testing.T) {
	tempDir(t)
	rows := `<row r="2"><c r="A2"><v>900</v></c><c r="B2" t="b"><v>1</v></c></row>` +
		`<row r="5"><c r="A5"><v>903</v></c>` + inlineCell("B5", "123") + `</row>` +
		`<row r="6"><c r="A6"><v>904</v></c><c r="B6"><v>42</v></c></row>` +
		`<row r="8"><c r="A8"><v>907</v></c><c r="B8" t="n"><v>1.5</v></c></row>` +
		`<row><c r="A9"><v>908</v></c><c r="B9" t="str"><v>7</v></c></row>` +
		`<row><c><v>909</v></c><c t="b"><v>0</v></c></row>`
	book := bombBytes(t, map[string]bombPart{statusPart: {head: sheetXML(`<row r="1">` + inlineCell("A1", "id") + inlineCell("B1", "extra") + `</row>` + rows)}})
	wb, err := readWorkbook(book)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"900": true, "903": "123", "904": json.Number("42"), "907": json.Number("1.5"), "908": "7", "909": false}
	got := map[string]any{}
	for _, r := range wb.records["status"] {
		got[r.ID()] = r["extra"]
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("extra by id: %v\nwant %v", got, want)
	}
}

// repetitiveSnapshot is n status records whose names repeat one letter:
// text that deflates a thousand times over.
func repetitiveSnapshot(n, length int) *snapshot.Snapshot {
	s := snapshot.New("https://edge.halopsa.com", edgeSnapshot().Manifest.CreatedAt)
	recs := make([]snapshot.Record, n)
	for i := range recs {
		recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": strings.Repeat("a", length)}
	}
	s.Put("status", recs)
	return s
}

func inflatedSize(t *testing.T, book []byte) int64 {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, f := range zr.File {
		n += int64(f.UncompressedSize64)
	}
	return n
}

// smallCells is n status records of forty one-digit fields: cells that
// cost the reader more than their XML.
func smallCells(n int) *snapshot.Snapshot {
	s := repetitiveSnapshot(n, 1)
	for _, r := range s.Records["status"] {
		for f := range 40 {
			r[fmt.Sprintf("f%d", f)] = json.Number("1")
		}
	}
	return s
}

// What halocfg writes it reads back, however well it deflates: the writer
// pads a workbook that would inflate, or whose cells would cost, beyond the
// reader's budget. Here the floor is 1 MiB, so that a small workbook meets
// the ratio; without the padding the reader refuses it.
func TestXLSXWriterPadsToTheReadBudget(t *testing.T) {
	for _, c := range []struct {
		name  string
		s     *snapshot.Snapshot
		ratio int64
		want  string // refusing the unpadded workbook
	}{
		{"9 MB of repeated text", repetitiveSnapshot(300, 30_000), xlsxLimit.ratio, "inflates to"},
		// halocfg's small cells deflate 12 times and cost the reader 2.5
		// times their XML: within a ratio of 32, not of 12
		{"200,000 one-digit cells", smallCells(5_000), 12, "the workbook's cells cost more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := tempDir(t)
			l := xlsxLimit
			l.floor, l.ratio = 1<<20, c.ratio
			var padded, plain bytes.Buffer
			if err := writeWorkbookWithin(FromSnapshot(c.s), &padded, tmp, l); err != nil {
				t.Fatal(err)
			}
			unlimited := l
			unlimited.floor = math.MaxInt64 / 2
			if err := writeWorkbookWithin(FromSnapshot(c.s), &plain, tmp, unlimited); err != nil {
				t.Fatal(err)
			}
			inflated := inflatedSize(t, padded.Bytes())
			t.Logf("%d bytes inflate to %d; unpadded: %d bytes", padded.Len(), inflated, plain.Len())
			if inflated > l.budget(int64(padded.Len())) || int64(padded.Len()-plain.Len()) > inflated/l.ratio+inflated/8 {
				t.Errorf("%d bytes inflating to %d: want the budget (%d) met, padding less than its share",
					padded.Len(), inflated, l.budget(int64(padded.Len())))
			}
			wb, err := readWorkbookWithin(padded.Bytes(), tmp, l)
			if err != nil {
				t.Fatal(err)
			}
			sameRecords(t, c.s.Records["status"], wb.records["status"])
			if _, err := readWorkbookWithin(plain.Bytes(), tmp, l); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("unpadded: %v, want refused (%s)", err, c.want)
			}
		})
	}
}

// A large workbook, beyond the 64 MiB floor and deflating a thousand times
// over, written and read with halocfg's own limits.
func TestXLSXLargeWorkbookReadsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 70 MB of XML")
	}
	tempDir(t)
	s := repetitiveSnapshot(2200, 32_000)
	var b bytes.Buffer
	if err := writeWorkbook(FromSnapshot(s), &b); err != nil {
		t.Fatal(err)
	}
	inflated := inflatedSize(t, b.Bytes())
	t.Logf("%d bytes inflate to %d", b.Len(), inflated)
	if inflated <= xlsxLimit.floor {
		t.Fatalf("inflates to %d, not beyond the floor", inflated)
	}
	wb, err := readWorkbook(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, s.Records["status"], wb.records["status"])
}

// The reader's temporary files (the shared strings; excelize's, writing)
// go, whatever happens.
func TestXLSXTemporaryFilesRemoved(t *testing.T) {
	big := sheetRows(`<row r="1">`+inlineCell("A1", "id")+`</row>`, `<row><c><v></v></c></row>`, 800_000) // 19 MB of blank rows, spilled
	book := bombBytes(t, map[string]bombPart{statusPart: big})
	// The reader's own temporary file, the shared strings, is there when
	// the _cells sheet (read after it) fails.
	badNote := sheetXML(`<row r="1">` + inlineCell("A1", "kind") + `</row><row r="2">` + inlineCell("A2", "status") + inlineCell("B2", "1") + inlineCell("C2", "name") + inlineCell("D2", "bogus") + `</row>`)
	broken := bombBytes(t, map[string]bombPart{statusPart: big, sstName: longSST, cellsPart: {head: badNote}})

	t.Run("after reading", func(t *testing.T) {
		tempDir(t)
		if _, err := readWorkbook(book); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("after opening fails", func(t *testing.T) {
		tempDir(t)
		if _, err := readWorkbook(broken); err == nil || !strings.Contains(err.Error(), `sheet "_cells", row 2, column "note": "bogus" is not a note`) {
			t.Fatalf("%v, want the error of sheet _cells", err)
		}
	})
	t.Run("after a panic", func(t *testing.T) {
		tempDir(t)
		defer func() {
			if r := recover(); r != "excelize" {
				t.Errorf("recovered %v", r)
			}
		}()
		inTempDir(func(dir string) error {
			os.WriteFile(filepath.Join(dir, "excelize-1"), []byte("x"), 0o600)
			panic("excelize")
		})
	})
	t.Run("after writing", func(t *testing.T) {
		tempDir(t)
		if err := writeWorkbook(FromSnapshot(repetitiveSnapshot(600, 30_000)), io.Discard); err != nil { // sheets over 16 MB spill
			t.Fatal(err)
		}
	})
}
