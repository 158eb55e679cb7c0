package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

func TestConvert(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	tmp := t.TempDir()
	src := filepath.Join(tmp, "json")
	if r := runCLI(context.Background(), t, append([]string{"export", "--out", src}, sim.flags()...)...); r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	want, err := formats.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	same := func(t *testing.T, path string) {
		t.Helper()
		got, err := formats.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for kind, recs := range want.Records {
			if !snapshot.Equal(got.Records[kind], recs) {
				t.Errorf("%s: %s differs from the exported snapshot", path, kind)
			}
		}
		if len(got.Records) != len(want.Records) {
			t.Errorf("%s: %d kinds, want %d", path, len(got.Records), len(want.Records))
		}
	}
	// SNAPSHOT before or after the flags, as the issue writes it.
	steps := []struct {
		args []string
		open string
	}{
		{[]string{"convert", src, "--to", "xlsx", "--out", filepath.Join(tmp, "xlsx")}, filepath.Join(tmp, "xlsx")},
		{[]string{"convert", "--to", "parquet", "--out", filepath.Join(tmp, "parquet"), filepath.Join(tmp, "xlsx")}, filepath.Join(tmp, "parquet")},
		{[]string{"convert", "--to", "json", "--out", filepath.Join(tmp, "back"), filepath.Join(tmp, "xlsx", "snapshot.xlsx")}, filepath.Join(tmp, "back")},
	}
	for _, st := range steps {
		if r := runCLI(context.Background(), t, st.args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", st.args, r.code, r.stderr)
		}
		same(t, st.open)
	}
}

func TestConvertBadInput(t *testing.T) {
	tmp := t.TempDir()
	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no snapshot", []string{"convert", "--to", "json", "--out", filepath.Join(tmp, "o")}, exitUsage, "SNAPSHOT"},
		{"missing snapshot", []string{"convert", "--to", "json", "--out", filepath.Join(tmp, "o"), filepath.Join(tmp, "nope")}, exitUsage, "nope"},
		{"unknown format", []string{"convert", "--to", "csv", "--out", filepath.Join(tmp, "o"), tmp}, exitUsage, `unknown format "csv"`},
		{"no --to", []string{"convert", "--out", filepath.Join(tmp, "o"), tmp}, exitUsage, "--to is required"},
		{"not a snapshot", []string{"convert", "--to", "json", "--out", filepath.Join(tmp, "o"), tmp}, exitFailure, "not a snapshot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(context.Background(), t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.contains) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tc.code, r.stderr, tc.contains)
			}
			noSnapshotLeft(t, filepath.Join(tmp, "o"))
		})
	}
}

// TestRestoreFromOneFormat: a snapshot directory restores from any one of
// its formats with the manifest, the other formats' files gone (parquet/
// copied alone): convert writes the same snapshot, and import --dry-run makes
// the same plan. verify still reports every file that is gone, and says
// which format a restore reads.
func TestRestoreFromOneFormat(t *testing.T) {
	ctx := context.Background()
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	full := exportDemo(t, src, "json,xlsx,parquet")
	tmp := t.TempDir()
	plan := func(snap, out string) []byte {
		t.Helper()
		args := append([]string{"import", "--from", snap, "--dry-run", "--external", "keep", "--ledger", filepath.Join(tmp, "ledger.json"), "--plan-out", out}, dst.flags()...)
		if r := runCLI(ctx, t, args...); r.code != 0 {
			t.Fatalf("import --dry-run --from %s: exit %d: %s", snap, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want, err := formats.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	wantPlan := plan(full, filepath.Join(tmp, "full-plan.json"))

	for _, f := range formats.All() {
		t.Run(f.Name(), func(t *testing.T) {
			snap := filepath.Join(tmp, f.Name()+"-alone")
			if err := os.CopyFS(snap, os.DirFS(full)); err != nil {
				t.Fatal(err)
			}
			m, err := snapshot.ReadManifest(snap)
			if err != nil {
				t.Fatal(err)
			}
			gone := 0
			for _, fl := range m.Files {
				if !f.Owns(fl.Path) {
					os.Remove(filepath.Join(snap, filepath.FromSlash(fl.Path)))
					gone++
				}
			}
			out := filepath.Join(tmp, f.Name()+"-converted")
			if r := runCLI(ctx, t, "convert", snap, "--to", "json", "--out", out); r.code != 0 {
				t.Fatalf("convert: exit %d: %s", r.code, r.stderr)
			}
			got, err := formats.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			for kind, recs := range want.Records {
				if !snapshot.Equal(got.Records[kind], recs) {
					t.Errorf("converted from %s alone: %s differs", f.Name(), kind)
				}
			}
			if len(got.Records) != len(want.Records) || got.Manifest.Source != want.Manifest.Source || !got.Manifest.CreatedAt.Equal(want.Manifest.CreatedAt) {
				t.Errorf("converted from %s alone: %d kinds, source %s, created %s", f.Name(), len(got.Records), got.Manifest.Source, got.Manifest.CreatedAt)
			}
			if p := plan(snap, filepath.Join(tmp, f.Name()+"-plan.json")); !bytes.Equal(p, wantPlan) {
				t.Errorf("the plan from %s alone differs from the plan from every format", f.Name())
			}

			r := runCLI(ctx, t, "verify", snap)
			if r.code != exitFailure || strings.Count(r.stdout, "missing (listed in the manifest)") != gone ||
				!strings.Contains(r.stderr, fmt.Sprintf("%d problem(s); %s is complete: import and convert read it alone", gone, f.Name())) {
				t.Errorf("verify: exit %d, want %d missing files and %s complete:\n%s%s", r.code, gone, f.Name(), r.stdout, r.stderr)
			}
		})
	}
}
