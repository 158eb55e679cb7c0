package mapping

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/snapshot"
)

// skeletonRecords are n statuses whose skeletons are long: a 1 KiB name
// (their natural key) each.
func skeletonRecords(n int) []snapshot.Record {
	recs := make([]snapshot.Record, n)
	for i := range recs {
		recs[i] = snapshot.Record{
			"id":   json.Number(strconv.Itoa(i + 1)),
			"name": strconv.Itoa(i) + strings.Repeat("n", 1024),
			"guid": "6f1c3c1e-0000-4000-8000-" + strings.Repeat("0", 6) + strconv.Itoa(100000+i),
		}
	}
	return recs
}

// The skeletons of a tenant wait in a temporary file, not on the heap: a
// tenant of 5,000 records with 1 KiB keys holds a few dozen bytes a record
// (the old tenant held each skeleton's text: over 1 KiB a record), and
// answers ByID, ByKey and ByGUID from the file.
func TestSkeletonsHeldOnDisk(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	recs := skeletonRecords(5000)
	var tn *Tenant
	held := heaptest.Held(func() *Tenant {
		tn = NewTenant(nil)
		for _, r := range recs {
			tn.PutSkeleton("status", r)
		}
		return tn
	})
	defer tn.Close()
	perRecord := held / uint64(len(recs))
	t.Logf("%d bytes a record", perRecord)
	if perRecord > 300 {
		t.Errorf("the tenant holds %d bytes a record; a skeleton's text is over 1,024", perRecord)
	}
	for _, i := range []int{0, 2500, 4999} {
		want := recs[i]
		id := want.ID()
		if got := tn.ByID("status", id); got == nil || got["name"] != want["name"] || got["guid"] != want["guid"] {
			t.Errorf("ByID(%s): %v", id, got)
		}
		if got := tn.ByKey("status", want["name"].(string)); len(got) != 1 || got[0].ID() != id {
			t.Errorf("ByKey(record %s): %v", id, got)
		}
		if got := tn.ByGUID("status", want["guid"].(string)); len(got) != 1 || got[0].ID() != id {
			t.Errorf("ByGUID(record %s): %v", id, got)
		}
	}
	if err := tn.Err(); err != nil {
		t.Fatal(err)
	}
}

// The file is unlinked as soon as it is made: nothing is left in TMPDIR,
// however the process ends. After Close the tenant answers nil and says
// why, rather than answer from a closed file.
func TestSkeletonFileLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	tn := NewTenant(nil)
	tn.PutSkeleton("status", skeletonRecords(1)[0])
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("TMPDIR holds %v", entries)
	}
	if tn.ByID("status", "1") == nil {
		t.Fatal("ByID(1): nil")
	}
	if err := tn.Close(); err != nil {
		t.Fatal(err)
	}
	if got := tn.ByID("status", "1"); got != nil {
		t.Errorf("ByID after Close: %v", got)
	}
	if err := tn.Err(); err == nil || !strings.Contains(err.Error(), "record skeletons in a temporary file") {
		t.Errorf("Err after Close: %v", err)
	}
}

// A TMPDIR that cannot hold the file fails the tenant, and Err says so.
func TestSkeletonFileCannotBeMade(t *testing.T) {
	t.Setenv("TMPDIR", "/nonexistent/halocfg-test")
	tn := NewTenant(nil)
	defer tn.Close()
	tn.PutSkeleton("status", skeletonRecords(1)[0])
	if got := tn.ByID("status", "1"); got != nil {
		t.Errorf("ByID: %v", got)
	}
	if err := tn.Err(); err == nil || !strings.Contains(err.Error(), "holding record skeletons in a temporary file") || !strings.Contains(err.Error(), "/nonexistent/halocfg-test") {
		t.Errorf("Err: %v", err)
	}
}
