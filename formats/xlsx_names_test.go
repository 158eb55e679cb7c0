package formats

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/internal/heaptest"
	"github.com/halocfg/halocfg/internal/spill"
	"github.com/halocfg/halocfg/snapshot"
)

// TestXLSXNamesHoldLittlePerRecord (issue 12): the workbook writer kept
// the names display columns show in a map, some 90 bytes a record of every
// kind references point at (all of them) until the workbook was written:
// what export held grew with the tenant. It keeps an entry of a flat table
// now, the names in a temporary file; and each name reads back.
func TestXLSXNamesHoldLittlePerRecord(t *testing.T) {
	const n = 100000
	names0 := spill.New(t.TempDir(), "names")
	defer names0.Close()
	var names *xlsxNames
	held := heaptest.Held(func() any {
		names = newXLSXNames("status", names0)
		for i := range n {
			r := snapshot.Record{"id": json.Number(strconv.Itoa(i + 1)), "name": fmt.Sprintf("Status number %d", i+1)}
			if err := names.add(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := names.done(); err != nil {
			t.Fatal(err)
		}
		return names
	})
	t.Logf("the names of %d records take %d KiB held, %d bytes a record", n, held>>10, held/n)
	// Before: 92 bytes a record; after: 16.
	if per := held / n; per > 24 {
		t.Errorf("the names of %d records take %d bytes a record held, more than 24", n, per)
	}
	// A name too long for the spill is held apart, and found as well.
	long := strings.Repeat("n", spill.MaxLen+1)
	if err := names.add(snapshot.Record{"id": json.Number("200000"), "name": long}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   any
		want string
	}{
		{json.Number("200000"), long},
		{json.Number("1"), "Status number 1"},
		{"77777", "Status number 77777"},
		{json.Number("100000"), "Status number 100000"},
		{json.Number("100001"), ""},
		{"07", ""},
		{nil, ""},
	} {
		got, err := names.name(c.id)
		if err != nil || got != c.want {
			t.Errorf("name(%v) = %q, %v; want %q", c.id, got, err, c.want)
		}
	}
}
