package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/mapping"
	"github.com/xuri/excelize/v2"
)

func TestDiffCommand(t *testing.T) {
	// Same seed: the tenants agree on the records they share.
	source := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	target := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	a := exportDemo(t, source, "json")
	b := exportDemo(t, target, "xlsx")
	added, removed, records := keyChanges(source, target)

	// Snapshot against itself, and against its own tenant live: equal, exit 0.
	r := runCLI(context.Background(), t, "diff", a, a)
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("no differences (%d records in %d kinds)", records, len(catalog.Kinds()))) {
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
		// The records demo-target drops and adds, and a change it makes.
		for _, want := range []string{"  - Scheduled", "  + Awaiting Parts",
			`      buttonname: "Escalate" -> "Escalate to L2"`, fmt.Sprintf("\n%d added, %d removed, ", added, removed)} {
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
	if doc.Equal || doc.Added != added || doc.Removed != removed || !strings.Contains(outputs[0], fmt.Sprintf("\n%d added, %d removed, %d changed\n", added, removed, doc.Changed)) {
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

// keyChanges counts, over every kind, the records of b whose natural key a
// lacks (added), those of a that b lacks (removed), and a's records.
func keyChanges(a, b simTenant) (added, removed, records int) {
	for _, k := range catalog.Kinds() {
		keys := func(tn simTenant) map[string]bool {
			m := map[string]bool{}
			for _, r := range tn.Records(k.Name) {
				key, _ := mapping.Key(k, r)
				m[key] = true
			}
			return m
		}
		ka, kb := keys(a), keys(b)
		records += len(a.Records(k.Name))
		for key := range kb {
			if !ka[key] {
				added++
			}
		}
		for key := range ka {
			if !kb[key] {
				removed++
			}
		}
	}
	return added, removed, records
}
