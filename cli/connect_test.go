package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halocfg/halocfg/halosim"
)

// TestClientSecretFile: the secret file must be a regular file of at most
// 4 KiB. /dev/zero exhausted memory and a FIFO hung halocfg; both are now
// refused at once, exit 2. A secret readable by others is used, with a
// warning that never holds the secret.
func TestClientSecretFile(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	dir := t.TempDir()
	file := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), mode)
		os.Chmod(p, mode)
		return p
	}
	private := file("secret", sim.secret+"\n", 0o600)
	shared := file("shared", sim.secret, 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(private, link)
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o600)
	big := file("big", strings.Repeat("x", 4097), 0o600)
	limit := file("limit", strings.Repeat("x", 4096), 0o600)

	cases := []struct {
		name, path string
		code       int
		stderr     string // what stderr holds
		warns      bool
	}{
		{"a private file", private, 0, "", false},
		{"a link the user named", link, 0, "", false},
		{"readable by others", shared, 0, "", true},
		{"/dev/zero", "/dev/zero", exitUsage, "--client-secret-file: /dev/zero: a device, not a regular file", false},
		{"a FIFO", fifo, exitUsage, "--client-secret-file: " + fifo + ": a named pipe (FIFO), not a regular file", false},
		{"a directory", dir, exitUsage, "--client-secret-file: " + dir + ": a directory, not a regular file", false},
		{"too large", big, exitUsage, "--client-secret-file: " + big + ": 4097 bytes or more, over the 4 KiB halocfg reads", false},
		{"4 KiB: read, and refused by the tenant", limit, exitFailure, "refused", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runWithin(t, 20*time.Second, "export", "--out", filepath.Join(t.TempDir(), "snap"),
				"--url", sim.url, "--client-id", sim.id, "--client-secret-file", tc.path, "--rate", "0", "--only", "status")
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tc.code, r.stderr, tc.stderr)
			}
			warning := "the client secret file is readable by group or others"
			if got := strings.Contains(r.stderr, warning); got != tc.warns {
				t.Errorf("warning %v, want %v: %s", got, tc.warns, r.stderr)
			}
			if tc.warns && !strings.Contains(r.stderr, "mode=0644") {
				t.Errorf("the warning does not give the mode: %s", r.stderr)
			}
			if strings.Contains(r.stderr+r.stdout, sim.secret) {
				t.Error("the secret reached the output")
			}
		})
	}
}
