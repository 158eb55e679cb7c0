package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halocfg/halocfg/backup"
	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/verify"
)

// setClock makes backups see the time returned by the function's result.
func setClock(t *testing.T, at time.Time) *time.Time {
	t.Helper()
	now := at
	old := clock
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = old })
	return &now
}

func snapshotNames(t *testing.T, root string) []string {
	t.Helper()
	es, err := backup.List(root)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// summary returns the fields of the JSON log line "backup complete".
func summary(t *testing.T, stderr string) map[string]any {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "backup complete" {
			return m
		}
	}
	t.Fatalf("no JSON summary line in:\n%s", stderr)
	return nil
}

func TestBackupRetention(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	root := t.TempDir()
	// Things backup did not make, some named like its own.
	foreign := []string{"notes/readme.txt", "20200101T000000Z/data.json", "20200102T000000Z.tar.gz", "19991231T235959Z.invalid/manifest.json"}
	for _, f := range foreign {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o700)
		os.WriteFile(p, []byte("not yours"), 0o600)
	}
	now := setClock(t, time.Date(2026, 11, 20, 3, 15, 0, 0, time.UTC))
	backupRun := func(args ...string) map[string]any {
		t.Helper()
		r := runCLI(context.Background(), t, append(append([]string{"--log-format", "json", "backup", "--root", root}, args...), sim.flags()...)...)
		if r.code != 0 {
			t.Fatalf("backup %v: exit %d: %s", args, r.code, r.stderr)
		}
		return summary(t, r.stderr)
	}

	// A week of nightly backups with --keep 3.
	var made []string
	for day := 0; day < 7; day++ {
		s := backupRun("--keep", "3")
		made = append(made, backup.Name(*now))
		if s["dir"] != filepath.Join(root, backup.Name(*now)) || s["verified"] != true || s["records"].(float64) < 50 {
			t.Errorf("night %d: summary %v", day, s)
		}
		*now = now.Add(24 * time.Hour)
	}
	if got := snapshotNames(t, root); !reflect.DeepEqual(got, made[4:]) {
		t.Errorf("--keep 3 kept %v, want %v", got, made[4:])
	}

	// --keep-days 2 at 12:00 two days after the last: the last (2 days 8h
	// 45m old) would go, but the newest is always kept.
	*now = now.Add(24*time.Hour + 8*time.Hour + 45*time.Minute)
	s := backupRun("--keep-days", "2")
	newest := backup.Name(*now)
	if got := snapshotNames(t, root); !reflect.DeepEqual(got, []string{newest}) {
		t.Errorf("--keep-days 2 kept %v, want only %s", got, newest)
	}
	if s["pruned"].(float64) != 3 || s["kept"].(float64) != 1 {
		t.Errorf("summary %v", s)
	}

	// Both rules: kept when either keeps it. Three more at 12h intervals;
	// --keep 2 keeps the last two, --keep-days 1 everything younger than a
	// day: the union is the last three.
	made = []string{newest}
	for i := 0; i < 3; i++ {
		*now = now.Add(12 * time.Hour)
		made = append(made, backup.Name(*now))
		backupRun()
	}
	if got := snapshotNames(t, root); !reflect.DeepEqual(got, made) {
		t.Fatalf("without a rule, nothing pruned: %v, want %v", got, made)
	}
	*now = now.Add(time.Hour)
	made = append(made, backup.Name(*now))
	backupRun("--keep", "2", "--keep-days", "1")
	if got := snapshotNames(t, root); !reflect.DeepEqual(got, made[2:]) {
		t.Errorf("--keep 2 --keep-days 1 kept %v, want %v", got, made[2:])
	}

	for _, f := range foreign {
		if b, err := os.ReadFile(filepath.Join(root, f)); err != nil || string(b) != "not yours" {
			t.Errorf("foreign %s touched: %v", f, err)
		}
	}
	for _, name := range snapshotNames(t, root) {
		if rep, err := verify.Dir(filepath.Join(root, name)); err != nil || !rep.OK() {
			t.Errorf("%s does not verify: %v %v", name, err, rep.Problems)
		}
	}
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func partials(root string) []string {
	var out []string
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestBackupOverlapping(t *testing.T) {
	slow := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1, Latency: 5 * time.Millisecond})
	root := t.TempDir()
	setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))

	var first result
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		first = runCLI(context.Background(), t, append([]string{"backup", "--root", root, "--keep", "1"}, slow.flags()...)...)
	}()
	waitFor(t, "the first backup to start exporting", func() bool { return slow.Stats().Details > 0 })

	second := runCLI(context.Background(), t, append([]string{"backup", "--root", root, "--keep", "1"}, slow.flags()...)...)
	if second.code != exitLocked {
		t.Errorf("overlapping backup: exit %d, want %d; stderr: %s", second.code, exitLocked, second.stderr)
	}
	for _, want := range []string{"another backup is running", backup.LockName} {
		if !strings.Contains(second.stderr, want) {
			t.Errorf("overlapping backup does not say %q: %s", want, second.stderr)
		}
	}
	wg.Wait()
	if first.code != 0 {
		t.Fatalf("first backup: exit %d: %s", first.code, first.stderr)
	}
	if got := snapshotNames(t, root); len(got) != 1 {
		t.Errorf("snapshots after the overlap: %v", got)
	}
}

func TestBackupInterrupted(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	root := t.TempDir()
	now := setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	var earlier []string
	for i := 0; i < 2; i++ {
		r := runCLI(context.Background(), t, append([]string{"backup", "--root", root}, sim.flags()...)...)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		earlier = append(earlier, backup.Name(*now))
		*now = now.Add(24 * time.Hour)
	}
	before, _ := os.ReadFile(filepath.Join(root, earlier[1], "json", "status.json"))

	// A slow tenant, and the run is cancelled halfway through the export.
	sim.SetLatency(5 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for sim.Stats().Details < 20 {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	r := runCLI(ctx, t, append([]string{"backup", "--root", root, "--keep", "1"}, sim.flags()...)...)
	if r.code != exitInterrupted {
		t.Fatalf("interrupted backup: exit %d, want %d; stderr: %s", r.code, exitInterrupted, r.stderr)
	}
	if got := snapshotNames(t, root); !reflect.DeepEqual(got, earlier) {
		t.Errorf("after the interruption: snapshots %v, want %v", got, earlier)
	}
	if p := partials(root); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
	after, _ := os.ReadFile(filepath.Join(root, earlier[1], "json", "status.json"))
	if string(before) != string(after) {
		t.Error("the interrupted run changed an earlier snapshot")
	}

	// A partial directory left by a run that was killed outright is never
	// counted: the next run with --keep 2 keeps itself and the newest
	// earlier snapshot, and clears the dead run's leftovers.
	dead := filepath.Join(root, "."+backup.Name(*now)+".partial-999999999-1")
	os.MkdirAll(filepath.Join(dead, "json"), 0o700)
	os.WriteFile(filepath.Join(dead, "manifest.json"), []byte(`{"format_version":1}`), 0o600)
	*now = now.Add(time.Hour)
	sim.SetLatency(0)
	r = runCLI(context.Background(), t, append([]string{"backup", "--root", root, "--keep", "2"}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got, want := snapshotNames(t, root), []string{earlier[1], backup.Name(*now)}; !reflect.DeepEqual(got, want) {
		t.Errorf("snapshots %v, want %v", got, want)
	}
	if p := partials(root); len(p) != 0 {
		t.Errorf("left behind: %v", p)
	}
}

func TestBackupDiffPrevious(t *testing.T) {
	source := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	target := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	root := t.TempDir()
	now := setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))

	r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root, "--diff-previous"}, source.flags()...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "no previous snapshot") {
		t.Fatalf("first backup: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	// The same tenant again: nothing changed.
	*now = now.Add(24 * time.Hour)
	r = runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root, "--diff-previous"}, source.flags()...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "no differences") || summary(t, r.stderr)["changes"] != 0.0 {
		t.Fatalf("unchanged tenant: exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The tenant's configuration changed (here: became demo-target's).
	*now = now.Add(24 * time.Hour)
	r = runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root, "--diff-previous", "--format", "json,xlsx"}, target.flags()...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	added, removed, _ := keyChanges(source, target)
	for _, want := range []string{"  - Scheduled", "  + Awaiting Parts", `colour: "#2e86de" -> "#1b4f72"`, fmt.Sprintf("%d added, %d removed", added, removed)} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--diff-previous output lacks %q:\n%s", want, r.stdout)
		}
	}
	if c := summary(t, r.stderr)["changes"].(float64); c < 22 {
		t.Errorf("summary changes = %v", c)
	}
}

func TestBackupBadInput(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	root := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--keep", "-1"}, `--keep "-1": want a whole number of at least 1 (leave the flag out for no count rule)`},
		{[]string{"--keep", "0"}, `--keep "0": want a whole number of at least 1`},
		{[]string{"--keep-days", "0"}, `--keep-days "0": want a whole number of at least 1 (leave the flag out for no age rule)`},
		{[]string{"--keep-days", "-5"}, `--keep-days "-5": want a whole number of at least 1`},
		{[]string{"--keep-days", "1.5"}, `--keep-days "1.5": want a whole number of at least 1`},
		{[]string{"--keep", "-99999999999999999999"}, `--keep "-99999999999999999999": want a whole number of at least 1`},
		{[]string{"--format", "csv"}, `unknown format "csv"`},
	} {
		r := runCLI(context.Background(), t, append(append([]string{"backup", "--root", root}, tc.args...), sim.flags()...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stderr)
		}
	}
	r := runCLI(context.Background(), t, "backup", "--url", sim.url)
	if r.code != exitUsage || !strings.Contains(r.stderr, "root") {
		t.Errorf("no --root: exit %d: %s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("refused runs left %d entries", len(entries))
	}
}

// TestBackupHugeRetention: --keep-days 200000 overflowed a time.Duration
// and pruned every older snapshot; huge values mean "keep", even past
// what an int holds.
func TestBackupHugeRetention(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	root := t.TempDir()
	now := setClock(t, time.Date(2023, 11, 27, 3, 15, 0, 0, time.UTC))
	var made []string
	for _, args := range [][]string{{}, {}, {}, {"--keep-days", "200000"}, {"--keep", "99999999999999999999", "--keep-days", "99999999999999999999"}} {
		r := runCLI(context.Background(), t, append(append([]string{"--log-format", "json", "backup", "--root", root}, args...), sim.flags()...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		made = append(made, backup.Name(*now))
		if got := snapshotNames(t, root); !reflect.DeepEqual(got, made) {
			t.Errorf("%v kept %v, want all of %v", args, got, made)
		}
		if s := summary(t, r.stderr); s["pruned"] != 0.0 {
			t.Errorf("%v: summary %v", args, s)
		}
		*now = now.AddDate(1, 0, 0)
	}
}

// TestBackupBoundsInvalid: a backup that fails verification every night
// kept every rejected snapshot and filled the disk. The newest 3 are kept,
// by failing runs and good ones alike, and the log says so.
func TestBackupBoundsInvalid(t *testing.T) {
	broken := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	good := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	// An outcome whose new status is gone: every export of this tenant
	// holds a dangling reference, and fails verification.
	client, err := connect(context.Background(), halo.Config{URL: broken.url, ClientID: broken.id, ClientSecret: broken.secret, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	var gone string
	for _, o := range broken.Records("outcome") {
		if id := fmt.Sprint(o["newstatus"]); id != "0" && id != "<nil>" {
			gone = id
			break
		}
	}
	if err := client.Delete(context.Background(), catalog.MustLookup("status"), gone); err != nil {
		t.Fatal(err)
	}

	root := t.TempDir()
	foreign := filepath.Join(root, "20200101T000000Z.invalid")
	os.MkdirAll(foreign, 0o700)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o600)
	now := setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	var rejected []string
	for night := 1; night <= 4; night++ {
		r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root}, broken.flags()...)...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "dangling reference") {
			t.Fatalf("night %d: exit %d: %s", night, r.code, r.stderr)
		}
		rejected = append(rejected, backup.Name(*now)+backup.InvalidSuffix)
		want := fmt.Sprintf(`"invalid_kept":%d,"invalid_pruned":%d`, min(night, 3), max(night-3, 0))
		if !strings.Contains(r.stderr, `"msg":"backup failed verification"`) || !strings.Contains(r.stderr, want) {
			t.Errorf("night %d: stderr lacks %s:\n%s", night, want, r.stderr)
		}
		*now = now.Add(24 * time.Hour)
	}
	if got := invalidNames(t, root); !reflect.DeepEqual(got, rejected[1:]) {
		t.Errorf("rejected snapshots %v, want the newest 3 %v", got, rejected[1:])
	}
	r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root}, good.flags()...)...)
	if r.code != 0 {
		t.Fatalf("good night: exit %d: %s", r.code, r.stderr)
	}
	if s := summary(t, r.stderr); s["invalid_kept"] != 3.0 || s["invalid_pruned"] != 0.0 {
		t.Errorf("summary %v", s)
	}
	if b, err := os.ReadFile(filepath.Join(foreign, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("a foreign .invalid directory was touched: %v", err)
	}
}

func invalidNames(t *testing.T, root string) []string {
	t.Helper()
	es, err := backup.ListInvalid(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}
