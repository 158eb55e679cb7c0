package formats

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// The round-trip suite: every registered format writes a snapshot and reads
// back exactly the records it was given (golang-migrate's conformance-suite
// style: one suite, every driver).

func TestRoundTripEveryFormat(t *testing.T) {
	if Names() != "json, parquet, xlsx" {
		t.Fatalf("formats %s, want json, parquet, xlsx", Names())
	}
	for _, f := range All() {
		t.Run(f.Name(), func(t *testing.T) { testFormat(t, f) })
	}
}

// testFormat is the suite one format must pass.
func testFormat(t *testing.T, f Format) {
	cases := []struct {
		name string
		s    *snapshot.Snapshot
	}{
		{"every schema field of every kind", genSnapshot(7)},
		{"edge cases", edgeSnapshot()},
		{"large text", largeTextSnapshot(3, 1<<20)},
		{"directories of people", peopleSnapshot()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := roundTrip(t, f, c.s)
			assertSameRecords(t, c.s.Records, got)
		})
	}
}

// roundTrip writes s with f into a snapshot directory and reads it back.
func roundTrip(t testing.TB, f Format, s *snapshot.Snapshot) map[string][]snapshot.Record {
	t.Helper()
	dir := writeSnapshot(t, s, f)
	got, err := ReadAll(f, dir)
	if err != nil {
		t.Fatalf("%s read: %v", f.Name(), err)
	}
	return got
}

// writeSnapshot commits s in the given formats to a fresh directory.
func writeSnapshot(t testing.TB, s *snapshot.Snapshot, fs ...Format) string {
	t.Helper()
	final := filepath.Join(t.TempDir(), "snap")
	d, err := snapshot.NewDir(final, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := Write(s, d, fs); err != nil {
		t.Fatalf("write: %v", err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
	return final
}

// assertSameRecords compares kind by kind, record by record (by id), field by field.
func assertSameRecords(t *testing.T, want, got map[string][]snapshot.Record) {
	t.Helper()
	for kind, w := range want {
		g, ok := got[kind]
		if !ok {
			t.Errorf("%s: kind missing", kind)
			continue
		}
		if g == nil {
			t.Errorf("%s: nil records, want an empty list", kind)
		}
		if len(g) != len(w) {
			t.Errorf("%s: %d records, want %d", kind, len(g), len(w))
			continue
		}
		w, g = sortedCopy(w), sortedCopy(g)
		for i := range w {
			if !snapshot.Equal(w[i], g[i]) {
				t.Errorf("%s record %s differs:\n%s", kind, w[i].ID(), recordDiff(w[i], g[i]))
			}
		}
	}
	for kind := range got {
		if _, ok := want[kind]; !ok {
			t.Errorf("%s: kind not written but read back", kind)
		}
	}
}

func sortedCopy(recs []snapshot.Record) []snapshot.Record {
	out := append([]snapshot.Record(nil), recs...)
	snapshot.SortByID(out)
	return out
}

func recordDiff(want, got snapshot.Record) string {
	var out string
	for k, wv := range want {
		gv, ok := got[k]
		switch {
		case !ok:
			out += "  " + k + ": absent, want " + short(snapshot.Canonical(wv)) + "\n"
		case !snapshot.Equal(wv, gv):
			out += "  " + k + ": " + short(snapshot.Canonical(gv)) + ", want " + short(snapshot.Canonical(wv)) + "\n"
		}
	}
	for k, gv := range got {
		if _, ok := want[k]; !ok {
			out += "  " + k + ": " + short(snapshot.Canonical(gv)) + ", want absent\n"
		}
	}
	return out
}

func short(b []byte) string {
	if len(b) > 120 {
		return string(b[:60]) + "..." + string(b[len(b)-40:]) + " (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return string(b)
}
