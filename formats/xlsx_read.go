package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
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

func (XLSX) Each(dir string, fn func(kind string, recs []snapshot.Record) error) error {
	_, err := readWorkbookFile(dir, xlsxName, fn)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// workbook is what a halocfg workbook holds.
type workbook struct {
	about   map[string]string // source, tenant, created_at, tool, format_version
	records map[string][]snapshot.Record
}

// kindFunc takes the records of one kind of a workbook, sheet by sheet; a
// reader given none keeps them all in workbook.records.
type kindFunc func(kind string, recs []snapshot.Record) error

func readWorkbookFile(dir, name string, fn kindFunc) (*workbook, error) {
	path := filepath.Join(dir, name)
	data, err := snapshot.ReadInside(dir, name, snapshot.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	wb, err := readWorkbook(data, fn)
	var fe *kindError
	if errors.As(err, &fe) {
		return nil, fe.err // fn's own error, as it gave it
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return wb, nil
}

// kindError carries an error of a kindFunc out of the reader untouched.
type kindError struct{ err error }

func (e *kindError) Error() string { return e.err.Error() }

// readWorkbook decodes a workbook within halocfg's limits (xlsx_limits.go).
func readWorkbook(data []byte, fn kindFunc) (*workbook, error) {
	var wb *workbook
	err := inTempDir(func(tmp string) (err error) {
		wb, err = readWorkbookWithin(data, tmp, xlsxLimit, fn)
		return err
	})
	return wb, err
}

// readWorkbookWithin decodes a workbook within l, with excelize's temporary
// files in tmp. excelize panics on some malformed files, which become errors here.
func readWorkbookWithin(data []byte, tmp string, l xlsxLimits, fn kindFunc) (wb *workbook, err error) {
	defer func() {
		if r := recover(); r != nil {
			wb, err = nil, fmt.Errorf("not a readable XLSX workbook (%v)", r)
		}
	}()
	if len(data) == 0 {
		return nil, errors.New("empty file, not an XLSX workbook")
	}
	pkg, err := openPackage(data, l)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: max(pkg.budget, l.spill), UnzipXMLSizeLimit: l.spill, TmpDir: tmp,
	})
	if f != nil {
		defer f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	if err := pkg.check(f); err != nil {
		return nil, err
	}
	r := &xlsxReader{f: f, pkg: pkg, types: map[[2]string]xtype{}, notes: map[noteKey]*cellNotes{}, cellTypes: map[string]*cellTypes{}}
	defer r.close()
	return r.workbook(fn)
}

type xlsxReader struct {
	f         *excelize.File
	pkg       *xlsxPackage
	types     map[[2]string]xtype // by kind and column
	notes     map[noteKey]*cellNotes
	cellTypes map[string]*cellTypes // by sheet, for columns _types does not type
}

func (r *xlsxReader) close() {
	for _, c := range r.cellTypes {
		if c.s != nil {
			c.s.close()
		}
	}
}

type xtype struct {
	typ     colType
	display bool
	empty   string
}

type noteKey struct{ kind, id, column string }

// cellNotes are the _cells notes of one cell.
type cellNotes struct {
	empty string // what the cell means when empty
	json  bool
	exact string
	more  []string
}

func (r *xlsxReader) workbook(fn kindFunc) (*workbook, error) {
	wb := &workbook{about: map[string]string{}, records: map[string][]snapshot.Record{}}
	sheets := r.f.GetSheetList()
	has := func(name string) bool {
		for _, s := range sheets {
			if s == name {
				return true
			}
		}
		return false
	}
	if has(aboutSheet) {
		if err := r.eachRow(aboutSheet, func(_ int, cells []string) error {
			if len(cells) >= 2 && cells[0] != "" {
				wb.about[cells[0]] = cells[1]
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if has(typesSheet) {
		if err := r.eachRow(typesSheet, r.typeRow); err != nil {
			return nil, err
		}
	}
	if has(cellsSheet) {
		if err := r.eachRow(cellsSheet, r.noteRow); err != nil {
			return nil, err
		}
	}
	if !has(aboutSheet) && !slices.ContainsFunc(sheets, func(s string) bool { return sheetKind(s) != "" }) {
		return nil, fmt.Errorf("not a halocfg workbook: no %s sheet and no sheet named after a kind (%s)", aboutSheet, strings.Join(catalog.Names(), ", "))
	}
	seen := map[string]bool{}
	for _, sheet := range sheets {
		kind := sheetKind(sheet)
		if kind == "" {
			continue // _about, hidden sheets, an analyst's own sheets
		}
		if seen[kind] {
			return nil, fmt.Errorf("two sheets hold kind %q", kind)
		}
		seen[kind] = true
		recs, err := r.kindSheet(sheet, kind)
		if err != nil {
			return nil, err
		}
		if fn == nil {
			wb.records[kind] = recs
		} else if err := fn(kind, recs); err != nil {
			return nil, &kindError{err}
		}
	}
	return wb, nil
}

func sheetKind(sheet string) string {
	for _, k := range catalog.Stored() {
		if strings.EqualFold(sheet, k.Name) {
			return k.Name
		}
	}
	return ""
}

// eachRow calls fn with every non-blank row after the header row.
func (r *xlsxReader) eachRow(sheet string, fn func(row int, cells []string) error) error {
	rows, err := r.f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("sheet %q, row %d: %w", sheet, n, err)
		}
		if (n == 1 && sheet != aboutSheet) || blank(cells) {
			continue
		}
		if err := fn(n, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("sheet %q: %w", sheet, err)
	}
	return nil
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

func (r *xlsxReader) typeRow(n int, cells []string) error {
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
	r.types[[2]string{kind, column}] = t
	return nil
}

func (r *xlsxReader) noteRow(n int, cells []string) error {
	k := noteKey{cellAt(cells, 0), cellAt(cells, 1), cellAt(cells, 2)}
	note, value := cellAt(cells, 3), cellAt(cells, 4)
	c := r.notes[k]
	if c == nil {
		c = &cellNotes{}
		r.notes[k] = c
	}
	switch note {
	case emptyNull, emptyString, emptyAbsent:
		c.empty = note
	case noteJSON:
		c.json = true
	case noteExact:
		c.exact = value
	case noteMore:
		c.more = append(c.more, value)
	default:
		return fmt.Errorf("sheet %q, row %d, column \"note\": %s is not a note halocfg writes", cellsSheet, n, quote(note))
	}
	return nil
}

// rcol is a column of a kind sheet as read.
type rcol struct {
	header string
	xtype
	known bool // typed in _types; otherwise the cells' own types decide
}

func (r *xlsxReader) kindSheet(sheet, kind string) ([]snapshot.Record, error) {
	rows, err := r.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	defer rows.Close()
	var cols []rcol
	idAt := -1
	recs := []snapshot.Record{}
	rowOf := map[string]int{} // id -> row, to report duplicates
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q, row %d: %w", sheet, n, err)
		}
		if n == 1 {
			if cols, idAt, err = r.headers(sheet, kind, cells); err != nil {
				return nil, err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		rec, id, err := r.record(sheet, kind, n, cols, idAt, cells)
		if err != nil {
			return nil, err
		}
		if first, dup := rowOf[id]; dup {
			return nil, fmt.Errorf("sheet %q, row %d, column \"id\": id %s is also in row %d", sheet, n, id, first)
		}
		rowOf[id] = n
		recs = append(recs, rec)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	if cols == nil {
		return nil, fmt.Errorf("sheet %q: no header row (row 1 must name the columns)", sheet)
	}
	return recs, nil
}

func (r *xlsxReader) headers(sheet, kind string, cells []string) ([]rcol, int, error) {
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
		t, known := r.types[[2]string{kind, h}]
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
		if _, typed := r.types[[2]string{kind, c.header}]; ok && !typed {
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

func (r *xlsxReader) record(sheet, kind string, n int, cols []rcol, idAt int, cells []string) (snapshot.Record, string, error) {
	fail := func(col string, err error) error {
		return fmt.Errorf("sheet %q, row %d, column %q: %w", sheet, n, col, err)
	}
	idText := cellAt(cells, idAt)
	if idText == "" {
		return nil, "", fail("id", errors.New("empty; every record needs its id"))
	}
	idVal, err := r.value(sheet, n, idAt, cols[idAt], idText, nil)
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
		notes := r.notes[noteKey{kind, id, c.header}]
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
		text += strings.Join(notes.more, "")
		v, err := r.value(sheet, n, i, c, text, notes)
		if err != nil {
			return nil, "", fail(c.header, err)
		}
		rec[c.header] = v
	}
	return rec, id, nil
}

// value decodes a non-empty cell of column c.
func (r *xlsxReader) value(sheet string, row, col int, c rcol, text string, notes *cellNotes) (any, error) {
	if notes != nil && notes.json {
		return jsonCell(text)
	}
	t := c.typ
	if !c.known {
		var err error
		if t, err = r.cellType(sheet, row, col, text); err != nil {
			return nil, err
		}
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
// nulls in) by the cell's own type.
func (r *xlsxReader) cellType(sheet string, row, col int, text string) (colType, error) {
	c := r.cellTypes[sheet]
	if c == nil {
		c = &cellTypes{}
		if part := r.pkg.sheetPart(sheet); part != "" {
			s, err := r.pkg.partScan(part, false, cellAttrs)
			if err != nil {
				return colNull, err
			}
			c.s = newSheetScan(r.pkg, part, s, false)
		}
		r.cellTypes[sheet] = c
	}
	t, err := c.at(row, col+1)
	if err != nil {
		return colNull, err
	}
	switch t {
	case "b":
		return colBool, nil
	case "d", "e", "s", "str", "inlineStr":
		return colString, nil
	}
	// a number, or a cell of no type (or of one excelize does not know)
	if _, ok := canonicalInt(json.Number(text)); ok {
		return colInt, nil
	}
	if _, err := strconv.ParseFloat(text, 64); err == nil {
		return colFloat, nil
	}
	return colString, nil
}

// quote quotes a cell's text for an error message, shortened.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}
