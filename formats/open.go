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

// OpenSource opens a snapshot as Open does, to be read one kind at a time,
// and each kind one record at a time (convert, diff): a directory's files
// are checked at once, and each kind's records are read, in id order, when
// the source comes to them, their count checked against the manifest at
// the end of each run. A lone workbook is read once first for its _about
// sheet and its counts, which stand in for the manifest.
func OpenSource(path string) (Source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Source{}, err
	}
	if !st.IsDir() {
		return workbookSource(path)
	}
	m, err := snapshot.ReadManifest(path)
	if err != nil {
		return Source{}, err
	}
	f, err := readable(path, m)
	if err != nil {
		return Source{}, err
	}
	return streamSource(path, m, f.Name(), func(fn func(string, Records) error) error { return f.Stream(path, fn) }), nil
}

// JSONSource is the snapshot whose JSON files are in the directory dir and
// whose manifest is m, read one record at a time: export writes its JSON
// first, then the other formats from it.
func JSONSource(dir string, m snapshot.Manifest) Source {
	return streamSource(dir, m, JSON{}.Name(), func(fn func(string, Records) error) error { return JSON{}.Stream(dir, fn) })
}

// streamSource is the source whose kinds stream hands in the file's order
// (a Format's Stream): each kind in id order, its count checked against m
// (format names the format in problems) at the end of each whole run and,
// once every kind is handed, the kinds against m's. Each holds a kind at a
// time.
func streamSource(path string, m snapshot.Manifest, format string, stream func(fn func(string, Records) error) error) Source {
	kinds := func(fn func(string, Records) error) error {
		counts := map[string]int{}
		count := func(kind string, n int) error {
			counts[kind] = n
			if p, bad := m.CountProblem(format, kind, n); bad {
				return fmt.Errorf("%s: %s", path, p)
			}
			return nil
		}
		err := sorted(stream, count, func(kind string, recs Records) error {
			err := fn(kind, recs)
			if _, run := counts[kind]; !run && err == nil {
				// The writer passed over the kind (the names index reads only
				// the kinds references point at): nothing of it was written,
				// nothing contradicts the manifest.
				if info, listed := m.Kinds[kind]; listed {
					counts[kind] = info.Records
				}
			}
			return err
		})
		if err != nil {
			return err
		}
		if ps := m.CountProblems(format, counts); len(ps) > 0 {
			return fmt.Errorf("%s: %s", path, ps[0])
		}
		return nil
	}
	return Source{Manifest: m, Stream: kinds, Each: func(fn func(string, []snapshot.Record) error) error { return wholeKinds(kinds, fn) }}
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
func openWorkbook(path string) (*snapshot.Snapshot, error) {
	var m snapshot.Manifest
	recs := map[string][]snapshot.Record{}
	err := streamLoneWorkbook(path, func(about map[string]string) (err error) {
		m, err = aboutManifest(path, about)
		return err
	}, func(kind string, r Records) (err error) {
		recs[kind], err = r.all()
		return err
	})
	if err != nil {
		return nil, err
	}
	return build(m, recs), nil
}

// workbookSource is OpenSource of a lone workbook: a first read takes the
// manifest from its _about sheet and counts each kind's records.
func workbookSource(path string) (Source, error) {
	var m snapshot.Manifest
	counts := map[string]int{}
	err := streamLoneWorkbook(path, func(about map[string]string) (err error) {
		m, err = aboutManifest(path, about)
		return err
	}, func(kind string, recs Records) error {
		n := 0
		err := recs(func(snapshot.Record) error { n++; return nil })
		counts[kind] = n
		return err
	})
	if err != nil {
		return Source{}, err
	}
	m.Kinds = map[string]snapshot.KindInfo{}
	for kind, n := range counts {
		m.Kinds[kind] = snapshot.KindInfo{Records: n}
	}
	return streamSource(path, m, XLSX{}.Name(), func(fn func(string, Records) error) error {
		return streamLoneWorkbook(path, nil, fn)
	}), nil
}

// streamLoneWorkbook is streamWorkbook of a workbook the user named: a link
// is followed to the workbook, which is then read as a file inside its
// directory (a regular file, bounded).
func streamLoneWorkbook(path string, about func(map[string]string) error, fn func(string, Records) error) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	return streamWorkbook(filepath.Dir(real), filepath.Base(real), about, fn)
}

// aboutManifest is the manifest a lone workbook's _about sheet stands for.
func aboutManifest(path string, about map[string]string) (snapshot.Manifest, error) {
	m := snapshot.Manifest{
		FormatVersion: snapshot.FormatVersion,
		Source:        about["source"],
		Tenant:        about["tenant"],
		Tool:          about["tool"],
	}
	if v, ok := about["format_version"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > snapshot.FormatVersion {
			return m, fmt.Errorf("%s: sheet %q: format_version %q is not supported (this halocfg reads 1 to %d)", path, aboutSheet, v, snapshot.FormatVersion)
		}
		m.FormatVersion = n
	}
	if v := about["created_at"]; v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return m, fmt.Errorf("%s: sheet %q: created_at %q is not a time (want RFC 3339)", path, aboutSheet, v)
		}
		m.CreatedAt = t
	}
	return m, nil
}
