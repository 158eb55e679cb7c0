package verify

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

// TestVerifyHoldsOneFormat (issue 12): verify read every format whole
// before comparing them: three copies of the snapshot (8 GB at 50,000
// records). Then it held the records of one format, and one kind of the
// others at a time; now the skeletons (mapping.Skeleton) and digests of one
// format, each record read and let go: less than one format's records. The
// notes are long enough that the records, not their skeletons, are most of
// a format (with 800-character notes the two came within 15%).
func TestVerifyHoldsOneFormat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 24,000 records in three formats")
	}
	s := snapshot.New("https://memory.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	text := strings.Repeat("Dear {{user}}, your ticket was updated. ", 60)
	for _, kind := range []string{"status", "emailtemplate", "tickettypegroup", "ticketarea", "sla", "workflow", "template", "tickettab"} {
		recs := make([]snapshot.Record, 3000)
		for i := range recs {
			recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("%s %d", kind, i), "note": text + strconv.Itoa(i), "sequence": json.Number(strconv.Itoa(i * 10))}
		}
		s.Put(kind, recs)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, s, "json,parquet,xlsx")
	s = nil

	// What one copy of the records takes, held.
	one := heaptest.Held(func() any {
		held, err := formats.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return held
	})
	var r *Report
	all := heaptest.Peak(func() {
		var err error
		if r, err = Dir(dir); err != nil {
			t.Fatal(err)
		}
	})
	if !r.OK() || len(r.Formats) != 3 {
		t.Fatalf("formats %v, problems:\n%s", r.Formats, messages(r))
	}
	t.Logf("verify: peak live heap %d MiB; one format's records, held: %d MiB", all>>20, one>>20)
	if all > one { // three copies at first, then 1.35 copies
		t.Errorf("verify held %d MiB at its peak; one format's records take %d MiB", all>>20, one>>20)
	}
}

// TestVerifyHoldsOneRecord (issue 12): verify read a kind whole, in each
// format, to check its records: at 50,000 records in 20 kinds that was over
// a hundred MiB a kind. It now reads each record and lets it go, holding
// only digests and skeletons: its peak is well under one large kind's
// records (about a quarter of it here, most of it garbage the collector
// counts live while it runs; the old code held 100 and more). JSON streams
// its records; a format read a kind whole (formats.Stream) would not pass.
func TestVerifyHoldsOneRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,000 records of 32 kB")
	}
	const n = 3000
	s := snapshot.New("https://memory.halopsa.com", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	text := strings.Repeat("Dear {{user}}, your ticket was updated. ", 800)
	recs := make([]snapshot.Record, n)
	for i := range recs {
		recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("template %d", i), "note": text + strconv.Itoa(i)}
	}
	s.Put("emailtemplate", recs)
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, s, "json")
	s, recs = nil, nil

	kind := heaptest.Held(func() any {
		held, err := formats.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return held
	})
	var r *Report
	peak := heaptest.Peak(func() {
		var err error
		if r, err = Dir(dir); err != nil {
			t.Fatal(err)
		}
	})
	if !r.OK() || r.Records != n {
		t.Fatalf("%d records, problems:\n%s", r.Records, messages(r))
	}
	t.Logf("verify: peak live heap %d MiB; the kind's records, held: %d MiB", peak>>20, kind>>20)
	if peak > kind/2 {
		t.Errorf("verify held %d MiB at its peak; the kind's records take %d MiB", peak>>20, kind>>20)
	}
}

// TestVerifyHoldsLittlePerRecord (issue 12): verify held a skeleton of
// every record as a map of its own, and indexed them by id, guid and
// natural key in maps of maps: over a kB a record, 244 MiB of RSS at
// 50,000 records against 108 at 5,000. It now holds an entry in flat
// arrays for each record's skeleton, kept in a temporary file
// (mapping.Tenant), and a digest of each in order: 70-130 bytes a record.
func TestVerifyHoldsLittlePerRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("writes snapshots of 4,000 and 40,000 records")
	}
	per := heaptest.PeakPerUnit(4000, 40000, func(n int) func() {
		dir := snaptest.ManyJSON(t, n, 1000)
		return func() {
			r, err := Dir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || r.Records != n {
				t.Fatalf("%d records, problems:\n%s", r.Records, messages(r))
			}
		}
	})
	t.Logf("verify: %d bytes of peak live heap a record", per)
	if per > 300 {
		t.Errorf("verify's peak grows by %d bytes a record", per)
	}
}
