package snapshot

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// commitSmall commits a snapshot of one file at path.
func commitSmall(t *testing.T, path string, replace bool) error {
	t.Helper()
	d, err := NewDir(path, replace)
	if err != nil {
		return err
	}
	defer d.Abort()
	w, err := d.Create("json/status.json")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "[]")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return d.Commit(New("http://test", time.Unix(0, 0)).Manifest)
}

func TestMayReplaceDir(t *testing.T) {
	base := t.TempDir()
	snap := filepath.Join(base, "snap")
	if err := commitSmall(t, snap, false); err != nil {
		t.Fatal(err)
	}
	put := func(rel, content string) {
		p := filepath.Join(base, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o700)
		os.WriteFile(p, []byte(content), 0o600)
	}
	put("files/a.txt", "")
	put("files/sub/b.txt", "")
	os.Mkdir(filepath.Join(base, "empty"), 0o700)
	put("file", "x")
	os.Symlink(snap, filepath.Join(base, "link"))
	put("foreign/manifest.json", `{"format_version": 99}`)
	for i := 0; i < 7; i++ {
		put("many/"+string(rune('a'+i)), "")
	}

	cases := []struct {
		path    string
		replace bool
		why     string // "" = allowed
	}{
		{"absent", false, ""},
		{"absent", true, ""},
		{"empty", false, ""},
		{"empty", true, ""},
		{"snap", true, ""},
		{"snap", false, "it already exists and is not empty (holds json/, manifest.json); --force replaces a halocfg snapshot"},
		{"files", true, "it is not a halocfg snapshot (holds a.txt, sub/)"},
		{"files", false, "it already exists and is not empty (holds a.txt, sub/)"},
		{"many", true, "it is not a halocfg snapshot (holds a, b, c, d, e and 2 more)"},
		{"foreign", true, "it is not a halocfg snapshot (holds manifest.json)"},
		{"file", true, "it is a file, not a directory"},
		{"link", true, "it is a symbolic link, not a directory"},
	}
	for _, tc := range cases {
		err := MayReplaceDir(filepath.Join(base, tc.path), tc.replace)
		if tc.why == "" {
			if err != nil {
				t.Errorf("%s (replace %v): %v", tc.path, tc.replace, err)
			}
			continue
		}
		var itw *InTheWayError
		if !errors.As(err, &itw) || itw.Why != tc.why || !errors.Is(err, ErrInTheWay) || !errors.Is(err, ErrExists) ||
			err.Error() != filepath.Join(base, tc.path)+": refusing to replace: "+tc.why {
			t.Errorf("%s (replace %v): %v, want %q", tc.path, tc.replace, err, tc.why)
		}
	}
}

// TestCommitChecksAgain: what appears in the snapshot being replaced while
// the new one is written is never deleted; Commit refuses and leaves both.
func TestCommitChecksAgain(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "snap")
	if err := commitSmall(t, snap, false); err != nil {
		t.Fatal(err)
	}
	d, err := NewDir(snap, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	os.WriteFile(filepath.Join(snap, "notes.txt"), []byte("written meanwhile"), 0o600)
	err = d.Commit(New("http://test", time.Unix(0, 0)).Manifest)
	if !errors.Is(err, ErrInTheWay) || err.Error() != snap+": refusing to replace: it holds what its halocfg manifest does not list (notes.txt)" {
		t.Errorf("Commit: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(snap, "notes.txt")); err != nil || string(b) != "written meanwhile" {
		t.Errorf("notes.txt: %q %v", b, err)
	}
	if _, err := ReadManifest(snap); err != nil {
		t.Errorf("the old snapshot: %v", err)
	}
	d.Abort()
	if entries, _ := os.ReadDir(filepath.Dir(snap)); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// Without the stranger, it is replaced.
	os.Remove(filepath.Join(snap, "notes.txt"))
	if err := commitSmall(t, snap, true); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(snap)); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// A file taken back is gone from the directory and the manifest, and may be
// made again; a closed file cannot be taken back, nor closed twice.
func TestDiscard(t *testing.T) {
	snap := filepath.Join(t.TempDir(), "snap")
	d, err := NewDir(snap, false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	type discarder interface{ Discard() error }
	w, err := d.Create("json/status.json")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "[1,")
	if err := w.(discarder).Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(d.Path(), "json", "status.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("discarded file: %v", err)
	}
	if err := w.Close(); err == nil || err.Error() != "json/status.json: closed" {
		t.Errorf("Close after Discard: %v", err)
	}
	w, err = d.Create("json/status.json")
	if err != nil {
		t.Fatalf("Create after Discard: %v", err)
	}
	io.WriteString(w, "[]")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.(discarder).Discard(); err == nil || err.Error() != "json/status.json: closed" {
		t.Errorf("Discard after Close: %v", err)
	}
	if err := d.Commit(New("http://test", time.Unix(0, 0)).Manifest); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 1 || m.Files[0].Path != "json/status.json" || m.Files[0].Bytes != 2 {
		t.Errorf("manifest files: %+v", m.Files)
	}
}
