package snapshot

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Every file halocfg reads may be hostile: a link to /dev/zero, a FIFO that
// never answers, a file of terabytes. This file owns opening one safely;
// every reader of a snapshot asks it.
//
// The rule: a path the user names (a snapshot directory, a lone workbook) is
// theirs, and a link there is followed. Below a snapshot directory nothing is
// followed: every directory on the way must be a directory and the file a
// regular file, never a link, FIFO, device or socket.

const (
	// MaxFileBytes bounds every file of a snapshot, written or read: the
	// readers hold a file in memory, and a kind's configuration is far
	// smaller (a record Halo sends is at most 256 MiB).
	MaxFileBytes = 1 << 30
	// MaxManifestBytes bounds manifest.json, which lists a few dozen files.
	MaxManifestBytes = 4 << 20
)

var (
	// ErrNotRegular is wrapped by the errors of OpenInside and OpenRegular
	// for a link, a FIFO, a device, a socket or a directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge is wrapped by their errors for a file over the bound.
	ErrTooLarge = errors.New("too large")
)

// FileError is a file halocfg will not read, or that is not what the
// manifest says. Err says why, without the path.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// reason is an error with its own words that still matches a sentinel.
type reason struct {
	msg string
	is  error
}

func (r reason) Error() string        { return r.msg }
func (r reason) Is(target error) bool { return target == r.is }

// OpenInside opens the file rel (slash-separated, below dir) of the
// snapshot directory dir for reading. dir itself may be a link; nothing
// below it is followed. The file must be a regular file of at most maxBytes
// bytes. It is opened without waiting (O_NONBLOCK) and only after a look
// that does not open it, so a FIFO or a device is refused, never opened.
// Errors are *FileError naming dir/rel; a missing file matches fs.ErrNotExist.
func OpenInside(dir, rel string, maxBytes int64) (*os.File, error) {
	full := filepath.Join(dir, filepath.FromSlash(rel))
	fail := func(err error) (*os.File, error) { return nil, &FileError{Path: full, Err: err} }
	if path.Clean(rel) != rel || !filepath.IsLocal(filepath.FromSlash(rel)) {
		full = dir + string(filepath.Separator) + filepath.FromSlash(rel) // as given, not cleaned
		return fail(reason{"not a path inside the snapshot", fs.ErrInvalid})
	}
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(err)
	}
	names := strings.Split(rel, "/")
	for i, name := range names {
		last := i == len(names)-1
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			unix.Close(dfd)
			return fail(err)
		}
		want, flags := uint32(unix.S_IFDIR), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_DIRECTORY
		if last {
			want, flags = unix.S_IFREG, flags&^unix.O_DIRECTORY
		}
		if mode := uint32(st.Mode); mode&unix.S_IFMT != want {
			unix.Close(dfd)
			if last {
				return fail(notRegular(mode, ""))
			}
			return fail(notRegular(mode, strings.Join(names[:i+1], "/")))
		}
		fd, err := unix.Openat(dfd, name, flags, 0)
		unix.Close(dfd)
		if err != nil {
			return fail(err)
		}
		dfd = fd
	}
	return checkOpened(dfd, full, maxBytes)
}

// OpenRegular opens a file the user named: a link is followed (the user
// chose it), but the file must be a regular file of at most maxBytes bytes,
// and a FIFO or a device is refused without being opened.
func OpenRegular(name string, maxBytes int64) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Stat(name, &st); err != nil {
		return nil, &FileError{Path: name, Err: err}
	}
	if mode := uint32(st.Mode); mode&unix.S_IFMT != unix.S_IFREG {
		return nil, &FileError{Path: name, Err: notRegular(mode, "")}
	}
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &FileError{Path: name, Err: err}
	}
	return checkOpened(fd, name, maxBytes)
}

// checkOpened checks what fd turned out to be (it may have been swapped
// since the look before opening) and hands it over as an *os.File.
func checkOpened(fd int, name string, maxBytes int64) (*os.File, error) {
	var st unix.Stat_t
	err := unix.Fstat(fd, &st)
	switch {
	case err != nil:
	case uint32(st.Mode)&unix.S_IFMT != unix.S_IFREG:
		err = notRegular(uint32(st.Mode), "")
	case st.Size > maxBytes:
		err = tooLarge(st.Size, maxBytes)
	default:
		err = unix.SetNonblock(fd, false) // a regular file: reads never wait anyway
	}
	if err != nil {
		unix.Close(fd)
		return nil, &FileError{Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// ReadInside reads the file rel of the snapshot directory dir whole, as
// OpenInside opens it, reading at most maxBytes+1 bytes whatever it claims.
func ReadInside(dir, rel string, maxBytes int64) ([]byte, error) {
	f, err := OpenInside(dir, rel, maxBytes)
	if err != nil {
		return nil, err
	}
	return readAll(f, maxBytes)
}

// ReadRegular reads a file the user named whole, as OpenRegular opens it.
func ReadRegular(name string, maxBytes int64) ([]byte, error) {
	f, err := OpenRegular(name, maxBytes)
	if err != nil {
		return nil, err
	}
	return readAll(f, maxBytes)
}

func readAll(f *os.File, maxBytes int64) ([]byte, error) {
	defer f.Close()
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Size() >= 0 {
		size = st.Size() + 1 // checkOpened bounded it
	}
	buf := make([]byte, 0, size)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > maxBytes {
			return nil, &FileError{Path: f.Name(), Err: tooLarge(int64(len(buf)), maxBytes)}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, &FileError{Path: f.Name(), Err: err}
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // it grew while being read: make room
		}
	}
}

func tooLarge(size, maxBytes int64) error {
	return reason{fmt.Sprintf("%d bytes or more, over the %s halocfg reads", size, byteSize(maxBytes)), ErrTooLarge}
}

// notRegular says what a file is instead of a regular file (or, for a
// directory on the way to one, instead of a directory).
func notRegular(mode uint32, dir string) error {
	var m os.FileMode
	switch mode & unix.S_IFMT {
	case unix.S_IFLNK:
		m = os.ModeSymlink
	case unix.S_IFIFO:
		m = os.ModeNamedPipe
	case unix.S_IFCHR, unix.S_IFBLK:
		m = os.ModeDevice
	case unix.S_IFSOCK:
		m = os.ModeSocket
	case unix.S_IFDIR:
		m = os.ModeDir
	}
	follow := ""
	if m == os.ModeSymlink {
		follow = " (halocfg follows no link here)"
	}
	if dir != "" {
		return reason{fmt.Sprintf("%s is %s, not a directory%s", dir, Describe(m), follow), ErrNotRegular}
	}
	return reason{fmt.Sprintf("%s, not a regular file%s", Describe(m), follow), ErrNotRegular}
}

// byteSize writes n as people read it: 1 GiB, 4 MiB, 512 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
