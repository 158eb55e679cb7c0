package formats

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// kindSnapshot is a snapshot of n full-schema records of one kind.
func kindSnapshot(kind string, n int) *snapshot.Snapshot {
	s := benchSnapshot(0)
	k := catalog.MustLookup(kind)
	recs := make([]snapshot.Record, n)
	for i := range recs {
		recs[i] = genRecord(k, i)
	}
	s.Put(kind, recs)
	return s
}

// TestConvertStreamsAKind (issue 12): convert held one kind whole (its
// records decoded, ten times their JSON) while writing it, so that its
// memory grew with the largest kind. The Parquet and workbook writers now
// read a JSON kind twice, a record at a time: once to learn the columns,
// once to write the rows.
func TestConvertStreamsAKind(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 6,000 full-schema records")
	}
	const kind = "tickettype"
	s := kindSnapshot(kind, 6000)
	dir := writeSnapshot(t, s, JSON{})

	one := heaptest.Held(func() any {
		held, err := ReadAll(JSON{}, dir)
		if err != nil {
			t.Fatal(err)
		}
		return held
	})

	for _, to := range []Format{Parquet{}, XLSX{}} {
		t.Run(to.Name(), func(t *testing.T) {
			var out string
			peak := heaptest.Peak(func() {
				var err error
				if out, err = convertTo(t, dir, to); err != nil {
					t.Fatal(err)
				}
			})
			t.Logf("peak live heap %d MiB; the kind's records, held: %d MiB", peak>>20, one>>20)
			if peak > one*3/4 { // before: 473 MiB, more than one; after: 115 to 214 (a loaded machine)
				t.Errorf("converting %s to %s held %d MiB at its peak; the kind's records take %d MiB", kind, to.Name(), peak>>20, one>>20)
			}
			got, err := ReadAll(to, out)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got)
		})
	}
}

// convertTo converts the snapshot directory dir to format to as convert
// does (OpenSource, WriteSource, Commit), and returns the new directory.
func convertTo(t *testing.T, dir string, to Format) (string, error) {
	t.Helper()
	src, err := OpenSource(dir)
	if err != nil {
		return "", err
	}
	out := filepath.Join(t.TempDir(), "out")
	d, err := snapshot.NewDir(out, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSource(src, d, []Format{to}); err != nil {
		d.Abort()
		return "", err
	}
	if err := d.Commit(src.Manifest); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

// A JSON file out of id order (not halocfg's, but listed with its
// checksum) cannot be streamed in order: it is read whole and sorted.
func TestStreamedJSONOutOfIDOrder(t *testing.T) {
	s := genSnapshot(5)
	dir := writeSnapshot(t, s, JSON{})
	rel := filepath.Join(dir, "json", "status.json")
	recs := slices.Clone(s.Records["status"])
	slices.Reverse(recs)
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rel, b, 0o600); err != nil {
		t.Fatal(err)
	}
	relist(t, dir, func(snapshot.File) bool { return true })

	out, err := convertTo(t, dir, Parquet{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadAll(Parquet{}, out)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got)
}

// The workbook writer reads the source once for the names of the kinds
// references point at, passing over the others: that is no count problem
// (a JSON snapshot with people failed "agent: json: no records of this
// kind").
func TestStreamedJSONKindsPassedOver(t *testing.T) {
	s := genSnapshot(2)
	s.Put("agent", []snapshot.Record{{"id": json.Number("1"), "name": "Ada"}})
	dir := writeSnapshot(t, s, JSON{})
	out, err := convertTo(t, dir, XLSX{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadAll(XLSX{}, out)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got)
}

// The streamed JSON kind is checked against the manifest's count, and
// nothing is committed when it differs.
func TestStreamedJSONCountChecked(t *testing.T) {
	s := genSnapshot(3)
	dir := writeSnapshot(t, s, JSON{})
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	info := m.Kinds["status"]
	info.Records = 4
	m.Kinds["status"] = info
	writeManifest(t, dir, m)
	_, err = convertTo(t, dir, Parquet{})
	assertErrorHas(t, err, dir, "status", "json: 3 records, the manifest counts 4")
}

// A file read more than once may change between the reads; what the first
// read learnt must not be trusted for the last, which writes: a value of
// another type, a field with no column, another count are refused, naming
// record and field.
func TestWritersRefuseAKindThatChanged(t *testing.T) {
	first := []snapshot.Record{
		{"id": json.Number("1"), "name": "a", "sequence": json.Number("10")},
		{"id": json.Number("2"), "name": "b", "sequence": json.Number("20")},
	}
	cases := []struct {
		name   string
		second []snapshot.Record
		want   []string
	}{
		{"type", []snapshot.Record{first[0], {"id": json.Number("2"), "name": "b", "sequence": "twenty"}},
			[]string{"status", "record 2 (id 2)", `field "sequence": a string value no longer fits its int column`}},
		{"field", []snapshot.Record{first[0], {"id": json.Number("2"), "name": "b", "sequence": json.Number("20"), "color": "red"}},
			[]string{"status", "record 2 (id 2)", "1 of its fields have no column"}},
		{"count", first[:1], []string{"status", "1 records on the second read, 2 on the first"}},
	}
	m := genSnapshot(0).Manifest
	m.Kinds = map[string]snapshot.KindInfo{"status": {Records: 2}}
	// write runs f with a source whose status records are first until the
	// run change, then second; it returns the runs made.
	write := func(t *testing.T, f Format, change int, second []snapshot.Record) (int, error) {
		runs := 0
		recs := func(yield func(snapshot.Record) error) error {
			runs++
			rs := first
			if runs >= change {
				rs = second
			}
			return sliceRecords(rs)(yield)
		}
		src := Source{Manifest: m, Stream: func(fn func(string, Records) error) error { return fn("status", recs) }}
		d, err := snapshot.NewDir(filepath.Join(t.TempDir(), "out"), false)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Abort()
		return runs, f.Write(src, d)
	}
	// The workbook writer reads a kind once (TestWorkbookReadsAKindOnce).
	for _, f := range []Format{Parquet{}} {
		runs, err := write(t, f, 1<<30, nil)
		if err != nil {
			t.Fatalf("%s, unchanged: %v", f.Name(), err)
		}
		for _, c := range cases {
			t.Run(f.Name()+"/"+c.name, func(t *testing.T) {
				_, err := write(t, f, runs, c.second)
				assertErrorHas(t, err, c.want...)
			})
		}
	}
}

// decodeJSONEach cuts and decodes records in the caller's goroutine (it
// once cut them in one of its own): errors come in the file's order, and
// nothing runs on when it returns, whatever ended it.
func TestDecodeJSONEachStops(t *testing.T) {
	many := "[" + strings.Repeat(`{"id":1},`, 1000) + `{"id":2}]`
	stopAt := errors.New("stop")
	cases := []struct {
		name, text string
		stop       int // fn fails at this record; 0: never
		want       string
		records    int
	}{
		{"whole", many, 0, "", 1001},
		{"fn fails", many, 2, "stop", 2},
		{"bad record before bad syntax", `[{"id":1},{"id":2,"a":1,"a":2},{"id":3},}`, 0, "record 2: id 2", 1},
		{"bad syntax", `[{"id":1},{"id":2},}`, 0, "not a JSON array of records", 2},
		{"trailing data", `[{"id":1}] x`, 0, "unexpected data after the JSON value", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			n := 0
			err := decodeJSONEach(strings.NewReader(c.text), func(snapshot.Record) error {
				n++
				if n == c.stop {
					return stopAt
				}
				return nil
			})
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if n != c.records {
				t.Errorf("%d records handed on, want %d", n, c.records)
			}
			noGoroutineLeft(t, before)
		})
	}
}

// noGoroutineLeft fails t when more goroutines run than before, once those
// that were told to end (a closed channel) have had a moment to exit.
func noGoroutineLeft(t *testing.T, before int) {
	t.Helper()
	after := runtime.NumGoroutine()
	for i := 0; i < 100 && after > before; i++ {
		time.Sleep(10 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	if after > before {
		t.Errorf("%d goroutines after, %d before", after, before)
	}
}

// Converting to JSON reads each kind once: the file is written as the kind
// is read, and taken back only when the kind turns out to be out of id
// order (TestStreamedWorkbookOutOfIDOrder). It read each kind twice, a run
// to check the order before writing anything.
func TestJSONWriterReadsAKindOnce(t *testing.T) {
	s := genSnapshot(5)
	dir := writeSnapshot(t, s, Parquet{})
	src, err := OpenSource(dir)
	if err != nil {
		t.Fatal(err)
	}
	runs := map[string]int{}
	stream := src.Stream
	src.Stream = func(fn func(string, Records) error) error {
		return stream(func(kind string, recs Records) error {
			return fn(kind, func(yield func(snapshot.Record) error) error {
				runs[kind]++
				return recs(yield)
			})
		})
	}
	out := filepath.Join(t.TempDir(), "out")
	d, err := snapshot.NewDir(out, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := WriteSource(src, d, []Format{JSON{}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(src.Manifest); err != nil {
		t.Fatal(err)
	}
	for kind := range s.Records {
		if runs[kind] != 1 {
			t.Errorf("%s: read %d times", kind, runs[kind])
		}
	}
	got, err := ReadAll(JSON{}, out)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got)
}
