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
	recs := []snapshot.Record{}
	err := decodeJSONEach(r, func(rec snapshot.Record) error {
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}

// decodeJSONEach decodes a JSON array of records, handing each to fn as
// it comes. One goroutine cuts the array into records while this one
// decodes them: the two scans of a record run side by side.
func decodeJSONEach(r io.Reader, fn func(snapshot.Record) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	dec.UseNumber()
	notArray := func(err error) error { return fmt.Errorf("not a JSON array of records: %w", err) }
	if t, err := dec.Token(); err != nil {
		return notArray(err)
	} else if t != json.Delim('[') {
		return notArray(fmt.Errorf("starts with %v", t))
	}
	raws := make(chan json.RawMessage, 64) // a few records ahead, no more
	stop := make(chan struct{})
	var cutErr error // set before raws is closed
	go func() {
		defer close(raws)
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				cutErr = notArray(err)
				return
			}
			select {
			case raws <- raw:
			case <-stop:
				return
			}
		}
		if _, err := dec.Token(); err != nil { // the closing ]
			cutErr = notArray(err)
		} else if _, err := dec.Token(); err != io.EOF {
			cutErr = notArray(errors.New("unexpected data after the JSON value"))
		}
	}()
	fail := func(err error) error {
		close(stop)
		for range raws { // let the cutter end before the reader is closed
		}
		return err
	}
	n := 0
	for raw := range raws {
		n++
		rec, err := snapshot.DecodeRecord(raw)
		if err != nil {
			return fail(fmt.Errorf("record %d: %w", n, err))
		}
		if err := fn(rec); err != nil {
			return fail(err)
		}
	}
	return cutErr
}

// jsonRecords streams a kind's file, decoding it anew on each run, in the
// order of the file. A run fails with errUnsorted at the first record out
// of id order, and with a count problem when it holds other than want
// records.
func jsonRecords(dir, rel string, count func(n int) error) Records {
	return func(yield func(snapshot.Record) error) error {
		f, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
		if err != nil {
			return err
		}
		defer f.Close()
		n, prev, ours := 0, "", true
		err = decodeJSONEach(io.LimitReader(f, snapshot.MaxFileBytes+1), func(rec snapshot.Record) error {
			id := rec.ID()
			if n > 0 && snapshot.LessID(id, prev) {
				ours = false
				return errUnsorted
			}
			n, prev = n+1, id
			err := yield(rec)
			ours = err == nil
			return err
		})
		if err != nil {
			if ours { // the file's, not the writer's: name the file
				err = fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(rel)), err)
			}
			return err
		}
		return count(n)
	}
}
