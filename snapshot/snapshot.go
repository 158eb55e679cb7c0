package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"time"
)

// FormatVersion is the version of the snapshot layout written to manifest.json.
const FormatVersion = 1

// ManifestName is the file that makes a directory a snapshot.
const ManifestName = "manifest.json"

// Snapshot is the configuration of one tenant at one time.
type Snapshot struct {
	Manifest Manifest
	// Records holds each kind's records, sorted by id. A kind that was
	// exported but has no records maps to an empty slice.
	Records map[string][]Record
}

// New returns an empty snapshot of the given source.
func New(source string, created time.Time) *Snapshot {
	return &Snapshot{
		Manifest: Manifest{
			FormatVersion: FormatVersion,
			Source:        source,
			CreatedAt:     created.UTC(),
			Kinds:         map[string]KindInfo{},
		},
		Records: map[string][]Record{},
	}
}

// Put sets a kind's records (sorted by id) and its count in the manifest.
func (s *Snapshot) Put(kind string, recs []Record) {
	if recs == nil {
		recs = []Record{}
	}
	SortByID(recs)
	s.Records[kind] = recs
	s.Manifest.Kinds[kind] = KindInfo{Records: len(recs)}
}

// Manifest describes a snapshot: what wrote it, from where, when, and a
// checksum of every file, so that a reader can trust what it restores.
// It never holds a secret.
type Manifest struct {
	FormatVersion int                 `json:"format_version"`
	Tool          string              `json:"tool"`
	Source        string              `json:"source"`
	Tenant        string              `json:"tenant,omitempty"`
	CreatedAt     time.Time           `json:"created_at"`
	Kinds         map[string]KindInfo `json:"kinds"`
	Files         []File              `json:"files"`
}

// KindInfo is what the manifest says of one kind.
type KindInfo struct {
	Records int `json:"records"`
}

// File is one file of a snapshot, its path relative to the snapshot root in
// slash form.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ReadManifest reads and checks DIR/manifest.json.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	path := filepath.Join(dir, ManifestName)
	data, err := ReadInside(dir, ManifestName, MaxManifestBytes)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return m, fmt.Errorf("%s: not a snapshot (no %s)", dir, ManifestName)
		}
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	if m.FormatVersion < 1 || m.FormatVersion > FormatVersion {
		return m, fmt.Errorf("%s: format_version %d is not supported (this halocfg reads 1 to %d)", path, m.FormatVersion, FormatVersion)
	}
	return m, nil
}

// writeJSON writes v as indented JSON to w.
func writeJSON(w io.Writer, v any) error {
	b, err := MarshalIndent(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// CountProblems compares the records one format of the snapshot holds (named
// by format, "json"), counted per kind, with the manifest: every kind it
// lists, with its count, and no other kind. Problems come sorted by kind,
// those of the kinds the manifest lists first.
func (m Manifest) CountProblems(format string, counts map[string]int) []Problem {
	var out []Problem
	for _, kind := range slices.Sorted(maps.Keys(m.Kinds)) {
		n, ok := counts[kind]
		if !ok {
			out = append(out, Problem{Kind: kind, Msg: fmt.Sprintf("%s: no records of this kind; the manifest counts %d", format, m.Kinds[kind].Records)})
		} else if p, bad := m.CountProblem(format, kind, n); bad {
			out = append(out, p)
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(counts)) {
		if _, ok := m.Kinds[kind]; !ok {
			p, _ := m.CountProblem(format, kind, counts[kind])
			out = append(out, p)
		}
	}
	return out
}

// CountProblem checks the n records of one kind a format holds against the
// manifest, for a reader that reads one kind at a time.
func (m Manifest) CountProblem(format, kind string, n int) (Problem, bool) {
	info, ok := m.Kinds[kind]
	switch {
	case !ok:
		return Problem{Kind: kind, Msg: fmt.Sprintf("%s: %d records of a kind the manifest does not list", format, n)}, true
	case n != info.Records:
		return Problem{Kind: kind, Msg: fmt.Sprintf("%s: %d records, the manifest counts %d", format, n, info.Records)}, true
	}
	return Problem{}, false
}
