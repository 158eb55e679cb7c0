package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/halosim"
)

func TestProbeCommand(t *testing.T) {
	sim := startTenant(t, halosim.Options{})
	r := runCLI(context.Background(), t, append([]string{"probe"}, sim.flags()...)...)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "halocfg probe report: halocfg ") ||
		!strings.Contains(r.stdout, "result: 0 deviations") || !strings.Contains(r.stderr, `msg="probe complete" requests=132 deviations=0`) {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if st := sim.Stats(); st.ByMethod["GET"] != st.Requests || st.Writes != 0 {
		t.Errorf("the tenant saw %v", st.ByMethod)
	}

	dev := startTenant(t, halosim.Options{Deviate: []string{"hiddenflag:ticketrule"}})
	r = runCLI(context.Background(), t, append([]string{"probe", "--output", "json"}, dev.flags()...)...)
	var rep struct {
		Deviations int `json:"deviations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != exitFailure || err != nil || rep.Deviations != 1 ||
		!strings.Contains(r.stderr, "halocfg: the tenant deviates from 1 of halocfg's assumptions") {
		t.Errorf("a deviating tenant: exit %d, %v, %+v\n%s", r.code, err, rep, r.stderr)
	}
}

func TestProbeOut(t *testing.T) {
	sim := startTenant(t, halosim.Options{})
	dir := t.TempDir()
	out := filepath.Join(dir, "probe.json")
	for range 2 { // the second run replaces the report of the first
		r := runCLI(context.Background(), t, append([]string{"probe", "--output", "json", "--out", out}, sim.flags()...)...)
		if r.code != exitOK || r.stdout != "" {
			t.Fatalf("exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
		}
	}
	info, err := os.Stat(out)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v %v", out, info, err)
	}
	b, _ := os.ReadFile(out)
	if !json.Valid(b) || !strings.Contains(string(b), `"probe": "halocfg probe report"`) {
		t.Errorf("%s: %.200s", out, b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left in %s: %v", dir, entries)
	}

	// Anything but a probe report of the same output is refused before the
	// first request, and left as it was.
	foreign := filepath.Join(dir, "notes.txt")
	os.WriteFile(foreign, []byte("mine\n"), 0o600)
	before := sim.Stats().Requests
	for _, tc := range []struct{ output, path, want string }{
		{"text", foreign, "is not a probe report halocfg wrote"},
		{"text", out, "is not a probe report halocfg wrote"}, // a JSON report is no text report
		{"json", dir, "it is a directory"},
	} {
		r := runCLI(context.Background(), t, append([]string{"probe", "--output", tc.output, "--out", tc.path}, sim.flags()...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("--out %s: exit %d\n%s", tc.path, r.code, r.stderr)
		}
	}
	if got, _ := os.ReadFile(foreign); string(got) != "mine\n" || sim.Stats().Requests != before {
		t.Errorf("refused runs changed %s (%q) or sent %d requests", foreign, got, sim.Stats().Requests-before)
	}
}

func TestProbeUsage(t *testing.T) {
	sim := startTenant(t, halosim.Options{})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append([]string{"probe", "--output", "xml"}, sim.flags()...), `--output "xml": want text or json`},
		{append([]string{"probe", "extra"}, sim.flags()...), `unexpected argument "extra"`},
		{[]string{"probe"}, "--url (or $HALO_URL) is required"},
	} {
		r := runCLI(context.Background(), t, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d\n%s", tc.args, r.code, r.stderr)
		}
	}
	if sim.Stats().Requests != 0 {
		t.Errorf("usage errors sent %d requests", sim.Stats().Requests)
	}
}
