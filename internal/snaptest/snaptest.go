// Package snaptest writes snapshots for tests.
package snaptest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/snapshot"
)

// kinds are those Many spreads its records over: kinds whose records need
// no more than an id, a guid and a name.
var kinds = []string{"status", "emailtemplate", "tickettypegroup", "ticketarea", "sla", "workflow", "template", "tickettab"}

// Many returns a snapshot of n records spread evenly over eight kinds,
// each with an id, a guid, a name of its own and a note of note bytes: a
// tenant's configuration in the shape that counts for memory, as large as
// a test needs.
func Many(n, note int) *snapshot.Snapshot {
	s := snapshot.New("https://memory.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	text := strings.Repeat("x", note)
	for i, kind := range kinds {
		recs := make([]snapshot.Record, 0, n/len(kinds)+1)
		for j := i; j < n; j += len(kinds) {
			id := len(recs) + 1
			recs = append(recs, snapshot.Record{
				"id":   json.Number(strconv.Itoa(id)),
				"guid": fmt.Sprintf("%08x-0000-4000-8000-%012x", i, id),
				"name": fmt.Sprintf("%s %d", kind, id),
				"note": text,
			})
		}
		s.Put(kind, recs)
	}
	return s
}

// ManyJSON writes Many(n, note) in JSON to a new directory under
// t.TempDir(), and returns its path.
func ManyJSON(t testing.TB, n, note int) string {
	dir := filepath.Join(t.TempDir(), "snap")
	Write(t, dir, Many(n, note), formats.JSON{})
	return dir
}

// Write writes s to a new snapshot directory dir in the formats fs.
func Write(t testing.TB, dir string, s *snapshot.Snapshot, fs ...formats.Format) {
	t.Helper()
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := formats.Write(s, d, fs); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
}
