package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

func TestImportCommand(t *testing.T) {
	ctx := context.Background()
	d := newDemoImport(t)
	src, dst, snap, work, ledger, args := d.src, d.dst, d.snap, d.work, d.ledger(), d.args
	planOut := filepath.Join(work, "plan.json")

	// Unmapped external references fail by default: summed up per external
	// kind, nothing written. Agents pair by email with the target's, reports
	// by name, so they are no problem; tickets are data, never paired.
	r := runCLI(ctx, t, args("--dry-run")...)
	if r.code != exitFailure || !strings.Contains(r.stderr, "problem(s); nothing was written") ||
		!regexp.MustCompile(`(?m)^    ticket +\d+ +\d+$`).MatchString(r.stderr) || regexp.MustCompile(`(?m)^    (agent|report) +\d`).MatchString(r.stderr) {
		t.Errorf("--external fail: exit %d, stderr:\n%.600s", r.code, r.stderr)
	}

	// A dry run prints the plan and writes nothing.
	r = runCLI(ctx, t, args("--dry-run", "--external", "keep", "--plan-out", planOut)...)
	if r.code != 0 || !strings.Contains(r.stdout, "KIND") || !strings.Contains(r.stdout, "Dry run: nothing was written.") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var plan struct {
		Summary struct{ Create, Update int }
		Actions []struct{ Op, Kind, Key string }
	}
	data, err := os.ReadFile(planOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &plan); err != nil || plan.Summary.Create == 0 || len(plan.Actions) == 0 {
		t.Errorf("--plan-out: %v %+v", err, plan.Summary)
	}
	if w := dst.Stats().Writes; w != 0 {
		t.Fatalf("dry run wrote %d", w)
	}

	// Off a terminal, writing needs --yes.
	r = runCLI(ctx, t, args("--external", "keep")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--yes") || dst.Stats().Writes != 0 {
		t.Errorf("without --yes: exit %d, %d writes, stderr %s", r.code, dst.Stats().Writes, r.stderr)
	}

	r = runCLI(ctx, t, args("--external", "keep", "--yes")...)
	if r.code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "CREATED") || !strings.Contains(r.stderr, "import complete") {
		t.Errorf("no list of created records or no summary:\n%s\n%s", r.stdout, r.stderr)
	}
	if dst.Stats().Writes != plan.Summary.Create+plan.Summary.Update+countPatches(t, planOut) {
		t.Errorf("%d writes, the plan said %d creates, %d updates", dst.Stats().Writes, plan.Summary.Create, plan.Summary.Update)
	}
	if _, err := os.Stat(ledger); err != nil {
		t.Errorf("no ledger: %v", err)
	}

	// Again: nothing to write.
	dst.ResetStats()
	r = runCLI(ctx, t, args("--external", "keep", "--yes")...)
	if r.code != 0 || !strings.Contains(r.stdout, "Nothing to write.") || dst.Stats().Writes != 0 {
		t.Errorf("second run: exit %d, %d writes\n%s", r.code, dst.Stats().Writes, r.stdout)
	}

	// Into the source itself: refused.
	r = runCLI(ctx, t, append([]string{"import", "--from", snap, "--ledger", filepath.Join(work, "l2.json"), "--external", "keep", "--yes"}, src.flags()...)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--allow-same-tenant") || src.Stats().Writes != 0 {
		t.Errorf("same tenant: exit %d: %s", r.code, r.stderr)
	}
}

func countPatches(t *testing.T, planOut string) int {
	t.Helper()
	var plan struct{ Summary struct{ Patch int } }
	data, _ := os.ReadFile(planOut)
	json.Unmarshal(data, &plan)
	return plan.Summary.Patch
}

func TestMigrateCommand(t *testing.T) {
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	work := t.TempDir()
	keepDir := filepath.Join(work, "kept")
	t.Setenv("HALO_TARGET_URL", dst.url)
	t.Setenv("HALO_TARGET_CLIENT_ID", dst.id)
	t.Setenv("HALO_TARGET_CLIENT_SECRET", dst.secret)
	r := runCLI(context.Background(), t, "migrate", "--keep-snapshot", keepDir, "--ledger", filepath.Join(work, "ledger.json"),
		"--external", "keep", "--yes", "--target-rate", "0",
		"--source-url", src.url, "--source-client-id", src.id, "--source-client-secret", src.secret, "--source-rate", "0")
	if r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	m, err := snapshot.ReadManifest(keepDir)
	if err != nil || m.Source != src.url {
		t.Fatalf("kept snapshot: %v, source %q", err, m.Source)
	}
	if dst.Stats().Writes == 0 || src.Stats().Writes != 0 {
		t.Errorf("writes: target %d, source %d", dst.Stats().Writes, src.Stats().Writes)
	}
	// The kept snapshot replays to nothing: the target holds it.
	dst.ResetStats()
	r = runCLI(context.Background(), t, append([]string{"import", "--from", keepDir, "--ledger", filepath.Join(work, "ledger.json"), "--external", "keep", "--yes"}, dst.flags()...)...)
	if r.code != 0 || dst.Stats().Writes != 0 {
		t.Errorf("replay: exit %d, %d writes\n%s", r.code, dst.Stats().Writes, r.stderr)
	}
}

// TestImportBadMap: a --map file whose value cannot go where it lands, or
// that says one thing twice, is refused before the first write.
func TestImportBadMap(t *testing.T) {
	ctx := context.Background()
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	snap := exportDemo(t, src, "json")
	tests := []struct {
		name, file string
		code       int
		want       []string
	}{
		{
			name: "a text id for an integer field", file: `{"agent": {"4": "x"}}`, code: exitFailure,
			want: []string{`: agent.4: "x" is not an integer id, but agent 4 lands in integer field(s): ` +
				`outcome.access_control[].agent_id, template.agent_id, template.restrictto_agent_id, todogroup.todo_list[].done_by_id`},
		},
		{
			name: "a key twice", file: `{"agent": {"4": 9, "5": 9, "4": 10}}`, code: exitUsage,
			want: []string{`agent: the key "4" appears twice`},
		},
		{
			name: "a section twice", file: `{"agent": {"4": 9}, "team": {}, "agent": {"5": 9}}`, code: exitUsage,
			want: []string{`the section "agent" appears twice`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
			mapFile := filepath.Join(t.TempDir(), "map.json")
			if err := os.WriteFile(mapFile, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			r := runCLI(ctx, t, append([]string{"import", "--from", snap, "--map", mapFile, "--ledger", filepath.Join(t.TempDir(), "l.json"),
				"--external", "keep", "--yes"}, dst.flags()...)...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			for _, w := range append(tt.want, mapFile) {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
			if st := dst.Stats(); st.Writes != 0 || st.ByMethod["POST"] != 0 {
				t.Errorf("%d writes applied, %d POSTs", st.Writes, st.ByMethod["POST"])
			}
		})
	}
}

func TestSimRefusesFaultRatesOutOfRange(t *testing.T) {
	for _, args := range [][]string{{"--lost-answers", "1.5"}, {"--faults", "-0.1"}, {"--lost-answers", "NaN"}} {
		r := runCLI(context.Background(), t, append([]string{"sim", "--addr", "127.0.0.1:0"}, args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "want a fraction from 0 to 1") {
			t.Errorf("sim %v: exit %d, %s", args, r.code, r.stderr)
		}
	}
}

// TestImportLostAnswers: one run finishes although many write answers are
// lost, and its summary says how many.
func TestImportLostAnswers(t *testing.T) {
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "empty", Seed: 1, LostAnswers: 0.3, FaultSeed: 2})
	snap := exportDemo(t, src, "json")
	r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "import", "--from", snap, "--ledger", filepath.Join(t.TempDir(), "l.json"),
		"--external", "keep", "--yes"}, dst.flags()...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	st := dst.Stats()
	line := ""
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.Contains(l, `"msg":"import complete"`) {
			line = l
		}
	}
	want := fmt.Sprintf(`"lost_answers":%d,"resent":0,`, st.LostAnswers)
	// Every write the summary counts reached the tenant once: none twice, although answers were lost.
	if st.LostAnswers == 0 || !strings.Contains(line, want) || !strings.Contains(line, fmt.Sprintf(`"writes":%d,`, st.Writes)) {
		t.Errorf("%d answers lost, %d writes applied; summary %s, want it to say %s", st.LostAnswers, st.Writes, line, want)
	}
}

// TestLedgerInTheStateDirectory: without --ledger, the ledger of a target
// lives in the user's state directory, whatever directory the import runs
// from, and every run saves its pairs, one with nothing to write too. A
// source record renamed between two runs started from different
// directories is updated, not created a second time.
func TestLedgerInTheStateDirectory(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	t.Setenv("XDG_STATE_HOME", state)
	ctx := context.Background()
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	snapDir := exportDemo(t, src, "json")
	// renamed writes the snapshot with a status renamed.
	renamed := func(from, to string) string {
		s, err := formats.Open(snapDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Records["status"] {
			if r["name"] == from {
				r["name"] = to
			}
		}
		dir := filepath.Join(t.TempDir(), "renamed")
		d, err := snapshot.NewDir(dir, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := save(d, s, []formats.Format{formats.JSON{}}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	importFrom := func(cwd, from string, dst simTenant, extra ...string) (result, int, int) {
		t.Chdir(cwd)
		planOut := filepath.Join(t.TempDir(), "plan.json")
		r := runCLI(ctx, t, append(append([]string{"import", "--from", from, "--external", "keep", "--yes", "--plan-out", planOut}, extra...), dst.flags()...)...)
		if r.code != 0 {
			t.Fatalf("import from %s: exit %d\n%s", cwd, r.code, r.stderr)
		}
		var plan struct{ Summary struct{ Create, Update int } }
		data, _ := os.ReadFile(planOut)
		json.Unmarshal(data, &plan)
		return r, plan.Summary.Create, plan.Summary.Update
	}

	tests := []struct {
		name, status string
		prepare      func(dst simTenant) // before the first run with the default ledger
	}{
		{name: "the first run writes", status: "Closed", prepare: func(simTenant) {}},
		{name: "the first run has nothing to write", status: "New", prepare: func(dst simTenant) {
			importFrom(t.TempDir(), snapDir, dst, "--ledger", filepath.Join(t.TempDir(), "elsewhere.json"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
			tt.prepare(dst)
			// A ledger where an earlier halocfg kept it is pointed at, not read.
			cwd := t.TempDir()
			old := filepath.Join(cwd, "halocfg-ledger-"+strings.ReplaceAll(strings.TrimPrefix(dst.url, "http://"), ":", "_")+".json")
			os.WriteFile(old, []byte("{}"), 0o600)
			r, _, _ := importFrom(cwd, snapDir, dst)
			if !strings.Contains(r.stderr, "an earlier halocfg kept this target's ledger in the current directory") {
				t.Errorf("no word of the old ledger:\n%s", r.stderr)
			}
			dst.ResetStats()
			_, creates, updates := importFrom(t.TempDir(), renamed(tt.status, tt.status+" (renamed)"), dst)
			if creates != 0 || updates != 1 || dst.Stats().Writes != 1 {
				t.Errorf("after renaming status %q: %d creates, %d updates, %d writes; want 0, 1, 1", tt.status, creates, updates, dst.Stats().Writes)
			}
			if ledger := ledgerOf(t, state, dst.url); !strings.Contains(r.stdout, "Ledger: "+ledger+"\n") {
				t.Errorf("the ledger's path is not printed:\n%s", r.stdout)
			}
		})
	}
}

// ledgerOf returns the one ledger file in the state directory for the
// target at url, and checks that it is private.
func ledgerOf(t *testing.T, state, url string) string {
	t.Helper()
	dir := filepath.Join(state, "halocfg")
	info, err := os.Stat(dir)
	if err != nil {
		t.Error(err)
		return "(none)"
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("%s: mode %v, want 0700", dir, info.Mode().Perm())
	}
	// the simulators listen on loopback, which the ledger's name calls "loopback" whatever its address
	port := url[strings.LastIndex(url, ":")+1:]
	matches, _ := filepath.Glob(filepath.Join(dir, "ledger-loopback_"+port+"-*.json"))
	if len(matches) != 1 {
		entries, _ := os.ReadDir(dir)
		t.Errorf("%d ledgers for %s in %s: %v", len(matches), url, dir, entries)
		return "(none)"
	}
	if info, err := os.Stat(matches[0]); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, want mode 0600", matches[0], err)
	}
	return matches[0]
}
