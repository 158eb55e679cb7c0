package formats

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/halocfg/halocfg/snapshot"
)

// noteSpill holds the rows of _cells in a temporary file until every kind
// sheet is written: the sheet's dimension, which opens its XML, needs their
// count, and the notes of a large snapshot (long text, exact numbers) need
// not sit in memory meanwhile. Each row is six strings, each its length
// (uvarint) and bytes.
type noteSpill struct {
	f *os.File
	w *bufio.Writer
	n int // rows added
}

func newNoteSpill(dir string) (*noteSpill, error) {
	f, err := os.CreateTemp(dir, "cells-*")
	if err != nil {
		return nil, err
	}
	return &noteSpill{f: f, w: bufio.NewWriter(f)}, nil
}

func (s *noteSpill) add(row [6]string) error {
	var b [binary.MaxVarintLen64]byte
	for _, v := range row {
		if _, err := s.w.Write(b[:binary.PutUvarint(b[:], uint64(len(v)))]); err != nil {
			return err
		}
		if _, err := s.w.WriteString(v); err != nil {
			return err
		}
	}
	s.n++
	return nil
}

// each calls fn with every row, in the order they were added.
func (s *noteSpill) each(fn func([6]string) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReader(s.f)
	for i := 0; i < s.n; i++ {
		var row [6]string
		for j := range row {
			n, err := binary.ReadUvarint(r)
			if err != nil {
				return fmt.Errorf("reading back note %d: %w", i+1, err)
			}
			if n > parquetMaxCellBytes { // what the spill holds is what add wrote; a bound all the same
				return fmt.Errorf("reading back note %d: %d bytes", i+1, n)
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return fmt.Errorf("reading back note %d: %w", i+1, err)
			}
			row[j] = string(b)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// close removes the temporary file (inTempDir removes its directory anyway).
func (s *noteSpill) close() error {
	return errors.Join(s.f.Close(), os.Remove(s.f.Name()))
}

// kindSpill holds a kind's records in a temporary file from the one read of
// the kind, which learns its columns, until its sheet is written: a source
// is read once (a JSON kind decoded once, not once to learn and once to
// write), and a sheet whose display columns name records of a kind that
// comes later waits for that kind's names without holding its records.
//
// Each record is its length (uvarint) and its fields, each its field's
// number (uvarint, in order of first appearance), a tag and, for numbers,
// strings and nested values, the length (uvarint) and bytes of the number's
// text, the string, or the value's canonical JSON.
type kindSpill struct {
	f      *os.File
	w      *bufio.Writer
	ids    map[string]int
	fields []string // by number
	n      int      // records added
	buf    []byte
	json   []byte
}

// Tags of the values in a kindSpill.
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagNumber
	tagString
	tagJSON // a nested value, as canonical JSON
)

func newKindSpill(dir string) (*kindSpill, error) {
	f, err := os.CreateTemp(dir, "kind-*")
	if err != nil {
		return nil, err
	}
	return &kindSpill{f: f, w: bufio.NewWriterSize(f, 256<<10), ids: map[string]int{}}, nil
}

func (s *kindSpill) add(r snapshot.Record) error {
	b := binary.AppendUvarint(s.buf[:0], uint64(len(r)))
	text := func(tag byte, v string) {
		b = append(b, tag)
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	for name, v := range r {
		id, ok := s.ids[name]
		if !ok {
			id = len(s.fields)
			s.ids[name] = id
			s.fields = append(s.fields, name)
		}
		b = binary.AppendUvarint(b, uint64(id))
		switch v := v.(type) {
		case nil:
			b = append(b, tagNull)
		case bool:
			if v {
				b = append(b, tagTrue)
			} else {
				b = append(b, tagFalse)
			}
		case json.Number:
			text(tagNumber, string(v))
		case string:
			text(tagString, v)
		default:
			s.json = snapshot.AppendCanonical(s.json[:0], v)
			b = append(b, tagJSON)
			b = binary.AppendUvarint(b, uint64(len(s.json)))
			b = append(b, s.json...)
		}
	}
	s.buf = b
	var head [binary.MaxVarintLen64]byte
	if _, err := s.w.Write(head[:binary.PutUvarint(head[:], uint64(len(b)))]); err != nil {
		return err
	}
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	s.n++
	return nil
}

// spillValue is a field of a record read back from a kindSpill.
type spillValue struct {
	set  bool // the record holds the field
	tag  byte
	text string
}

// scalar is the value as snapshot.Scalar renders it: ids and references.
func (v spillValue) scalar() string {
	switch v.tag {
	case tagNumber, tagString:
		return v.text
	case tagTrue:
		return "true"
	case tagFalse:
		return "false"
	}
	return ""
}

// json is the value as canonical JSON, for a JSON column.
func (v spillValue) json() string {
	switch v.tag {
	case tagJSON, tagNumber: // canonical JSON writes a number as its text
		return v.text
	case tagString:
		return string(snapshot.Canonical(v.text))
	case tagTrue:
		return "true"
	case tagFalse:
		return "false"
	}
	return "null"
}

// each calls fn with every record, in the order they were added, as its
// values by field number; vals is reused from one record to the next.
func (s *kindSpill) each(fn func(vals []spillValue) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReaderSize(s.f, 256<<10)
	vals := make([]spillValue, len(s.fields))
	var buf []byte
	for i := 0; i < s.n; i++ {
		bad := func(what string) error { return fmt.Errorf("reading back record %d: %s", i+1, what) }
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return bad(err.Error())
		}
		if size > snapshot.MaxFileBytes { // what the spill holds is what add wrote; a bound all the same
			return bad(fmt.Sprintf("%d bytes", size))
		}
		buf = slices.Grow(buf[:0], int(size))[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return bad(err.Error())
		}
		body := string(buf) // one allocation, which every text of the record shares
		clear(vals)
		n, at := uvarint(body, 0)
		if at < 0 {
			return bad("corrupt")
		}
		for range n {
			var id uint64
			if id, at = uvarint(body, at); at < 0 || id >= uint64(len(vals)) || at >= len(body) {
				return bad("corrupt")
			}
			v := spillValue{set: true, tag: body[at]}
			at++
			if v.tag >= tagNumber {
				var l uint64
				if l, at = uvarint(body, at); at < 0 || l > uint64(len(body)-at) {
					return bad("corrupt")
				}
				v.text, at = body[at:at+int(l)], at+int(l)
			}
			vals[id] = v
		}
		if at != len(body) {
			return bad("corrupt")
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return nil
}

// uvarint reads a uvarint of s at i; the index after it, or -1.
func uvarint(s string, i int) (uint64, int) {
	if i < 0 {
		return 0, -1
	}
	var x uint64
	for shift := uint(0); i < len(s) && shift < 64; shift += 7 {
		c := s[i]
		i++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, i
		}
	}
	return 0, -1
}

func (s *kindSpill) close() error {
	return errors.Join(s.f.Close(), os.Remove(s.f.Name()))
}
