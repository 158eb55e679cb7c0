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
		return writeJSONFile(dst, jsonPath(kind), recs)
	})
}

// writeJSONFile writes the records as snapshot.MarshalIndent writes the
// array, one record at a time: the file is never held whole in memory.
func writeJSONFile(dst Creator, rel string, recs []snapshot.Record) error {
	w, err := dst.Create(rel)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	err = encodeJSONArray(bw, recs)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", rel, err)
	}
	return w.Close()
}

func encodeJSONArray(w *bufio.Writer, recs []snapshot.Record) error {
	if len(recs) == 0 {
		_, err := w.WriteString("[]\n")
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	w.WriteString("[\n  ")
	for i, r := range recs {
		b.Reset()
		if err := enc.Encode(r); err != nil {
			return err
		}
		if i > 0 {
			w.WriteString(",\n  ")
		}
		w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
	_, err := w.WriteString("\n]\n")
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
