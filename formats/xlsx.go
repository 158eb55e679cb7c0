package formats

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// XLSX writes snapshot.xlsx for people: one sheet per kind, one row per
// record, one column per field (id and natural key first), a bold frozen
// header with autofilter, nested values as compact JSON, and each reference
// followed by the name of the record it points at. The sheet _about says
// where the snapshot came from and how to edit the workbook.
//
// Two hidden sheets carry what cells cannot say, so that the workbook
// restores exactly, even after an analyst edits it:
//   - _types: per sheet and column, the column's type (int, float, bool,
//     string, json, display) and what an empty cell means (null, empty string, absent).
//   - _cells: per sheet, record id and column, the exceptions: an empty cell
//     that means something other than its column's default, a cell holding
//     JSON text (a string XML cannot carry), the exact text of a number
//     (2.0, 1E-07), and the continuation of text longer than a cell holds.
//
// Notes are keyed by record id and column name, not by position, so that
// rows and columns can be moved, deleted and added.
type XLSX struct{}

func (XLSX) Name() string { return "xlsx" }

func (XLSX) Owns(rel string) bool { return rel == xlsxName }

const (
	xlsxName    = "snapshot.xlsx"
	aboutSheet  = "_about"
	typesSheet  = "_types"
	cellsSheet  = "_cells"
	displayType = "display"
	nameSuffix  = " (name)"
	// maxIntCell is the largest integer a spreadsheet shows and saves exactly
	// (Excel keeps 15 significant digits); larger ones are written as text.
	maxIntCell = 999_999_999_999_999
)

// What an empty cell means; the column's default is in _types, exceptions in _cells.
const (
	emptyNull   = "null"
	emptyString = "empty"
	emptyAbsent = "absent"
)

// Notes of _cells besides the empty-cell meanings.
const (
	noteJSON  = "json"  // the cell holds JSON text
	noteExact = "exact" // the exact text of a number
	noteMore  = "more"  // continuation of a long text, in order
)

// xcol is one column of a kind sheet.
type xcol struct {
	header string
	typ    colType
	empty  string     // meaning of an empty cell
	ref    *xlsxNames // display column: names of the referenced records
	field  string     // the reference field a display column follows
	width  float64
}

func (XLSX) Write(src Source, dst Creator) error {
	w, err := dst.Create(xlsxName)
	if err != nil {
		return err
	}
	if err := writeWorkbook(src, w); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", xlsxName, err)
	}
	return w.Close()
}

// xlsxWriter holds a workbook being streamed.
type xlsxWriter struct {
	f            *excelize.File
	src          Source
	bold, italic int
	cells        *noteSpill // the rows of _cells, written last
	names        map[string]*xlsxNames
	l            xlsxLimits
	cost         int64 // what the reader charges for the cells written (xlsxLimits.cellCost)
}

func writeWorkbook(src Source, out io.Writer) error {
	return inTempDir(func(tmp string) error { return writeWorkbookWithin(src, out, tmp, xlsxLimit) })
}

// writeWorkbookWithin writes a workbook that reads back within l, with
// excelize's temporary files in tmp.
func writeWorkbookWithin(src Source, out io.Writer, tmp string, l xlsxLimits) error {
	f := excelize.NewFile(excelize.Options{TmpDir: tmp})
	defer f.Close()
	x := &xlsxWriter{f: f, src: src, names: map[string]*xlsxNames{}, l: l}
	// excelize builds the whole zip in memory on Write; a zip writer of our own
	// streams it to out instead (the sheets themselves spill to temp files),
	// and keeps the workbook within what the reader allows.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newRatioZip(out, l, x.cost) })

	var kinds []string
	for _, k := range catalog.Stored() {
		if _, ok := src.Manifest.Kinds[k.Name]; ok {
			kinds = append(kinds, k.Name)
		}
	}
	if err := x.indexNames(); err != nil {
		return err
	}
	err := f.SetSheetName("Sheet1", aboutSheet)
	if err != nil {
		return err
	}
	for _, name := range append(append([]string(nil), kinds...), typesSheet, cellsSheet) {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	for _, name := range []string{typesSheet, cellsSheet} {
		if err := f.SetSheetVisible(name, false); err != nil {
			return err
		}
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return err
	}
	if x.italic, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Italic: true, Color: "666666"}}); err != nil {
		return err
	}
	if err := x.about(kinds); err != nil {
		return err
	}
	if x.cells, err = newNoteSpill(tmp); err != nil {
		return err
	}
	defer x.cells.close()
	var types [][]any
	written := 0
	err = src.Kinds(func(kind string, recs Records) error {
		cols, err := x.kindSheet(kind, recs)
		if err != nil {
			return fmt.Errorf("sheet %q: %w", kind, err)
		}
		for _, c := range cols {
			typ := c.typ.String()
			if c.ref != nil {
				typ = displayType
			}
			types = append(types, []any{kind, c.header, typ, c.empty})
		}
		written++
		return nil
	})
	if err != nil {
		return err
	}
	if written != len(kinds) { // a sheet made for a kind the source did not give
		return fmt.Errorf("the source gave %d kinds, its manifest lists %d", written, len(kinds))
	}
	// The hidden sheets come last: a sheet's dimension opens its XML, and
	// theirs is known only once every kind sheet is written.
	err = x.hiddenSheet(typesSheet, []string{"sheet", "column", "type", "empty cell"}, len(types), func(row func([]any) error) error {
		for _, r := range types {
			if err := row(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = x.hiddenSheet(cellsSheet, []string{"sheet", "id", "column", "note", "value"}, x.cells.n, func(row func([]any) error) error {
		return x.cells.each(func(n [5]string) error { return row([]any{n[0], n[1], n[2], n[3], n[4]}) })
	})
	if err != nil {
		return err
	}
	return f.Write(io.Discard)
}

// hiddenSheet streams one of the hidden sheets: a bold header, then rows
// rows that each calls row with.
func (x *xlsxWriter) hiddenSheet(name string, header []string, rows int, each func(row func([]any) error) error) error {
	sw, err := x.newSheet(name, len(header), rows+1)
	if err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{StyleID: x.bold, Value: h}
	}
	if err := x.setRow(sw, 1, head); err != nil {
		return err
	}
	n := 1
	err = each(func(cells []any) error {
		n++
		return x.setRow(sw, n, cells)
	})
	if err != nil {
		return err
	}
	return sw.Flush()
}

// newSheet starts streaming a sheet of cols columns and rows rows, which
// its dimension declares: readers that trust it (openpyxl in read-only
// mode) see no more than it says, and excelize's stream writer declares A1.
func (x *xlsxWriter) newSheet(name string, cols, rows int) (*excelize.StreamWriter, error) {
	if err := x.f.SetSheetDimension(name, "A1:"+cellName(max(cols, 1), max(rows, 1))); err != nil {
		return nil, err
	}
	return x.f.NewStreamWriter(name)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// peopleSheets names the sheets of the directories of people: "agent, team, ... and site".
func peopleSheets() string {
	var names []string
	for _, k := range catalog.PairOnlyKinds() {
		names = append(names, k.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// aboutText explains the workbook to the person who opens it; headings are bold.
var aboutText = []struct {
	heading bool
	text    string
}{
	{true, "How to read this workbook"},
	{false, "Each sheet named after a kind (status, outcome, tickettype, ...) holds one row per record and one column per field, id and natural key first."},
	{false, "The sheets " + peopleSheets() + " are directories of the people the configuration points at (id and key only): an import pairs them with the target's by key and never writes them. Agents' names and email addresses are personal data."},
	{false, "Nested values (lists, objects) are compact JSON text. A column \"field (name)\" shows the name of the record a reference points at; it is for reading only and is ignored on restore."},
	{false, "An empty cell is null, an empty string or an absent field, as the hidden sheets _types and _cells record."},
	{true, "How to edit it"},
	{false, "Change values, delete rows, add rows, reorder or add columns and sheets, then restore the workbook with halocfg. Keep the id column: records are matched by id."},
	{false, "Type values as the column holds them: whole numbers in int columns, true/false in bool columns, valid JSON in JSON columns. A mistake is reported with its sheet, row and column."},
	{false, "Text longer than 32,767 characters does not fit a cell: the cell holds its beginning and the hidden sheet _cells the rest; leave such cells alone."},
	{false, "Do not edit the hidden sheets _types and _cells."},
}

func (x *xlsxWriter) about(kinds []string) error {
	m := x.src.Manifest
	rows := [][]any{
		{excelize.Cell{StyleID: x.bold, Value: "halocfg snapshot"}},
		{},
		{"source", m.Source},
		{"tenant", m.Tenant},
		{"created_at", m.CreatedAt.UTC().Format(time.RFC3339Nano)},
		{"tool", m.Tool},
		{"format_version", strconv.Itoa(snapshot.FormatVersion)},
		{},
		{excelize.Cell{StyleID: x.bold, Value: "sheet"}, excelize.Cell{StyleID: x.bold, Value: "records"}},
	}
	for _, k := range kinds {
		rows = append(rows, []any{k, m.Kinds[k].Records})
	}
	rows = append(rows, []any{})
	for _, line := range aboutText {
		if line.heading {
			rows = append(rows, []any{excelize.Cell{StyleID: x.bold, Value: line.text}})
			continue
		}
		rows = append(rows, []any{nil, line.text})
	}
	sw, err := x.newSheet(aboutSheet, 2, len(rows))
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 22); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 2, 100); err != nil {
		return err
	}
	for i, r := range rows {
		if err := x.setRow(sw, i+1, r); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// kindSheet writes one kind's sheet and returns its columns. It runs recs
// twice: once to learn the columns (kindScan), once to write the rows.
func (x *xlsxWriter) kindSheet(kind string, recs Records) ([]xcol, error) {
	sc, err := scanKind(kind, recs)
	if err != nil {
		return nil, err
	}
	sc.ids = nil
	cols, err := x.sheetColumns(kind, sc)
	if err != nil {
		return nil, err
	}
	sc.head = nil
	sw, err := x.newSheet(kind, len(cols), sc.n+1)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(frozenPanes(kind, cols)); err != nil {
		return nil, err
	}
	last := cellName(max(len(cols), 1), sc.n+1)
	if err := x.f.AutoFilter(kind, "A1:"+last, nil); err != nil {
		return nil, err
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		style := x.bold
		if c.ref != nil {
			style = x.italic
		}
		row[i] = excelize.Cell{StyleID: style, Value: c.header}
	}
	if err := x.setRow(sw, 1, row); err != nil {
		return nil, err
	}
	n := 0
	err = recs(func(r snapshot.Record) error {
		n++
		id, held := r.ID(), 0
		for i, c := range cols {
			row[i] = nil
			if c.ref != nil {
				row[i] = c.ref.name(r[c.field])
				continue
			}
			v, present := r[c.header]
			if present {
				held++
			}
			cell, notes, ok := xlsxCell(c, v, present)
			if !ok {
				return fmt.Errorf("record %d (id %s): field %q: a %s value no longer fits its %s column (the file changed while it was read)", n, id, c.header, valueType(v), c.typ)
			}
			row[i] = cell
			for _, nt := range notes {
				if err := x.note(kind, id, c.header, nt); err != nil {
					return err
				}
			}
		}
		if held != len(r) {
			return fmt.Errorf("record %d (id %s): %d of its fields have no column (the file changed while it was read)", n, id, len(r)-held)
		}
		return x.setRow(sw, n+1, row)
	})
	if err == nil && n != sc.n {
		err = fmt.Errorf("%d records on the second read, %d on the first", n, sc.n)
	}
	if err != nil {
		return nil, err
	}
	return cols, sw.Flush()
}

// setRow writes a row, counting what the reader will charge for its cells.
func (x *xlsxWriter) setRow(sw *excelize.StreamWriter, row int, cells []any) error {
	for _, c := range cells {
		if c, ok := c.(excelize.Cell); ok {
			x.cost += x.l.charge(c.Value)
			continue
		}
		x.cost += x.l.charge(c)
	}
	return sw.SetRow(cellName(1, row), cells)
}

// cellNote is one row of _cells: what a cell cannot say by itself.
type cellNote struct{ note, value string }

func (x *xlsxWriter) note(sheet, id, column string, n cellNote) error {
	return x.cells.add([5]string{sheet, id, column, n.note, n.value})
}

// frozenPanes freezes the header row and the columns up to the last of the
// id and natural key (a ticket type's sheet is 325 columns wide: its name
// stays in sight).
func frozenPanes(kind string, cols []xcol) *excelize.Panes {
	key := map[string]bool{"id": true}
	if k, ok := catalog.LookupStored(kind); ok {
		for _, f := range k.NaturalKey {
			key[f] = true
		}
	}
	split := 0
	for i, c := range cols {
		if c.ref == nil && key[c.header] {
			split = i + 1
		}
	}
	// split is at least 1: every sheet has an id column (sheetColumns).
	corner := cellName(split+1, 2)
	return &excelize.Panes{
		Freeze: true, XSplit: split, YSplit: 1, TopLeftCell: corner, ActivePane: "bottomRight",
		Selection: []excelize.Selection{
			{SQRef: cellName(split+1, 1), ActiveCell: cellName(split+1, 1), Pane: "topRight"},
			{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"},
			{SQRef: corner, ActiveCell: corner, Pane: "bottomRight"},
		},
	}
}

// xlsxCell is the cell of value v in column c, and the notes it needs;
// false for a value the column's type cannot hold (a file read twice that
// changed between the reads).
func xlsxCell(c xcol, v any, present bool) (any, []cellNote, bool) {
	if present && v != nil && c.typ != colJSON && c.typ.merge(valueType(v)) != c.typ {
		return nil, nil, false
	}
	cell, notes := typedCell(c, v, present)
	return cell, notes, true
}

// typedCell is xlsxCell for a value of the column's type.
func typedCell(c xcol, v any, present bool) (any, []cellNote) {
	var notes []cellNote
	empty := func(meaning string) (any, []cellNote) {
		if meaning != c.empty {
			notes = append(notes, cellNote{note: meaning})
		}
		return nil, notes
	}
	var text string
	switch {
	case !present:
		return empty(emptyAbsent)
	case v == nil:
		return empty(emptyNull)
	case c.typ == colInt:
		i, _ := canonicalInt(v.(json.Number))
		if i > maxIntCell || i < -maxIntCell {
			text = strconv.FormatInt(i, 10)
			break
		}
		return i, nil
	case c.typ == colFloat:
		n := v.(json.Number)
		if ex := exactText(n, false); ex != "" {
			notes = append(notes, cellNote{noteExact, ex})
		}
		f, _ := finiteFloat(n)
		if !cellHoldsFloat(f) {
			text = string(n)
			break
		}
		return f, notes
	case c.typ == colBool:
		return v.(bool), nil
	case c.typ == colString:
		s := v.(string)
		if s == "" {
			return empty(emptyString)
		}
		if cellSafe(s) {
			text = s
			break
		}
		notes = append(notes, cellNote{note: noteJSON})
		text = jsonCellText(v)
	default:
		text = jsonCellText(v)
	}
	text, more := splitCellText(text)
	for _, m := range more {
		notes = append(notes, cellNote{noteMore, m})
	}
	return text, notes
}

// cellHoldsFloat reports whether a spreadsheet keeps f exactly: excelize and
// Excel write 15 significant digits.
func cellHoldsFloat(f float64) bool {
	g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return err == nil && math.Float64bits(g) == math.Float64bits(f)
}

// xmlSafe reports whether XML 1.0 can carry s as text; excelize replaces
// other characters (most control characters, U+FFFE) with U+FFFD.
func xmlSafe(s string) bool {
	for _, r := range s {
		if !xmlChar(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// cellSafe reports whether a spreadsheet keeps s as it is. Besides what XML
// cannot carry, spreadsheet programs turn CR LF into LF, and excelize and
// LibreOffice disagree on escaping text that looks like _x0041_ (OOXML's
// escape for characters); such strings go into cells as JSON instead.
func cellSafe(s string) bool {
	return xmlSafe(s) && !strings.ContainsRune(s, '\r') && !ooxmlEscape.MatchString(s)
}

var ooxmlEscape = regexp.MustCompile(`_[xX][0-9a-fA-F]{4}_`)

// jsonCellText is v as compact JSON that a cell keeps exactly: characters
// XML cannot carry, and the underscore opening an _xHHHH_ look-alike, become
// \u escapes (possible only inside JSON strings, where they are valid).
func jsonCellText(v any) string {
	s := string(snapshot.Canonical(v))
	if cellSafe(s) {
		return s
	}
	s = ooxmlEscape.ReplaceAllStringFunc(s, func(m string) string { return `\u005f` + m[1:] })
	var b strings.Builder
	for _, r := range s {
		if xmlChar(r) {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// splitCellText cuts s into pieces of at most excelize.TotalCellChars UTF-16
// units, the most a cell holds (excelize truncates longer text silently).
func splitCellText(s string) (head string, more []string) {
	units, start := 0, 0
	var parts []string
	for i, r := range s {
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units+u > excelize.TotalCellChars {
			parts = append(parts, s[start:i])
			start, units = i, 0
		}
		units += u
	}
	parts = append(parts, s[start:])
	return parts[0], parts[1:]
}

// sheetColumns lays out a kind's fields in their order (fieldOrder: id,
// natural key, then the schema's order), each reference followed by its name
// partner field or, lacking one, a display column showing the referenced
// record's name.
func (x *xlsxWriter) sheetColumns(kind string, sc *kindScan) ([]xcol, error) {
	typed := sc.columns()
	byName := map[string]column{}
	for _, c := range typed {
		if c.Name == "" || !cellSafe(c.Name) || utf8.RuneCountInString(c.Name) > 255 {
			return nil, fmt.Errorf("field name %q cannot be a column header", c.Name)
		}
		byName[c.Name] = c
	}
	if _, ok := byName["id"]; !ok {
		byName["id"] = column{Name: "id", Type: colNull}
		typed = append([]column{byName["id"]}, typed...)
	}
	k, _ := catalog.LookupStored(kind)
	placed := map[string]bool{}
	var cols []xcol
	var add func(name string)
	add = func(name string) {
		c, ok := byName[name]
		if !ok || placed[name] {
			return
		}
		placed[name] = true
		cols = append(cols, xcol{header: name, typ: c.Type, empty: emptyMeaning(sc.fields[name], sc.n, c.Type)})
		if k == nil {
			return
		}
		for _, r := range k.InternalRefs() {
			if r.Field != name || r.Owner {
				continue
			}
			if _, ok := byName[r.Name]; ok {
				add(r.Name) // the name partner goes next to its reference
				continue
			}
			header := name + nameSuffix
			if _, clash := byName[header]; clash {
				continue
			}
			if _, exported := x.src.Manifest.Kinds[r.Target]; !exported {
				continue
			}
			cols = append(cols, xcol{header: header, typ: colString, ref: x.namesOf(r.Target), field: name})
		}
	}
	for _, c := range typed { // id and natural key first (fieldOrder)
		add(c.Name)
	}
	for i := range cols {
		cols[i].width = columnWidth(cols[i], sc.head)
	}
	return cols, nil
}

// emptyMeaning picks what an empty cell of the column most often stands
// for, from what the scan saw of the field (f is nil for an id column no
// record holds) in n records.
func emptyMeaning(f *fieldScan, n int, t colType) string {
	var null, empty, absent int = 0, 0, n
	if f != nil {
		null, absent = f.null, n-f.present
		if t == colString {
			empty = f.empty
		}
	}
	switch {
	case null >= empty && null >= absent:
		return emptyNull
	case absent >= empty:
		return emptyAbsent
	}
	return emptyString
}

// columnWidth fits the header and the first values, within bounds.
func columnWidth(c xcol, recs []snapshot.Record) float64 {
	w := utf8.RuneCountInString(c.header) + 2
	for _, r := range recs[:min(len(recs), 50)] {
		var n int
		if c.ref != nil {
			n = utf8.RuneCountInString(c.ref.name(r[c.field]))
		} else if v := r[c.header]; v != nil {
			switch v := v.(type) {
			case string:
				n = utf8.RuneCountInString(v)
			case bool:
				n = 5
			default:
				n = len(snapshot.Scalar(v))
				if n == 0 {
					n = 40 // JSON: wide, but not the whole text
				}
			}
		}
		w = max(w, n+1)
	}
	return float64(min(max(w, 8), 50))
}

// xlsxNames maps the ids of one kind's records to a readable name.
type xlsxNames struct{ byID map[string]string }

func (n *xlsxNames) name(id any) string {
	if n == nil {
		return ""
	}
	return n.byID[snapshot.Scalar(id)]
}

// indexNames reads the source once for the names of the records the
// display columns show: of every kind a reference points at.
func (x *xlsxWriter) indexNames() error {
	targets := map[string]bool{}
	for kind := range x.src.Manifest.Kinds {
		if k, ok := catalog.Lookup(kind); ok {
			for _, r := range k.InternalRefs() {
				targets[r.Target] = true
			}
		}
	}
	return x.src.Kinds(func(kind string, recs Records) error {
		if !targets[kind] {
			return nil
		}
		n, err := namesIndex(kind, recs)
		x.names[kind] = n
		return err
	})
}

// namesOf returns the names of a kind's records (indexNames).
func (x *xlsxWriter) namesOf(kind string) *xlsxNames {
	if n, ok := x.names[kind]; ok {
		return n
	}
	return &xlsxNames{byID: map[string]string{}}
}

// namesIndex indexes a kind's records by the field references use (id, or
// priorityid), naming each by its natural key.
func namesIndex(kind string, recs Records) (*xlsxNames, error) {
	n := &xlsxNames{byID: map[string]string{}}
	k, ok := catalog.Lookup(kind)
	if !ok {
		return n, nil
	}
	refField := k.RefField
	if refField == "" {
		refField = "id"
	}
	err := recs(func(r snapshot.Record) error {
		var parts []string
		for _, f := range k.NaturalKey {
			if s := snapshot.Scalar(r[f]); s != "" {
				parts = append(parts, s)
			}
		}
		if id := snapshot.Scalar(r[refField]); id != "" {
			n.byID[id] = strings.Join(parts, " / ")
		}
		return nil
	})
	return n, err
}
