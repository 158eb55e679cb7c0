package cli

import (
	"context"
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
