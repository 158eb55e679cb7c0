package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// TestExportDirectoryRefused: an API application that may not read /Agent
// (403) still gets its nightly snapshot: the agent directory is left out
// with a warning (an import then pairs no agent of it), the configuration
// and the other directories are all there.
func TestExportDirectoryRefused(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1, Deviate: []string{"forbidden:agent"}})
	dir := filepath.Join(t.TempDir(), "snap")
	r := runCLI(context.Background(), t, append([]string{"export", "--out", dir}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "directory left out: the API refused its list") || !strings.Contains(r.stderr, "kind=agent") || !strings.Contains(r.stderr, "403") {
		t.Errorf("no warning naming the agent directory and the 403:\n%s", r.stderr)
	}
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Kinds["agent"]; ok {
		t.Error("the manifest lists an agent directory the API refused")
	}
	for _, kind := range []string{"team", "role", "status", "outcome"} {
		if _, ok := m.Kinds[kind]; !ok {
			t.Errorf("the manifest lacks %s", kind)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "json", "agent.json")); !os.IsNotExist(err) {
		t.Errorf("json/agent.json: %v, want none", err)
	}
}
