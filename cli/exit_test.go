package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/backup"
	"github.com/halocfg/halocfg/halosim"
)

// TestExitCodes holds every command to the README's exit-code table: bad
// usage (an unknown command or flag, a missing or bad flag or argument) is 2
// with a short message on stderr and nothing on stdout; help is 0 on stdout;
// a failure is 1; a held lock 3; an interruption 130.
func TestExitCodes(t *testing.T) {
	for _, v := range []string{"URL", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_SECRET_FILE", "TENANT", "AUTH_URL", "RATE",
		"SOURCE_URL", "SOURCE_CLIENT_ID", "SOURCE_CLIENT_SECRET", "TARGET_URL", "TARGET_CLIENT_ID", "TARGET_CLIENT_SECRET"} {
		t.Setenv("HALO_"+v, "") // restored after the test
		os.Unsetenv("HALO_" + v)
	}
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	snap := exportDemo(t, sim, "json")
	tmp := t.TempDir()
	out := func(name string) string { return filepath.Join(tmp, name) }
	creds := []string{"--url", sim.url, "--client-id", sim.id, "--client-secret", sim.secret}
	remote := []string{"--url", "http://acme.halopsa.com", "--client-id", "a", "--client-secret", "b"}
	// with puts the command and its flags ahead of the connection flags a.
	with := func(a []string, cmd ...string) []string { return append(append([]string{}, cmd...), a...) }

	locked := t.TempDir()
	run, err := backup.Start(locked, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })

	type tcase struct {
		name      string
		args      []string
		cancelled bool // the context is cancelled (Ctrl-C) before the run
		code      int
		stdout    string // must contain; on a usage error stdout must be empty
		stderr    string // must contain
	}
	cases := []tcase{
		// help and the app itself
		{name: "help", args: []string{"help"}, code: exitOK, stdout: "COMMANDS:"},
		{name: "--help", args: []string{"--help"}, code: exitOK, stdout: "COMMANDS:"},
		{name: "-h", args: []string{"-h"}, code: exitOK, stdout: "COMMANDS:"},
		{name: "help of a command", args: []string{"help", "export"}, code: exitOK, stdout: "--out"},
		{name: "--help of a command", args: []string{"export", "--help"}, code: exitOK, stdout: "--out"},
		{name: "--version", args: []string{"--version"}, code: exitOK, stdout: Version},
		{name: "no command", args: nil, code: exitUsage, stderr: "no command given; run 'halocfg help'"},
		{name: "unknown command", args: []string{"foo"}, code: exitUsage, stderr: `unknown command "foo"; run 'halocfg help'`},
		{name: "help of an unknown command", args: []string{"help", "foo"}, code: exitUsage, stderr: `unknown command "foo"; run 'halocfg help'`},
		{name: "unknown global flag", args: []string{"--bogus", "verify", snap}, code: exitUsage, stderr: "flag provided but not defined: -bogus; run 'halocfg help'"},
		{name: "bad --log-level", args: []string{"--log-level", "loud", "verify", snap}, code: exitUsage, stderr: `--log-level "loud"`},

		// missing what a command needs
		{name: "export without --out", args: with(creds, "export"), code: exitUsage, stderr: "--out is required"},
		{name: "export without --url", args: []string{"export", "--out", out("e1")}, code: exitUsage, stderr: "--url (or $HALO_URL) is required"},
		{name: "backup without --root", args: with(creds, "backup"), code: exitUsage, stderr: "--root is required"},
		{name: "verify without SNAPSHOT", args: []string{"verify"}, code: exitUsage, stderr: "want 1 argument(s): SNAPSHOT; got 0"},
		{name: "diff with one side", args: []string{"diff", snap}, code: exitUsage, stderr: "want 2 argument(s): A B; got 1"},
		{name: "import without --from", args: with(creds, "import"), code: exitUsage, stderr: "--from is required"},
		{name: "migrate without --source-url", args: []string{"migrate"}, code: exitUsage, stderr: "--source-url (or $HALO_SOURCE_URL) is required"},
		{name: "convert without --to", args: []string{"convert", snap, "--out", out("c1")}, code: exitUsage, stderr: "--to is required"},
		{name: "demo with an argument", args: []string{"demo", "extra"}, code: exitUsage, stderr: `unexpected argument "extra"`},
		{name: "sim on a public address", args: []string{"sim", "--addr", "0.0.0.0:0"}, code: exitUsage, stderr: "loopback"},

		// bad values
		{name: "export to a remote http:// URL", args: with(remote, "export", "--out", out("e2")), code: exitUsage, stderr: "plain http is allowed only to loopback hosts"},
		{name: "export with a bad --rate", args: with(creds, "export", "--out", out("e3"), "--rate", "fast"), code: exitUsage, stderr: `--rate: rate "fast"`},
		{name: "export with a bad --concurrency", args: with(creds, "export", "--out", out("e4"), "--concurrency", "many"), code: exitUsage, stderr: `invalid value "many" for flag -concurrency`},
		{name: "migrate to a remote http:// target", args: []string{"migrate", "--source-url", sim.url, "--source-client-id", sim.id, "--source-client-secret", sim.secret,
			"--target-url", "http://acme.halopsa.com", "--target-client-id", "a", "--target-client-secret", "b", "--keep-snapshot", out("m1")},
			code: exitUsage, stderr: "plain http is allowed only to loopback hosts"},
		{name: "backup with --keep -1", args: with(creds, "backup", "--root", out("b1"), "--keep", "-1"), code: exitUsage, stderr: "want a whole number of at least 1"},
		{name: "import with a bad --external", args: with(creds, "import", "--from", snap, "--external", "maybe"), code: exitUsage, stderr: "--external"},
		{name: "diff with a bad --output", args: []string{"diff", snap, snap, "--output", "csv"}, code: exitUsage, stderr: `--output "csv"`},
		{name: "convert to an unknown format", args: []string{"convert", snap, "--to", "csv", "--out", out("c2")}, code: exitUsage, stderr: `unknown format "csv"`},
		{name: "import into the source tenant", args: with(creds, "import", "--from", snap, "--dry-run"), code: exitUsage, stderr: "exported from"},

		// the good path and failures, where cheap
		{name: "verify a snapshot", args: []string{"verify", snap}, code: exitOK, stdout: snap + ": ok"},
		{name: "verify a missing snapshot", args: []string{"verify", out("none")}, code: exitFailure, stderr: out("none")},
		{name: "diff equal", args: []string{"diff", snap, snap}, code: exitOK},
		{name: "diff trouble", args: []string{"diff", snap, out("none")}, code: exitUsage, stderr: out("none")},
		{name: "convert", args: []string{"convert", snap, "--to", "json", "--out", out("c3")}, code: exitOK},
		{name: "import dry run", args: with(creds, "import", "--from", snap, "--dry-run", "--allow-same-tenant", "--external", "keep"), code: exitOK, stdout: "Dry run"},
		{name: "export refused credentials", args: []string{"export", "--out", out("e5"), "--url", sim.url, "--client-id", sim.id, "--client-secret", "wrong"}, code: exitFailure, stderr: "refused"},
		{name: "backup while another holds the lock", args: with(creds, "backup", "--root", locked), code: exitLocked, stderr: "another backup is running"},
		{name: "export interrupted", args: with(creds, "export", "--out", out("e6")), cancelled: true, code: exitInterrupted},
	}
	for _, cmd := range newApp(&env{}).Commands {
		cases = append(cases, tcase{name: cmd.Name + " with an unknown flag", args: []string{cmd.Name, "--bogus"}, code: exitUsage,
			stderr: "flag provided but not defined: -bogus; run 'halocfg help " + cmd.Name + "'"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelled {
				cancel()
			}
			r := runCLI(ctx, t, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.code == exitUsage && r.stdout != "" {
				t.Errorf("a usage error printed on stdout:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
			if tc.code == exitUsage && strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
				t.Errorf("a usage error wants a short message, got:\n%s", r.stderr)
			}
		})
	}
}
