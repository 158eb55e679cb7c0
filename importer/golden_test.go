package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestPlanGolden holds the plan of demo -> demo-target (statuses and SLAs),
// for people (the
// table) and for tools (--plan-out), to golden files: an update shows what
// each field is now and what it becomes, shortened in the table, whole in
// the JSON.
func TestPlanGolden(t *testing.T) {
	ctx := context.Background()
	src, dst := startSim(t, "demo", 1), startSim(t, "demo-target", 1)
	snap := exportSim(t, src)
	opt := keep
	opt.TargetURL = dst.client.BaseURL()
	opt.Kinds = []string{"status", "sla"} // a plan of every kind is 2 MB of JSON
	p, err := NewPlan(ctx, snap, dst.client, opt)
	if err != nil {
		t.Fatal(err)
	}
	var table, plan bytes.Buffer
	if err := p.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteJSON(&plan); err != nil {
		t.Fatal(err)
	}
	urls := strings.NewReplacer(src.url, "http://source.invalid", dst.url, "http://target.invalid")
	checkGolden(t, "plan-table.txt", table.String())
	checkGolden(t, "plan.json", urls.Replace(plan.String()))

	// The values, not only the fields: a status's colour in the table, and
	// a nested one whole in the JSON.
	if !strings.Contains(table.String(), `colour: "#1b4f72" -> "#2e86de"`) {
		t.Errorf("the table does not show the colour of status New going back to the snapshot's:\n%s", table.String())
	}
	var doc struct {
		Actions []struct {
			Kind, Key string
			Changes   []map[string]any
		}
	}
	if err := json.Unmarshal(plan.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range doc.Actions {
		if a.Kind != "sla" || a.Key != "Standard" {
			continue
		}
		for _, c := range a.Changes {
			if c["field"] == "priorities" {
				found = true
				before, _ := json.Marshal(c["before"])
				after, _ := json.Marshal(c["after"])
				if !bytes.Contains(before, []byte(`"fixtime":2`)) || !bytes.Contains(after, []byte(`"fixtime":4`)) {
					t.Errorf("sla Standard priorities: %s -> %s, want the P1 fixtime 2 -> 4", before, after)
				}
			}
		}
	}
	if !found {
		t.Error("the plan JSON has no change of sla Standard's priorities")
	}
}

// checkGolden compares got with testdata/name (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from what the plan writes now (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestChangeJSON(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{Field: "colour", Before: "#1b4f72", After: "#2e86de"}, `{"field":"colour","before":"#1b4f72","after":"#2e86de"}`},
		{Change{Field: "note", Before: nil, After: "<b>&</b>"}, `{"field":"note","before":null,"after":"<b>&</b>"}`},
		{Change{Field: "note", NoBefore: true, After: json.Number("72.0")}, `{"field":"note","after":72.0}`},
		{Change{Field: "newstatus", Before: json.Number("3"), After: json.Number("9"), Pending: true}, `{"field":"newstatus","before":3,"after":9,"pending":true}`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		enc := json.NewEncoder(&b) // as WriteJSON writes it
		enc.SetEscapeHTML(false)
		err := enc.Encode(tt.c)
		if got := strings.TrimSpace(b.String()); err != nil || got != tt.want {
			t.Errorf("%+v: %s %v, want %s", tt.c, got, err, tt.want)
		}
	}
}
