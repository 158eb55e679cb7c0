package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// ErrMismatch is wrapped by CheckFile's error for a file that is not what
// the manifest says.
var ErrMismatch = errors.New("checksum mismatch")

// CheckFile checks the file of the snapshot directory dir that the manifest
// lists as want: a regular file inside the snapshot (no link on its way), of
// want.Bytes bytes with sha256 want.SHA256. It reads at most want.Bytes+1
// bytes of it. The error is a *FileError naming dir/want.Path; its Err
// says what is wrong without the path.
func CheckFile(dir string, want File) error {
	full := filepath.Join(dir, filepath.FromSlash(want.Path))
	fail := func(msg string, is error) error { return &FileError{Path: full, Err: reason{msg, is}} }
	if !filepath.IsLocal(filepath.FromSlash(want.Path)) {
		return fail("the manifest lists a path outside the snapshot", fs.ErrInvalid)
	}
	if want.Bytes < 0 || want.Bytes > MaxFileBytes {
		return fail(fmt.Sprintf("the manifest says %d bytes; a snapshot file holds at most %s", want.Bytes, byteSize(MaxFileBytes)), ErrMismatch)
	}
	f, err := OpenInside(dir, want.Path, MaxFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return fail("missing (listed in the manifest)", fs.ErrNotExist)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, want.Bytes+1))
	if err != nil {
		return &FileError{Path: full, Err: err}
	}
	if n != want.Bytes {
		return fail(fmt.Sprintf("checksum mismatch: %d bytes, the manifest says %d", n, want.Bytes), ErrMismatch)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, want.SHA256) {
		return fail(fmt.Sprintf("checksum mismatch: sha256 %s, the manifest says %s", got, want.SHA256), ErrMismatch)
	}
	return nil
}

// Unlisted returns what the snapshot directory dir holds that the manifest
// m does not list (besides the manifest itself): files, links, FIFOs ...,
// as slash paths relative to dir, sorted. Directories count only through
// what they hold. Links are listed, never followed. The error joins what
// could not be read.
func Unlisted(dir string, m Manifest) ([]string, error) {
	listed := map[string]bool{ManifestName: true}
	for _, f := range m.Files {
		listed[f.Path] = true
	}
	root, err := filepath.EvalSymlinks(dir) // dir may be a link the user named
	if err != nil {
		return nil, err
	}
	var extra []string
	var errs []error
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err == nil && !listed[filepath.ToSlash(rel)] {
			extra = append(extra, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(extra)
	return extra, errors.Join(errs...)
}
