package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/halosim"
	"github.com/xuri/excelize/v2"
)

func TestDiffCommand(t *testing.T) {
	// Same seed: the tenants agree on the records they share.
	source := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	target := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	a := exportDemo(t, source, "json")
	b := exportDemo(t, target, "xlsx")

	// Snapshot against itself, and against its own tenant live: equal, exit 0.
	r := runCLI(context.Background(), t, "diff", a, a)
	if r.code != 0 || !strings.Contains(r.stdout, "no differences (137 records in 20 kinds)") {
		t.Errorf("A A: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(context.Background(), t, append(append([]string{"diff"}, source.flags()...), a, "live")...)
	if r.code != 0 || !strings.Contains(r.stdout, "B: live (http://127.0.0.1:") {
		t.Errorf("A live: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Against the other tenant: different, exit 1, whichever way B is read
	// (its workbook, or the tenant live).
	var outputs []string
	for _, args := range [][]string{{a, filepath.Join(b, "snapshot.xlsx")}, append(target.flags(), a, "live")} {
		r = runCLI(context.Background(), t, append([]string{"diff"}, args...)...)
		if r.code != exitFailure {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		// The records demo-target drops and adds (11 each), and a change it makes.
		for _, want := range []string{"  - Scheduled", "  + Awaiting Parts",
			`      buttonname: "Escalate" -> "Escalate to L2"`, "\n20 added, 20 removed, "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, r.stdout)
			}
		}
		_, body, _ := strings.Cut(r.stdout, "\n\n") // past the A: and B: lines
		outputs = append(outputs, body)
	}
	if outputs[0] != outputs[1] {
		t.Errorf("the workbook and the live tenant give different differences:\n%s\n---\n%s", outputs[0], outputs[1])
	}

	r = runCLI(context.Background(), t, "diff", "--output", "json", a, b)
	var doc struct {
		Equal                   bool
		Added, Removed, Changed int
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitFailure {
		t.Fatalf("json: exit %d, %v: %s", r.code, err, r.stdout)
	}
	if doc.Equal || doc.Added != 20 || doc.Removed != 20 || !strings.Contains(outputs[0], "\n20 added, 20 removed, "+strconv.Itoa(doc.Changed)+" changed\n") {
		t.Errorf("json summary %+v", doc)
	}

	out := filepath.Join(t.TempDir(), "changes.xlsx")
	r = runCLI(context.Background(), t, "diff", "--output", "xlsx", "--out", out, a, b)
	if r.code != exitFailure || r.stdout != "" {
		t.Fatalf("xlsx: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("changes")
	found := false
	for _, row := range rows {
		found = found || strings.Join(row, "|") == strings.Join([]string{"status", "Scheduled", "removed"}, "|")+"||||"+row[6]
	}
	if len(rows) < 50 || !found {
		t.Errorf("changes sheet: %d rows, Scheduled removed found: %v", len(rows), found)
	}
}

func TestDiffTrouble(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	a := exportDemo(t, sim, "json")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one argument", []string{a}, "want 2 argument(s)"},
		{"no such snapshot", []string{a, filepath.Join(t.TempDir(), "none")}, "no such file"},
		{"bad output", []string{"--output", "csv", a, a}, `--output "csv"`},
		{"xlsx to stdout", []string{"--output", "xlsx", a, a}, "--output xlsx needs --out FILE"},
		{"live without a tenant", []string{a, "live"}, "--url"},
		{"wrong secret", []string{"--url", sim.url, "--client-id", sim.id, "--client-secret", "wrong", a, "live"}, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HALO_URL", "")
			r := runCLI(context.Background(), t, append([]string{"diff"}, tc.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d (want 2): %s", r.code, r.stderr)
			}
		})
	}
}
