package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

func (JSON) Write(s *snapshot.Snapshot, dst Creator) error {
	for _, k := range catalog.Stored() {
		recs, ok := s.Records[k.Name]
		if !ok {
			continue
		}
		if err := writeJSONFile(dst, jsonPath(k.Name), recs); err != nil {
			return err
		}
	}
	return nil
}

func writeJSONFile(dst Creator, rel string, recs []snapshot.Record) error {
	if recs == nil {
		recs = []snapshot.Record{}
	}
	b, err := snapshot.MarshalIndent(recs)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	w, err := dst.Create(rel)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", rel, err)
	}
	return w.Close()
}

func (JSON) Read(dir string) (map[string][]snapshot.Record, error) {
	out := map[string][]snapshot.Record{}
	for _, k := range catalog.Stored() {
		p := filepath.Join(dir, filepath.FromSlash(jsonPath(k.Name)))
		data, err := snapshot.ReadInside(dir, jsonPath(k.Name), snapshot.MaxFileBytes)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		recs, err := decodeJSONRecords(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out[k.Name] = recs
	}
	return out, nil
}

func decodeJSONRecords(data []byte) ([]snapshot.Record, error) {
	var raw []json.RawMessage
	if err := snapshot.Unmarshal(bytes.TrimSpace(data), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON array of records: %w", err)
	}
	recs := make([]snapshot.Record, 0, len(raw))
	for i, r := range raw {
		rec, err := snapshot.DecodeRecord(r)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i+1, err)
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
