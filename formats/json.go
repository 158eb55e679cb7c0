package formats

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/snapshot"
)

// JSON writes json/<kind>.json: an array of records sorted by id, keys
// sorted, two-space indent, every value exactly as Halo sent it.
type JSON struct{}

func (JSON) Name() string { return "json" }

func (JSON) Owns(rel string) bool { return strings.HasPrefix(rel, "json/") }

func jsonPath(kind string) string { return path.Join("json", kind+".json") }

func (JSON) Write(src Source, dst Creator) error {
	return src.Kinds(func(kind string, recs Records) error {
		w, err := CreateJSON(dst, kind)
		if err != nil {
			return err
		}
		if err := recs(w.Write); err != nil {
			if errors.Is(err, errUnsorted) {
				// The kind comes again, sorted (Records): the file
				// written so far is taken back for it.
				return w.discard(err)
			}
			w.Close()
			return err
		}
		return w.Close()
	})
}

// JSONKind writes one kind's json/<kind>.json a record at a time, as
// snapshot.MarshalIndent writes the array: the file is never held whole in
// memory, and a writer that fetches records one by one (export) need not
// hold the kind either. Records must come sorted by id.
type JSONKind struct {
	rel string
	f   io.WriteCloser
	w   *bufio.Writer
	b   []byte
	n   int
	err error
}

// CreateJSON starts the file of kind's records in dst.
func CreateJSON(dst Creator, kind string) (*JSONKind, error) {
	rel := jsonPath(kind)
	f, err := dst.Create(rel)
	if err != nil {
		return nil, err
	}
	return &JSONKind{rel: rel, f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// Write adds the next record.
func (w *JSONKind) Write(r snapshot.Record) error {
	if w.err != nil {
		return w.err
	}
	var err error
	if w.b, err = snapshot.AppendIndent(w.b[:0], r, "  ", "  "); err != nil {
		w.err = fmt.Errorf("%s: record %d: %w", w.rel, w.n+1, err)
		return w.err
	}
	sep := ",\n  "
	if w.n == 0 {
		sep = "[\n  "
	}
	w.w.WriteString(sep)
	if _, err := w.w.Write(w.b); err != nil {
		w.err = fmt.Errorf("%s: %w", w.rel, err)
		return w.err
	}
	w.n++
	return nil
}

// discard takes the file back after err, errUnsorted: the kind comes again.
func (w *JSONKind) discard(err error) error {
	w.err = errors.New(w.rel + ": discarded")
	d, ok := w.f.(Discarder)
	if !ok {
		w.f.Close()
		return fmt.Errorf("%s: %v, and the file cannot be taken back to write them sorted", w.rel, err)
	}
	if derr := d.Discard(); derr != nil {
		return fmt.Errorf("%s: %v; taking the file back: %w", w.rel, err, derr)
	}
	return err
}

// Close ends the array and closes the file; the file is complete only when
// it returns nil.
func (w *JSONKind) Close() error {
	err := w.err
	if err == nil {
		end := "\n]\n"
		if w.n == 0 {
			end = "[]\n"
		}
		w.w.WriteString(end)
		if err = w.w.Flush(); err != nil {
			err = fmt.Errorf("%s: %w", w.rel, err)
		}
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if w.err == nil {
		w.err = errors.New(w.rel + ": closed")
	}
	return err
}

func (x JSON) Each(dir string, fn func(kind string, recs []snapshot.Record) error) error {
	return eachOf(x, dir, fn)
}

func (JSON) Stream(dir string, fn func(kind string, recs Records) error) error {
	return streamFiles(dir, fn, jsonPath, func(rel, _ string) Records { return jsonRecords(dir, rel) })
}

func decodeJSONRecords(r io.Reader) ([]snapshot.Record, error) {
	recs := []snapshot.Record{}
	err := decodeJSONEach(r, func(rec snapshot.Record) error {
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}

// decodeJSONEach decodes a JSON array of records, handing each to fn as
// it comes, in the file's order. The cutter finds where each record ends
// without decoding it; snapshot.DecodeRecord then reads the record once,
// checking all of its syntax.
func decodeJSONEach(r io.Reader, fn func(snapshot.Record) error) error {
	c := &cutter{r: r, buf: make([]byte, 256<<10)}
	for n := 1; ; n++ {
		raw, err := c.next()
		if err != nil {
			return fmt.Errorf("not a JSON array of records: %w", err)
		}
		if raw == nil {
			return nil
		}
		rec, err := snapshot.DecodeRecord(raw)
		if err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// cutter cuts a JSON array into the text of its elements. It checks the
// array's brackets and commas, and finds where an element ends by its
// brackets, skipping strings: what is inside is for the decoder to check.
type cutter struct {
	r        io.Reader
	buf      []byte
	pos, end int   // buf[pos:end] is read and not yet cut
	err      error // r's, once it has nothing more (io.EOF at the end)
	state    int   // cutStart, cutFirst, cutNext or cutDone
}

const (
	cutStart = iota // before the [
	cutFirst        // after the [
	cutNext         // after an element
	cutDone         // after the ]
)

// next returns the text of the next element, valid until the next call,
// or nil after the last.
func (c *cutter) next() ([]byte, error) {
	b, ok := c.peek()
	switch c.state {
	case cutStart:
		if !ok {
			return nil, c.ended()
		}
		if b != '[' {
			return nil, fmt.Errorf("starts with %q, not [", b)
		}
		c.pos++
		c.state = cutFirst
		if b, ok = c.peek(); ok && b == ']' {
			return c.close()
		}
	case cutNext:
		if ok && b == ']' {
			return c.close()
		}
		if !ok || b != ',' {
			return nil, c.unexpected(ok, b, "after a record")
		}
		c.pos++
		b, ok = c.peek()
	case cutDone:
		return nil, nil
	}
	if !ok || b == ',' || b == ']' || b == '}' {
		return nil, c.unexpected(ok, b, "where a record should start")
	}
	c.state = cutNext
	return c.element()
}

func (c *cutter) close() ([]byte, error) {
	c.pos++
	c.state = cutDone
	if _, ok := c.peek(); ok {
		return nil, errors.New("unexpected data after the JSON value")
	}
	if c.err != io.EOF {
		return nil, c.err
	}
	return nil, nil
}

func (c *cutter) ended() error {
	if c.err != io.EOF {
		return c.err
	}
	return io.ErrUnexpectedEOF
}

func (c *cutter) unexpected(ok bool, b byte, where string) error {
	if !ok {
		return c.ended()
	}
	return fmt.Errorf("invalid character %q %s", b, where)
}

// element cuts the element at pos: up to the bracket that closes it, or
// for a scalar up to the next comma, bracket or blank.
func (c *cutter) element() ([]byte, error) {
	depth, i, inString := 0, 0, false
	for {
		for c.pos+i < c.end {
			if inString {
				// The closing quote is the next one after an even run of
				// backslashes.
				k := bytes.IndexByte(c.buf[c.pos+i:c.end], '"')
				if k < 0 {
					i = c.end - c.pos
					break
				}
				i += k
				escaped := false
				for j := c.pos + i - 1; c.buf[j] == '\\'; j-- {
					escaped = !escaped
				}
				if i++; escaped {
					continue
				}
				inString = false
				if depth == 0 {
					return c.cut(i), nil
				}
				continue
			}
			if depth > 0 {
				// Inside an element only strings and brackets matter: skip
				// the rest (mostly the indent) at speed.
				rest := c.buf[c.pos+i : c.end]
				k := 0
				for k < len(rest) && !bracketOrQuote[rest[k]] {
					k++
				}
				if i += k; k == len(rest) {
					break
				}
			}
			switch c.buf[c.pos+i] {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 {
					return c.cut(i), nil
				}
				if depth--; depth == 0 {
					return c.cut(i + 1), nil
				}
			case ',', ' ', '\t', '\n', '\r':
				if depth == 0 {
					return c.cut(i), nil
				}
			}
			i++
		}
		if !c.more() {
			if depth == 0 && !inString && c.err == io.EOF {
				return c.cut(i), nil // a scalar at the end: the missing ] is found next
			}
			return nil, c.ended()
		}
	}
}

var bracketOrQuote = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

func (c *cutter) cut(n int) []byte {
	b := c.buf[c.pos : c.pos+n]
	c.pos += n
	return b
}

// peek returns the next byte that is not a blank, leaving it unread.
func (c *cutter) peek() (byte, bool) {
	for {
		for ; c.pos < c.end; c.pos++ {
			switch b := c.buf[c.pos]; b {
			case ' ', '\t', '\n', '\r':
			default:
				return b, true
			}
		}
		if !c.more() {
			return 0, false
		}
	}
}

// more reads more of r into buf, keeping what is not cut yet (at the start
// of buf: pos moves to 0), growing buf when that fills it. It reports
// whether anything was read.
func (c *cutter) more() bool {
	if c.err != nil {
		return false
	}
	if c.pos > 0 {
		c.end = copy(c.buf, c.buf[c.pos:c.end])
		c.pos = 0
	}
	if c.end == len(c.buf) {
		c.buf = slices.Grow(c.buf, len(c.buf))[:2*len(c.buf)]
	}
	for {
		n, err := c.r.Read(c.buf[c.end:])
		c.end += n
		if err != nil {
			c.err = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
}

// jsonRecords streams a kind's file, decoding it anew on each run, in the
// order of the file; it never holds the file's text whole.
func jsonRecords(dir, rel string) Records {
	return func(yield func(snapshot.Record) error) error {
		f, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
		if err != nil {
			return err
		}
		defer f.Close()
		ours := true
		err = decodeJSONEach(io.LimitReader(f, snapshot.MaxFileBytes+1), func(rec snapshot.Record) error {
			err := yield(rec)
			ours = err == nil
			return err
		})
		if err != nil && ours { // the file's, not the writer's: name the file
			err = fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(rel)), err)
		}
		return err
	}
}
