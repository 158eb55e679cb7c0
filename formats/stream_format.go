package formats

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Stream reads the records format f wrote under the snapshot root dir, as
// f.Each does (no count checked, nothing sorted: what the files hold, in
// their order), and calls fn with each kind's as Records read one at a time
// where f can (JSON), so that a reader that checks every record (verify)
// holds one record of a kind, not the kind. Running recs reads the file
// anew; an error of the file names it, one of yield comes back untouched.
func Stream(f Format, dir string, fn func(kind string, recs Records) error) error {
	if f != (JSON{}) {
		return f.Each(dir, func(kind string, recs []snapshot.Record) error { return fn(kind, sliceRecords(recs)) })
	}
	for _, k := range catalog.Stored() {
		rel := jsonPath(k.Name)
		file, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		file.Close()
		err = fn(k.Name, func(yield func(snapshot.Record) error) error {
			file, err := snapshot.OpenInside(dir, rel, snapshot.MaxFileBytes)
			if err != nil {
				return err
			}
			defer file.Close()
			ours := true
			err = decodeJSONEach(io.LimitReader(file, snapshot.MaxFileBytes+1), func(rec snapshot.Record) error {
				err := yield(rec)
				ours = err == nil
				return err
			})
			if err != nil && ours {
				err = fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(rel)), err)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
