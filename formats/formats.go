// Package formats writes a snapshot's records as files and reads them back.
// Every format carries the same snapshot without loss; one round-trip suite
// (suite_test.go) holds each of them to that.
package formats

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Creator makes the files of a snapshot; *snapshot.Dir is one. A file it
// makes can be taken back before it is closed (Discarder): the JSON writer
// writes a kind as it reads it, and starts over when the kind comes again
// sorted (errUnsorted).
type Creator interface {
	Create(rel string) (io.WriteCloser, error)
}

// Discarder is a file a Creator made that can be taken back: removed, never
// listed, and made again by the next Create.
type Discarder interface {
	Discard() error
}

// Format is one file format of a snapshot. It reads and writes one kind
// at a time, so that converting a snapshot holds one kind's records, not
// every kind's.
type Format interface {
	// Name is the --format name: "json", "xlsx", "parquet".
	Name() string
	// Owns reports whether the snapshot file rel (slash-separated, relative
	// to the snapshot root) is one this format writes.
	Owns(rel string) bool
	// Write writes the records of every kind of src.
	Write(src Source, dst Creator) error
	// Stream reads the records this format wrote under the snapshot root
	// dir and calls fn with each kind's, in the order the format holds them,
	// as Records read one at a time in the file's order, which need not be
	// id order (inIDOrder sorts). Running recs reads the file anew; an error
	// of the file names it, one of yield comes back untouched.
	Stream(dir string, fn func(kind string, recs Records) error) error
	// Each is Stream with each kind's records held whole, sorted by id
	// (eachOf), for a reader that needs them so (the importer).
	Each(dir string, fn func(kind string, recs []snapshot.Record) error) error
}

// Source is a snapshot to write, read one kind at a time.
type Source struct {
	// Manifest says where the snapshot comes from, and which kinds it holds
	// with how many records.
	Manifest snapshot.Manifest
	// Each calls fn with each kind's records, sorted by id, in the
	// catalog's order (catalog.Stored). It may be called more than once.
	Each func(fn func(kind string, recs []snapshot.Record) error) error
	// Stream, when set, hands each kind as Each does, but as Records read
	// one at a time, so that a writer that can (Parquet) holds one record
	// of the kind, not all of them. Nil: Each's records are handed on.
	Stream func(fn func(kind string, recs Records) error) error
}

// Records is one kind's records, sorted by id (but for what a Format's
// Stream hands), read one at a time; a writer may run it more than once (a
// pass to learn the columns, one to write).
//
// A writer must write nothing before its first run has ended, or take back
// what it wrote (Discarder): a source that finds the kind out of id order
// on that run fails it with errUnsorted, and hands the kind again, sorted
// in memory.
type Records func(yield func(snapshot.Record) error) error

// all runs recs, holding every record.
func (recs Records) all() ([]snapshot.Record, error) {
	out := []snapshot.Record{}
	err := recs(func(r snapshot.Record) error { out = append(out, r); return nil })
	return out, err
}

// errUnsorted is how Records says a file's records are not in id order.
var errUnsorted = errors.New("records are not in id order")

// sliceRecords streams records held in memory.
func sliceRecords(recs []snapshot.Record) Records {
	return func(yield func(snapshot.Record) error) error {
		for _, r := range recs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// Kinds calls fn with each kind of src as Records: src's Stream, or its
// Each's records. A reader that can go through a kind one record at a time
// (verify, diff) asks this, not Each.
func (src Source) Kinds(fn func(kind string, recs Records) error) error {
	if src.Stream != nil {
		return src.Stream(fn)
	}
	return src.Each(func(kind string, recs []snapshot.Record) error {
		return fn(kind, sliceRecords(recs))
	})
}

// FromSnapshot is the source of a snapshot held in memory.
func FromSnapshot(s *snapshot.Snapshot) Source {
	return Source{Manifest: s.Manifest, Each: func(fn func(string, []snapshot.Record) error) error {
		for _, k := range catalog.Stored() {
			if recs, ok := s.Records[k.Name]; ok {
				if err := fn(k.Name, recs); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

// streamFiles is Stream for a format with a file per kind: it calls fn with
// each kind's records, in the catalog's order, passing over the kinds whose
// file is not there. read streams a kind's file.
func streamFiles(dir string, fn func(kind string, recs Records) error, rel func(kind string) string, read func(rel, kind string) Records) error {
	for _, k := range catalog.Stored() {
		f, err := snapshot.OpenInside(dir, rel(k.Name), snapshot.MaxFileBytes)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		f.Close()
		if err := fn(k.Name, read(rel(k.Name), k.Name)); err != nil {
			return err
		}
	}
	return nil
}

// openSized opens the snapshot file rel in dir (snapshot.OpenInside) with
// its size, for a reader that reads it in parts (a zip, a Parquet file).
func openSized(dir, rel string) (*os.File, int64, error) {
	f, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// inIDOrder runs recs, failing with errUnsorted at the first record out of
// id order, and with count's error when count does not take the number of
// records a whole run held.
func inIDOrder(recs Records, count func(n int) error) Records {
	return func(yield func(snapshot.Record) error) error {
		n, prev := 0, ""
		err := recs(func(r snapshot.Record) error {
			id := r.ID()
			if n > 0 && snapshot.LessID(id, prev) {
				return errUnsorted
			}
			n, prev = n+1, id
			return yield(r)
		})
		if err != nil {
			return err
		}
		return count(n)
	}
}

// sorted hands on the kinds stream hands (a Format's Stream) in id order:
// a kind whose file is out of id order (edited by hand) is read whole and
// sorted. count takes each kind's number of records at the end of every
// whole run.
func sorted(stream func(fn func(string, Records) error) error, count func(kind string, n int) error, fn func(kind string, recs Records) error) error {
	return stream(func(kind string, raw Records) error {
		kindCount := func(n int) error { return count(kind, n) }
		err := fn(kind, inIDOrder(raw, kindCount))
		if !errors.Is(err, errUnsorted) {
			return err
		}
		recs, err := raw.all()
		if err != nil {
			return err
		}
		if err := kindCount(len(recs)); err != nil {
			return err
		}
		snapshot.SortByID(recs)
		return fn(kind, sliceRecords(recs))
	})
}

// wholeKinds is Each over a Stream of sorted kinds: each kind's records held.
func wholeKinds(stream func(fn func(string, Records) error) error, fn func(kind string, recs []snapshot.Record) error) error {
	return stream(func(kind string, recs Records) error {
		all, err := recs.all()
		if err != nil {
			return err
		}
		return fn(kind, all)
	})
}

// eachOf is Each of format f: every kind read whole, sorted by id.
func eachOf(f Format, dir string, fn func(kind string, recs []snapshot.Record) error) error {
	noCount := func(string, int) error { return nil }
	stream := func(fn func(string, Records) error) error { return f.Stream(dir, fn) }
	return wholeKinds(func(fn func(string, Records) error) error { return sorted(stream, noCount, fn) }, fn)
}

// ReadAll reads every kind format f wrote under the snapshot root dir.
func ReadAll(f Format, dir string) (map[string][]snapshot.Record, error) {
	out := map[string][]snapshot.Record{}
	err := f.Each(dir, func(kind string, recs []snapshot.Record) error {
		out[kind] = recs
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// all is every format halocfg knows, in order of preference when a snapshot
// holds several: JSON is the plainest and exact by contract, Parquet is
// typed and machine-written, a workbook may have been edited by hand.
// Adding a format is adding it here: flags, Open, verify ask this list.
var all = []Format{JSON{}, Parquet{}, XLSX{}}

// All returns every format, in order of preference.
func All() []Format { return append([]Format(nil), all...) }

// Names lists the format names for people, in order of preference: "json, parquet, xlsx".
func Names() string {
	names := make([]string, len(all))
	for i, f := range all {
		names[i] = f.Name()
	}
	return strings.Join(names, ", ")
}

// Lookup returns the format of the given name.
func Lookup(name string) (Format, error) {
	for _, f := range all {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (known formats: %s)", name, Names())
}

// Owner returns the format that writes the snapshot file rel, nil when none does.
func Owner(rel string) Format {
	for _, f := range all {
		if f.Owns(rel) {
			return f
		}
	}
	return nil
}

// Parse turns a list such as "json,xlsx" into formats, refusing unknown and repeated names.
func Parse(list string) ([]Format, error) {
	var out []Format
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		f, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, fmt.Errorf("format %q given twice", name)
		}
		seen[name] = true
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no format given")
	}
	return out, nil
}

// Write writes s in each of the given formats into dst (a *snapshot.Dir); the
// caller commits dst with s.Manifest, which then lists every file written.
func Write(s *snapshot.Snapshot, dst Creator, fs []Format) error {
	return WriteSource(FromSnapshot(s), dst, fs)
}

// WriteSource writes src in each of the given formats into dst, as Write
// does. The formats are written at once, each reading src anew: export and
// convert take the time of the slowest format, not the sum of all (each
// format holds one record at a time, or one kind, so memory adds up little).
// When one format fails the others stop at their next record, and the error
// is the first failed format's, in the order given.
func WriteSource(src Source, dst Creator, fs []Format) error {
	if len(fs) == 1 {
		return writeFormat(fs[0], src, dst)
	}
	stop := make(chan struct{})
	var once sync.Once
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = writeFormat(f, src.until(stop), dst); errs[i] != nil {
				once.Do(func() { close(stop) })
			}
		}()
	}
	wg.Wait()
	var stopped error
	for _, err := range errs {
		switch {
		case err == nil:
		case !errors.Is(err, errStopped):
			return err
		case stopped == nil:
			stopped = err
		}
	}
	return stopped
}

func writeFormat(f Format, src Source, dst Creator) error {
	if err := f.Write(src, dst); err != nil {
		return fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return nil
}

// errStopped is how a format written beside a failed one ends.
var errStopped = errors.New("stopped: another format failed")

// until is src, ending with errStopped at the next kind or record once stop is closed.
func (src Source) until(stop <-chan struct{}) Source {
	check := func() error {
		select {
		case <-stop:
			return errStopped
		default:
			return nil
		}
	}
	out := src
	if src.Each != nil {
		out.Each = func(fn func(string, []snapshot.Record) error) error {
			return src.Each(func(kind string, recs []snapshot.Record) error {
				if err := check(); err != nil {
					return err
				}
				return fn(kind, recs)
			})
		}
	}
	out.Stream = func(fn func(string, Records) error) error {
		return src.Kinds(func(kind string, recs Records) error {
			return fn(kind, func(yield func(snapshot.Record) error) error {
				return recs(func(r snapshot.Record) error {
					if err := check(); err != nil {
						return err
					}
					return yield(r)
				})
			})
		})
	}
	return out
}
