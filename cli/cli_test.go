package cli

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(ctx context.Context, t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	code := run(ctx, e, append([]string{"halocfg"}, args...))
	return result{code, out.String(), errb.String()}
}

type simTenant struct {
	*halosim.Tenant
	url, id, secret string
}

func startTenant(t *testing.T, o halosim.Options) simTenant {
	t.Helper()
	sim, err := halosim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	id, secret, _ := sim.Credentials()
	return simTenant{sim, srv.URL, id, secret}
}

func (s simTenant) flags() []string {
	return []string{"--url", s.url, "--client-id", s.id, "--client-secret", s.secret, "--rate", "0"}
}

// noSnapshotLeft fails when dir exists or a partial directory of it remains.
func noSnapshotLeft(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed export", dir)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if strings.Contains(e.Name(), filepath.Base(dir)) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestExportCommand(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dir := filepath.Join(t.TempDir(), "snap")
	r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "export", "--out", dir}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `"msg":"export complete"`) || !strings.Contains(r.stderr, `"records":`) {
		t.Errorf("no one-line JSON summary on stderr: %s", r.stderr)
	}
	s, err := formats.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range catalog.Kinds() {
		want := sim.Records(k.Name)
		if !snapshot.Equal(s.Records[k.Name], want) {
			t.Errorf("%s: snapshot differs from the tenant", k.Name)
		}
		if s.Manifest.Kinds[k.Name].Records != len(want) {
			t.Errorf("%s: manifest count %d, want %d", k.Name, s.Manifest.Kinds[k.Name].Records, len(want))
		}
	}
	// Private to the owner, and no secret anywhere in the snapshot.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %v is readable by others", p, perm)
		}
		if !d.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(sim.secret)) {
				t.Errorf("%s holds the client secret", p)
			}
		}
		return nil
	})
	if strings.Contains(r.stderr, sim.secret) || strings.Contains(r.stdout, sim.secret) {
		t.Error("the client secret reached the output")
	}

	// A second export into the same directory is refused and leaves it intact.
	before, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	r = runCLI(context.Background(), t, append([]string{"export", "--out", dir}, sim.flags()...)...)
	if r.code == 0 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("export into an existing snapshot: exit %d, %s", r.code, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if !bytes.Equal(before, after) {
		t.Error("a refused export changed the existing snapshot")
	}
}

// TestExportOnlySkip: --only and --skip choose the kinds; the directories
// of people come with the kinds that point at them, and --skip leaves one
// out (an agent's email is personal data).
func TestExportOnlySkip(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	every := map[string]bool{}
	for _, k := range catalog.Stored() {
		every[k.Name] = true
	}
	delete(every, "agent")
	tests := []struct {
		args []string
		want map[string]bool
	}{
		{[]string{"--only", "status,outcome", "--skip", "outcome"}, map[string]bool{"status": true, "language": true}}, // a status points at no one, but its translations at languages
		{[]string{"--only", "emailtemplate", "--skip", "agent,role"}, map[string]bool{"emailtemplate": true, "team": true, "department": true, "user": true}},
		{[]string{"--skip", "agent"}, every},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "snap")
		r := runCLI(context.Background(), t, append(append([]string{"export", "--out", dir}, tt.args...), sim.flags()...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, r.code, r.stderr)
		}
		m, err := snapshot.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for kind, info := range m.Kinds {
			got[kind] = info.Records > 0
		}
		if !maps.Equal(got, tt.want) {
			t.Errorf("%v exported %v, want %v", tt.args, m.Kinds, tt.want)
		}
	}
}

func TestExportBadInput(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	notHalo := httptest.NewServer(http.NotFoundHandler()) // a web server, but not Halo's API
	t.Cleanup(notHalo.Close)
	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"wrong secret", []string{"--url", sim.url, "--client-id", sim.id, "--client-secret", "s3cr3t-WRONG-value"}, exitFailure, "refused"},
		{"not a Halo server", []string{"--url", notHalo.URL, "--client-id", "a", "--client-secret", "b"}, exitFailure, "/auth/token: 404 Not Found"},
		{"unknown host", []string{"--url", "https://no-such-tenant.invalid", "--client-id", "a", "--client-secret", "b"}, exitFailure, "no-such-tenant.invalid"},
		{"http to a remote host", []string{"--url", "http://acme.halopsa.com", "--client-id", "a", "--client-secret", "b"}, exitUsage, "http://"},
		{"unknown kind", append([]string{"--only", "status,ticket"}, sim.flags()...), exitUsage, `unknown kind "ticket"`},
		{"people are not configuration", append([]string{"--only", "agent"}, sim.flags()...), exitUsage, `unknown kind "agent"`},
		{"unknown format", append([]string{"--format", "csv"}, sim.flags()...), exitUsage, `unknown format "csv"`},
		{"missing url", []string{"--client-id", "a", "--client-secret", "b"}, exitUsage, "--url"},
		{"missing secret", []string{"--url", sim.url, "--client-id", "a"}, exitUsage, "client secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HALO_URL", "")
			dir := filepath.Join(t.TempDir(), "snap")
			r := runCLI(context.Background(), t, append([]string{"export", "--out", dir}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.contains) {
				t.Errorf("stderr does not say %q: %s", tc.contains, r.stderr)
			}
			if strings.Contains(r.stderr, "s3cr3t-WRONG-value") {
				t.Errorf("the secret reached the error: %s", r.stderr)
			}
			noSnapshotLeft(t, dir)
		})
	}
}

func TestExportInterrupted(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "scale:40", Seed: 1, Latency: 10 * time.Millisecond})
	dir := filepath.Join(t.TempDir(), "snap")
	ctx, cancel := context.WithCancel(context.Background()) // what Ctrl-C does
	defer cancel()
	time.AfterFunc(150*time.Millisecond, cancel)
	r := runCLI(ctx, t, append([]string{"export", "--out", dir}, sim.flags()...)...)
	if r.code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr: %s", r.code, exitInterrupted, r.stderr)
	}
	noSnapshotLeft(t, dir)
}

func TestFlagsAfterArguments(t *testing.T) {
	app := newApp(&env{})
	cases := []struct{ in, want string }{
		{"halocfg diff a b --output json", "halocfg diff --output json a b"},
		{"halocfg --log-format json diff a --output=json b", "halocfg --log-format json diff --output=json a b"},
		{"halocfg export --out x --force", "halocfg export --out x --force"},
		{"halocfg export --force x --out y", "halocfg export --force --out y x"},
		{"halocfg verify -- -odd-name", "halocfg verify -- -odd-name"},
		{"halocfg nosuchcommand a --x", "halocfg nosuchcommand a --x"},
	}
	for _, tc := range cases {
		got := strings.Join(flagsFirst(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("flagsFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// An extra argument is still refused, with the flag's value not taken for it.
	r := runCLI(context.Background(), t, "export", "extra", "--out", "x")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unexpected argument "extra"`) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	for run := 0; run < 2; run++ { // the demo can run again over its own files
		r := runCLI(context.Background(), t, "demo", "--dir", dir)
		if r.code != 0 {
			t.Fatalf("run %d: exit %d: %s", run, r.code, r.stderr)
		}
		for _, want := range []string{"source", "target", "Exported the source tenant", filepath.Join(dir, "snapshot"), "json/status.json",
			"Dry run: nothing was written.", "CREATED", "No changes: the target already holds the snapshot.",
			// which --external mode, and why
			"The import runs with --external keep: agents, teams, mailboxes ... pair by key", "--write-map",
			"external id(s) of", "that no --map entry maps: kept"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("run %d: output does not mention %q:\n%s", run, want, r.stdout)
			}
		}
		// After the import only the target's own extra records differ.
		if !regexp.MustCompile(`(?m)^[1-9]\d* added, 0 removed, 0 changed$`).MatchString(r.stdout) {
			t.Errorf("run %d: the diff after the import shows more than the target's extra records:\n%s", run, r.stdout)
		}
	}
	if _, err := formats.Open(filepath.Join(dir, "snapshot")); err != nil {
		t.Fatal(err)
	}
}

// TestDemoLeavesForeignLedger: the demo removes its own earlier ledger, but
// a file of the user's named ledger.json in its directory is refused and
// kept, not deleted.
func TestDemoLeavesForeignLedger(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "ledger.json")
	if err := os.WriteFile(mine, []byte("my notes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(context.Background(), t, "demo", "--dir", dir)
	if r.code != exitUsage || !strings.Contains(r.stderr, mine+": refusing to replace") {
		t.Errorf("exit %d, stderr %s; want 2 and the ledger path refused", r.code, r.stderr)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "my notes\n" {
		t.Errorf("the user's file: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "snapshot")); !os.IsNotExist(err) {
		t.Errorf("the demo exported before refusing: %v", err)
	}
}
