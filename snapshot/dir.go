package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Dir builds a snapshot in a private temporary directory beside its final
// path and renames it into place on Commit, so that a failed or interrupted
// run leaves nothing that looks like a snapshot. Files are private to their
// owner (0600 in 0700 directories).
type Dir struct {
	final, tmp string
	replace    bool
	maxFile    int64    // MaxFileBytes; smaller in tests
	made       []string // directories NewDir made above final
	committed  bool

	mu    sync.Mutex
	files []File
}

// ErrExists is matched by the error of NewDir when the final path already
// holds something it may not replace.
var ErrExists = errors.New("already exists")

// NewDir prepares a snapshot at final. It fails with an *InTheWayError
// unless MayReplaceDir(final, replace) allows it; the old content is then
// swapped out only at Commit, and only if it still may be.
func NewDir(final string, replace bool) (*Dir, error) {
	final = filepath.Clean(final)
	if err := MayReplaceDir(final, replace); err != nil {
		return nil, err
	}
	parent, base := filepath.Split(final)
	if parent == "" {
		parent = "."
	}
	made, err := mkdirAll(parent)
	if err != nil {
		return nil, err
	}
	removeStalePartials(parent, base)
	tmp, err := os.MkdirTemp(parent, partialPrefix(base)+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		removeMade(made)
		return nil, err
	}
	return &Dir{final: final, tmp: tmp, replace: replace, maxFile: MaxFileBytes, made: made}, nil
}

// mkdirAll makes dir and its missing parents (0700) and returns those it
// made, outermost first, so that a failed run can take them away again.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) || filepath.Dir(p) == p {
			break
		}
		missing = append([]string{p}, missing...)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		removeMade(missing)
		return nil, err
	}
	return missing, nil
}

// removeMade removes the directories mkdirAll made, innermost first, as
// long as they are empty: whatever came into them meanwhile stays.
func removeMade(made []string) {
	for i := len(made) - 1; i >= 0; i-- {
		if os.Remove(made[i]) != nil {
			return
		}
	}
}

func partialPrefix(base string) string { return "." + base + ".partial-" }

// removeStalePartials deletes the leftovers of runs that were killed before
// they could clean up: partial directories of the same target whose process is gone.
func removeStalePartials(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	prefix := partialPrefix(base)
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(name, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || processAlive(pid) {
			continue
		}
		os.RemoveAll(filepath.Join(parent, e.Name()))
	}
}

func processAlive(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Path is the temporary directory being filled.
func (d *Dir) Path() string { return d.tmp }

// Final is where the snapshot appears on Commit.
func (d *Dir) Final() string { return d.final }

// Create opens a new file at rel (slash-separated, relative to the snapshot
// root). Closing it syncs it and records its size and sha256 for the manifest.
func (d *Dir) Create(rel string) (io.WriteCloser, error) {
	if rel == ManifestName || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, fmt.Errorf("snapshot file %q: not allowed", rel)
	}
	path := filepath.Join(d.tmp, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &file{f: f, h: sha256.New(), rel: rel, dir: d}, nil
}

type file struct {
	f      *os.File
	h      hash.Hash
	n      int64
	rel    string
	dir    *Dir
	closed bool
}

func (f *file) Write(p []byte) (int, error) {
	if f.n+int64(len(p)) > f.dir.maxFile {
		// What halocfg writes it must read back, and it reads no more.
		return 0, fmt.Errorf("%s: over %s, more than halocfg reads back from a snapshot file", f.rel, byteSize(f.dir.maxFile))
	}
	n, err := f.f.Write(p)
	f.h.Write(p[:n])
	f.n += int64(n)
	return n, err
}

func (f *file) Close() error {
	if f.closed {
		return fmt.Errorf("%s: closed", f.rel)
	}
	f.closed = true
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.rel, err)
	}
	f.dir.mu.Lock()
	f.dir.files = append(f.dir.files, File{Path: f.rel, Bytes: f.n, SHA256: hex.EncodeToString(f.h.Sum(nil))})
	f.dir.mu.Unlock()
	return nil
}

// Discard takes back a file not yet closed: it is removed (Create made it,
// in the Dir's own temporary directory), the manifest will not list it, and
// Create may make it again. A writer that learns half-way through a file
// that it must start over (records out of id order) calls it.
func (f *file) Discard() error {
	if f.closed {
		return fmt.Errorf("%s: closed", f.rel)
	}
	f.closed = true
	f.f.Close()
	return os.Remove(f.f.Name())
}

// Commit writes the manifest, listing every file closed so far, and moves the
// snapshot into place. After Commit the Dir is spent.
func (d *Dir) Commit(m Manifest) error {
	d.mu.Lock()
	m.Files = append([]File(nil), d.files...)
	d.mu.Unlock()
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })

	f, err := os.OpenFile(filepath.Join(d.tmp, ManifestName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = writeJSON(f, m)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing manifest: %w", err)
	}
	if err := syncDir(d.tmp); err != nil {
		return err
	}

	// What is at final now is checked again, after the export: it may have
	// changed meanwhile. A snapshot being replaced is moved aside first and
	// checked there, where nothing else writes, before it is deleted.
	if err := MayReplaceDir(d.final, d.replace); err != nil {
		return err
	}
	var old string
	switch _, err := os.Lstat(d.final); {
	case err != nil: // nothing there
	case !d.replace:
		os.Remove(d.final) // an empty directory; Rename cannot replace it
	default:
		old = d.tmp + ".old"
		if err := os.Rename(d.final, old); err != nil {
			return fmt.Errorf("moving %s aside: %w", d.final, err)
		}
		if err := MayReplaceDir(old, true); err != nil {
			if rerr := os.Rename(old, d.final); rerr != nil {
				return fmt.Errorf("%w; what was there is now in %s", err, old)
			}
			var itw *InTheWayError
			if errors.As(err, &itw) {
				itw.Path = d.final
			}
			return err
		}
	}
	if err := os.Rename(d.tmp, d.final); err != nil {
		if old != "" {
			os.Rename(old, d.final)
		}
		return fmt.Errorf("moving snapshot into place: %w", err)
	}
	d.committed = true
	if old != "" {
		os.RemoveAll(old)
	}
	return syncDir(filepath.Dir(d.final))
}

// Abort removes the temporary directory and, unless the snapshot was
// committed, the directories NewDir made to hold it. It is safe after
// Commit, and more than once.
func (d *Dir) Abort() {
	os.RemoveAll(d.tmp)
	if !d.committed {
		removeMade(d.made)
		d.made = nil
	}
}

func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
