package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
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
		// A writer writes nothing before a first run of recs has ended
		// (Records): a file out of id order is found by a run that only
		// reads, and the kind comes again, sorted. Records in memory are.
		if src.Stream != nil {
			if err := recs(func(snapshot.Record) error { return nil }); err != nil {
				return err
			}
		}
		w, err := CreateJSON(dst, kind)
		if err != nil {
			return err
		}
		if err := recs(w.Write); err != nil {
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
