package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halocfg/halocfg/halosim"
)

// tree lists the paths below dir with the content of each file: what a
// refused command must leave exactly as it was.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			to, _ := os.Readlink(p)
			out[rel] = "-> " + to
		case d.IsDir():
			out[rel+"/"] = ""
		case !d.Type().IsRegular():
			out[rel] = d.Type().String() // never read a FIFO
		default:
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

// TestForceReplacesOnlyASnapshot: --force replaces an empty directory or a
// halocfg snapshot (a manifest at its top, nothing it does not list), and
// refuses anything else, exit 2, naming what is in the way: before, it
// replaced a backup root with every snapshot in it, or a directory of files.
func TestForceReplacesOnlyASnapshot(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	snap := exportDemo(t, sim, "json")
	setClock(t, time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC))

	cases := []struct {
		name  string
		setup func(t *testing.T, out string)
		want  string // "" = replaced
	}{
		{"a backup root", func(t *testing.T, out string) {
			if r := runCLI(context.Background(), t, append([]string{"backup", "--root", out}, sim.flags()...)...); r.code != 0 {
				t.Fatalf("backup: %s", r.stderr)
			}
			os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o600)
		}, ": refusing to replace: it is not a halocfg snapshot (holds .halocfg.lock, 20261126T031500Z/, notes.txt)"},
		{"a directory of files", func(t *testing.T, out string) {
			os.MkdirAll(filepath.Join(out, "photos"), 0o700)
			os.WriteFile(filepath.Join(out, "photos", "a.jpg"), []byte("jpeg"), 0o600)
			os.WriteFile(filepath.Join(out, "thesis.tex"), []byte("tex"), 0o600)
		}, ": refusing to replace: it is not a halocfg snapshot (holds photos/, thesis.tex)"},
		{"a snapshot holding a file it does not list", func(t *testing.T, out string) {
			copyTree(t, snap, out)
			os.WriteFile(filepath.Join(out, "json", "notes.txt"), []byte("mine"), 0o600)
		}, ": refusing to replace: it holds what its halocfg manifest does not list (json/notes.txt)"},
		{"a file", func(t *testing.T, out string) {
			os.WriteFile(out, []byte("mine"), 0o600)
		}, ": refusing to replace: it is a file, not a directory"},
		{"a link to a snapshot", func(t *testing.T, out string) {
			elsewhere := filepath.Join(t.TempDir(), "snap")
			copyTree(t, snap, elsewhere)
			os.Symlink(elsewhere, out)
		}, ": refusing to replace: it is a symbolic link, not a directory"},
		{"a snapshot", func(t *testing.T, out string) { copyTree(t, snap, out) }, ""},
		{"an empty directory", func(t *testing.T, out string) { os.Mkdir(out, 0o700) }, ""},
	}
	for _, tc := range cases {
		for _, cmd := range [][]string{
			append([]string{"export", "--force"}, sim.flags()...),
			{"convert", snap, "--to", "json,xlsx", "--force"},
		} {
			t.Run(cmd[0]+"/"+tc.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				tc.setup(t, out)
				before := tree(t, out)
				r := runCLI(context.Background(), t, append(cmd, "--out", out)...)
				if tc.want == "" {
					if r.code != 0 {
						t.Fatalf("exit %d: %s", r.code, r.stderr)
					}
					if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
						t.Errorf("not replaced: %v", err)
					}
					return
				}
				if want := "halocfg: --out " + out + tc.want + "\n"; r.code != exitUsage || r.stderr != want {
					t.Errorf("exit %d, stderr\n%q\nwant exit 2,\n%q", r.code, r.stderr, want)
				}
				if after := tree(t, out); !reflect.DeepEqual(before, after) {
					t.Errorf("the refused command changed %s:\nbefore %v\nafter  %v", out, before, after)
				}
				noPartialLeft(t, out)
			})
		}
	}
}

// noPartialLeft fails when a temporary directory of a snapshot at dir remains.
func noPartialLeft(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestKeepSnapshotRefusesWhatIsThere: migrate --keep-snapshot never
// replaces anything, and says what is in the way before exporting.
func TestKeepSnapshotRefusesWhatIsThere(t *testing.T) {
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	keep := filepath.Join(t.TempDir(), "keep")
	os.MkdirAll(keep, 0o700)
	os.WriteFile(filepath.Join(keep, "notes.txt"), []byte("mine"), 0o600)
	r := runCLI(context.Background(), t, "migrate", "--keep-snapshot", keep, "--dry-run", "--external", "keep",
		"--source-url", src.url, "--source-client-id", src.id, "--source-client-secret", src.secret, "--source-rate", "0",
		"--target-url", dst.url, "--target-client-id", dst.id, "--target-client-secret", dst.secret, "--target-rate", "0")
	want := "halocfg: --keep-snapshot " + keep + ": refusing to replace: it already exists and is not empty (holds notes.txt)\n"
	if r.code != exitUsage || r.stderr != want {
		t.Errorf("exit %d, stderr %q, want 2, %q", r.code, r.stderr, want)
	}
	if src.Stats().Details != 0 {
		t.Errorf("exported %d records before refusing", src.Stats().Details)
	}
	if b, _ := os.ReadFile(filepath.Join(keep, "notes.txt")); string(b) != "mine" {
		t.Error("notes.txt changed")
	}
}

// TestSingleFileOutputsReplaceOnlyTheirOwn: --plan-out, diff --out and the
// ledger replace only halocfg's own earlier output of the same kind; a link,
// a FIFO, a directory or anybody's file is refused, exit 2, and left as it
// was. Before, each was renamed over whatever was there.
func TestSingleFileOutputsReplaceOnlyTheirOwn(t *testing.T) {
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	snap := exportDemo(t, src, "json")
	work := t.TempDir()
	commands := map[string]func(out string) []string{
		"--plan-out": func(out string) []string {
			return append([]string{"import", "--from", snap, "--dry-run", "--external", "keep",
				"--ledger", filepath.Join(work, "ledger.json"), "--plan-out", out}, dst.flags()...)
		},
		"diff --out":               func(out string) []string { return []string{"diff", snap, snap, "--out", out} },
		"diff --output json --out": func(out string) []string { return []string{"diff", snap, snap, "--output", "json", "--out", out} },
		"diff --output xlsx --out": func(out string) []string { return []string{"diff", snap, snap, "--output", "xlsx", "--out", out} },
		"--ledger": func(out string) []string {
			return append([]string{"import", "--from", snap, "--yes", "--external", "keep", "--ledger", out}, dst.flags()...)
		},
	}
	things := map[string]struct {
		make func(t *testing.T, p string)
		why  string
	}{
		"a file of yours": {func(t *testing.T, p string) { os.WriteFile(p, []byte("my notes\n"), 0o600) }, "it is not"},
		"a link":          {func(t *testing.T, p string) { os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), p) }, "it is a symbolic link"},
		"a FIFO":          {func(t *testing.T, p string) { syscall.Mkfifo(p, 0o600) }, "it is a named pipe (FIFO)"},
		"a directory":     {func(t *testing.T, p string) { os.Mkdir(p, 0o700) }, "it is a directory"},
	}
	for cmd, args := range commands {
		for thing, tc := range things {
			t.Run(cmd+"/"+thing, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				tc.make(t, out)
				before := tree(t, filepath.Dir(out))
				writes := dst.Stats().Writes
				r := runWithin(t, time.Minute, args(out)...)
				if r.code != exitUsage || !strings.Contains(r.stderr, out+": refusing to replace: "+tc.why) {
					t.Errorf("exit %d, stderr %s; want 2 and %q", r.code, r.stderr, tc.why)
				}
				if after := tree(t, filepath.Dir(out)); !reflect.DeepEqual(before, after) {
					t.Errorf("changed:\nbefore %v\nafter  %v", before, after)
				}
				if w := dst.Stats().Writes - writes; w != 0 {
					t.Errorf("%d writes to the tenant", w)
				}
			})
		}
		if cmd == "--ledger" {
			continue // replacing its own ledger: the import tests
		}
		t.Run(cmd+"/its own output, twice", func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			for i := 0; i < 2; i++ {
				if r := runCLI(context.Background(), t, args(out)...); r.code != 0 {
					t.Fatalf("run %d: exit %d: %s", i+1, r.code, r.stderr)
				}
			}
		})
	}
}

// TestFailedExportLeavesNothing: an export that fails leaves no snapshot,
// no temporary directory, and not the directories it made to hold them.
func TestFailedExportLeavesNothing(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	base := t.TempDir()
	out := filepath.Join(base, "new", "deeper", "snap")
	r := runCLI(context.Background(), t, "export", "--out", out, "--url", sim.url, "--client-id", sim.id, "--client-secret", "wrong", "--rate", "0")
	if r.code != exitFailure {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Errorf("a failed export left %v", entries)
	}
	// A directory that was there already stays, with what it holds.
	os.MkdirAll(filepath.Join(base, "mine"), 0o700)
	out = filepath.Join(base, "mine", "new", "snap")
	runCLI(context.Background(), t, "export", "--out", out, "--url", sim.url, "--client-id", sim.id, "--client-secret", "wrong", "--rate", "0")
	if got := tree(t, base); !reflect.DeepEqual(got, map[string]string{"./": "", "mine/": ""}) {
		t.Errorf("left %v", got)
	}
}
