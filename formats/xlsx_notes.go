package formats

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// workbookNotes are the rows of a workbook's _cells sheet, read once and
// kept in a temporary file per kind: the notes of a large snapshot (long
// texts' continuations, exact numbers) grow with its records and need not
// sit in memory. When a kind's sheet is read, its file is indexed by record
// id: the reader holds where each record's notes are, not the notes, and
// takes no order of the rows for granted (halocfg writes them kind by kind,
// in the sheets' order, but an analyst may sort or edit _cells).
//
// Each row in a file is its row number in _cells and its part (uvarints, 0
// for none), then its id, column, note and value, each its length (uvarint)
// and bytes.
type workbookNotes struct {
	tmp   string
	kinds map[string]*kindNotes
}

// kindNotes is the file of one kind's notes.
type kindNotes struct {
	f    *os.File
	w    *bufio.Writer // while _cells is read
	size int64
}

func newWorkbookNotes(tmp string) *workbookNotes {
	return &workbookNotes{tmp: tmp, kinds: map[string]*kindNotes{}}
}

// add keeps row n of _cells, a note of kind; part is a continuation's
// number, 0 for none.
func (w *workbookNotes) add(kind string, n, part int, id, column, note, value string) error {
	k := w.kinds[kind]
	if k == nil {
		f, err := os.CreateTemp(w.tmp, "notes-*")
		if err != nil {
			return err
		}
		k = &kindNotes{f: f, w: bufio.NewWriter(f)}
		w.kinds[kind] = k
	}
	var b [binary.MaxVarintLen64]byte
	put := func(v string) error {
		m, err := k.w.WriteString(v)
		k.size += int64(m)
		return err
	}
	for _, v := range [...]int{n, part} {
		if err := put(string(b[:binary.PutUvarint(b[:], uint64(v))])); err != nil {
			return err
		}
	}
	for _, v := range [...]string{id, column, note, value} {
		if err := put(string(b[:binary.PutUvarint(b[:], uint64(len(v)))])); err != nil {
			return err
		}
		if err := put(v); err != nil {
			return err
		}
	}
	return nil
}

// done ends the reading of _cells: every file is written out, and from
// then on only read (by ReadAt, so kinds may be read at once).
func (w *workbookNotes) done() error {
	for _, k := range w.kinds {
		if err := k.w.Flush(); err != nil {
			return err
		}
		k.w = nil
	}
	return nil
}

// close removes the temporary files (inTempDir removes their directory anyway).
func (w *workbookNotes) close() {
	for kind, k := range w.kinds {
		k.f.Close()
		os.Remove(k.f.Name())
		delete(w.kinds, kind)
	}
}

// noteRow is a row of _cells read back.
type noteRow struct {
	n, part                 int
	id, column, note, value string
}

// decodeNoteRow decodes the row at the start of b, returning the rest.
func decodeNoteRow(b []byte) (noteRow, []byte, error) {
	var r noteRow
	for _, v := range [...]*int{&r.n, &r.part} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > excelize.TotalRows {
			return r, nil, errors.New("reading back _cells: a row or part number out of range")
		}
		*v, b = int(n), b[k:]
	}
	for _, s := range [...]*string{&r.id, &r.column, &r.note, &r.value} {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return r, nil, errors.New("reading back _cells: a row cut short")
		}
		*s, b = string(b[k:k+int(l)]), b[k+int(l):]
	}
	return r, b, nil
}

// span is where rows of one record's notes lie in its kind's file.
type span struct{ off, n int64 }

// notesIndex is where each record's notes are in a kind's file.
type notesIndex struct {
	kind string
	k    *kindNotes
	at   map[string][]span // by record id, in the order of _cells
	buf  []byte
}

// index reads the notes of kind through once, learning where each
// record's are. A kind without notes has an empty index.
func (w *workbookNotes) index(kind string) (*notesIndex, error) {
	x := &notesIndex{kind: kind, k: w.kinds[kind], at: map[string][]span{}}
	if x.k == nil {
		return x, nil
	}
	r := &offsetReader{r: bufio.NewReader(io.NewSectionReader(x.k.f, 0, x.k.size))}
	var id []byte
	for r.off < x.k.size {
		start := r.off
		// the row and part numbers, then the id; the rest is skipped
		for range 2 {
			if _, err := binary.ReadUvarint(r); err != nil {
				return nil, fmt.Errorf("reading back _cells: %w", err)
			}
		}
		for i := range 4 {
			l, err := binary.ReadUvarint(r)
			if err != nil || l > uint64(x.k.size-r.off) {
				return nil, fmt.Errorf("reading back _cells: a row cut short (%v)", err)
			}
			if i == 0 {
				id = append(id[:0], make([]byte, l)...)
				_, err = io.ReadFull(r, id)
			} else {
				_, err = r.r.Discard(int(l))
				r.off += int64(l)
			}
			if err != nil {
				return nil, fmt.Errorf("reading back _cells: %w", err)
			}
		}
		spans := x.at[string(id)]
		if last := len(spans) - 1; last >= 0 && spans[last].off+spans[last].n == start {
			spans[last].n += r.off - start
		} else {
			spans = append(spans, span{start, r.off - start})
		}
		x.at[string(id)] = spans
	}
	return x, nil
}

// offsetReader counts what it read.
type offsetReader struct {
	r   *bufio.Reader
	off int64
}

func (o *offsetReader) ReadByte() (byte, error) {
	b, err := o.r.ReadByte()
	if err == nil {
		o.off++
	}
	return b, err
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	o.off += int64(n)
	return n, err
}

// of returns the notes of the record id by column. Two notes of one
// meaning for a cell (two exact texts, two empty-cell meanings, json
// twice) are an error naming both rows: which one to take is a guess.
// Continuations (more) are many by design, taken in the order of their
// parts (moreInOrder).
func (x *notesIndex) of(id string) (map[string]*cellNotes, error) {
	spans := x.at[id]
	if len(spans) == 0 {
		return nil, nil
	}
	cells := map[string]*cellNotes{}
	for _, s := range spans {
		x.buf = slices.Grow(x.buf[:0], int(s.n))[:s.n]
		if _, err := x.k.f.ReadAt(x.buf, s.off); err != nil {
			return nil, fmt.Errorf("reading back _cells: %w", err)
		}
		for b := x.buf; len(b) > 0; {
			var r noteRow
			var err error
			if r, b, err = decodeNoteRow(b); err != nil {
				return nil, err
			}
			c := cells[r.column]
			if c == nil {
				c = &cellNotes{}
				cells[r.column] = c
			}
			if err := c.add(x.kind, r); err != nil {
				return nil, err
			}
		}
	}
	for _, column := range slices.Sorted(maps.Keys(cells)) { // the same error every run
		if err := cells[column].moreInOrder(x.kind, id, column); err != nil {
			return nil, err
		}
	}
	return cells, nil
}

// add takes row r of _cells, a note of the cell c of kind's sheet.
func (c *cellNotes) add(kind string, r noteRow) error {
	var first *int
	was := r.note
	switch r.note {
	case emptyNull, emptyString, emptyAbsent:
		first, was, c.empty = &c.emptyRow, c.empty, r.note
	case noteJSON:
		first, c.json = &c.jsonRow, true
	case noteExact:
		first, c.exact = &c.exactRow, r.value
	case noteMore:
		c.more = append(c.more, moreNote{r.n, r.part, r.value})
		return nil
	default: // checked as _cells was read
		return badNote(r.n, r.note)
	}
	if *first != 0 {
		return fmt.Errorf("sheet %q, row %d: a second note %s for sheet %q, id %s, column %s (row %d notes %s): which one holds is a guess", cellsSheet, r.n, quote(r.note), kind, r.id, quote(r.column), *first, quote(was))
	}
	*first = r.n
	return nil
}

func badNote(n int, note string) error {
	return fmt.Errorf("sheet %q, row %d, column \"note\": %s is not a note halocfg writes", cellsSheet, n, quote(note))
}

// moreNote is a continuation of a long text: its row of _cells, its part
// (0 in a workbook written before parts were) and its text.
type moreNote struct {
	n, part int
	value   string
}

// moreInOrder puts the continuations of the cell of sheet kind, record id,
// in the order of their parts, 1, 2 and on; a workbook written before parts
// were has none, and its continuations stay in the order of _cells. Parts
// that repeat, leave a gap or stand beside a continuation without one are
// an error naming the rows: the text's order would be a guess.
func (c *cellNotes) moreInOrder(kind, id, column string) error {
	if len(c.more) == 0 {
		return nil
	}
	cell := fmt.Sprintf("the text of sheet %q, id %s, column %s", kind, id, quote(column))
	var numbered, not *moreNote
	for i := range c.more {
		if m := &c.more[i]; m.part == 0 {
			not = cmp.Or(not, m)
		} else {
			numbered = cmp.Or(numbered, m)
		}
	}
	if numbered == nil {
		return nil
	}
	if not != nil {
		return fmt.Errorf("sheet %q, row %d: a continuation of %s without a part, and row %d is part %d: their order is a guess", cellsSheet, not.n, cell, numbered.n, numbered.part)
	}
	slices.SortStableFunc(c.more, func(a, b moreNote) int { return cmp.Compare(a.part, b.part) })
	for i, m := range c.more {
		if i > 0 && m.part == c.more[i-1].part {
			return fmt.Errorf("sheet %q, row %d: part %d of %s again (row %d is part %d): which one holds is a guess", cellsSheet, m.n, m.part, cell, c.more[i-1].n, m.part)
		}
		if m.part != i+1 {
			return fmt.Errorf("sheet %q, row %d: part %d of %s, but no part %d: a continuation is missing", cellsSheet, m.n, m.part, cell, i+1)
		}
	}
	return nil
}

// text is the cell's text, head, with its continuations.
func (c *cellNotes) text(head string) string {
	if len(c.more) == 0 {
		return head
	}
	var b strings.Builder
	n := len(head)
	for _, m := range c.more {
		n += len(m.value)
	}
	b.Grow(n)
	b.WriteString(head)
	for _, m := range c.more {
		b.WriteString(m.value)
	}
	return b.String()
}
