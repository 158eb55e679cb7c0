package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// JSON writes json/<kind>.json: an array of records sorted by id, keys
// sorted, two-space indent, every value exactly as Halo sent it.
type JSON struct{}

func (JSON) Name() string { return "json" }

func (JSON) Owns(rel string) bool { return strings.HasPrefix(rel, "json/") }

func jsonPath(kind string) string { return path.Join("json", kind+".json") }

func (JSON) Write(src Source, dst Creator) error {
	return src.Each(func(kind string, recs []snapshot.Record) error {
		w, err := CreateJSON(dst, kind)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				w.Close()
				return err
			}
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
	b   bytes.Buffer
	enc *json.Encoder
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
	w := &JSONKind{rel: rel, f: f, w: bufio.NewWriterSize(f, 256<<10)}
	w.enc = json.NewEncoder(&w.b)
	w.enc.SetEscapeHTML(false)
	w.enc.SetIndent("  ", "  ")
	return w, nil
}

// Write adds the next record.
func (w *JSONKind) Write(r snapshot.Record) error {
	if w.err != nil {
		return w.err
	}
	w.b.Reset()
	if err := w.enc.Encode(r); err != nil {
		w.err = fmt.Errorf("%s: record %d: %w", w.rel, w.n+1, err)
		return w.err
	}
	sep := ",\n  "
	if w.n == 0 {
		sep = "[\n  "
	}
	w.w.WriteString(sep)
	if _, err := w.w.Write(bytes.TrimSuffix(w.b.Bytes(), []byte("\n"))); err != nil {
		w.err = fmt.Errorf("%s: %w", w.rel, err)
		return w.err
	}
	w.n++
	return nil
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

func (JSON) Each(dir string, fn func(kind string, recs []snapshot.Record) error) error {
	for _, k := range catalog.Stored() {
		recs, err := readJSONFile(dir, jsonPath(k.Name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(k.Name, recs); err != nil {
			return err
		}
	}
	return nil
}

// readJSONFile decodes a kind's file record by record, never holding its
// text whole.
func readJSONFile(dir, rel string) ([]snapshot.Record, error) {
	f, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := decodeJSONRecords(io.LimitReader(f, snapshot.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(rel)), err)
	}
	return recs, nil
}

func decodeJSONRecords(r io.Reader) ([]snapshot.Record, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	notArray := func(err error) error { return fmt.Errorf("not a JSON array of records: %w", err) }
	if t, err := dec.Token(); err != nil {
		return nil, notArray(err)
	} else if t != json.Delim('[') {
		return nil, notArray(fmt.Errorf("starts with %v", t))
	}
	var recs []snapshot.Record
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, notArray(err)
		}
		rec, err := snapshot.DecodeRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(recs)+1, err)
		}
		recs = append(recs, rec)
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return nil, notArray(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, notArray(errors.New("unexpected data after the JSON value"))
	}
	if recs == nil {
		recs = []snapshot.Record{}
	}
	return recs, nil
}
