package diff

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/internal/snaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// TestDiffHoldsDifferences (issue 12): diff read both snapshots whole
// before comparing them (several GB at 50,000 records); then it held the
// skeletons of every record and the records of one kind of each side at a
// time: twice a kind's records, over a hundred MiB each at 50,000 records.
// It now holds skeletons and digests of every record, and in full only the
// records that differ: its peak is well under one large kind's records of
// one side.
func TestDiffHoldsDifferences(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two snapshots of 3,000 records of 32 kB")
	}
	const n = 3000
	text := strings.Repeat("Dear {{user}}, your ticket was updated. ", 800)
	dirs := make([]string, 2)
	for side := range dirs {
		s := snapshot.New("https://memory.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
		recs := make([]snapshot.Record, n)
		for i := range recs {
			note := text + strconv.Itoa(i)
			if side == 1 && i%100 == 0 {
				note += " (edited)"
			}
			recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("template %d", i), "note": note}
		}
		s.Put("emailtemplate", recs)
		dirs[side] = filepath.Join(t.TempDir(), "snap")
		d, err := snapshot.NewDir(dirs[side], false)
		if err != nil {
			t.Fatal(err)
		}
		if err := formats.Write(s, d, []formats.Format{formats.JSON{}}); err != nil {
			t.Fatal(err)
		}
		if err := d.Commit(s.Manifest); err != nil {
			t.Fatal(err)
		}
	}

	// What one side's records take, held.
	kind := heaptest.Held(func() any {
		held, err := formats.Open(dirs[0])
		if err != nil {
			t.Fatal(err)
		}
		return held
	})
	var r *Result
	peak := heaptest.Peak(func() {
		var err error
		if r, err = compareDirs(t, dirs[0], dirs[1]); err != nil {
			t.Fatal(err)
		}
	})
	if _, _, changed := r.Totals(); changed != n/100 || len(r.Changes) != n/100 || r.Changes[0].Key != "template 0" {
		t.Fatalf("%d records changed, changes %.200v; want %d", changed, r.Changes, n/100)
	}
	t.Logf("diff: peak live heap %d MiB; one side's records, held: %d MiB", peak>>20, kind>>20)
	if peak > kind/2 {
		t.Errorf("diff held %d MiB at its peak; one side's records take %d MiB", peak>>20, kind>>20)
	}
}

// TestDiffHoldsLittlePerRecord (issue 12): diff held a skeleton of every
// record of both sides as a map of its own, and indexed them by guid and
// natural key in maps of maps: over 2 kB a record, 456 MiB of RSS at
// 50,000 records against 75 at 5,000. Then, with the skeletons in a
// temporary file, its index by id, pairs, key indexes and digests were
// still maps keyed by text: 656-751 bytes a record. They are now flat
// arrays (idtab, mapping's skeletons and pairs), and a kind's digests are
// dropped once compared: 180-320 bytes a record.
func TestDiffHoldsLittlePerRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("writes snapshots of 4,000 and 40,000 records")
	}
	per := heaptest.PeakPerUnit(4000, 40000, func(n int) func() {
		dir := snaptest.ManyJSON(t, n, 1000)
		return func() {
			r, err := compareDirs(t, dir, dir)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Equal() || r.Kinds[0].A != n/8 {
				t.Fatalf("a snapshot differs from itself: %+v", r.Kinds)
			}
		}
	})
	t.Logf("diff: %d bytes of peak live heap a record", per)
	if per > 500 {
		t.Errorf("diff's peak grows by %d bytes a record", per)
	}
}

// diff keeps the skeletons of both sides in temporary files: when one
// cannot be made, diff fails saying so, rather than compare references it
// could not resolve.
func TestDiffTemporaryFileFails(t *testing.T) {
	dir := snaptest.ManyJSON(t, 40, 0)
	t.Setenv("TMPDIR", "/nonexistent/halocfg-test")
	r, err := compareDirs(t, dir, dir)
	if err == nil || !strings.Contains(err.Error(), "holding record skeletons in a temporary file") || !strings.Contains(err.Error(), "/nonexistent/halocfg-test") {
		t.Errorf("CompareSources: %v, %v", r, err)
	}
}

// compareDirs compares the snapshots in dirs a and b, read a record at a time.
func compareDirs(t *testing.T, a, b string) (*Result, error) {
	t.Helper()
	sa, err := formats.OpenSource(a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := formats.OpenSource(b)
	if err != nil {
		t.Fatal(err)
	}
	return CompareSources(sa, sb)
}
