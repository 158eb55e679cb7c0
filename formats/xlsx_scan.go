package formats

// The scan of a workbook's XML before excelize reads it: see xlsxLimits.

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html/charset"
)

// limitError is a limit a part's XML went over.
type limitError struct{ what string }

func (e *limitError) Error() string { return e.what }

// tokenLimiter passes XML through, failing on any token longer than max bytes:
// a tag with the text after it (what lies between two '<' that open markup),
// a comment, a CDATA section or a processing instruction. encoding/xml holds
// a whole token in memory, whatever its length. A document type declaration
// (OOXML has none; a picture's bytes may look like one) makes the rest of
// the part one token, held to max.
type tokenLimiter struct {
	r     io.Reader
	max   int64
	run   int64  // bytes of the current token
	state int    // inText, inOpen, ...
	head  []byte // bytes after '<', to tell what it opens
	tail  [2]byte
}

const (
	inText = iota
	inOpen
	inComment
	inCDATA
	inPI
	inDirective
)

func (t *tokenLimiter) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n && t.run <= t.max; i++ {
		if t.state == inText {
			j := bytes.IndexByte(p[i:n], '<')
			if j < 0 {
				t.run += int64(n - i)
				break
			}
			t.run += int64(j)
			i += j
			if t.run > t.max {
				break
			}
			t.run, t.state, t.head = 1, inOpen, t.head[:0]
			continue
		}
		c := p[i]
		t.run++
		if t.state == inOpen {
			t.head = append(t.head, c)
			switch h := string(t.head); {
			case h == "?":
				t.state = inPI
			case h == "!--":
				t.state = inComment
			case h == "![CDATA[":
				t.state = inCDATA
			case h[0] != '!':
				t.state = inText
			case !strings.HasPrefix("!--", h) && !strings.HasPrefix("![CDATA[", h):
				t.state = inDirective
			}
			t.tail = [2]byte{}
			continue
		}
		if c == '>' && (t.state == inComment && t.tail == [2]byte{'-', '-'} ||
			t.state == inCDATA && t.tail == [2]byte{']', ']'} || t.state == inPI && t.tail[1] == '?') {
			t.state = inText
		}
		t.tail = [2]byte{t.tail[1], c}
	}
	if t.run > t.max {
		return 0, &limitError{fmt.Sprintf("an XML token (a tag and its text, or a comment) longer than %s", byteSize(t.max))}
	}
	return n, err
}

// xmlTokens are a part's XML tokens, within the limits on tokens and depth.
type xmlTokens interface {
	// next returns a *xml.StartElement, *xml.EndElement or *xml.CharData
	// (or another token, as a value), valid until the next call; io.EOF at the end
	next() (xml.Token, error)
	level() int // elements open
}

// partScan reads a part's tokens: with plainXML, or with encoding/xml.
type partScan struct {
	xmlTokens
	rc io.ReadCloser
}

func (p *xlsxPackage) partScan(part string, plain bool, attrsOf func(string) bool) (*partScan, error) {
	rc, err := p.parts[part].Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.describe(part), err)
	}
	if plain {
		return &partScan{newPlainXML(rc, int(p.l.token), p.l.depth, attrsOf), rc}, nil
	}
	dec := xml.NewDecoder(&tokenLimiter{r: rc, max: p.l.token, head: make([]byte, 0, 9)})
	dec.CharsetReader = charset.NewReaderLabel // as excelize reads a part in another encoding
	// Only XML parts must be well formed; a picture's bytes are scanned for
	// their cost alone.
	xmlPart := strings.HasSuffix(part, ".xml") || strings.HasSuffix(part, ".rels") || strings.HasSuffix(part, ".vml")
	return &partScan{&stdXML{dec: dec, max: p.l.depth, strict: xmlPart}, rc}, nil
}

func (s *partScan) close() { s.rc.Close() }

// plainFirst scans a part with fn, first with plainXML where the part is one
// spreadsheet programs write plainly (a sheet or the shared strings), again
// with encoding/xml if plainXML gives up. undo forgets what the first try
// did. A part plainXML gave up on once is read with encoding/xml from then on.
func (p *xlsxPackage) plainFirst(part string, attrsOf func(string) bool, fn func(*partScan) error, undo func()) error {
	_, named := p.names[part]
	for _, plain := range []bool{(named || part == sstName) && !p.notPlain[part], false} {
		text := p.text
		s, err := p.partScan(part, plain, attrsOf)
		if err != nil {
			return err
		}
		err = fn(s)
		s.close()
		if !errors.Is(err, errNotPlain) {
			return err
		}
		p.text = text
		p.notPlain[part] = true
		undo()
	}
	return nil
}

// stdXML is encoding/xml's RawToken with limits on tokens and depth.
type stdXML struct {
	dec    *xml.Decoder
	depth  int
	max    int
	strict bool // refuse what is not well formed; else stop there (io.EOF)
	st     xml.StartElement
	et     xml.EndElement
	cd     xml.CharData
}

func (s *stdXML) level() int { return s.depth }

// next refuses XML that is not well formed (invalid UTF-8, a broken tag,
// a part cut short). excelize stops reading a sheet there without an error,
// which would lose the rows after it without a word.
func (s *stdXML) next() (xml.Token, error) {
	t, err := s.dec.RawToken()
	var syntax *xml.SyntaxError
	switch {
	case !s.strict && (errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF)):
		return nil, io.EOF
	case errors.As(err, &syntax):
		return nil, fmt.Errorf("not well-formed XML at line %d: %s", syntax.Line, syntax.Msg)
	case errors.Is(err, io.ErrUnexpectedEOF), err == io.EOF && s.strict && s.depth > 0:
		return nil, errors.New("not well-formed XML: it ends inside an element")
	}
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		if s.depth++; s.depth > s.max {
			return nil, &limitError{fmt.Sprintf("elements nested more than %d deep", s.max)}
		}
		s.st = t
		return &s.st, nil
	case xml.EndElement:
		s.depth--
		s.et = t
		return &s.et, nil
	case xml.CharData:
		s.cd = t
		return &s.cd, nil
	}
	return t, nil
}

// units is the length of text in UTF-16 units, as spreadsheets count it.
func units(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		n += utf16.RuneLen(r)
		b = b[size:]
	}
	return n
}

// scanSST records the length of each shared string, so that a sheet's
// references can be charged before excelize resolves them. excelize reads
// the strings either whole (the <si> children of the root) or by looking
// for <si> anywhere: a table where the two differ is refused.
func (p *xlsxPackage) scanSST() error {
	if _, ok := p.parts[sstName]; !ok {
		return nil
	}
	noAttrs := func(string) bool { return false }
	return p.plainFirst(sstName, noAttrs, p.sstStrings, func() { p.sst = p.sst[:0] })
}

func (p *xlsxPackage) sstStrings(s *partScan) error {
	maxItems := p.budget / 32
	var item int64 // bytes of the current string
	var itemUnits int
	in := false
	for {
		t, err := s.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("shared strings, string %d: %w", len(p.sst)+1, err)
		}
		switch t := t.(type) {
		case *xml.StartElement:
			if t.Name.Local != "si" {
				continue
			}
			if in || s.level() != 2 {
				return fmt.Errorf("shared strings, string %d: a string (<si>) nested in another element", len(p.sst)+1)
			}
			if int64(len(p.sst)) >= maxItems {
				return fmt.Errorf("shared strings: more than %d strings, the most halocfg reads from a file of its size (one per 32 bytes of %s)",
					maxItems, p.l.budgetText(p.size))
			}
			in, item, itemUnits = true, 0, 0
		case *xml.EndElement:
			if in && s.level() == 1 {
				in = false
				p.sst = append(p.sst, uint32(item))
			}
		case *xml.CharData:
			if !in {
				continue
			}
			item += int64(len(*t))
			if itemUnits += units(*t); itemUnits > excelize.TotalCellChars {
				return fmt.Errorf("shared strings, string %d: more than %d characters, the most a cell holds", len(p.sst)+1, excelize.TotalCellChars)
			}
		}
	}
}

// scanCell is what a sheet scan learns of a cell.
type scanCell struct {
	col   int
	typ   string // its t attribute
	value string // its value as excelize reads it raw; only when the scan reads values
}

// scanRow is what a sheet scan learns of a row.
type scanRow struct {
	n     int
	cells []scanCell
}

// sheetScan walks a sheet's rows as excelize's Rows iterator does: a <row>
// is row r, or the row after the last; a <c> is in column r, or the column
// after the last; all until the next <row> belongs to the row.
type sheetScan struct {
	*partScan
	p      *xlsxPackage
	part   string
	charge bool // charge text to the budget and check cell lengths
	row    scanRow
	ahead  *xml.StartElement // a <row> read ahead: &rowEl, or nil
	rowEl  xml.StartElement  // (a copy here, not of each token on the heap)
	done   bool
	// the cell being read
	cell    int // index in row.cells, or -1
	units   int // UTF-16 units of its value
	vals    int // <v> elements
	inValue int // depth of the <v> or <is> being read, or 0
	inV     int // depth of the <v> being read, or 0
	vText   []byte
	nested  bool // elements inside a <v>
	// values: the scan reads the cells' values (readSheet), not only their cost
	values bool
	is     richText // the cell's inline string
	sst    *sstTable
}

func cellAttrs(local string) bool { return local == "row" || local == "c" }

func newSheetScan(p *xlsxPackage, part string, s *partScan, charge bool) *sheetScan {
	return &sheetScan{partScan: s, p: p, part: part, charge: charge, cell: -1}
}

// checkSheet scans a part as a sheet, charging its text to the budget.
func (p *xlsxPackage) checkSheet(part string) error {
	return p.plainFirst(part, cellAttrs, func(ps *partScan) error {
		s := newSheetScan(p, part, ps, true)
		for {
			row, err := s.next()
			if err != nil || row == nil {
				return err
			}
		}
	}, func() {})
}

// fail names the sheet (or part), row and column err is about.
func (s *sheetScan) fail(err error) error {
	where := s.p.describe(s.part)
	switch {
	case s.row.n == 0:
		return fmt.Errorf("%s: %w", where, err)
	case s.cell < 0:
		return fmt.Errorf("%s, row %d: %w", where, s.row.n, err)
	}
	return fmt.Errorf("%s, row %d, column %s: %w", where, s.row.n, colLetter(s.row.cells[s.cell].col-1), err)
}

// lastAttr is the value of the last attribute named local, the one excelize reads.
func lastAttr(e *xml.StartElement, local string) (string, bool) {
	v, ok := "", false
	for _, a := range e.Attr {
		if a.Name.Local == local {
			v, ok = a.Value, true
		}
	}
	return v, ok
}

// next returns the next row that has a <row> element, or nil after the last.
func (s *sheetScan) next() (*scanRow, error) {
	start := s.ahead
	for start == nil && !s.done {
		t, err := s.partScan.next()
		if err == io.EOF {
			s.done = true
		} else if err != nil {
			return nil, s.fail(err)
		}
		switch t := t.(type) {
		case *xml.StartElement:
			if t.Name.Local == "row" {
				s.rowEl = *t
				start = &s.rowEl
			}
		case *xml.EndElement:
			s.done = t.Name.Local == "sheetData"
		}
	}
	if start == nil {
		return nil, nil
	}
	s.ahead = nil
	if err := s.startRow(start); err != nil {
		return nil, err
	}
	for !s.done {
		t, err := s.partScan.next()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			return nil, s.fail(err)
		}
		switch t := t.(type) {
		case *xml.StartElement:
			if t.Name.Local == "row" {
				s.rowEl = *t
				s.ahead = &s.rowEl
				return s.endRow()
			}
			err = s.start(t)
		case *xml.EndElement:
			s.done = t.Name.Local == "sheetData"
			err = s.end(*t)
		case *xml.CharData:
			err = s.charData(*t)
		}
		if err != nil {
			return nil, s.fail(err)
		}
	}
	return s.endRow()
}

func (s *sheetScan) startRow(e *xml.StartElement) error {
	n := s.row.n + 1
	if r, ok := lastAttr(e, "r"); ok {
		v, err := strconv.Atoi(r)
		if err != nil || v < 0 {
			return fmt.Errorf("%s: row number %q after row %d is not a row number", s.p.describe(s.part), r, s.row.n)
		}
		if v != 0 {
			n = v
		}
	}
	switch {
	case n > excelize.TotalRows:
		return fmt.Errorf("%s: row %d: a sheet has at most %d rows", s.p.describe(s.part), n, excelize.TotalRows)
	case n <= s.row.n:
		return fmt.Errorf("%s: row %d comes after row %d; rows must be in ascending order", s.p.describe(s.part), n, s.row.n)
	}
	s.row = scanRow{n: n, cells: s.row.cells[:0]}
	s.cell = -1
	return nil
}

// start handles an element inside a row. Every <c> starts a cell, even one
// inside another: excelize may take it for one.
func (s *sheetScan) start(e *xml.StartElement) error {
	switch e.Name.Local {
	case "c":
		if err := s.endCell(); err != nil {
			return err
		}
		col := 1
		if len(s.row.cells) > 0 {
			col = s.row.cells[len(s.row.cells)-1].col + 1
		}
		if r, ok := lastAttr(e, "r"); ok && r != "" {
			c, _, err := excelize.CellNameToCoordinates(r)
			if err != nil {
				return err
			}
			if c < col {
				return fmt.Errorf("cell %s comes after column %s; cells must be in ascending order", r, colLetter(col-2))
			}
			col = c
		}
		if col > excelize.MaxColumns {
			return fmt.Errorf("a row has at most %d columns", excelize.MaxColumns)
		}
		typ, _ := lastAttr(e, "t")
		s.row.cells = append(s.row.cells, scanCell{col: col, typ: typ})
		s.cell, s.units, s.vals, s.inValue, s.inV, s.nested = len(s.row.cells)-1, 0, 0, 0, 0, false
		s.vText = s.vText[:0]
		s.is.reset()
	case "v", "is":
		if s.cell >= 0 && s.inValue == 0 {
			s.inValue = s.level()
			if e.Name.Local == "v" {
				s.inV, s.vals = s.level(), s.vals+1
				s.vText = s.vText[:0]
			} else {
				s.is.open(s.level())
			}
			return nil
		}
		s.nested = s.nested || s.inV != 0
	default:
		s.nested = s.nested || s.inV != 0
		s.is.start(e.Name.Local, s.level())
	}
	return nil
}

func (s *sheetScan) end(e xml.EndElement) error {
	s.is.end(s.level())
	if s.inValue != 0 && s.level() < s.inValue {
		s.inValue, s.inV = 0, 0
		return nil
	}
	if e.Name.Local == "c" {
		return s.endCell()
	}
	return nil
}

func (s *sheetScan) charData(b xml.CharData) error {
	if err := s.spend(int64(len(b))); err != nil {
		return err
	}
	if s.cell < 0 || s.inValue == 0 {
		return nil
	}
	if s.inV == s.level() { // excelize reads a <v> as its own text, not its children's
		s.vText = append(s.vText, b...)
	}
	if s.values {
		s.is.charData(b, s.level())
	}
	if s.units += units(b); s.units > excelize.TotalCellChars && s.charge {
		return fmt.Errorf("the cell holds more than %d characters, the most a cell holds", excelize.TotalCellChars)
	}
	return nil
}

// endCell charges a cell with a value cellCost, and a shared-string cell
// the string it references: the one excelize resolves, or, for a value that
// is not plain (two <v>, elements inside <v>), the longest.
func (s *sheetScan) endCell() error {
	if s.cell < 0 {
		return nil
	}
	cost := int64(0)
	if s.units > 0 {
		cost = s.p.l.cellCost
	}
	if s.row.cells[s.cell].typ == "s" {
		var n uint32
		if i, err := strconv.Atoi(strings.TrimSpace(string(s.vText))); s.vals == 1 && !s.nested && err == nil {
			if i >= 0 && i < len(s.p.sst) {
				n = s.p.sst[i]
			}
		} else {
			for _, l := range s.p.sst {
				n = max(n, l)
			}
		}
		cost += int64(n)
	}
	if err := s.spend(cost); err != nil {
		return err // s.cell still names the cell
	}
	if s.values {
		v, err := s.value(s.row.cells[s.cell].typ)
		if err != nil {
			return err
		}
		s.row.cells[s.cell].value = v
	}
	s.cell = -1
	return nil
}

// value is the cell's value as excelize's Rows reads it with RawCellValue:
// a shared string's text, an inline string's, otherwise the last <v>'s
// text as it stands.
func (s *sheetScan) value(typ string) (string, error) {
	switch {
	case typ == "s" && len(s.vText) > 0:
		i, _ := strconv.Atoi(strings.TrimSpace(string(s.vText))) // excelize takes what is not a number for 0
		return s.sst.at(i)
	case typ == "inlineStr" && s.is.seen:
		return bstrUnmarshal(string(s.is.text)), nil
	}
	return string(s.vText), nil
}

// spend charges n bytes of cell text to the budget.
func (s *sheetScan) spend(n int64) error {
	if !s.charge {
		return nil
	}
	if s.p.text -= n; s.p.text < 0 {
		return &limitError{fmt.Sprintf("the workbook's cells cost more than %s (their text, plus %d bytes each), the most halocfg reads from a file of its size (%s)",
			byteSize(s.p.budget), s.p.l.cellCost, s.p.l.budgetText(s.p.size))}
	}
	return nil
}

func (s *sheetScan) endRow() (*scanRow, error) {
	if err := s.endCell(); err != nil {
		return nil, s.fail(err)
	}
	return &s.row, nil
}
