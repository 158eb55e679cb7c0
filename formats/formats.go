// Package formats writes a snapshot's records as files and reads them back.
// Every format carries the same snapshot without loss; one round-trip suite
// (suite_test.go) holds each of them to that.
package formats

import (
	"fmt"
	"io"
	"strings"

	"github.com/halocfg/halocfg/snapshot"
)

// Creator makes the files of a snapshot; *snapshot.Dir is one.
type Creator interface {
	Create(rel string) (io.WriteCloser, error)
}

// Format is one file format of a snapshot.
type Format interface {
	// Name is the --format name: "json", "xlsx", "parquet".
	Name() string
	// Write writes the records of every kind in s.
	Write(s *snapshot.Snapshot, dst Creator) error
	// Read reads the records this format wrote under the snapshot root dir.
	Read(dir string) (map[string][]snapshot.Record, error)
}

var registry = map[string]Format{}

// order is the preference when a snapshot holds several formats: JSON is the
// plainest and the one the contract calls exact.
var order []string

func register(f Format) {
	registry[f.Name()] = f
	order = append(order, f.Name())
}

// Lookup returns the format of the given name.
func Lookup(name string) (Format, error) {
	f, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known formats: %s)", name, strings.Join(order, ", "))
	}
	return f, nil
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
	for _, f := range fs {
		if err := f.Write(s, dst); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name(), err)
		}
	}
	return nil
}
