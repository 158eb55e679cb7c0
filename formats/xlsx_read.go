package formats

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// The reader takes a workbook as an analyst may have left it: rows deleted,
// added or moved, columns moved or added, sheets reordered. Columns are found
// by header, records by id; a value that does not fit its column is an error
// naming sheet, row and column.

func (x XLSX) Each(dir string, fn func(kind string, recs []snapshot.Record) error) error {
	return eachOf(x, dir, fn)
}

func (XLSX) Stream(dir string, fn func(kind string, recs Records) error) error {
	f, err := snapshot.OpenInside(dir, xlsxName, snapshot.MaxFileBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	f.Close()
	return streamWorkbook(dir, xlsxName, nil, fn)
}

// streamWorkbook reads the workbook name in dir: it calls about, when set,
// with its _about sheet, then fn with each kind, sheet by sheet, as Records
// in the sheet's order. The file stays open, and its shared strings in a
// temporary file, until it returns; each run of a kind's Records reads its
// sheet anew from the zip, never the file whole.
func streamWorkbook(dir, name string, about func(map[string]string) error, fn func(kind string, recs Records) error) error {
	f, size, err := openSized(dir, name)
	if err != nil {
		return err
	}
	defer f.Close()
	path := filepath.Join(dir, name)
	return inTempDir(func(tmp string) error {
		x, err := openXLSX(f, size, tmp, xlsxLimit)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer x.close()
		if about != nil {
			if err := about(x.about); err != nil {
				return err
			}
		}
		for _, k := range x.kinds {
			if err := fn(k.kind, x.records(path, k.sheet, k.kind)); err != nil {
				return err
			}
		}
		return nil
	})
}

// xlsxReader reads a workbook's sheets row by row from its zip, with
// plainXML (or encoding/xml), as excelize's Rows iterator reads them: the
// scan that checks the workbook's limits (xlsx_scan.go) also reads the
// cells' values.
type xlsxReader struct {
	pkg   *xlsxPackage
	sst   *sstTable
	about map[string]string
	types map[[2]string]xtype // by kind and column
	notes *workbookNotes      // _cells, by kind
	kinds []sheetKindOf       // in the workbook's order
	// the sheet the last row of _cells named, and its kind
	noteSheet, noteKind string
}

// sheetKindOf is a sheet holding a kind.
type sheetKindOf struct{ sheet, kind string }

// openXLSX checks a workbook of size bytes read from r within l (its zip,
// then every part), puts its shared strings in a temporary file in tmp, and
// reads its _about, _types and _cells sheets.
func openXLSX(r io.ReaderAt, size int64, tmp string, l xlsxLimits) (*xlsxReader, error) {
	pkg, err := openPackage(r, size, l)
	if err != nil {
		return nil, err
	}
	if err := pkg.check(); err != nil {
		return nil, err
	}
	x := &xlsxReader{pkg: pkg, about: map[string]string{}, types: map[[2]string]xtype{}, notes: newWorkbookNotes(tmp)}
	ok := false
	defer func() {
		if !ok {
			x.close()
		}
	}()
	if x.sst, err = loadSST(pkg, tmp); err != nil {
		return nil, err
	}
	has := func(name string) bool { return slices.Contains(pkg.list, name) }
	if has(aboutSheet) {
		if err := x.eachRow(aboutSheet, func(_ int, cells []string) error {
			if len(cells) >= 2 && cells[0] != "" {
				x.about[cells[0]] = cells[1]
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if has(typesSheet) {
		if err := x.eachRow(typesSheet, x.typeRow); err != nil {
			return nil, err
		}
	}
	if has(cellsSheet) {
		if err := x.eachRow(cellsSheet, x.cellsRow); err != nil {
			return nil, err
		}
	}
	if err := x.notes.done(); err != nil {
		return nil, err
	}
	if !has(aboutSheet) && !slices.ContainsFunc(pkg.list, func(s string) bool { return sheetKind(s) != "" }) {
		return nil, fmt.Errorf("not a halocfg workbook: no %s sheet and no sheet named after a kind (%s)", aboutSheet, strings.Join(catalog.Names(), ", "))
	}
	seen := map[string]bool{}
	for _, sheet := range pkg.list {
		kind := sheetKind(sheet)
		if kind == "" {
			continue // _about, hidden sheets, an analyst's own sheets
		}
		if seen[kind] {
			return nil, fmt.Errorf("two sheets hold kind %q", kind)
		}
		seen[kind] = true
		x.kinds = append(x.kinds, sheetKindOf{sheet, kind})
	}
	ok = true
	return x, nil
}

func (x *xlsxReader) close() {
	if x.sst != nil {
		x.sst.close()
	}
	x.notes.close()
}

// records is a kind's sheet as Records, in the sheet's order; an error of
// the sheet names the file at path (when given), one of yield comes back
// untouched.
func (x *xlsxReader) records(path, sheet, kind string) Records {
	return func(yield func(snapshot.Record) error) error {
		ours := true
		err := x.kindSheet(sheet, kind, func(rec snapshot.Record) error {
			err := yield(rec)
			ours = err == nil
			return err
		})
		if err != nil && ours && path != "" {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return err
	}
}

type xtype struct {
	typ     colType
	display bool
	empty   string
}

// cellNotes are the _cells notes of one cell.
type cellNotes struct {
	empty string // what the cell means when empty
	json  bool
	exact string
	more  []moreNote // in order once moreInOrder has run
	// the rows of _cells that noted empty, json and exact, to name both
	// when one comes twice
	emptyRow, jsonRow, exactRow int
}

func sheetKind(sheet string) string {
	for _, k := range catalog.Stored() {
		if strings.EqualFold(sheet, k.Name) {
			return k.Name
		}
	}
	return ""
}

// readSheet calls fn with every row of sheet that has a <row> element: its
// number, its cells' values and their types (t attributes) by column, as
// excelize's Rows gives them with RawCellValue (a cell with no value is "").
// cells and types are reused from row to row.
func (x *xlsxReader) readSheet(sheet string, fn func(row int, cells, types []string) error) error {
	part := x.pkg.sheetPart(sheet)
	if part == "" {
		return fmt.Errorf("sheet %q: the workbook names no part for it", sheet)
	}
	ps, err := x.pkg.partScan(part, !x.pkg.notPlain[part], cellAttrs)
	if err != nil {
		return err
	}
	defer ps.close()
	s := newSheetScan(x.pkg, part, ps, false)
	s.values, s.sst = true, x.sst
	var cells, types []string
	for {
		row, err := s.next()
		if err != nil || row == nil {
			return err
		}
		cells, types = cells[:0], types[:0]
		for _, c := range row.cells {
			if c.value == "" {
				continue
			}
			for len(cells) < c.col-1 {
				cells, types = append(cells, ""), append(types, "")
			}
			cells, types = append(cells, c.value), append(types, c.typ)
		}
		if err := fn(row.n, cells, types); err != nil {
			return err
		}
	}
}

// eachRow calls fn with every non-blank row after the header row (of the
// _about sheet, every non-blank row).
func (x *xlsxReader) eachRow(sheet string, fn func(row int, cells []string) error) error {
	return x.readSheet(sheet, func(n int, cells, _ []string) error {
		if (n == 1 && sheet != aboutSheet) || blank(cells) {
			return nil
		}
		return fn(n, cells)
	})
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

func (x *xlsxReader) typeRow(n int, cells []string) error {
	kind, column, typ, empty := cellAt(cells, 0), cellAt(cells, 1), cellAt(cells, 2), cellAt(cells, 3)
	t := xtype{empty: empty}
	if typ == displayType {
		t.display = true
	} else if ct, ok := parseColType(typ); ok {
		t.typ = ct
	} else {
		return fmt.Errorf("sheet %q, row %d, column \"type\": %s is not a column type", typesSheet, n, quote(typ))
	}
	switch empty {
	case emptyNull, emptyString, emptyAbsent, "":
	default:
		return fmt.Errorf("sheet %q, row %d, column \"empty cell\": %s is not null, empty or absent", typesSheet, n, quote(empty))
	}
	x.types[[2]string{kind, column}] = t
	return nil
}

// cellsRow keeps row n of _cells for when its kind's sheet is read.
func (x *xlsxReader) cellsRow(n int, cells []string) error {
	sheet, note := cellAt(cells, 0), cellAt(cells, 3)
	switch note {
	case emptyNull, emptyString, emptyAbsent, noteJSON, noteExact, noteMore:
	default:
		return badNote(n, note)
	}
	if sheet != x.noteSheet { // _cells names one sheet for many rows in a row
		x.noteSheet, x.noteKind = sheet, sheetKind(sheet)
	}
	kind := x.noteKind
	if kind == "" {
		return fmt.Errorf("sheet %q, row %d, column \"sheet\": %s is not a kind's sheet (%s)", cellsSheet, n, quote(sheet), strings.Join(catalog.Names(), ", "))
	}
	part, err := notePart(n, note, cellAt(cells, 5))
	if err != nil {
		return err
	}
	return x.notes.add(kind, n, part, cellAt(cells, 1), cellAt(cells, 2), note, cellAt(cells, 4))
}

// maxPart is the most continuations a cell can have: _cells holds no more
// rows under its header.
const maxPart = excelize.TotalRows - 1

// notePart is the part of row n of _cells, a note: a continuation's number
// (1 to maxPart), or 0 when the cell is empty, as in a workbook written
// before parts were (halocfg reads columns sheet to value by position, and
// ignores those after: older versions read a workbook with parts).
func notePart(n int, note, part string) (int, error) {
	if part == "" {
		return 0, nil
	}
	if note != noteMore {
		return 0, fmt.Errorf("sheet %q, row %d, column \"part\": %s on a note %s; only continuations (%s) are numbered", cellsSheet, n, quote(part), quote(note), quote(noteMore))
	}
	p, err := strconv.Atoi(part)
	if err != nil || p < 1 || p > maxPart {
		return 0, fmt.Errorf("sheet %q, row %d, column \"part\": %s is not a continuation's number (1 to %d)", cellsSheet, n, quote(part), maxPart)
	}
	return p, nil
}

// rcol is a column of a kind sheet as read.
type rcol struct {
	header string
	xtype
	known bool // typed in _types; otherwise the cells' own types decide
}

// kindSheet reads a kind's sheet, calling yield with each record in the
// sheet's order.
func (x *xlsxReader) kindSheet(sheet, kind string, yield func(snapshot.Record) error) error {
	var cols []rcol
	idAt, header := -1, false
	rowOf := map[string]int{} // id -> row, to report duplicates
	notes, err := x.notes.index(kind)
	if err != nil {
		return err
	}
	err = x.readSheet(sheet, func(n int, cells, types []string) error {
		if !header {
			header = true
			if n != 1 {
				cells = nil // row 1 is blank
			}
			var err error
			if cols, idAt, err = x.headers(sheet, kind, cells); err != nil || n == 1 {
				return err
			}
		}
		if blank(cells) {
			return nil
		}
		rec, id, err := x.record(sheet, notes, n, cols, idAt, cells, types)
		if err != nil {
			return err
		}
		if first, dup := rowOf[id]; dup {
			return fmt.Errorf("sheet %q, row %d, column \"id\": id %s is also in row %d", sheet, n, id, first)
		}
		rowOf[id] = n
		return yield(rec)
	})
	if err == nil && !header {
		err = fmt.Errorf("sheet %q: no header row (row 1 must name the columns)", sheet)
	}
	return err
}

func (x *xlsxReader) headers(sheet, kind string, cells []string) ([]rcol, int, error) {
	cols := make([]rcol, len(cells))
	seen := map[string]int{}
	idAt := -1
	for i, h := range cells {
		if h == "" {
			continue
		}
		if j, dup := seen[h]; dup {
			return nil, 0, fmt.Errorf("sheet %q, row 1: column %q appears twice (columns %s and %s)", sheet, h, colLetter(j), colLetter(i))
		}
		seen[h] = i
		t, known := x.types[[2]string{kind, h}]
		if !known {
			t.empty = emptyAbsent // an added column: an empty cell adds no field
		}
		cols[i] = rcol{header: h, xtype: t, known: known && t.typ != colNull}
		if h == "id" {
			idAt = i
		}
	}
	// Without _types (an analyst deleted the hidden sheets), a column
	// "field (name)" beside a column "field" is still a display column.
	for i, c := range cols {
		base, ok := strings.CutSuffix(c.header, nameSuffix)
		if _, typed := x.types[[2]string{kind, c.header}]; ok && !typed {
			if _, has := seen[base]; has {
				cols[i].display = true
			}
		}
	}
	if idAt < 0 {
		return nil, 0, fmt.Errorf("sheet %q, row 1: no \"id\" column; every record needs its id", sheet)
	}
	if cols[idAt].display {
		return nil, 0, fmt.Errorf("sheet %q: column \"id\" is typed display in %s", sheet, typesSheet)
	}
	return cols, idAt, nil
}

func colLetter(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

func (x *xlsxReader) record(sheet string, notes *notesIndex, n int, cols []rcol, idAt int, cells, types []string) (snapshot.Record, string, error) {
	fail := func(col string, err error) error {
		return fmt.Errorf("sheet %q, row %d, column %q: %w", sheet, n, col, err)
	}
	idText := cellAt(cells, idAt)
	if idText == "" {
		return nil, "", fail("id", errors.New("empty; every record needs its id"))
	}
	idVal, err := value(cols[idAt], idText, cellAt(types, idAt), nil)
	if err != nil {
		return nil, "", fail("id", err)
	}
	id := snapshot.Scalar(idVal)
	if id == "" {
		return nil, "", fail("id", fmt.Errorf("%s is not an id", quote(idText)))
	}
	for i := len(cols); i < len(cells); i++ {
		if cells[i] != "" {
			return nil, "", fmt.Errorf("sheet %q, row %d, column %s: value under an empty header", sheet, n, colLetter(i))
		}
	}
	byCol, err := notes.of(id)
	if err != nil {
		return nil, "", err
	}
	rec := make(snapshot.Record, len(cols))
	for i, c := range cols {
		text := cellAt(cells, i)
		if c.header == "" {
			if text != "" {
				return nil, "", fmt.Errorf("sheet %q, row %d, column %s: value under an empty header", sheet, n, colLetter(i))
			}
			continue
		}
		if c.display {
			continue
		}
		notes := byCol[c.header]
		if notes == nil {
			notes = &cellNotes{}
		}
		if text == "" {
			meaning := c.empty
			if notes.empty != "" {
				meaning = notes.empty
			}
			switch meaning {
			case emptyNull:
				rec[c.header] = nil
			case emptyString:
				rec[c.header] = ""
			}
			continue
		}
		text = notes.text(text)
		v, err := value(c, text, cellAt(types, i), notes)
		if err != nil {
			return nil, "", fail(c.header, err)
		}
		rec[c.header] = v
	}
	return rec, id, nil
}

// value decodes a non-empty cell of column c, of type typ (its t attribute).
func value(c rcol, text, typ string, notes *cellNotes) (any, error) {
	if notes != nil && notes.json {
		return jsonCell(text)
	}
	t := c.typ
	if !c.known {
		t = cellType(typ, text)
	}
	switch t {
	case colInt:
		if i, err := strconv.ParseInt(text, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), nil
		}
		// A spreadsheet may save a whole number as 5.0 or 1E+3.
		if f, err := strconv.ParseFloat(text, 64); err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10)), nil
		}
		return nil, fmt.Errorf("%s is not an integer", quote(text))
	case colFloat:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s is not a number", quote(text))
		}
		exact := ""
		if notes != nil {
			exact = notes.exact
		}
		return floatNumber(f, exact, false), nil
	case colBool:
		switch strings.ToLower(text) {
		case "1", "true":
			return true, nil
		case "0", "false":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not true or false", quote(text))
	case colJSON:
		return jsonCell(text)
	}
	return text, nil
}

func jsonCell(text string) (any, error) {
	v, err := decodeJSONValue(text)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %v", quote(text), err)
	}
	return v, nil
}

// cellType types a cell of a column halocfg did not write (or wrote only
// nulls in) by the cell's own type, typ.
func cellType(typ, text string) colType {
	switch typ {
	case "b":
		return colBool
	case "d", "e", "s", "str", "inlineStr":
		return colString
	}
	// a number, or a cell of no type (or of one excelize does not know)
	if _, ok := snapshot.CanonicalInt(text); ok {
		return colInt
	}
	if _, err := strconv.ParseFloat(text, 64); err == nil {
		return colFloat
	}
	return colString
}

// sstTable is a workbook's shared strings, in a temporary file: a workbook
// a spreadsheet program saved holds all its text there.
type sstTable struct {
	f    *os.File
	ends []int64 // where each string ends in f
}

// loadSST copies the shared strings of p (checked by scanSST) into a
// temporary file in tmp, each as excelize reads it.
func loadSST(p *xlsxPackage, tmp string) (*sstTable, error) {
	t := &sstTable{ends: make([]int64, 0, len(p.sst))} // the check counted them
	if _, ok := p.parts[sstName]; !ok {
		return t, nil
	}
	f, err := os.CreateTemp(tmp, "sst-*")
	if err != nil {
		return nil, err
	}
	t.f = f
	w := bufio.NewWriter(f)
	var size int64
	var si richText
	noAttrs := func(string) bool { return false }
	err = p.plainFirst(sstName, noAttrs, func(s *partScan) error {
		for {
			tok, err := s.next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("shared strings, string %d: %w", len(t.ends)+1, err)
			}
			switch tok := tok.(type) {
			case *xml.StartElement:
				if tok.Name.Local == "si" && s.level() == 2 {
					si.reset()
					si.open(2)
				} else {
					si.start(tok.Name.Local, s.level())
				}
			case *xml.EndElement:
				if si.at != 0 && s.level() < si.at {
					n, err := w.WriteString(bstrUnmarshal(string(si.text)))
					if err != nil {
						return err
					}
					size += int64(n)
					t.ends = append(t.ends, size)
				}
				si.end(s.level())
			case *xml.CharData:
				si.charData(*tok, s.level())
			}
		}
	}, func() {
		t.ends, size = t.ends[:0], 0
		w.Reset(f)
		f.Seek(0, io.SeekStart)
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

// at is shared string i.
func (t *sstTable) at(i int) (string, error) {
	if i < 0 || i >= len(t.ends) {
		return "", fmt.Errorf("shared string %d does not exist (the workbook has %d)", i, len(t.ends))
	}
	start := int64(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	b := make([]byte, t.ends[i]-start)
	if _, err := t.f.ReadAt(b, start); err != nil {
		return "", fmt.Errorf("reading back shared string %d: %w", i, err)
	}
	return string(b), nil
}

// close removes the temporary file (inTempDir removes its directory anyway).
func (t *sstTable) close() {
	if t.f != nil {
		t.f.Close()
		os.Remove(t.f.Name())
		t.f = nil
	}
}

// richText collects a string item's text as excelize reads it (a shared
// string's <si>, a cell's <is>): its own <t> and those of its runs (<r>),
// not those of phonetic runs (<rPh>), each <t>'s own text.
type richText struct {
	at, r, t int  // depth of the item, the run, the <t> being read; 0: none
	seen     bool // the cell has an item
	text     []byte
}

func (x *richText) reset() { *x = richText{text: x.text[:0]} }

func (x *richText) open(level int) { x.at, x.seen = level, true }

func (x *richText) start(local string, level int) {
	switch {
	case x.at == 0 || x.t != 0:
	case local == "r" && level == x.at+1:
		x.r = level
	case local == "t" && (level == x.at+1 || x.r != 0 && level == x.r+1):
		x.t = level
	}
}

func (x *richText) end(level int) {
	if level < x.t {
		x.t = 0
	}
	if level < x.r {
		x.r = 0
	}
	if level < x.at {
		x.at = 0
	}
}

func (x *richText) charData(b []byte, level int) {
	if x.t != 0 && level == x.t {
		x.text = append(x.text, b...)
	}
}

// bstrUnmarshal decodes OOXML's escapes of characters (_x000D_), as excelize
// does for string items: _x005F_ is an underscore.
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return bstrEscape.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		v, _ := strconv.Unquote(`"\u` + m[2:6] + `"`)
		return v
	})
}

var bstrEscape = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// quote quotes a cell's text for an error message, shortened.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
