package importer

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/xuri/excelize/v2"
)

// TestImportEditedWorkbook: an analyst renames a status and changes an
// outcome's colour in snapshot.xlsx; importing the workbook again applies
// exactly those two changes.
func TestImportEditedWorkbook(t *testing.T) {
	ctx := context.Background()
	snap := exportSim(t, startSim(t, "demo", 1))
	dir := filepath.Join(t.TempDir(), "snap")
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := formats.Write(snap, d, []formats.Format{formats.JSON{}, formats.XLSX{}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(snap.Manifest); err != nil {
		t.Fatal(err)
	}
	workbook := filepath.Join(dir, "snapshot.xlsx")

	dst := startSim(t, "demo-target", 1)
	ledger, err := OpenLedger(filepath.Join(t.TempDir(), "ledger.json"), dst.client.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	first, err := formats.Open(workbook)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := importInto(ctx, first, dst, keep, ledger); err != nil {
		t.Fatal(err)
	}

	status := findByKey(t, snap, "status", "Waiting on Supplier")
	outcome := findByKey(t, snap, "outcome", "Escalate")
	f, err := excelize.OpenFile(workbook)
	if err != nil {
		t.Fatal(err)
	}
	setCell(t, f, "status", status.ID(), "name", "Waiting on Vendor")
	setCell(t, f, "outcome", outcome.ID(), "colour", "#123456")
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	edited, err := formats.Open(workbook)
	if err != nil {
		t.Fatal(err)
	}
	dst.tenant.ResetStats()
	p, done, err := importInto(ctx, edited, dst, keep, ledger)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, a := range p.Actions {
		if a.Op != Unchanged {
			changes = append(changes, string(a.Op)+" "+a.Kind+" "+a.Key+" "+strconv.Quote(strings.Join(a.Fields, ",")))
		}
	}
	want := []string{`update status Waiting on Vendor "name"`, `update outcome Escalate "colour"`}
	if !slices.Equal(changes, want) {
		t.Errorf("changes = %q, want %q", changes, want)
	}
	if done.Writes() != 2 || dst.tenant.Stats().Writes != 2 {
		t.Errorf("sent %d writes, the server applied %d; want 2", done.Writes(), dst.tenant.Stats().Writes)
	}
	tgt := mapping.NewTenant(dst.tenant.AllRecords())
	if recs := tgt.ByKey("status", "Waiting on Vendor"); len(recs) != 1 || len(tgt.ByKey("status", "Waiting on Supplier")) != 0 {
		t.Errorf("status not renamed in the target: %d renamed, %d old", len(recs), len(tgt.ByKey("status", "Waiting on Supplier")))
	}
	if recs := tgt.ByKey("outcome", "Escalate"); len(recs) != 1 || recs[0]["colour"] != "#123456" {
		t.Errorf("outcome colour not changed: %v", recs)
	}
	verifyImported(t, edited, dst)
}

func findByKey(t *testing.T, s *snapshot.Snapshot, kind, key string) snapshot.Record {
	t.Helper()
	for _, r := range s.Records[kind] {
		if k, _ := mapping.Key(catalog.MustLookup(kind), r); k == key {
			return r
		}
	}
	t.Fatalf("no %s %q", kind, key)
	return nil
}

// setCell sets the cell of a record (by id, column A) and field (by header).
func setCell(t *testing.T, f *excelize.File, sheet, id, field string, v any) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col, row := -1, -1
	for i, h := range rows[0] {
		if h == field {
			col = i
		}
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == id {
			row = i
		}
	}
	if col < 0 || row < 0 {
		t.Fatalf("sheet %s: no column %s or no row %s", sheet, field, id)
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, row+1)
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}
