package formats

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Open reads a snapshot from a snapshot directory (manifest.json and any of
// json/, parquet/, snapshot.xlsx) or from a lone .xlsx workbook written by
// halocfg, possibly edited since.
//
// A directory restores from any one of its formats: Open checks every file
// the manifest lists against its size and sha256 (CheckFiles), refuses a
// file that is there but differs, and reads the preferred format whose files
// are all there, checking each kind's record count against the manifest. A
// format whose files are missing (parquet/ copied alone, the workbook
// deleted) is not read: it takes one complete format; verify still reports
// every missing file. For a workbook the manifest comes from its _about sheet
// and the counts from its rows.
func Open(path string) (*snapshot.Snapshot, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return openWorkbook(path)
	}
	m, err := snapshot.ReadManifest(path)
	if err != nil {
		return nil, err
	}
	f, err := readable(path, m)
	if err != nil {
		return nil, err
	}
	recs, err := ReadAll(f, path)
	if err != nil {
		return nil, err
	}
	if ps := m.CountProblems(f.Name(), countsOf(recs)); len(ps) > 0 {
		return nil, fmt.Errorf("%s: %s", path, ps[0])
	}
	return build(m, recs), nil
}

// countsOf counts each kind's records.
func countsOf(recs map[string][]snapshot.Record) map[string]int {
	out := make(map[string]int, len(recs))
	for kind, r := range recs {
		out[kind] = len(r)
	}
	return out
}

// OpenSource opens a snapshot as Open does, to be read one kind at a time
// (convert): a directory's files are checked at once, and each kind's
// records are read when the source's Each comes to them, their count checked
// against the manifest before they are handed on. A lone workbook is read
// whole, as Open reads it.
func OpenSource(path string) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Source{}, err
	}
	if !st.IsDir() {
		s, err := openWorkbook(path)
		if err != nil {
			return Source{}, err
		}
		return FromSnapshot(s), nil
	}
	m, err := snapshot.ReadManifest(path)
	if err != nil {
		return Source{}, err
	}
	f, err := readable(path, m)
	if err != nil {
		return Source{}, err
	}
	each := func(fn func(string, []snapshot.Record) error) error {
		counts := map[string]int{}
		err := f.Each(path, func(kind string, recs []snapshot.Record) error {
			counts[kind] = len(recs)
			if p, bad := m.CountProblem(f.Name(), kind, len(recs)); bad {
				return fmt.Errorf("%s: %s", path, p)
			}
			snapshot.SortByID(recs)
			return fn(kind, recs)
		})
		if err != nil {
			return err
		}
		if ps := m.CountProblems(f.Name(), counts); len(ps) > 0 {
			return fmt.Errorf("%s: %s", path, ps[0])
		}
		return nil
	}
	src := Source{Manifest: m, Each: each}
	if f == (JSON{}) {
		src.Stream = jsonStream(path, m)
	}
	return src, nil
}

// JSONSource is the snapshot whose JSON files are in the directory dir and
// whose manifest is m, read one record at a time: export writes its JSON
// first, then the other formats from it.
func JSONSource(dir string, m snapshot.Manifest) Source {
	return Source{Manifest: m, Stream: jsonStream(dir, m), Each: func(fn func(string, []snapshot.Record) error) error {
		return JSON{}.Each(dir, fn)
	}}
}

// jsonStream streams each kind's JSON file in the snapshot directory dir,
// its count checked against the manifest at the end of each run. A kind
// whose file is out of id order (edited by hand) is read whole and sorted.
func jsonStream(dir string, m snapshot.Manifest) func(fn func(string, Records) error) error {
	return func(fn func(string, Records) error) error {
		counts := map[string]int{}
		for _, k := range catalog.Stored() {
			rel := jsonPath(k.Name)
			f, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			f.Close()
			count := func(n int) error {
				counts[k.Name] = n
				if p, bad := m.CountProblem(JSON{}.Name(), k.Name, n); bad {
					return fmt.Errorf("%s: %s", dir, p)
				}
				return nil
			}
			err = fn(k.Name, jsonRecords(dir, rel, count))
			if _, run := counts[k.Name]; !run && err == nil {
				// The writer passed over the kind (the names index reads only
				// the kinds references point at): nothing of it was written,
				// nothing contradicts the manifest.
				if info, listed := m.Kinds[k.Name]; listed {
					counts[k.Name] = info.Records
				}
			}
			if errors.Is(err, errUnsorted) {
				var recs []snapshot.Record
				if recs, err = readJSONFile(dir, rel); err == nil {
					if err = count(len(recs)); err == nil {
						snapshot.SortByID(recs)
						err = fn(k.Name, sliceRecords(recs))
					}
				}
			}
			if err != nil {
				return err
			}
		}
		if ps := m.CountProblems(JSON{}.Name(), counts); len(ps) > 0 {
			return fmt.Errorf("%s: %s", dir, ps[0])
		}
		return nil
	}
}

func build(m snapshot.Manifest, recs map[string][]snapshot.Record) *snapshot.Snapshot {
	s := &snapshot.Snapshot{Manifest: m, Records: map[string][]snapshot.Record{}}
	s.Manifest.Kinds = map[string]snapshot.KindInfo{}
	for kind, r := range recs {
		s.Put(kind, r)
	}
	return s
}

// readable checks the files of the snapshot directory dir and returns the
// format to read (Files.Readable).
func readable(dir string, m snapshot.Manifest) (Format, error) {
	f, err := CheckFiles(dir, m).Readable()
	if err != nil {
		var fe *snapshot.FileError
		if !errors.As(err, &fe) {
			err = fmt.Errorf("%s: %w", dir, err)
		}
		return nil, err
	}
	return f, nil
}

// Files is what CheckFiles found of the files a manifest lists.
type Files struct {
	m snapshot.Manifest
	// Errs[i] is what is wrong with the manifest's Files[i], nil when nothing is.
	Errs []error
	// Complete lists, in order of preference, the formats that have files
	// listed and every one of them there and intact.
	Complete []Format
}

// CheckFiles checks every file the manifest lists against its size and
// sha256 (snapshot.CheckFile).
func CheckFiles(dir string, m snapshot.Manifest) Files {
	c := Files{m: m, Errs: make([]error, len(m.Files))}
	listed, broken := map[Format]bool{}, map[Format]bool{}
	for i, fl := range m.Files {
		c.Errs[i] = snapshot.CheckFile(dir, fl)
		if f := Owner(fl.Path); f != nil {
			listed[f] = true
			broken[f] = broken[f] || c.Errs[i] != nil
		}
	}
	for _, f := range all {
		if listed[f] && !broken[f] {
			c.Complete = append(c.Complete, f)
		}
	}
	return c
}

// Readable returns the format Open reads: the preferred complete one. A
// listed file that is there but differs (edited, damaged) is refused
// whatever its format, so that an edit is never silently passed over for
// another format; a missing one only keeps its format from being read.
func (c Files) Readable() (Format, error) {
	missing := map[Format][]error{}
	for i, err := range c.Errs {
		owner := Owner(c.m.Files[i].Path)
		switch {
		case err == nil:
		case owner != nil && errors.Is(err, fs.ErrNotExist):
			missing[owner] = append(missing[owner], err)
		default:
			return nil, err
		}
	}
	if len(c.Complete) > 0 {
		return c.Complete[0], nil
	}
	if len(missing) == 0 {
		return nil, fmt.Errorf("the manifest lists no files of any format (%s)", Names())
	}
	var parts []string
	for _, f := range all {
		if errs := missing[f]; len(errs) > 0 {
			part := errs[0].Error()
			if len(errs) > 1 {
				part += fmt.Sprintf(", and %d more %s file(s)", len(errs)-1, f.Name())
			}
			parts = append(parts, part)
		}
	}
	return nil, fmt.Errorf("no format is complete, none can be read: %s", strings.Join(parts, "; "))
}

// openWorkbook reads a lone workbook; its _about sheet stands in for the manifest.
// The user named it: a link is followed to the workbook, which is then read
// as a file inside its directory (a regular file, bounded).
func openWorkbook(path string) (*snapshot.Snapshot, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	wb, err := readWorkbookFile(filepath.Dir(real), filepath.Base(real), nil)
	if err != nil {
		return nil, err
	}
	m := snapshot.Manifest{
		FormatVersion: snapshot.FormatVersion,
		Source:        wb.about["source"],
		Tenant:        wb.about["tenant"],
		Tool:          wb.about["tool"],
	}
	if v, ok := wb.about["format_version"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > snapshot.FormatVersion {
			return nil, fmt.Errorf("%s: sheet %q: format_version %q is not supported (this halocfg reads 1 to %d)", path, aboutSheet, v, snapshot.FormatVersion)
		}
		m.FormatVersion = n
	}
	if v := wb.about["created_at"]; v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fmt.Errorf("%s: sheet %q: created_at %q is not a time (want RFC 3339)", path, aboutSheet, v)
		}
		m.CreatedAt = t
	}
	return build(m, wb.records), nil
}
