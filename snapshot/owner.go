package snapshot

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// halocfg never deletes or overwrites what it did not write. This file owns
// the question "may halocfg replace this path?"; every overwrite asks it.

// ErrInTheWay is wrapped by every refusal to replace a path.
var ErrInTheWay = errors.New("refusing to replace")

// InTheWayError is a path halocfg will not replace, and why.
type InTheWayError struct {
	Path string
	Why  string // "it is not a halocfg snapshot (holds 20261126T031500Z/, notes.txt)"
}

func (e *InTheWayError) Error() string { return e.Path + ": refusing to replace: " + e.Why }

// Is matches ErrInTheWay, and ErrExists: something is there.
func (e *InTheWayError) Is(target error) bool { return target == ErrInTheWay || target == ErrExists }

// MayReplaceDir reports whether a snapshot directory may be written at
// path: nil when nothing is there or an empty directory is; with replace,
// also when a halocfg snapshot is there: a directory (not a link to one)
// with a halocfg manifest at its top and nothing the manifest does not
// list. Anything else is an *InTheWayError naming what is in the way.
func MayReplaceDir(path string, replace bool) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !info.IsDir():
		return &InTheWayError{path, "it is " + Describe(info.Mode()) + ", not a directory"}
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	holds := listing(entries)
	m, merr := ReadManifest(path)
	if !replace {
		why := "it already exists and is not empty (holds " + holds + ")"
		if merr == nil {
			why += "; --force replaces a halocfg snapshot"
		}
		return &InTheWayError{path, why}
	}
	if merr != nil {
		return &InTheWayError{path, "it is not a halocfg snapshot (holds " + holds + ")"}
	}
	extra, err := Unlisted(path, m)
	if err != nil {
		return &InTheWayError{path, fmt.Sprintf("it cannot be read whole (%v)", err)}
	}
	if len(extra) > 0 {
		return &InTheWayError{path, "it holds what its halocfg manifest does not list (" + names(extra) + ")"}
	}
	return nil
}

// listing names a directory's entries, directories with a trailing slash.
func listing(entries []os.DirEntry) string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
		if e.IsDir() {
			out[i] += "/"
		}
	}
	return names(out)
}

// names joins the first few of a list, and counts the rest.
func names(list []string) string {
	const most = 5
	if len(list) <= most {
		return strings.Join(list, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(list[:most], ", "), len(list)-most)
}

// Describe says what kind of file a mode is, as a person would: "a
// symbolic link", "a named pipe (FIFO)", "a directory", "a file" ...
func Describe(mode os.FileMode) string {
	switch {
	case mode&os.ModeSymlink != 0:
		return "a symbolic link"
	case mode&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&os.ModeDevice != 0:
		return "a device"
	case mode&os.ModeSocket != 0:
		return "a socket"
	case mode.IsDir():
		return "a directory"
	}
	return "a file"
}
