package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// Export streams each kind into json/<kind>.json and writes the other
// formats from those files. Without json in --format the files are spooled
// and leave no trace: the snapshot holds the formats asked for, its manifest
// lists exactly them, and it restores the tenant, directories of people
// included.
func TestExportWithoutJSON(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dir := filepath.Join(t.TempDir(), "snap")
	r := runCLI(context.Background(), t, append([]string{"export", "--out", dir, "--format", "parquet,xlsx"}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"manifest.json", "parquet", "snapshot.xlsx"}; !slices.Equal(names, want) {
		t.Errorf("the snapshot holds %v, want %v", names, want)
	}
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Path, "parquet/") && f.Path != "snapshot.xlsx" {
			t.Errorf("the manifest lists %s", f.Path)
		}
	}
	if want := len(catalog.Stored()) + 1; len(m.Files) != want {
		t.Errorf("the manifest lists %d files, want %d (a Parquet file per kind and directory, the workbook)", len(m.Files), want)
	}
	s, err := formats.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range catalog.Kinds() {
		if want := sim.Records(k.Name); !snapshot.Equal(s.Records[k.Name], want) {
			t.Errorf("%s: the snapshot differs from the tenant", k.Name)
		}
	}
	for _, k := range catalog.PairOnlyKinds() {
		if m.Kinds[k.Name].Records == 0 || len(s.Records[k.Name]) != m.Kinds[k.Name].Records {
			t.Errorf("%s: directory of %d entries, the manifest counts %d", k.Name, len(s.Records[k.Name]), m.Kinds[k.Name].Records)
		}
	}
}

// A record that fails after earlier kinds were written fails the export,
// naming the record, and leaves nothing: no snapshot, no partial directory,
// no spool.
func TestExportFailsMidway(t *testing.T) {
	for _, format := range []string{"json", "parquet", "json,xlsx"} {
		t.Run(format, func(t *testing.T) {
			sim, err := halosim.New(halosim.Options{Dataset: "demo", Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			bad := sim.Records("outcome")[2].ID() // outcome comes after most kinds
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/Outcome/"+bad {
					http.Error(w, `{"message":"broken record"}`, http.StatusBadRequest)
					return
				}
				sim.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			id, secret, _ := sim.Credentials()
			dir := filepath.Join(t.TempDir(), "deep", "snap")
			r := runCLI(context.Background(), t, "export", "--out", dir, "--format", format,
				"--url", srv.URL, "--client-id", id, "--client-secret", secret, "--rate", "0")
			if r.code != exitFailure {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, exitFailure, r.stderr)
			}
			if want := "outcome " + bad + ": GET /api/Outcome/" + bad + ": 400 Bad Request"; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not say %q: %s", want, r.stderr)
			}
			noSnapshotLeft(t, dir)
			if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
				t.Errorf("the directory made to hold the snapshot is left: %v", err)
			}
		})
	}
}
