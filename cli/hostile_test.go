package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halocfg/halocfg/halosim"
)

// runWithin runs a command and fails the test, instead of hanging it, when
// the command does not end in time: a command reading a FIFO or /dev/zero
// never ends by itself.
func runWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	done := make(chan result, 1)
	go func() { done <- runCLI(context.Background(), t, args...) }()
	select {
	case r := <-done:
		return r
	case <-time.After(d):
		t.Fatalf("%v did not end within %v (hung on a file?)", args, d)
		return result{}
	}
}

// copyTree copies the regular files and directories of src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotFilesAreRegularFiles: every command that reads a snapshot
// reads only regular files inside it. A link (to /dev/zero, or to an intact
// copy of the file elsewhere), a FIFO or a linked directory is refused at
// once, by name, never followed, never waited on: before, /dev/zero hung
// convert and import at 100% CPU until memory ran out, a FIFO blocked them
// forever, and verify and import disagreed about links.
func TestSnapshotFilesAreRegularFiles(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	clean := exportDemo(t, sim, "json")
	outside := filepath.Join(t.TempDir(), "outside")
	copyTree(t, clean, outside) // intact copies: the checksums match

	status := filepath.Join("json", "status.json")
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		file  string // the file every command must name
		why   string // what it must say of it
	}{
		{"a link to /dev/zero", func(t *testing.T, dir string) {
			replaceWith(t, filepath.Join(dir, status), func(p string) error { return os.Symlink("/dev/zero", p) })
		}, status, "a symbolic link"},
		{"a link to an intact copy", func(t *testing.T, dir string) {
			replaceWith(t, filepath.Join(dir, status), func(p string) error { return os.Symlink(filepath.Join(outside, status), p) })
		}, status, "a symbolic link"},
		{"a FIFO", func(t *testing.T, dir string) {
			replaceWith(t, filepath.Join(dir, status), func(p string) error { return syscall.Mkfifo(p, 0o600) })
		}, status, "a named pipe"},
		{"a linked directory", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "json")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, "json"), filepath.Join(dir, "json")); err != nil {
				t.Fatal(err)
			}
		}, "json", "a symbolic link"},
		{"the manifest, a link to /dev/zero", func(t *testing.T, dir string) {
			replaceWith(t, filepath.Join(dir, "manifest.json"), func(p string) error { return os.Symlink("/dev/zero", p) })
		}, "manifest.json", "a symbolic link"},
		{"the manifest, a FIFO", func(t *testing.T, dir string) {
			replaceWith(t, filepath.Join(dir, "manifest.json"), func(p string) error { return syscall.Mkfifo(p, 0o600) })
		}, "manifest.json", "a named pipe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			copyTree(t, clean, dir)
			tc.spoil(t, dir)
			commands := []struct {
				args []string
				code int
			}{
				{[]string{"verify", dir}, exitFailure},
				{[]string{"convert", dir, "--to", "json", "--out", filepath.Join(t.TempDir(), "out")}, exitFailure},
				{append([]string{"import", "--from", dir, "--dry-run", "--external", "keep"}, sim.flags()...), exitFailure},
				{[]string{"diff", dir, clean}, exitUsage},
			}
			for _, c := range commands {
				r := runWithin(t, 20*time.Second, c.args...)
				out := r.stdout + r.stderr
				if r.code != c.code || !strings.Contains(out, tc.file) || !strings.Contains(out, tc.why) {
					t.Errorf("%s: exit %d (want %d), want %s named as %q:\n%s", c.args[0], r.code, c.code, tc.file, tc.why, out)
				}
			}
		})
	}
}

// replaceWith removes the file at p and makes something else there.
func replaceWith(t *testing.T, p string, make func(string) error) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := make(p); err != nil {
		t.Fatal(err)
	}
}

// TestBackupDiffPreviousHostile: a previous snapshot with a FIFO inside, and
// a directory named like a snapshot whose manifest is a FIFO, do not hang
// the nightly backup: the first is not compared (a warning names the file),
// the second is not a snapshot (never listed, never pruned).
func TestBackupDiffPreviousHostile(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	root := t.TempDir()
	now := setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	if r := runWithin(t, time.Minute, append([]string{"backup", "--root", root}, sim.flags()...)...); r.code != 0 {
		t.Fatalf("first backup: exit %d: %s", r.code, r.stderr)
	}
	first := filepath.Join(root, "20261127T031500Z")
	replaceWith(t, filepath.Join(first, "json", "status.json"), func(p string) error { return syscall.Mkfifo(p, 0o600) })
	fake := filepath.Join(root, "20200101T000000Z")
	os.Mkdir(fake, 0o700)
	syscall.Mkfifo(filepath.Join(fake, "manifest.json"), 0o600)

	*now = now.Add(24 * time.Hour)
	r := runWithin(t, time.Minute, append([]string{"backup", "--root", root, "--diff-previous", "--keep", "1"}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("second backup: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "cannot compare with the previous snapshot") ||
		!strings.Contains(r.stderr, filepath.Join("json", "status.json")+": a named pipe") {
		t.Errorf("no warning naming the FIFO: %s", r.stderr)
	}
	if _, err := os.Lstat(filepath.Join(fake, "manifest.json")); err != nil {
		t.Errorf("a foreign directory was touched: %v", err)
	}
}

// TestLoneWorkbookPath: a workbook path the user names may be a link (it
// is followed: the user chose it), but it must lead to a regular file:
// /dev/zero or a FIFO is refused at once instead of read forever.
func TestLoneWorkbookPath(t *testing.T) {
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	snap := exportDemo(t, sim, "xlsx")
	dir := t.TempDir()
	link := filepath.Join(dir, "latest.xlsx")
	os.Symlink(filepath.Join(snap, "snapshot.xlsx"), link)
	fifo := filepath.Join(dir, "fifo.xlsx")
	syscall.Mkfifo(fifo, 0o600)
	zero := filepath.Join(dir, "zero.xlsx")
	os.Symlink("/dev/zero", zero)
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{link, 0, ""},
		{fifo, exitFailure, fifo + ": a named pipe (FIFO), not a regular file"},
		{zero, exitFailure, "/dev/zero: a device, not a regular file"},
	} {
		for _, args := range [][]string{
			{"convert", tc.path, "--to", "json", "--out", filepath.Join(t.TempDir(), "out")},
			append([]string{"import", "--from", tc.path, "--dry-run", "--external", "keep", "--allow-same-tenant"}, sim.flags()...),
		} {
			r := runWithin(t, 20*time.Second, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%s %s: exit %d (want %d), stderr %q (want %q)", args[0], tc.path, r.code, tc.code, r.stderr, tc.want)
			}
		}
	}
}
