package formats

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// TestNestedJSONCellRepeatedKey: a nested value is written as JSON text in an
// XLSX cell; a key repeated in it (an edit by hand) is an error naming the
// key, not "the last one wins".
func TestNestedJSONCellRepeatedKey(t *testing.T) {
	r, err := snapshot.DecodeRecord([]byte(`{"id": 1, "name": "New", "tickettypes": [{"value": "5", "label": "Incident"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot.New("http://test", time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	s.Put("status", []snapshot.Record{r})
	dir := filepath.Join(t.TempDir(), "snap")
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if err := (XLSX{}).Write(FromSnapshot(s), d); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
	editWorkbook(t, filepath.Join(dir, xlsxName), func(f *xlsxFile) {
		row := f.findRow("status", "1")
		f.set("status", f.column("status", "tickettypes")+strconv.Itoa(row), `[{"value": "5", "label": "Incident", "value": "6"}]`)
	})
	_, err = ReadAll(XLSX{}, dir)
	if err == nil || !strings.Contains(err.Error(), `field "[0]": key "value" appears twice`) {
		t.Errorf("err = %v, want the repeated key named", err)
	}
}
