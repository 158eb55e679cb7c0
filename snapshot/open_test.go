package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within fails the test instead of hanging it when f does not return in time.
func within[T any](t *testing.T, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("did not return within 10s: waited on a FIFO or read a device?")
		panic("unreachable")
	}
}

func TestOpenInside(t *testing.T) {
	dir := t.TempDir()
	elsewhere := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "json"), 0o700))
	must(os.WriteFile(filepath.Join(dir, "json", "status.json"), []byte("[]"), 0o600))
	must(os.WriteFile(filepath.Join(elsewhere, "outcome.json"), []byte("[]"), 0o600))
	must(os.Symlink(filepath.Join(elsewhere, "outcome.json"), filepath.Join(dir, "json", "outcome.json")))
	must(os.Symlink("/dev/zero", filepath.Join(dir, "json", "zero.json")))
	must(syscall.Mkfifo(filepath.Join(dir, "json", "fifo.json"), 0o600))
	must(os.Symlink(elsewhere, filepath.Join(dir, "parquet")))
	must(os.WriteFile(filepath.Join(dir, "big"), make([]byte, 101), 0o600))
	must(os.WriteFile(filepath.Join(dir, "file"), nil, 0o600))

	cases := []struct {
		rel     string
		is      error
		message string // the end of the error
	}{
		{"json/status.json", nil, ""},
		{"json/outcome.json", ErrNotRegular, "json/outcome.json: a symbolic link, not a regular file (halocfg follows no link here)"},
		{"json/zero.json", ErrNotRegular, "json/zero.json: a symbolic link, not a regular file (halocfg follows no link here)"},
		{"json/fifo.json", ErrNotRegular, "json/fifo.json: a named pipe (FIFO), not a regular file"},
		{"json", ErrNotRegular, "json: a directory, not a regular file"},
		{"parquet/outcome.json", ErrNotRegular, "parquet/outcome.json: parquet is a symbolic link, not a directory (halocfg follows no link here)"},
		{"file/x", ErrNotRegular, "file/x: file is a file, not a directory"},
		{"big", ErrTooLarge, "big: 101 bytes or more, over the 100 bytes halocfg reads"},
		{"json/missing.json", fs.ErrNotExist, "json/missing.json: no such file or directory"},
		{"../outside", fs.ErrInvalid, "../outside: not a path inside the snapshot"},
		{"json/../big", fs.ErrInvalid, "not a path inside the snapshot"},
	}
	for _, tc := range cases {
		t.Run(tc.rel, func(t *testing.T) {
			type res struct {
				data []byte
				err  error
			}
			r := within(t, func() res { b, err := ReadInside(dir, tc.rel, 100); return res{b, err} })
			data, err := r.data, r.err
			if tc.is == nil {
				if err != nil || string(data) != "[]" {
					t.Fatalf("ReadInside = %q, %v", data, err)
				}
				return
			}
			var fe *FileError
			if !errors.Is(err, tc.is) || !errors.As(err, &fe) || !strings.HasSuffix(err.Error(), tc.message) {
				t.Errorf("error %v, want %v ending %q", err, tc.is, tc.message)
			}
		})
	}
}

func TestOpenRegularFollowsTheUsersLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.xlsx")
	os.WriteFile(real, []byte("PK"), 0o600)
	link := filepath.Join(dir, "latest.xlsx")
	os.Symlink(real, link)
	fifo := filepath.Join(dir, "fifo.xlsx")
	syscall.Mkfifo(fifo, 0o600)

	if b, err := ReadRegular(link, 10); err != nil || string(b) != "PK" {
		t.Errorf("a link the user named: %q, %v; want it followed", b, err)
	}
	for name, want := range map[string]string{
		"/dev/zero": "/dev/zero: a device, not a regular file",
		fifo:        fifo + ": a named pipe (FIFO), not a regular file",
		dir:         dir + ": a directory, not a regular file",
	} {
		err := within(t, func() error { _, err := ReadRegular(name, 10); return err })
		if !errors.Is(err, ErrNotRegular) || err.Error() != want {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

func TestCheckFile(t *testing.T) {
	dir := t.TempDir()
	data := []byte(`[{"id": 1}]`)
	os.MkdirAll(filepath.Join(dir, "json"), 0o700)
	os.WriteFile(filepath.Join(dir, "json", "status.json"), data, 0o600)
	sum := sha256.Sum256(data)
	good := File{Path: "json/status.json", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	os.Symlink(filepath.Join(dir, "json", "status.json"), filepath.Join(dir, "json", "link.json"))

	cases := []struct {
		name string
		f    File
		is   error
		msg  string // FileError.Err, without the path
	}{
		{"intact", good, nil, ""},
		{"upper-case sha256", File{Path: good.Path, Bytes: good.Bytes, SHA256: strings.ToUpper(good.SHA256)}, nil, ""},
		{"size", File{Path: good.Path, Bytes: 5, SHA256: good.SHA256}, ErrMismatch, "checksum mismatch: 6 bytes, the manifest says 5"},
		{"sha256", File{Path: good.Path, Bytes: good.Bytes, SHA256: "00"}, ErrMismatch, "checksum mismatch: sha256 " + good.SHA256 + ", the manifest says 00"},
		{"missing", File{Path: "json/outcome.json", Bytes: 2}, fs.ErrNotExist, "missing (listed in the manifest)"},
		{"a link", File{Path: "json/link.json", Bytes: good.Bytes, SHA256: good.SHA256}, ErrNotRegular, "a symbolic link, not a regular file (halocfg follows no link here)"},
		{"outside", File{Path: "../x", Bytes: 1}, fs.ErrInvalid, "the manifest lists a path outside the snapshot"},
		{"a size no snapshot file has", File{Path: good.Path, Bytes: 1 << 40}, ErrMismatch, "the manifest says 1099511627776 bytes; a snapshot file holds at most 1 GiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckFile(dir, tc.f)
			if tc.is == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FileError
			if !errors.Is(err, tc.is) || !errors.As(err, &fe) || fe.Err.Error() != tc.msg ||
				fe.Path != filepath.Join(dir, filepath.FromSlash(tc.f.Path)) {
				t.Errorf("CheckFile = %v, want %v: %q", err, tc.is, tc.msg)
			}
		})
	}
}

func TestReadManifestBounded(t *testing.T) {
	dir := t.TempDir()
	f, _ := os.Create(filepath.Join(dir, ManifestName))
	f.Truncate(MaxManifestBytes + 1) // sparse: costs nothing on disk
	f.Close()
	_, err := ReadManifest(dir)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), ManifestName) {
		t.Errorf("a manifest of 4 MiB + 1: %v", err)
	}
}

func TestUnlisted(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"json/status.json", "json/notes.txt", "stray", "empty/"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o700)
		if !strings.HasSuffix(p, "/") {
			os.WriteFile(full, nil, 0o600)
		}
	}
	os.WriteFile(filepath.Join(dir, ManifestName), nil, 0o600)
	os.Symlink(t.TempDir(), filepath.Join(dir, "parquet"))
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(dir, link) // the directory itself may be a link the user named
	got, err := Unlisted(link, Manifest{Files: []File{{Path: "json/status.json"}}})
	if err != nil || strings.Join(got, " ") != "json/notes.txt parquet stray" {
		t.Errorf("Unlisted = %q, %v", got, err)
	}
}

// TestDirWritesWhatItReads: a snapshot file over MaxFileBytes is refused
// while it is written, since no reader would take it back.
func TestDirWritesWhatItReads(t *testing.T) {
	d, err := NewDir(filepath.Join(t.TempDir(), "snap"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	d.maxFile = 10
	w, err := d.Create("json/status.json")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(make([]byte, 10)); err != nil {
		t.Fatalf("10 bytes of 10: %v", err)
	}
	if _, err := w.Write([]byte{'x'}); err == nil || err.Error() != "json/status.json: over 10 bytes, more than halocfg reads back from a snapshot file" {
		t.Errorf("the 11th byte: %v", err)
	}
}
