package diff

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// TestDiffHoldsOneKind (issue 12): diff read both snapshots whole before
// comparing them, two copies of the records and their neutral forms (several
// GB at 50,000 records). It now holds the skeletons of every record and the
// records of about one kind of each side at a time.
func TestDiffHoldsOneKind(t *testing.T) {
	if testing.Short() {
		t.Skip("writes two snapshots of 8,000 records of 8 kB")
	}
	text := strings.Repeat("Dear {{user}}, your ticket was updated. ", 200)
	kinds := []string{"status", "emailtemplate", "tickettypegroup", "ticketarea", "sla", "workflow", "template", "tickettab"}
	dirs := make([]string, 2)
	for side := range dirs {
		s := snapshot.New("https://memory.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
		for _, kind := range kinds {
			recs := make([]snapshot.Record, 1000)
			for i := range recs {
				note := text + strconv.Itoa(i)
				if side == 1 && i%100 == 0 {
					note += " (edited)"
				}
				recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("%s %d", kind, i), "note": note, "sequence": json.Number(strconv.Itoa(i * 10))}
			}
			s.Put(kind, recs)
		}
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
	before := heaptest.Live()
	held, err := formats.Open(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	one := heaptest.Live() - before
	runtime.KeepAlive(held)
	held = nil
	var r *Result
	peak := heaptest.Peak(func() {
		a, err := formats.OpenSource(dirs[0])
		if err != nil {
			t.Fatal(err)
		}
		b, err := formats.OpenSource(dirs[1])
		if err != nil {
			t.Fatal(err)
		}
		if r, err = CompareSources(a, b); err != nil {
			t.Fatal(err)
		}
	})
	if _, _, changed := r.Totals(); changed != len(kinds)*10 || len(r.Kinds) != len(kinds) {
		t.Fatalf("%d kinds compared, %d records changed; want %d and %d", len(r.Kinds), changed, len(kinds), len(kinds)*10)
	}
	t.Logf("diff: peak live heap %d MiB; one side's records, held: %d MiB", peak>>20, one>>20)
	if peak > one*3/4 { // both sides whole, and more, before
		t.Errorf("diff held %d MiB at its peak; one side's records take %d MiB", peak>>20, one>>20)
	}
}
