package snapshot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes a single file atomically and privately (0600): write
// fills a temporary file in the same directory, which is synced and renamed
// over path, and the directory synced, so that a crash or an error leaves
// either the old file or the new one, never a part of it.
func WriteFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return syncDir(dir)
}
