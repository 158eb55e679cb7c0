package formats

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The workbook is written as a zip of XML parts, each sheet straight into
// its zip entry as its rows come: nothing of a sheet is held but the row
// being written. excelize's stream writer held every sheet in memory up to
// 16 MiB until the whole workbook was written, and spent more on each cell
// than the XML it wrote. excelize still makes the parts that are the same
// in every workbook (styles, theme, document properties), and reads what
// this writes.

// bookWriter writes the parts of a workbook into a zip, sheets first, the
// workbook's own parts (which list the sheets) last: zip parts may come in
// any order.
type bookWriter struct {
	z      *ratioZip
	sheets []bookSheet // in the workbook's order
	static map[string][]byte
}

// bookSheet is a sheet of the workbook; its part is xl/worksheets/sheet<n>.xml,
// n its place in the workbook from 1, as excelize names them.
type bookSheet struct {
	name    string
	hidden  bool
	filter  string // the autofilter's range (A1:C9), or ""
	written bool
}

// staticParts are the parts excelize makes that do not depend on the
// sheets, with the ids of the header styles in its styles.xml.
var staticParts = []string{"xl/styles.xml", "xl/theme/theme1.xml", "docProps/app.xml", "docProps/core.xml"}

func newBookWriter(z *ratioZip, names []string, hidden map[string]bool) (*bookWriter, int, int, error) {
	b := &bookWriter{z: z, static: map[string][]byte{}}
	for _, name := range names {
		b.sheets = append(b.sheets, bookSheet{name: name, hidden: hidden[name]})
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, 0, 0, err
	}
	italic, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Italic: true, Color: "666666"}})
	if err != nil {
		return nil, 0, 0, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, 0, 0, err
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return nil, 0, 0, err
	}
	for _, zf := range zr.File {
		for _, name := range staticParts {
			if zf.Name != name {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				return nil, 0, 0, err
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, 0, 0, err
			}
			b.static[name] = data
		}
	}
	for _, name := range staticParts {
		if b.static[name] == nil {
			return nil, 0, 0, fmt.Errorf("excelize made no %s", name)
		}
	}
	return b, bold, italic, nil
}

// sheetLayout is what opens a sheet's XML, before its rows.
type sheetLayout struct {
	cols, rows int       // the range its cells fill, which <dimension> declares
	widths     []float64 // of the columns from A; nil: the default
	panes      *excelize.Panes
	filter     bool // an autofilter over the range
}

// sheet starts writing the named sheet's XML; the caller writes its rows
// and closes it before starting another.
func (b *bookWriter) sheet(name string, lay sheetLayout, cost *costCounter) (*sheetOut, error) {
	i := b.index(name)
	if i < 0 {
		return nil, fmt.Errorf("no sheet %q in the workbook", name)
	}
	if b.sheets[i].written {
		return nil, fmt.Errorf("sheet %q written twice", name)
	}
	b.sheets[i].written = true
	zw, err := b.z.Create("xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml")
	if err != nil {
		return nil, err
	}
	ref := "A1:" + cellName(max(lay.cols, 1), max(lay.rows, 1))
	if lay.filter {
		b.sheets[i].filter = ref
	}
	s := &sheetOut{w: bufio.NewWriterSize(zw, 64<<10), cost: cost}
	w := s.w
	w.WriteString(xml.Header)
	w.WriteString(`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><dimension ref="` + ref + `"/><sheetViews><sheetView`)
	if i == 0 {
		w.WriteString(` tabSelected="1"`)
	}
	w.WriteString(` workbookViewId="0">`)
	if p := lay.panes; p != nil {
		fmt.Fprintf(w, `<pane xSplit="%d" ySplit="%d" topLeftCell="%s" activePane="%s" state="frozen"/>`, p.XSplit, p.YSplit, p.TopLeftCell, p.ActivePane)
		for _, sel := range p.Selection {
			fmt.Fprintf(w, `<selection pane="%s" activeCell="%s" sqref="%s"/>`, sel.Pane, sel.ActiveCell, sel.SQRef)
		}
	}
	w.WriteString(`</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(lay.widths) > 0 {
		w.WriteString(`<cols>`)
		for c, width := range lay.widths {
			fmt.Fprintf(w, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, c+1, c+1, strconv.FormatFloat(width, 'f', -1, 64))
		}
		w.WriteString(`</cols>`)
	}
	w.WriteString(`<sheetData>`)
	if lay.filter {
		s.tail = `<autoFilter ref="` + ref + `"/>`
	}
	return s, nil
}

func (b *bookWriter) index(name string) int {
	for i, s := range b.sheets {
		if s.name == name {
			return i
		}
	}
	return -1
}

const (
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	relDoc    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	typeSheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
)

// finish writes the parts that list the sheets, and excelize's static parts.
func (b *bookWriter) finish() error {
	for _, s := range b.sheets {
		if !s.written {
			return fmt.Errorf("sheet %q was not written", s.name)
		}
	}
	var wb, rels, types strings.Builder
	wb.WriteString(xml.Header + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><workbookPr/><bookViews><workbookView xWindow="0" yWindow="0" windowWidth="14805" windowHeight="8010"/></bookViews><sheets>`)
	rels.WriteString(xml.Header + `<Relationships xmlns="` + nsPkgRel + `">`)
	rels.WriteString(`<Relationship Id="rId1" Type="` + relDoc + `worksheet" Target="worksheets/sheet1.xml"/>`)
	rels.WriteString(`<Relationship Id="rId2" Type="` + relDoc + `styles" Target="styles.xml"/>`)
	rels.WriteString(`<Relationship Id="rId3" Type="` + relDoc + `theme" Target="theme/theme1.xml"/>`)
	types.WriteString(xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	var filters strings.Builder
	for i, s := range b.sheets {
		n := strconv.Itoa(i + 1)
		rid := "rId1" // excelize's numbering: rId2 and rId3 are styles and theme
		if i > 0 {
			rid = "rId" + strconv.Itoa(i+3)
			rels.WriteString(`<Relationship Id="` + rid + `" Type="` + relDoc + `worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
		}
		wb.WriteString(`<sheet name="` + attrText(s.name) + `" sheetId="` + n + `" r:id="` + rid + `"`)
		if s.hidden {
			wb.WriteString(` state="hidden"`)
		}
		wb.WriteString(`/>`)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="` + typeSheet + `"/>`)
		if s.filter != "" {
			filters.WriteString(`<definedName name="_xlnm._FilterDatabase" localSheetId="` + strconv.Itoa(i) + `" hidden="1">` +
				attrText(`'`+strings.ReplaceAll(s.name, `'`, `''`)+`'!`+absoluteRange(s.filter)) + `</definedName>`)
		}
	}
	wb.WriteString(`</sheets>`)
	if filters.Len() > 0 {
		wb.WriteString(`<definedNames>` + filters.String() + `</definedNames>`)
	}
	wb.WriteString(`<calcPr calcId="122211"/></workbook>`)
	rels.WriteString(`</Relationships>`)
	types.WriteString(`</Types>`)
	root := xml.Header + `<Relationships xmlns="` + nsPkgRel + `">` +
		`<Relationship Id="rId1" Type="` + relDoc + `officeDocument" Target="xl/workbook.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
		`<Relationship Id="rId3" Type="` + relDoc + `extended-properties" Target="docProps/app.xml"/></Relationships>`
	parts := []struct {
		name string
		data []byte
	}{
		{"xl/workbook.xml", []byte(wb.String())},
		{"xl/_rels/workbook.xml.rels", []byte(rels.String())},
		{"[Content_Types].xml", []byte(types.String())},
		{"_rels/.rels", []byte(root)},
	}
	for _, name := range staticParts {
		parts = append(parts, struct {
			name string
			data []byte
		}{name, b.static[name]})
	}
	for _, p := range parts {
		w, err := b.z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := w.Write(p.data); err != nil {
			return err
		}
	}
	return nil
}

// absoluteRange turns A1:C9 into $A$1:$C$9.
func absoluteRange(ref string) string {
	var b strings.Builder
	for i, part := range strings.Split(ref, ":") {
		if i > 0 {
			b.WriteByte(':')
		}
		j := strings.IndexAny(part, "0123456789")
		b.WriteString("$" + part[:j] + "$" + part[j:])
	}
	return b.String()
}

// attrText escapes s for an attribute value or element text.
func attrText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// costCounter adds up what the reader will charge for the cells written
// (xlsxLimits.charge), for the zip writer's padding.
type costCounter struct {
	l     xlsxLimits
	total int64
}

// sheetOut writes the rows of one sheet.
type sheetOut struct {
	w     *bufio.Writer
	cost  *costCounter
	row   int    // the row being written, from 1
	tail  string // what follows <sheetData>
	ref   []byte // scratch: a cell's reference
	num   []byte // scratch: a number's text
	open  bool   // a row is open
	colAt []string
}

// startRow opens the next row, n (rows are written in order, from 1).
func (s *sheetOut) startRow(n int) {
	s.endRow()
	s.row = n
	s.w.WriteString(`<row r="`)
	s.num = strconv.AppendInt(s.num[:0], int64(n), 10)
	s.w.Write(s.num)
	s.w.WriteString(`">`)
	s.open = true
}

func (s *sheetOut) endRow() {
	if s.open {
		s.w.WriteString(`</row>`)
		s.open = false
	}
}

// colName is the letters of column col (from 0).
func (s *sheetOut) colName(col int) string {
	for len(s.colAt) <= col {
		name, _ := excelize.ColumnNumberToName(len(s.colAt) + 1)
		s.colAt = append(s.colAt, name)
	}
	return s.colAt[col]
}

// open writes a cell's start tag, up to its type.
func (s *sheetOut) cellStart(col, style int) {
	s.w.WriteString(`<c r="`)
	s.w.WriteString(s.colName(col))
	s.ref = strconv.AppendInt(s.ref[:0], int64(s.row), 10)
	s.w.Write(s.ref)
	s.w.WriteByte('"')
	if style != 0 {
		s.w.WriteString(` s="`)
		s.ref = strconv.AppendInt(s.ref[:0], int64(style), 10)
		s.w.Write(s.ref)
		s.w.WriteByte('"')
	}
}

// number writes a cell holding a number, given as its text.
func (s *sheetOut) number(col int, text string) {
	s.cost.total += s.cost.l.chargeNumber(text)
	s.cellStart(col, 0)
	s.w.WriteString(`><v>`)
	s.w.WriteString(text)
	s.w.WriteString(`</v></c>`)
}

// boolean writes a cell holding true or false.
func (s *sheetOut) boolean(col int, v bool) {
	s.cost.total += s.cost.l.chargeNumber("")
	s.cellStart(col, 0)
	if v {
		s.w.WriteString(` t="b"><v>1</v></c>`)
	} else {
		s.w.WriteString(` t="b"><v>0</v></c>`)
	}
}

// text writes a cell holding an inline string, at most a cell's worth
// (splitCellText), as excelize writes one.
func (s *sheetOut) text(col, style int, v string) {
	s.cost.total += s.cost.l.chargeText(v)
	s.cellStart(col, style)
	s.w.WriteString(` t="inlineStr"><is><t`)
	if v != "" && (isXMLSpace(v[0]) || isXMLSpace(v[len(v)-1])) {
		s.w.WriteString(` xml:space="preserve"`)
	}
	s.w.WriteByte('>')
	writeCellText(s.w, v)
	s.w.WriteString(`</t></is></c>`)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// close ends the sheet's XML and its zip entry's data.
func (s *sheetOut) close() error {
	s.endRow()
	s.w.WriteString(`</sheetData>` + s.tail + `</worksheet>`)
	return s.w.Flush()
}

// writeCellText writes a cell's text as excelize does, so that excelize
// reads back what it would have: a character XML cannot carry becomes
// U+FFFD, an _xHHHH_ look-alike (OOXML's escape) has its underscore escaped
// as _x005F_, and &, <, >, tab and CR are escaped.
func writeCellText(w *bufio.Writer, s string) {
	if !xmlSafe(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
		s = strings.Map(func(r rune) rune {
			if xmlChar(r) {
				return r
			}
			return '\uFFFD'
		}, s)
	}
	if strings.Contains(s, "_x") {
		s = bstrMarshal(s)
	}
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		w.WriteString(s[start:i])
		w.WriteString(esc)
		start = i + 1
	}
	w.WriteString(s[start:])
}

var (
	bstrExp       = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)
	bstrEscapeExp = regexp.MustCompile(`x[a-fA-F\d]{4}_`)
)

// bstrMarshal escapes the underscore of each _xHHHH_ in s, as excelize's
// writer does and its reader undoes (but keeping _xD800_, which excelize
// drops).
func bstrMarshal(s string) string {
	var b strings.Builder
	cursor := 0
	for _, m := range bstrExp.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		sub := s[m[0]:m[1]]
		cursor = m[1]
		if sub == "_x005F_" {
			if m[1]+6 <= len(s) && bstrEscapeExp.MatchString(s[m[1]:m[1]+6]) {
				b.WriteString(sub + "x005F" + sub)
				continue
			}
			b.WriteString(sub + "x005F_")
			continue
		}
		b.WriteString("_x005F" + sub)
	}
	b.WriteString(s[cursor:])
	return b.String()
}
