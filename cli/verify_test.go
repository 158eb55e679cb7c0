package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// exportDemo exports a simulated tenant into a fresh snapshot directory.
func exportDemo(t *testing.T, sim simTenant, format string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	r := runCLI(context.Background(), t, append([]string{"export", "--out", dir, "--format", format}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	return dir
}

func TestVerifyCommand(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dir := exportDemo(t, sim, "json,xlsx,parquet")

	r := runCLI(context.Background(), t, "verify", dir)
	// a JSON and a Parquet file per kind and per directory of people, and the workbook
	if r.code != 0 || !strings.Contains(r.stdout, fmt.Sprintf("%s: ok: %d files, formats json,parquet,xlsx", dir, 2*len(catalog.Stored())+1)) {
		t.Fatalf("clean snapshot: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A flipped byte and a missing file: every consequence listed, exit 1.
	p := filepath.Join(dir, "json", "outcome.json")
	b, _ := os.ReadFile(p)
	i := strings.Index(string(b), `"Resolve"`)
	b[i+1] ^= 0x20 // "resolve": same size, still JSON
	os.WriteFile(p, b, 0o600)
	os.Remove(filepath.Join(dir, "parquet", "status.parquet"))
	r = runCLI(context.Background(), t, "verify", dir)
	if r.code != exitFailure {
		t.Errorf("broken snapshot: exit %d", r.code)
	}
	for _, want := range []string{
		"problem: json/outcome.json: checksum mismatch",
		"problem: parquet/status.parquet: missing (listed in the manifest)",
		"problem: status: parquet: no records of this kind; the manifest counts 12",
		"json and parquet hold different records", // the flipped byte, seen by comparing the formats
		"5 problem(s)",
	} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("output lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "do not restore from it") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestVerifyDanglingReference(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	s, err := formats.Open(exportDemo(t, sim, "json"))
	if err != nil {
		t.Fatal(err)
	}
	// A snapshot whose files are intact but whose records are not: an
	// outcome points at a status the snapshot does not hold.
	out := s.Records["outcome"][0]
	out["newstatus"] = json.Number("4242")
	dir := filepath.Join(t.TempDir(), "dangling")
	d, err := snapshot.NewDir(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := formats.Write(s, d, []formats.Format{formats.JSON{}}); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
	r := runCLI(context.Background(), t, "verify", dir)
	want := "problem: outcome " + out.ID() + ": newstatus: dangling reference: no status with id 4242 in the snapshot\n"
	if r.code != exitFailure || !strings.HasPrefix(r.stdout, want) {
		t.Errorf("exit %d, stdout:\n%s\nwant it to start with:\n%s", r.code, r.stdout, want)
	}
}

func TestVerifyBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify"}, exitUsage, "want 1 argument(s): SNAPSHOT"},
		{[]string{"verify", t.TempDir()}, exitFailure, "not a snapshot (no manifest.json)"},
		{[]string{"verify", filepath.Join(t.TempDir(), "nothing")}, exitFailure, "not a snapshot"},
	} {
		r := runCLI(context.Background(), t, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
	}
}
