package backup

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/snapshot"
)

var t0 = time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC)

func TestName(t *testing.T) {
	if got := Name(time.Date(2026, 11, 27, 4, 15, 0, 0, time.FixedZone("CET", 3600))); got != "20261127T031500Z" {
		t.Errorf("Name = %s", got)
	}
	for name, ok := range map[string]bool{
		"20261127T031500Z":     true,
		"20261127T031500":      false,
		"20261327T031500Z":     false, // month 13
		"x20261127T031500Z":    false,
		"20261127T031500Z.old": false,
	} {
		if _, got := ParseName(name); got != ok {
			t.Errorf("ParseName(%q) ok = %v, want %v", name, got, ok)
		}
	}
}

// entries returns snapshots taken ages ago (newest last, as List returns them).
func entries(now time.Time, ages ...time.Duration) []Entry {
	var out []Entry
	for _, a := range ages {
		at := now.Add(-a)
		out = append(out, Entry{Name: Name(at), Time: at})
	}
	return out
}

func names(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func TestPolicySelect(t *testing.T) {
	day := 24 * time.Hour
	// Nightly snapshots aged 9 days down to a few minutes.
	es := entries(t0, 9*day, 8*day, 7*day, 3*day+time.Hour, 2*day, day, time.Minute)
	cases := []struct {
		name string
		p    Policy
		keep int // the newest `keep` survive (all rules keep a suffix)
	}{
		{"no rule keeps all", Policy{}, 7},
		{"keep 3", Policy{Keep: 3}, 3},
		{"keep 1", Policy{Keep: 1}, 1},
		{"keep more than there are", Policy{Keep: 50}, 7},
		{"keep 3 days", Policy{KeepDays: 3}, 3}, // 3 days + 1 hour is older than 3 days
		{"keep 4 days", Policy{KeepDays: 4}, 4},
		{"either rule: days keeps more", Policy{Keep: 2, KeepDays: 4}, 4},
		{"either rule: count keeps more", Policy{Keep: 6, KeepDays: 1}, 6},
		{"the newest survives any rule", Policy{KeepDays: 1, Keep: 0}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keep, drop := tc.p.Select(es, t0)
			if !reflect.DeepEqual(names(keep), names(es[len(es)-tc.keep:])) {
				t.Errorf("kept %v, want the newest %d", names(keep), tc.keep)
			}
			if len(keep)+len(drop) != len(es) {
				t.Errorf("kept %d + dropped %d != %d", len(keep), len(drop), len(es))
			}
		})
	}
	// Even when every snapshot is older than the window, the newest stays.
	keep, _ := Policy{KeepDays: 1}.Select(entries(t0, 30*day, 20*day), t0)
	if len(keep) != 1 || keep[0].Name != Name(t0.Add(-20*day)) {
		t.Errorf("all old: kept %v, want only the newest", names(keep))
	}
}

// writeSnapshot commits a small snapshot at root/name, as a backup would.
func writeSnapshot(t *testing.T, path string) {
	t.Helper()
	d, err := snapshot.NewDir(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	s := snapshot.New("http://test", t0)
	s.Put("status", []snapshot.Record{{"id": "1", "name": "New"}})
	if err := (formats.JSON{}).Write(formats.FromSnapshot(s), d); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

// foreign fills root with things backup did not make; it returns their paths.
func foreign(t *testing.T, root string) []string {
	t.Helper()
	paths := []string{
		filepath.Join(root, "notes"),                   // a foreign directory
		filepath.Join(root, "20200101T000000Z.tar.gz"), // a file named like a snapshot, almost
		filepath.Join(root, "20200102T000000Z"),        // a snapshot name without a manifest
		filepath.Join(root, "20200103T000000Z"),        // a file with a snapshot name
		filepath.Join(root, "20200104T000000Z.invalid"),
	}
	os.MkdirAll(paths[0], 0o700)
	os.WriteFile(filepath.Join(paths[0], "x"), []byte("keep me"), 0o600)
	os.WriteFile(paths[1], []byte("archive"), 0o600)
	os.MkdirAll(paths[2], 0o700)
	os.WriteFile(filepath.Join(paths[2], "data.json"), []byte("{}"), 0o600)
	os.WriteFile(paths[3], []byte("file"), 0o600)
	writeSnapshot(t, paths[4])
	return paths
}

func TestRunPrunesOnlyItsOwnSnapshots(t *testing.T) {
	root := t.TempDir()
	others := foreign(t, root)
	day := 24 * time.Hour
	var old []string
	for _, age := range []time.Duration{5 * day, 4 * day, 3 * day, 2 * day, day} {
		p := filepath.Join(root, Name(t0.Add(-age)))
		writeSnapshot(t, p)
		old = append(old, p)
	}

	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, _, err := r.Prune(Policy{Keep: 1}, t0); err == nil {
		t.Error("Prune before Commit succeeded")
	}
	s := snapshot.New("http://test", t0)
	s.Put("status", nil)
	if err := (formats.JSON{}).Write(formats.FromSnapshot(s), r.Dir()); err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
	prev, ok, err := r.Previous()
	if err != nil || !ok || prev.Path != old[4] {
		t.Errorf("Previous = %v %v %v, want %s", prev, ok, err, old[4])
	}
	removed, kept, err := r.Prune(Policy{Keep: 2}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Base(old[4]), r.Name()}; !reflect.DeepEqual(names(kept), want) {
		t.Errorf("kept %v, want %v", names(kept), want)
	}
	if len(removed) != 4 {
		t.Errorf("removed %v, want the 4 oldest", names(removed))
	}
	for i, p := range old {
		if exists(p) != (i == 4) {
			t.Errorf("%s exists = %v", p, exists(p))
		}
	}
	for _, p := range others {
		if !exists(p) {
			t.Errorf("foreign %s was removed", p)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(others[0], "x")); string(b) != "keep me" {
		t.Error("foreign file changed")
	}
}

func TestLock(t *testing.T) {
	root := t.TempDir()
	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Start(root, t0.Add(time.Hour))
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Start: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), LockName) {
		t.Errorf("message does not name the holder and the lock file: %v", err)
	}
	if exists(filepath.Join(root, Name(t0.Add(time.Hour)))) {
		t.Error("the locked-out run created its snapshot directory")
	}
	r.Close()
	if entries, _ := os.ReadDir(root); len(entries) != 1 || entries[0].Name() != LockName {
		t.Errorf("an uncommitted run left %v", entries)
	}
	r2, err := Start(root, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	r2.Close()
}

func TestStartRemovesPartialsOfDeadRuns(t *testing.T) {
	root := t.TempDir()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	dead := cmd.Process.Pid
	// A killed child not yet reaped is a zombie: dead too.
	zombie := exec.Command("sleep", "60")
	if err := zombie.Start(); err != nil {
		t.Skip("no sleep(1):", err)
	}
	zombie.Process.Kill()
	time.Sleep(50 * time.Millisecond)
	defer zombie.Wait()
	zombiePartial := filepath.Join(root, "."+Name(t0.Add(-2*time.Hour))+".partial-"+strconv.Itoa(zombie.Process.Pid)+"-7")
	deadPartial := filepath.Join(root, "."+Name(t0.Add(-time.Hour))+".partial-"+strconv.Itoa(dead)+"-123")
	livePartial := filepath.Join(root, "."+Name(t0.Add(-time.Minute))+".partial-"+strconv.Itoa(os.Getppid())+"-456")
	foreignPartial := filepath.Join(root, ".cache.partial-"+strconv.Itoa(dead)+"-1")
	for _, p := range []string{deadPartial, zombiePartial, livePartial, foreignPartial} {
		os.MkdirAll(p, 0o700)
	}
	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if exists(deadPartial) || exists(zombiePartial) {
		t.Error("the partial of a dead run survived")
	}
	if !exists(livePartial) || !exists(foreignPartial) {
		t.Error("a live run's partial or a foreign directory was removed")
	}
	if got, _ := List(root); len(got) != 0 {
		t.Errorf("partials listed as snapshots: %v", names(got))
	}
}

func TestSameSecond(t *testing.T) {
	root := t.TempDir()
	writeSnapshot(t, filepath.Join(root, Name(t0)))
	os.MkdirAll(filepath.Join(root, Name(t0.Add(time.Second)), "foreign"), 0o700)
	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if want := Name(t0.Add(2 * time.Second)); r.Name() != want {
		t.Errorf("a run in a taken second is named %s, want the next free second %s", r.Name(), want)
	}
}

func TestReject(t *testing.T) {
	root := t.TempDir()
	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := snapshot.New("http://test", t0)
	if err := r.Commit(s.Manifest); err != nil {
		t.Fatal(err)
	}
	to, err := r.Reject()
	if err != nil {
		t.Fatal(err)
	}
	if !exists(to) || exists(r.Path()) {
		t.Errorf("Reject: %s exists %v, %s exists %v", to, exists(to), r.Path(), exists(r.Path()))
	}
	if got, _ := List(root); len(got) != 0 {
		t.Errorf("a rejected snapshot is listed: %v", names(got))
	}
	if _, _, err := r.Prune(Policy{Keep: 1}, t0); err == nil {
		t.Error("Prune after Reject succeeded")
	}
}

// TestPolicyHugeValues: --keep-days 200000 overflowed a time.Duration and
// pruned every older snapshot. Retention counts in dates: a huge value keeps
// everything, whatever its size.
func TestPolicyHugeValues(t *testing.T) {
	day := 24 * time.Hour
	es := entries(t0, 3*365*day, 400*day, 30*day, day)
	for _, p := range []Policy{
		{KeepDays: 200000}, {KeepDays: 106752}, {KeepDays: math.MaxInt}, {Keep: math.MaxInt},
		{Keep: math.MaxInt, KeepDays: math.MaxInt}, {Keep: 1, KeepDays: 5000},
	} {
		keep, drop := p.Select(es, t0)
		if len(keep) != 4 || len(drop) != 0 {
			t.Errorf("%+v kept %v, dropped %v; want all four kept", p, names(keep), names(drop))
		}
	}
	// Days are calendar days of the snapshot names' UTC clock, however the
	// caller's clock is zoned: 2 days before 03:15Z is 03:15Z two days earlier.
	local := t0.In(time.FixedZone("NZDT", 13*3600))
	keep, _ := Policy{KeepDays: 2}.Select(entries(t0, 2*day, 2*day-time.Second, time.Hour), local)
	if len(keep) != 2 {
		t.Errorf("--keep-days 2 kept %v, want the two younger than 2 days", names(keep))
	}
}

// TestPruneInvalid: rejected snapshots are bounded (a backup failing every
// night filled the disk): the newest KeepInvalid are kept, older ones
// removed; only directories that are really halocfg's (TIME.invalid with a
// halocfg manifest) are ever touched.
func TestPruneInvalid(t *testing.T) {
	root := t.TempDir()
	day := 24 * time.Hour
	var invalid []string
	for _, age := range []time.Duration{5 * day, 4 * day, 3 * day, 2 * day} {
		p := filepath.Join(root, Name(t0.Add(-age))+InvalidSuffix)
		writeSnapshot(t, p)
		invalid = append(invalid, p)
	}
	strangers := []string{
		filepath.Join(root, Name(t0.Add(-9*day))+InvalidSuffix), // no manifest
		filepath.Join(root, "old"+InvalidSuffix),                // not a time
		filepath.Join(root, Name(t0.Add(-8*day))+InvalidSuffix+".tar"),
	}
	os.MkdirAll(filepath.Join(strangers[0], "json"), 0o700)
	os.WriteFile(filepath.Join(strangers[0], "json", "status.json"), []byte("mine"), 0o600)
	writeSnapshot(t, strangers[1])
	os.WriteFile(strangers[2], []byte("archive"), 0o600)

	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Commit(snapshot.New("http://test", t0).Manifest); err != nil {
		t.Fatal(err)
	}
	rejected, err := r.Reject()
	if err != nil {
		t.Fatal(err)
	}
	invalid = append(invalid, rejected)
	removed, kept, err := r.PruneInvalid()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(kept), []string{filepath.Base(invalid[2]), filepath.Base(invalid[3]), filepath.Base(rejected)}; !reflect.DeepEqual(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if got, want := names(removed), []string{filepath.Base(invalid[0]), filepath.Base(invalid[1])}; !reflect.DeepEqual(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	for i, p := range invalid {
		if exists(p) != (i >= 2) {
			t.Errorf("%s exists = %v", p, exists(p))
		}
	}
	for _, p := range strangers {
		if !exists(p) {
			t.Errorf("%s was removed", p)
		}
	}
}

// TestLockIsOnlyARegularFile: ROOT/.halocfg.lock pointing at another file
// truncated that file. The lock is opened without following links and must
// be a regular file of its own; anything else is refused, untouched.
func TestLockIsOnlyARegularFile(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, lock, victim string)
		want string
	}{
		{"a link to another file", func(t *testing.T, lock, victim string) { os.Symlink(victim, lock) }, "a symbolic link"},
		{"a dangling link", func(t *testing.T, lock, victim string) { os.Symlink(victim+".new", lock) }, "a symbolic link"},
		{"a hard link to another file", func(t *testing.T, lock, victim string) { os.Link(victim, lock) }, "it has other names (2 links)"},
		{"a FIFO", func(t *testing.T, lock, victim string) { syscall.Mkfifo(lock, 0o600) }, "a named pipe (FIFO)"},
		{"a directory", func(t *testing.T, lock, victim string) { os.Mkdir(lock, 0o700) }, "a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			victim := filepath.Join(t.TempDir(), "passwd")
			os.WriteFile(victim, []byte("root:x:0:0\n"), 0o600)
			lock := filepath.Join(root, LockName)
			tc.make(t, lock, victim)
			done := make(chan error, 1)
			go func() {
				r, err := Start(root, t0)
				if err == nil {
					r.Close()
				}
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Start hung on the lock")
			}
			if want := "lock " + lock + ": " + tc.want; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Start: %v, want %q", err, want)
			}
			if b, _ := os.ReadFile(victim); string(b) != "root:x:0:0\n" {
				t.Errorf("the file the lock points at now holds %q", b)
			}
			if _, err := os.Lstat(victim + ".new"); err == nil {
				t.Error("a file was created through the dangling link")
			}
			if entries, _ := os.ReadDir(root); len(entries) != 1 {
				t.Errorf("root holds %v", entries)
			}
		})
	}
}

// TestNewRootIsPrivate: a root Start creates, and the directories above it
// it creates, are 0700 whatever the umask.
func TestNewRootIsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	base := t.TempDir()
	root := filepath.Join(base, "backups", "halocfg")
	r, err := Start(root, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	for _, p := range []string{filepath.Dir(root), root} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", p, info.Mode().Perm(), err)
		}
	}
	if info, err := os.Stat(filepath.Join(root, LockName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("lock: %v, want 0600", err)
	}
}
