package formats

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// nestedSnapshot holds n ticket types whose layout is a list of 200 small
// objects: a JSON cell of 7 KB that decodes into some 100 KB of maps.
func nestedSnapshot(n int) *snapshot.Snapshot {
	s := snapshot.New("https://nested.halopsa.com", time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC))
	recs := make([]snapshot.Record, n)
	for i := range recs {
		layout := make([]any, 200)
		for j := range layout {
			layout[j] = map[string]any{"f": json.Number(strconv.Itoa(j)), "v": j%3 == 0, "s": json.Number(strconv.Itoa(i % 7)), "t": "x"}
		}
		recs[i] = snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("Type %d", i+1), "layout": layout}
	}
	s.Put("tickettype", recs)
	return s
}

// TestParquetReaderHoldsARecord (issue 12): the Parquet reader decoded 256
// rows into records before handing on the first, and a record decoded takes
// ten times its cells, so what reading a kind held grew with its rows, up
// to 256 records: converting 50,000 records from Parquet peaked at 1.6
// times the RSS of 5,000. It now decodes a row when it hands it on. What it
// holds besides (each column's page, the footer) grows with a row group's
// cells, up to the writer's bound on a row group, not with the records.
func TestParquetReaderHoldsARecord(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 110 MB of records")
	}
	const few = 40
	peak := func(n int) (held, ahead uint64) {
		dir := writeSnapshot(t, nestedSnapshot(n), Parquet{})
		// What the records the old reader decoded ahead take, held: as many
		// as there are, up to its batch of 256.
		ahead = heaptest.Held(func() any {
			recs, err := ReadAll(Parquet{}, dir)
			if err != nil {
				t.Fatal(err)
			}
			return slices.Clone(recs["tickettype"][:min(n, 256)])
		})
		// What the reader holds while the records' consumer runs, sampled
		// every fifth record.
		count, base := 0, heaptest.Live()
		err := Parquet{}.Stream(dir, func(_ string, recs Records) error {
			return recs(func(snapshot.Record) error {
				if count++; count%5 == 0 {
					if live := heaptest.Live(); live > base {
						held = max(held, live-base)
					}
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if count != n {
			t.Fatalf("read %d records of %d", count, n)
		}
		return held, ahead
	}
	heldFew, _ := peak(few)
	heldMany, ahead := peak(10 * few)
	t.Logf("reading %d records held %d KiB at its peak, %d records %d KiB; 256 records take %d KiB",
		few, heldFew>>10, 10*few, heldMany>>10, ahead>>10)
	// Before: 3.3 MiB and 21.5 (the batch of 256 records); after: 0.4 and 1.2.
	if grown := int64(heldMany) - int64(heldFew); grown > int64(ahead)/4 {
		t.Errorf("reading %d records held %d KiB more than reading %d; 256 records take %d KiB", 10*few, grown>>10, few, ahead>>10)
	}
}
