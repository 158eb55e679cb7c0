// Package backup keeps a directory of timestamped snapshots: one run at a
// time (a lock), each snapshot appearing whole or not at all, and retention
// that removes only snapshots this package made.
//
// A backup root holds:
//
//	ROOT/.halocfg.lock          the lock (flock; released when the process dies)
//	ROOT/20261127T031500Z/      one complete snapshot per run, named by its UTC start time
//	                            (or the next free second)
//	ROOT/.20261127T031500Z.partial-PID-*/   a run in progress (never counted, never pruned while PID lives)
//	ROOT/20261127T031500Z.invalid/          a snapshot that failed verification (the newest
//	                                        KeepInvalid are kept for inspection)
//
// Anything else in ROOT is foreign and left alone.
package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// TimeLayout names snapshot directories: the UTC time the run started, to the second.
const TimeLayout = "20060102T150405Z"

// LockName is the lock file inside a backup root.
const LockName = ".halocfg.lock"

// InvalidSuffix marks a snapshot that failed verification.
const InvalidSuffix = ".invalid"

var nameRE = regexp.MustCompile(`^\d{8}T\d{6}Z$`)

// Name is the directory name of a snapshot taken at t.
func Name(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseName returns the time a snapshot directory name stands for, and false
// when name is not one.
func ParseName(name string) (time.Time, bool) {
	if !nameRE.MatchString(name) {
		return time.Time{}, false
	}
	t, err := time.Parse(TimeLayout, name)
	return t, err == nil
}

// Entry is one complete snapshot of a backup root.
type Entry struct {
	Name string    // 20261127T031500Z
	Path string    // ROOT/20261127T031500Z
	Time time.Time // parsed from Name
}

// List returns the complete snapshots in root, oldest first: directories
// whose name is a snapshot time and that hold a readable halocfg manifest.
// Partial directories, rejected snapshots and foreign entries are not listed.
func List(root string) ([]Entry, error) { return list(root, "") }

// ListInvalid returns the rejected snapshots in root, oldest first:
// directories named TIME.invalid that hold a readable halocfg manifest.
func ListInvalid(root string) ([]Entry, error) { return list(root, InvalidSuffix) }

// list returns the directories of root named by a snapshot time and suffix
// that hold a halocfg manifest, oldest first.
func list(root, suffix string) ([]Entry, error) {
	dirents, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, d := range dirents {
		stamp, ok := strings.CutSuffix(d.Name(), suffix)
		t, isTime := ParseName(stamp)
		if !ok || !isTime || !d.IsDir() {
			continue
		}
		path := filepath.Join(root, d.Name())
		if _, err := snapshot.ReadManifest(path); err != nil {
			continue // not ours, or not complete: never counted, never pruned
		}
		out = append(out, Entry{Name: d.Name(), Path: path, Time: t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// maxKeepDays is more days than lie between any two snapshot names
// (years 0000 to 9999).
const maxKeepDays = 10000 * 366

// Policy says which snapshots to keep. A zero field is a rule not given.
// A snapshot is kept when any given rule keeps it; the newest is always
// kept; with no rule at all everything is kept.
type Policy struct {
	Keep     int // keep the newest Keep snapshots
	KeepDays int // keep snapshots younger than KeepDays days
}

func (p Policy) String() string {
	var parts []string
	if p.Keep > 0 {
		parts = append(parts, fmt.Sprintf("newest %d", p.Keep))
	}
	if p.KeepDays > 0 {
		parts = append(parts, fmt.Sprintf("younger than %d days", p.KeepDays))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " or ")
}

// Select splits entries (oldest first, as List returns them) into those the
// policy keeps and those it drops, at time now.
func (p Policy) Select(entries []Entry, now time.Time) (keep, drop []Entry) {
	if p.Keep <= 0 && p.KeepDays <= 0 {
		return entries, nil
	}
	// In dates, not durations: D days as a time.Duration overflows past
	// 106,751 days. Beyond maxKeepDays every snapshot (named by a year of
	// four digits) is younger anyway.
	keepAll := p.KeepDays > maxKeepDays
	var cutoff time.Time
	if p.KeepDays > 0 && !keepAll {
		cutoff = now.UTC().AddDate(0, 0, -p.KeepDays)
	}
	for i, e := range entries {
		fromNewest := len(entries) - 1 - i
		switch {
		case fromNewest == 0, keepAll,
			p.Keep > 0 && fromNewest < p.Keep,
			p.KeepDays > 0 && e.Time.After(cutoff):
			keep = append(keep, e)
		default:
			drop = append(drop, e)
		}
	}
	return keep, drop
}

// ErrLocked is wrapped by Start when another run holds the root's lock.
var ErrLocked = errors.New("another backup is running")

// Run is one backup in progress. It holds the root's lock from Start to Close.
type Run struct {
	root, name string
	lock       *os.File
	dir        *snapshot.Dir
	committed  bool
}

// Start locks root (creating it, private to the owner, if needed), clears
// the leftovers of killed runs and prepares the snapshot named after now.
// When another run holds the lock the error wraps ErrLocked.
func Start(root string, now time.Time) (*Run, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	lock, err := acquire(filepath.Join(root, LockName))
	if err != nil {
		return nil, err
	}
	r := &Run{root: root, lock: lock}
	removeDeadPartials(root)
	// Names are unique to the second: a run in the same second as the last
	// one (a quick retry) takes the next free second.
	for i := 0; i < 10; i++ {
		r.name = Name(now.Add(time.Duration(i) * time.Second))
		r.dir, err = snapshot.NewDir(filepath.Join(root, r.name), false)
		if !errors.Is(err, snapshot.ErrExists) {
			break
		}
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// acquire takes an exclusive flock on path without waiting. The kernel
// drops it when the process ends, however it ends, so a lock is never stale.
// The holder's pid is written into the file for the message others get, so
// the file must be the lock's own: it is opened without following a link,
// and a FIFO, a device, a directory or a file with other names (a hard
// link) is refused before anything is written.
func acquire(path string) (*os.File, error) {
	fail := func(why string) (*os.File, error) {
		return nil, fmt.Errorf("lock %s: %s; halocfg writes only a lock file of its own there (remove it)", path, why)
	}
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return fail(snapshot.Describe(info.Mode()) + ", not a regular file") // never opened
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
	if errors.Is(err, syscall.ELOOP) {
		return fail("a symbolic link, not a regular file")
	}
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !info.Mode().IsRegular() { // swapped in since the look
		f.Close()
		return fail(snapshot.Describe(info.Mode()) + ", not a regular file")
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Nlink != 1 {
		f.Close()
		return fail(fmt.Sprintf("it has other names (%d links)", st.Nlink))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := "another process"
		b := make([]byte, 32)
		if n, _ := f.ReadAt(b, 0); len(strings.TrimSpace(string(b[:n]))) > 0 {
			holder = "pid " + strings.TrimSpace(string(b[:n]))
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w in %s (%s holds %s); try again when it has finished",
				ErrLocked, filepath.Dir(path), holder, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// removeDeadPartials deletes partial snapshot directories left by backups
// that were killed: named after a snapshot time, made by a process that is
// gone. It runs under the lock, so no live backup owns them.
func removeDeadPartials(root string) {
	dirents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, d := range dirents {
		name, ok := strings.CutPrefix(d.Name(), ".")
		if !ok || !d.IsDir() {
			continue
		}
		stamp, rest, ok := strings.Cut(name, ".partial-")
		if _, isSnap := ParseName(stamp); !ok || !isSnap {
			continue
		}
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || alive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(root, d.Name()))
	}
}

// alive reports whether a process runs. A zombie (killed, not yet reaped:
// common under a container's init) has released its lock and is not alive.
func alive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill
	}
	// "pid (comm) S ...": the state follows the last ')'.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	return !strings.HasPrefix(strings.TrimSpace(rest), "Z")
}

// Dir is the snapshot being written; files go through Dir().Create.
func (r *Run) Dir() *snapshot.Dir { return r.dir }

// Name is the new snapshot's directory name.
func (r *Run) Name() string { return r.name }

// Path is where the new snapshot appears on Commit.
func (r *Run) Path() string { return filepath.Join(r.root, r.name) }

// Commit writes the manifest and moves the snapshot into place.
func (r *Run) Commit(m snapshot.Manifest) error {
	if err := r.dir.Commit(m); err != nil {
		return err
	}
	r.committed = true
	return nil
}

// Previous returns the newest complete snapshot older than this run's.
func (r *Run) Previous() (Entry, bool, error) {
	entries, err := List(r.root)
	if err != nil {
		return Entry{}, false, err
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Name < r.name {
			return entries[i], true, nil
		}
	}
	return Entry{}, false, nil
}

// Reject renames the committed snapshot to NAME.invalid, so that it is
// kept for inspection but never counted as a snapshot, and returns the new path.
func (r *Run) Reject() (string, error) {
	to := r.Path() + InvalidSuffix
	if _, err := os.Lstat(to); err == nil {
		return "", fmt.Errorf("setting aside the invalid snapshot: %s already exists", to)
	}
	if err := os.Rename(r.Path(), to); err != nil {
		return "", fmt.Errorf("setting aside the invalid snapshot: %w", err)
	}
	r.committed = false
	return to, nil
}

// Prune removes the snapshots p does not keep at time now, never this run's
// own, and returns those it removed and those it kept.
func (r *Run) Prune(p Policy, now time.Time) (removed, kept []Entry, err error) {
	if !r.committed {
		return nil, nil, fmt.Errorf("prune: the new snapshot %s is not committed", r.name)
	}
	entries, err := List(r.root)
	if err != nil {
		return nil, nil, err
	}
	keep, drop := p.Select(entries, now)
	for _, e := range drop {
		if e.Name == r.name {
			keep = append(keep, e) // a clock set back: the new snapshot is not the newest
			continue
		}
		if err := os.RemoveAll(e.Path); err != nil {
			return removed, keep, fmt.Errorf("removing %s: %w", e.Path, err)
		}
		removed = append(removed, e)
	}
	return removed, keep, nil
}

// KeepInvalid is how many rejected snapshots a root keeps for inspection:
// a backup that fails every night must not fill the disk.
const KeepInvalid = 3

// PruneInvalid removes all but the newest KeepInvalid rejected snapshots
// (ListInvalid: only halocfg's own), never this run's, and returns those
// it removed and those it kept.
func (r *Run) PruneInvalid() (removed, kept []Entry, err error) {
	entries, err := ListInvalid(r.root)
	if err != nil {
		return nil, nil, err
	}
	for i, e := range entries {
		if len(entries)-i <= KeepInvalid || e.Name == r.name+InvalidSuffix {
			kept = append(kept, e)
			continue
		}
		if err := os.RemoveAll(e.Path); err != nil {
			return removed, kept, fmt.Errorf("removing %s: %w", e.Path, err)
		}
		removed = append(removed, e)
	}
	return removed, kept, nil
}

// Close removes an uncommitted snapshot and releases the lock. It is safe to
// call more than once.
func (r *Run) Close() error {
	if r.dir != nil {
		r.dir.Abort()
	}
	if r.lock == nil {
		return nil
	}
	err := r.lock.Close() // closing the descriptor releases the flock
	r.lock = nil
	return err
}
