package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// demoImport is an import of the demo tenant's snapshot into demo-target.
type demoImport struct {
	src, dst   simTenant
	snap, work string // the snapshot; a directory for the ledger and other files
}

func newDemoImport(t *testing.T) demoImport {
	t.Helper()
	src := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dst := startTenant(t, halosim.Options{Dataset: "demo-target", Seed: 1})
	return demoImport{src: src, dst: dst, snap: exportDemo(t, src, "json"), work: t.TempDir()}
}

// ledger is the ledger file every import of d uses.
func (d demoImport) ledger() string { return filepath.Join(d.work, "ledger.json") }

// args are the arguments of `halocfg import` of d, with extra flags.
func (d demoImport) args(extra ...string) []string {
	a := append([]string{"import", "--from", d.snap, "--ledger", d.ledger()}, extra...)
	return append(a, d.dst.flags()...)
}

// planFile is what these tests read of a --plan-out file.
type planFile struct {
	Problems []snapshot.Problem `json:"problems"`
	Unmapped []mapping.Unmapped `json:"unmapped_external"`
}

func readPlan(t *testing.T, path string) planFile {
	t.Helper()
	var p planFile
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// problemLines returns the lines stderr prints after the problem count.
func problemLines(stderr string) []string {
	_, after, ok := strings.Cut(stderr, "problem(s); nothing was written:\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(after, "\n") {
		if strings.HasPrefix(l, "  ") {
			out = append(out, l)
		}
	}
	return out
}

// TestImportExternalSummary: at the defaults, unmapped external references
// are summed up per external kind; every one of them with --verbose and in
// --plan-out.
func TestImportExternalSummary(t *testing.T) {
	ctx := context.Background()
	d := newDemoImport(t)
	planOut := filepath.Join(d.work, "plan.json")
	args := func(extra ...string) []string { return d.args(append([]string{"--dry-run"}, extra...)...) }

	r := runCLI(ctx, t, args("--plan-out", planOut)...)
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d:\n%s", r.code, exitFailure, r.stderr)
	}
	plan := readPlan(t, planOut)
	targets := map[string]int{} // target -> ids
	for _, u := range plan.Unmapped {
		targets[u.Target]++
	}
	external := 0
	for _, p := range plan.Problems {
		if p.External != "" {
			external++
		}
	}
	if len(targets) < 10 || external <= len(plan.Unmapped) {
		t.Fatalf("the demo should have many unmapped external references: %d targets, %d ids, %d references", len(targets), len(plan.Unmapped), external)
	}
	lines := problemLines(r.stderr)
	// One line per external kind, and a few lines around them.
	if len(lines) > len(targets)+5 {
		t.Errorf("%d problem lines for %d external kinds:\n%s", len(lines), len(targets), strings.Join(lines, "\n"))
	}
	for target, ids := range targets {
		n := 0
		for _, l := range lines {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == target {
				n++
				if f[1] != strconv.Itoa(ids) {
					t.Errorf("%s: %s ids, want %d: %q", target, f[1], ids, l)
				}
			}
		}
		if n != 1 {
			t.Errorf("external %s: %d lines, want 1", target, n)
		}
	}
	for _, want := range []string{"--write-map", "--verbose", "--external clear or keep", strconv.Itoa(len(plan.Unmapped)) + " external ids"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the summary does not say %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if strings.Contains(r.stderr, "is not mapped") {
		t.Error("without --verbose, a reference is listed one by one")
	}

	// --verbose: every reference, one a line, as --plan-out has them.
	r = runCLI(ctx, t, args("--verbose")...)
	if got := strings.Count(r.stderr, "is not mapped"); r.code != exitFailure || got != external {
		t.Errorf("--verbose: exit %d, %d references listed, want %d", r.code, got, external)
	}
}

// TestWriteMapRoundTrip: --write-map on a dry run writes a map of every
// unmapped external id; filled in with the target's ids and passed back
// with --map, the import goes through at --external fail. An entry left
// null is still unmapped.
func TestWriteMapRoundTrip(t *testing.T) {
	ctx := context.Background()
	d := newDemoImport(t)
	work, args := d.work, d.args
	mapFile := filepath.Join(work, "map.json")
	planOut := filepath.Join(work, "plan.json")

	r := runCLI(ctx, t, args("--dry-run", "--write-map", mapFile, "--plan-out", planOut)...)
	if r.code != exitFailure || !strings.Contains(r.stderr, mapFile) {
		t.Fatalf("dry run: exit %d, want %d and the map named:\n%s", r.code, exitFailure, r.stderr)
	}
	if st, err := os.Stat(mapFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("--write-map: %v %v", st, err)
	}
	plan := readPlan(t, planOut)
	m := readMap(t, mapFile)
	for _, note := range []string{"_about", "_hints"} {
		if _, ok := m[note]; !ok {
			t.Errorf("the map has no %s", note)
		}
	}
	var hints map[string]map[string]struct {
		Names   []string
		Records int
		Fields  []string
	}
	if err := json.Unmarshal(m["_hints"], &hints); err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, u := range plan.Unmapped {
		var section map[string]any
		if err := json.Unmarshal(m[u.Target], &section); err != nil {
			t.Fatalf("section %s: %v", u.Target, err)
		}
		if v, ok := section[u.ID]; !ok || v != nil {
			t.Errorf("%s %s: %v in the map, want null", u.Target, u.ID, v)
		}
		h := hints[u.Target][u.ID]
		if h.Records != len(u.Records) || len(h.Fields) != len(u.Fields) || strings.Join(h.Names, ",") != strings.Join(u.Names, ",") {
			t.Errorf("%s %s: hint %+v, want %+v", u.Target, u.ID, h, u)
		}
		if len(h.Names) > 0 {
			named++
		}
	}
	if named == 0 {
		t.Error("no entry carries a name the source gives it")
	}

	// Filled in: integer ids become the target's (the source's + 100000),
	// except one left null: still unmapped, so --external fail lists it.
	var left mapping.Unmapped
	for _, u := range plan.Unmapped {
		if _, err := strconv.Atoi(u.ID); err == nil {
			left = u
			break
		}
	}
	targetID := func(section, id string) any {
		if n, err := strconv.Atoi(id); err == nil {
			return n + 100000
		}
		return id
	}
	fill(t, m, func(section, id string) any {
		if section == left.Target && id == left.ID {
			return nil
		}
		return targetID(section, id)
	})
	writeMap(t, mapFile, m)
	r = runCLI(ctx, t, args("--map", mapFile, "--dry-run", "--plan-out", planOut)...)
	still := readPlan(t, planOut)
	if r.code != exitFailure || len(still.Unmapped) != 1 || still.Unmapped[0].Target != left.Target || still.Unmapped[0].ID != left.ID {
		t.Fatalf("one entry left null: exit %d, unmapped %+v, want only %s %s:\n%s", r.code, still.Unmapped, left.Target, left.ID, r.stderr)
	}
	if !strings.Contains(r.stderr, left.Target) {
		t.Errorf("the entry left null is not reported:\n%s", r.stderr)
	}

	// All filled in, the map passed back: the import goes through at
	// --external fail, and the target holds the mapped ids.
	fill(t, m, targetID)
	writeMap(t, mapFile, m)
	r = runCLI(ctx, t, args("--map", mapFile, "--external", "fail", "--yes", "--write-map", mapFile)...)
	if r.code != 0 {
		t.Fatalf("import with the filled map: exit %d\n%s", r.code, r.stderr)
	}
	checked := checkMappedIDs(t, d.snap, d.dst)
	if checked == 0 {
		t.Fatal("no external reference of the demo was checked")
	}
	// Written again over itself (it is a map halocfg wrote): the entries
	// stay, nothing is left to fill.
	again := readMap(t, mapFile)
	for target, raw := range again {
		if strings.HasPrefix(target, "_") {
			continue
		}
		if bytes.Contains(raw, []byte("null")) {
			t.Errorf("%s: an entry left to fill after a complete import: %s", target, raw)
		}
	}

	// --write-map replaces only a map halocfg wrote.
	notes := filepath.Join(work, "notes.json")
	os.WriteFile(notes, []byte(`{"mine": true}`), 0o600)
	r = runCLI(ctx, t, args("--dry-run", "--write-map", notes)...)
	if b, _ := os.ReadFile(notes); r.code != exitUsage || string(b) != `{"mine": true}` || !strings.Contains(r.stderr, "refusing to replace") {
		t.Errorf("--write-map over a file of the user's: exit %d, file %s\n%s", r.code, b, r.stderr)
	}
}

func readMap(t *testing.T, path string) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s is not JSON: %v", path, err)
	}
	return m
}

func writeMap(t *testing.T, path string, m map[string]json.RawMessage) {
	t.Helper()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fill gives every null entry of the map's sections the value to gives it.
func fill(t *testing.T, m map[string]json.RawMessage, to func(section, id string) any) {
	t.Helper()
	for name, raw := range m {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var section map[string]any
		if err := json.Unmarshal(raw, &section); err != nil {
			t.Fatal(err)
		}
		for id, v := range section {
			if v == nil {
				section[id] = to(name, id)
			}
		}
		b, _ := json.Marshal(section)
		m[name] = b
	}
}

// checkMappedIDs checks, for every top-level integer external reference of
// the source's records, that the target's record with the natural key holds
// the mapped id; it returns how many it checked.
func checkMappedIDs(t *testing.T, snapDir string, dst simTenant) int {
	t.Helper()
	s, err := formats.Open(snapDir)
	if err != nil {
		t.Fatal(err)
	}
	tgt := mapping.NewTenant(dst.AllRecords())
	checked := 0
	for _, k := range catalog.Kinds() {
		for _, rec := range s.Records[k.Name] {
			key, _ := mapping.Key(k, rec)
			found := tgt.ByKey(k.Name, key)
			if len(found) != 1 {
				continue
			}
			for _, ref := range k.ExternalRefs() {
				n, err := strconv.Atoi(snapshot.Scalar(rec[ref.Field]))
				if ref.Nested() || ref.By != "" || err != nil || n <= 0 {
					continue
				}
				if _, person := catalog.LookupPairOnly(ref.Target); person && s.Records[ref.Target] != nil {
					continue // paired by key with the target's own, not mapped
				}
				if got := snapshot.Scalar(found[0][ref.Field]); got != strconv.Itoa(n+100000) {
					t.Errorf("%s %q: %s = %s, want %d (the map's)", k.Name, key, ref.Field, got, n+100000)
				}
				checked++
			}
		}
	}
	return checked
}

// TestSecondImportWaitsOnce: an import run right after another finds the
// tenant's rate window full (Halo's 429s, no Retry-After); it waits for
// the window and says so once, not once per retried request.
func TestSecondImportWaitsOnce(t *testing.T) {
	ctx := context.Background()
	d := newDemoImport(t)
	args := d.args("--dry-run", "--external", "keep")
	began := time.Now()
	if r := runCLI(ctx, t, args...); r.code != 0 { // how many requests a run makes, and how long it takes
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	// A window that holds one run and 10 requests more, and lasts well
	// beyond two runs even on a loaded machine: the second run must meet it.
	window := max(3*time.Second, 4*time.Since(began))
	d.dst.SetRateLimit(d.dst.Stats().Requests+10, window)
	if r := runCLI(ctx, t, args...); r.code != 0 {
		t.Fatalf("first import: exit %d\n%s", r.code, r.stderr)
	}
	d.dst.ResetStats()
	start := time.Now()
	r := runCLI(ctx, t, args...)
	if r.code != 0 {
		t.Fatalf("second import: exit %d\n%s", r.code, r.stderr)
	}
	if d.dst.Stats().RateLimited == 0 || time.Since(start) < time.Second {
		t.Fatalf("the second import met no full window (%d 429s in %s): the test does not test it", d.dst.Stats().RateLimited, time.Since(start))
	}
	var told, warned []string
	for _, l := range strings.Split(r.stderr, "\n") {
		switch {
		case strings.Contains(l, `msg="halo: waiting for the rate window"`):
			told = append(told, l)
		case strings.Contains(l, "level=WARN"):
			warned = append(warned, l)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "level=INFO") || !strings.Contains(told[0], "wait=") {
		t.Errorf("told %d times, want once at info level with the wait:\n%s", len(told), r.stderr)
	}
	if len(warned) > 0 {
		t.Errorf("%d warnings while only waiting for the rate window:\n%s", len(warned), strings.Join(warned, "\n"))
	}
}
