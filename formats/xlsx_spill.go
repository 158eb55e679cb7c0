package formats

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// noteSpill holds the rows of _cells in a temporary file until every kind
// sheet is written: the sheet's dimension, which opens its XML, needs their
// count, and the notes of a large snapshot (long text, exact numbers) need
// not sit in memory meanwhile. Each row is five strings, each its length
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

func (s *noteSpill) add(row [5]string) error {
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
func (s *noteSpill) each(fn func([5]string) error) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	r := bufio.NewReader(s.f)
	for i := 0; i < s.n; i++ {
		var row [5]string
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
