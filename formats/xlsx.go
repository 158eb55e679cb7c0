package formats

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/internal/idtab"
	"github.com/halocfg/halocfg/internal/spill"
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
//     (2.0, 1E-07), and the continuation of text longer than a cell holds,
//     numbered in the column part (1, 2, ...) so that a sort of _cells does
//     not scramble the text.
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
	noteMore  = "more"  // continuation of a long text, numbered in the column part
)

// xcol is one column of a kind sheet.
type xcol struct {
	header string
	typ    colType
	empty  string     // meaning of an empty cell
	target string     // display column: the kind of the referenced records
	ref    *xlsxNames // and their names, once that kind is read
	field  string     // the reference field a display column follows
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

// xlsxWriter holds a workbook being written.
type xlsxWriter struct {
	src          Source
	tmp          string
	book         *bookWriter
	bold, italic int
	cost         costCounter
	kinds        []string        // the kind sheets, in the workbook's order
	targets      map[string]bool // the kinds references point at, whose names display columns show
	names        map[string]*xlsxNames
	nameSpill    *spill.File           // the names of every kind in names
	read         map[string]bool       // the kinds read so far
	pending      []*kindSheet          // read, waiting for the names their display columns show
	sheets       *sheetWriter          // writes the sheets handed to it
	types        map[string][][]string // rows of _types, by kind
	notes        map[string]*noteSpill // rows of _cells, by kind
}

// kindSheet is a kind read once: its records spilled, its columns laid out.
type kindSheet struct {
	kind  string
	cols  []xcol
	spill *kindSpill
	n     int
	// widths of the columns; a display column's is sized once the names
	// are known, from the references of the first records (byRef)
	widths []float64
	byRef  map[int][]snapshot.Record
}

func writeWorkbook(src Source, out io.Writer) error {
	return inTempDir(func(tmp string) error { return writeWorkbookWithin(src, out, tmp, xlsxLimit) })
}

// writeWorkbookWithin writes a workbook that reads back within l, with its
// temporary files in tmp. It reads each kind once, spilling its records to
// tmp, and writes a kind's sheet once the names its display columns show
// are known: at once, or after the kinds they point at (priority's sla,
// tickettype's outcome) have been read.
func writeWorkbookWithin(src Source, out io.Writer, tmp string, l xlsxLimits) error {
	x := &xlsxWriter{src: src, tmp: tmp, cost: costCounter{l: l}, targets: map[string]bool{},
		names: map[string]*xlsxNames{}, read: map[string]bool{}, types: map[string][][]string{}, notes: map[string]*noteSpill{}}
	defer x.cleanup()
	for _, k := range catalog.Stored() {
		if _, ok := src.Manifest.Kinds[k.Name]; ok {
			x.kinds = append(x.kinds, k.Name)
		}
	}
	for kind := range src.Manifest.Kinds {
		if k, ok := catalog.Lookup(kind); ok {
			for _, r := range k.InternalRefs() {
				x.targets[r.Target] = true
			}
		}
	}
	// The zip writer keeps the workbook within what the reader allows.
	z := newRatioZip(out, l, 0)
	sheets := append(append([]string{aboutSheet}, x.kinds...), typesSheet, cellsSheet)
	var err error
	x.book, x.bold, x.italic, err = newBookWriter(z, sheets, map[string]bool{typesSheet: true, cellsSheet: true})
	if err != nil {
		return err
	}
	if err := x.about(); err != nil {
		return err
	}
	x.startSheets()
	err = src.Kinds(func(kind string, recs Records) error {
		if err := x.readKind(kind, recs); err != nil {
			return fmt.Errorf("sheet %q: %w", kind, err)
		}
		return x.writeReady(false)
	})
	if err != nil {
		return err
	}
	if len(x.read) != len(x.kinds) { // a sheet made for a kind the source did not give
		return fmt.Errorf("the source gave %d kinds, its manifest lists %d", len(x.read), len(x.kinds))
	}
	if err := x.writeReady(true); err != nil {
		return err
	}
	if err := x.sheets.wait(); err != nil {
		return err
	}
	var types [][]string
	for _, kind := range x.kinds {
		types = append(types, x.types[kind]...)
	}
	err = x.hiddenSheet(typesSheet, []string{"sheet", "column", "type", "empty cell"}, len(types), func(row func([]string) error) error {
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
	notes := 0
	for _, s := range x.notes {
		notes += s.n
	}
	err = x.hiddenSheet(cellsSheet, []string{"sheet", "id", "column", "note", "value", "part"}, notes, func(row func([]string) error) error {
		for _, kind := range x.kinds {
			if s := x.notes[kind]; s != nil {
				if err := s.each(func(n [6]string) error {
					if n[5] == "" { // a part numbers continuations only: no empty cell elsewhere
						return row(n[:5])
					}
					return row(n[:])
				}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := x.book.finish(); err != nil {
		return err
	}
	z.cost = x.cost.total // the last part is padded for it
	return z.Close()
}

// cleanup removes the spills left (inTempDir removes their directory anyway).
func (x *xlsxWriter) cleanup() {
	if x.sheets != nil {
		x.sheets.wait()
	}
	for _, p := range x.pending {
		p.spill.close()
	}
	for _, s := range x.notes {
		s.close()
	}
	if x.nameSpill != nil {
		x.nameSpill.Close()
	}
}

// readKind reads a kind once: checks its ids, learns its columns, indexes
// its names when references point at it, and spills its records. A run
// that fails (errUnsorted: the source hands the kind again) leaves nothing.
func (x *xlsxWriter) readKind(kind string, recs Records) error {
	if !slices.Contains(x.kinds, kind) {
		return fmt.Errorf("the source gave kind %q, which its manifest does not list", kind)
	}
	if x.read[kind] {
		return fmt.Errorf("the source gave kind %q twice", kind)
	}
	ks, err := newKindSpill(x.tmp)
	if err != nil {
		return err
	}
	sc := newKindScan(kind)
	var names *xlsxNames
	if x.targets[kind] {
		if x.nameSpill == nil {
			x.nameSpill = spill.New(x.tmp, "the workbook's display names")
		}
		if err := x.nameSpill.Err(); err != nil {
			ks.close()
			return err
		}
		names = newXLSXNames(kind, x.nameSpill)
	}
	err = recs(func(r snapshot.Record) error {
		if err := sc.checkID(sc.n+1, r); err != nil {
			return err
		}
		sc.add(r)
		if err := names.add(r); err != nil {
			return err
		}
		return ks.add(r)
	})
	if err == nil {
		err = names.done()
	}
	var cols []xcol
	if err == nil {
		sc.ids = nil
		cols, err = x.sheetColumns(kind, sc)
	}
	if err != nil {
		ks.close()
		return err
	}
	x.read[kind] = true
	if names != nil {
		x.names[kind] = names
	}
	// A kind waiting to be written holds its widths, not its first records.
	p := &kindSheet{kind: kind, cols: cols, spill: ks, n: sc.n, widths: make([]float64, len(cols)), byRef: map[int][]snapshot.Record{}}
	for i, c := range cols {
		if c.target == "" {
			p.widths[i] = columnWidth(c, sc.head)
			continue
		}
		for _, r := range sc.head {
			p.byRef[i] = append(p.byRef[i], snapshot.Record{c.field: r[c.field]})
		}
	}
	x.pending = append(x.pending, p)
	return nil
}

// writeReady hands the sheets read whose display columns' kinds have been
// read too to the sheet writer; all of them at the end. It fails when the
// sheet writer has.
func (x *xlsxWriter) writeReady(all bool) error {
	if x.sheets.failed.Load() {
		return x.sheets.wait()
	}
	var wait []*kindSheet
	for _, p := range x.pending {
		ready := true
		for _, c := range p.cols {
			ready = ready && (c.target == "" || x.read[c.target] || all)
		}
		if !ready {
			wait = append(wait, p)
			continue
		}
		for i := range p.cols {
			if c := &p.cols[i]; c.target != "" {
				c.ref = x.namesOf(c.target)
			}
		}
		x.sheets.queue <- p
	}
	x.pending = wait
	return nil
}

// sheetWriter writes the kind sheets in a goroutine of its own, from their
// spills, while the source reads the next kinds: on two cores, reading
// (decoding JSON) and writing (rendering and deflating XML) run side by
// side. The book, the notes, the types and the cost are its own until it
// is done.
type sheetWriter struct {
	queue  chan *kindSheet // every kind fits: reading never waits
	done   chan struct{}
	failed atomic.Bool
	err    error // set before done is closed
	closed bool
}

func (x *xlsxWriter) startSheets() {
	q := &sheetWriter{queue: make(chan *kindSheet, len(x.kinds)), done: make(chan struct{})}
	x.sheets = q
	go func() {
		defer close(q.done)
		for p := range q.queue {
			if q.err != nil { // drain: remove the spills left
				p.spill.close()
				continue
			}
			err := x.kindSheet(p)
			if cerr := p.spill.close(); err == nil {
				err = cerr
			}
			if err != nil {
				q.err = fmt.Errorf("sheet %q: %w", p.kind, err)
				q.failed.Store(true)
			}
		}
	}()
}

// wait waits for the sheet writer to write what it was handed, and returns its error.
func (q *sheetWriter) wait() error {
	if !q.closed {
		close(q.queue)
		q.closed = true
	}
	<-q.done
	return q.err
}

// hiddenSheet writes one of the hidden sheets: a bold header, then rows
// rows that each calls row with.
func (x *xlsxWriter) hiddenSheet(name string, header []string, rows int, each func(row func([]string) error) error) error {
	sw, err := x.book.sheet(name, sheetLayout{cols: len(header), rows: rows + 1}, &x.cost)
	if err != nil {
		return err
	}
	sw.startRow(1)
	for i, h := range header {
		sw.text(i, x.bold, h)
	}
	n := 1
	err = each(func(cells []string) error {
		n++
		sw.startRow(n)
		for i, c := range cells {
			sw.text(i, 0, c)
		}
		return nil
	})
	if err == nil && n != rows+1 {
		err = fmt.Errorf("%d rows written, %d counted", n-1, rows)
	}
	if err != nil {
		return fmt.Errorf("sheet %q: %w", name, err)
	}
	return sw.close()
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

// aboutCell is a cell of _about: a string, a bold string or a number.
type aboutCell struct {
	text   string
	bold   bool
	number bool
}

func (x *xlsxWriter) about() error {
	m := x.src.Manifest
	str := func(s string) aboutCell { return aboutCell{text: s} }
	bold := func(s string) aboutCell { return aboutCell{text: s, bold: true} }
	rows := [][]*aboutCell{
		{ptr(bold("halocfg snapshot"))},
		{},
		{ptr(str("source")), ptr(str(m.Source))},
		{ptr(str("tenant")), ptr(str(m.Tenant))},
		{ptr(str("created_at")), ptr(str(m.CreatedAt.UTC().Format(time.RFC3339Nano)))},
		{ptr(str("tool")), ptr(str(m.Tool))},
		{ptr(str("format_version")), ptr(str(strconv.Itoa(snapshot.FormatVersion)))},
		{},
		{ptr(bold("sheet")), ptr(bold("records"))},
	}
	for _, k := range x.kinds {
		rows = append(rows, []*aboutCell{ptr(str(k)), {text: strconv.Itoa(m.Kinds[k].Records), number: true}})
	}
	rows = append(rows, nil)
	for _, line := range aboutText {
		if line.heading {
			rows = append(rows, []*aboutCell{ptr(bold(line.text))})
			continue
		}
		rows = append(rows, []*aboutCell{nil, ptr(str(line.text))})
	}
	sw, err := x.book.sheet(aboutSheet, sheetLayout{cols: 2, rows: len(rows), widths: []float64{22, 100}}, &x.cost)
	if err != nil {
		return err
	}
	for i, r := range rows {
		sw.startRow(i + 1)
		for col, c := range r {
			switch {
			case c == nil:
			case c.number:
				sw.number(col, c.text)
			case c.bold:
				sw.text(col, x.bold, c.text)
			default:
				sw.text(col, 0, c.text)
			}
		}
	}
	return sw.close()
}

func ptr[T any](v T) *T { return &v }

// kindSheet writes a kind's sheet from its spilled records, and keeps its
// rows of _types.
func (x *xlsxWriter) kindSheet(p *kindSheet) error {
	cols := p.cols
	widths := p.widths
	at := make([]int, len(cols)) // the spill's number of each column's field (a display column's reference), or -1
	for i := range cols {
		c := &cols[i]
		if c.ref != nil { // its names are resolved (writeReady)
			named := make([]snapshot.Record, len(p.byRef[i]))
			for j, r := range p.byRef[i] {
				name, err := c.ref.name(r[c.field])
				if err != nil {
					return err
				}
				named[j] = snapshot.Record{c.header: name}
			}
			widths[i] = columnWidth(xcol{header: c.header}, named)
		}
		field := c.header
		if c.ref != nil {
			field = c.field
		}
		at[i] = -1
		if n, ok := p.spill.ids[field]; ok {
			at[i] = n
		}
	}
	idAt := -1
	if n, ok := p.spill.ids["id"]; ok {
		idAt = n
	}
	sw, err := x.book.sheet(p.kind, sheetLayout{cols: len(cols), rows: p.n + 1, widths: widths, panes: frozenPanes(p.kind, cols), filter: true}, &x.cost)
	if err != nil {
		return err
	}
	sw.startRow(1)
	for i, c := range cols {
		style := x.bold
		if c.ref != nil {
			style = x.italic
		}
		sw.text(i, style, c.header)
	}
	row := 1
	err = p.spill.each(func(vals []spillValue) error {
		row++
		sw.startRow(row)
		id := ""
		if idAt >= 0 {
			id = vals[idAt].scalar()
		}
		for i := range cols {
			c := &cols[i]
			var v spillValue
			if at[i] >= 0 {
				v = vals[at[i]]
			}
			if c.ref != nil {
				name, err := c.ref.name(v.scalar())
				if err != nil {
					return fmt.Errorf("record %d (id %s): column %q: %w", row-1, id, c.header, err)
				}
				if name != "" {
					sw.text(i, 0, name)
				}
				continue
			}
			if err := x.cell(sw, p.kind, id, i, c, v); err != nil {
				return fmt.Errorf("record %d (id %s): field %q: %w", row-1, id, c.header, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := sw.close(); err != nil {
		return err
	}
	for _, c := range cols {
		typ := c.typ.String()
		if c.ref != nil {
			typ = displayType
		}
		x.types[p.kind] = append(x.types[p.kind], []string{p.kind, c.header, typ, c.empty})
	}
	return nil
}

// note adds a row to _cells: what a cell cannot say by itself; part is a
// continuation's number, "" for other notes.
func (x *xlsxWriter) note(sheet, id, column, note, value, part string) error {
	s := x.notes[sheet]
	if s == nil {
		var err error
		if s, err = newNoteSpill(x.tmp); err != nil {
			return err
		}
		x.notes[sheet] = s
	}
	return s.add([6]string{sheet, id, column, note, value, part})
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
		if c.target == "" && key[c.header] {
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

// cell writes the cell of value v in column c of a record, and notes in
// _cells what the cell cannot say: an empty cell that means other than the
// column's default, JSON text in a string column, a number's exact text,
// the rest of a text longer than a cell holds. v is of the column's type:
// the columns were learnt from the same records.
func (x *xlsxWriter) cell(sw *sheetOut, kind, id string, col int, c *xcol, v spillValue) error {
	note := func(n, value string) error { return x.note(kind, id, c.header, n, value, "") }
	empty := func(meaning string) error {
		if meaning != c.empty {
			return note(meaning, "")
		}
		return nil
	}
	var text string
	switch {
	case !v.set:
		return empty(emptyAbsent)
	case v.tag == tagNull:
		return empty(emptyNull)
	case c.typ == colInt && v.tag == tagNumber:
		// A canonical integer of 15 digits or fewer is within maxIntCell.
		if len(strings.TrimPrefix(v.text, "-")) <= len(strconv.Itoa(maxIntCell)) {
			sw.number(col, v.text)
			return nil
		}
		text = v.text
	case c.typ == colFloat && v.tag == tagNumber:
		n := json.Number(v.text)
		if ex := exactText(n, false); ex != "" {
			if err := note(noteExact, ex); err != nil {
				return err
			}
		}
		f, _ := finiteFloat(n)
		if !cellHoldsFloat(f) {
			text = v.text
			break
		}
		// excelize's text of a float; a float a cell holds has at most 15 digits
		sw.number(col, strconv.FormatFloat(f, 'f', -1, 64))
		return nil
	case c.typ == colBool && (v.tag == tagTrue || v.tag == tagFalse):
		sw.boolean(col, v.tag == tagTrue)
		return nil
	case c.typ == colString && v.tag == tagString:
		if v.text == "" {
			return empty(emptyString)
		}
		if cellSafe(v.text) {
			text = v.text
			break
		}
		if err := note(noteJSON, ""); err != nil {
			return err
		}
		text = jsonCellText(string(snapshot.Canonical(v.text)))
	case c.typ == colJSON:
		text = jsonCellText(v.json())
	default:
		return fmt.Errorf("a value of tag %d in a %s column", v.tag, c.typ)
	}
	text, more := splitCellText(text)
	for i, m := range more {
		if err := x.note(kind, id, c.header, noteMore, m, strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	sw.text(col, 0, text)
	return nil
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
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if !xmlChar(r) {
					return false
				}
			}
			return utf8.ValidString(s[i:])
		} else if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
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
	return xmlSafe(s) && !strings.ContainsRune(s, '\r') && (!strings.Contains(s, "_") || !ooxmlEscape.MatchString(s))
}

var ooxmlEscape = regexp.MustCompile(`_[xX][0-9a-fA-F]{4}_`)

// jsonCellText is compact JSON s (snapshot.Canonical) as a cell keeps it
// exactly: characters XML cannot carry, and the underscore opening an
// _xHHHH_ look-alike, become \u escapes (possible only inside JSON strings,
// where they are valid).
func jsonCellText(s string) string {
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
	if len(s) <= excelize.TotalCellChars { // no more UTF-16 units than bytes
		return s, nil
	}
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
			cols = append(cols, xcol{header: header, typ: colString, target: r.Target, field: name})
		}
	}
	for _, c := range typed { // id and natural key first (fieldOrder)
		add(c.Name)
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
		if v := r[c.header]; v != nil {
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

// xlsxNames maps the ids of one kind's records to a readable name. What it
// holds of a record is an entry of a flat table, where its name lies in
// the workbook's spill file (issue 12: a map of names took some 60 bytes a
// record, for every kind references point at, until the workbook ended).
type xlsxNames struct {
	at       idtab.Table[spill.Span]
	long     map[string]string // id -> a name too long for the spill (spill.Mark(0))
	spill    *spill.File
	refField string   // the field references use: id, or priorityid
	key      []string // the natural key, which names a record
}

// newXLSXNames indexes a kind's records by the field references use,
// naming each by its natural key, the names in spill.
func newXLSXNames(kind string, names *spill.File) *xlsxNames {
	n := &xlsxNames{spill: names, refField: "id"}
	if k, ok := catalog.Lookup(kind); ok {
		if k.RefField != "" {
			n.refField = k.RefField
		}
		n.key = k.NaturalKey
	}
	return n
}

// add indexes the next record; a nil index takes nothing.
func (n *xlsxNames) add(r snapshot.Record) error {
	if n == nil {
		return nil
	}
	var parts []string
	for _, f := range n.key {
		if s := snapshot.Scalar(r[f]); s != "" {
			parts = append(parts, s)
		}
	}
	id := snapshot.Scalar(r[n.refField])
	if id == "" {
		return nil
	}
	name := strings.Join(parts, " / ")
	at, ok := n.spill.Put([]byte(name))
	if !ok {
		if n.long == nil {
			n.long = map[string]string{}
		}
		n.long[id], at = name, spill.Mark(0)
	}
	n.at.Add(id, at)
	return n.spill.Err()
}

// done ends the index: its table is sorted, so that another goroutine may
// look names up.
func (n *xlsxNames) done() error {
	if n == nil {
		return nil
	}
	n.at.Sort()
	return n.spill.Err()
}

// name is the name of the record id refers to, "" for none.
func (n *xlsxNames) name(id any) (string, error) {
	if n == nil {
		return "", nil
	}
	text := snapshot.Scalar(id)
	switch at := n.at.Find(text); {
	case at == nil:
		return "", nil
	case *at == spill.Mark(0):
		return n.long[text], nil
	default:
		if name := n.spill.Get(*at); name != nil {
			return string(name), nil
		}
		return "", fmt.Errorf("reading back a name: %w", n.spill.Err())
	}
}

// namesOf returns the names of a kind's records, read by now.
func (x *xlsxWriter) namesOf(kind string) *xlsxNames {
	if n, ok := x.names[kind]; ok {
		return n
	}
	return &xlsxNames{}
}
