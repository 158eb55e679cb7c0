package formats

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// preference is the order in which Open picks a format when a snapshot holds
// several: JSON is the plainest and exact by contract, Parquet is typed and
// machine-written, a workbook may have been edited by hand.
var preference = []string{"json", "parquet", "xlsx"}

// ownsFile tells which format wrote a snapshot file.
func ownsFile(format, rel string) bool {
	switch format {
	case "json":
		return strings.HasPrefix(rel, "json/")
	case "parquet":
		return strings.HasPrefix(rel, "parquet/")
	case "xlsx":
		return rel == xlsxName
	}
	return false
}

// Open reads a snapshot from a snapshot directory (manifest.json and any of
// json/, parquet/, snapshot.xlsx) or from a lone .xlsx workbook written by
// halocfg, possibly edited since.
//
// For a directory it first verifies every file the manifest lists against its
// size and sha256, then reads the preferred format present (json, parquet,
// xlsx) and checks each kind's record count against the manifest. For a
// workbook the manifest comes from its _about sheet and the counts from its rows.
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
	if err := Verify(path, m); err != nil {
		return nil, err
	}
	var f Format
	for _, name := range preference {
		if slices.ContainsFunc(m.Files, func(fl snapshot.File) bool { return ownsFile(name, fl.Path) }) {
			f = registry[name]
			break
		}
	}
	if f == nil {
		return nil, fmt.Errorf("%s: the manifest lists no json, parquet or xlsx files", path)
	}
	recs, err := f.Read(path)
	if err != nil {
		return nil, err
	}
	for kind, info := range m.Kinds {
		got, ok := recs[kind]
		switch {
		case !ok:
			return nil, fmt.Errorf("%s: %s: the manifest lists %d %s records, the %s files have none", path, kind, info.Records, kind, f.Name())
		case len(got) != info.Records:
			return nil, fmt.Errorf("%s: %s: the manifest lists %d records, the %s files hold %d", path, kind, info.Records, f.Name(), len(got))
		}
	}
	for kind := range recs {
		if _, ok := m.Kinds[kind]; !ok {
			return nil, fmt.Errorf("%s: the %s files hold kind %s, which the manifest does not list", path, f.Name(), kind)
		}
	}
	return build(m, recs), nil
}

func build(m snapshot.Manifest, recs map[string][]snapshot.Record) *snapshot.Snapshot {
	s := &snapshot.Snapshot{Manifest: m, Records: map[string][]snapshot.Record{}}
	s.Manifest.Kinds = map[string]snapshot.KindInfo{}
	for kind, r := range recs {
		s.Put(kind, r)
	}
	return s
}

// Verify checks every file the manifest lists against its size and sha256
// (snapshot.CheckFile) and returns the first that differs.
func Verify(dir string, m snapshot.Manifest) error {
	for _, fl := range m.Files {
		if err := snapshot.CheckFile(dir, fl); err != nil {
			return err
		}
	}
	return nil
}

// openWorkbook reads a lone workbook; its _about sheet stands in for the manifest.
// The user named it: a link is followed to the workbook, which is then read
// as a file inside its directory (a regular file, bounded).
func openWorkbook(path string) (*snapshot.Snapshot, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	wb, err := readWorkbookFile(filepath.Dir(real), filepath.Base(real))
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
