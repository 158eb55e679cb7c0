package snapshot

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Output is a kind of single file halocfg writes (a plan, a ledger, a diff
// report), and how to tell one it wrote from anything else: halocfg
// replaces an existing file only when it is its own output of the same kind.
type Output struct {
	Name string              // "an import plan": said when a file is refused
	Is   func(*os.File) bool // reads a regular file (at most MaxFileBytes)
}

// ReplaceFile writes path atomically and privately (0600): write fills a
// temporary file in the same directory, which is synced and renamed over
// path, and the directory synced, so that a crash or an error leaves either
// the old file or the new one, never a part of it, and no temporary file.
//
// Something already at path is replaced only when MayReplaceFile(path, out)
// allows it, and only if it is still the same file when the new one is done.
func ReplaceFile(path string, out Output, write func(io.Writer) error) error {
	was, err := mayReplaceFile(path, out)
	if err != nil {
		return err
	}
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
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if now, err := os.Lstat(path); (err == nil) != (was != nil) || (was != nil && !os.SameFile(was, now)) {
		return &InTheWayError{path, "it changed while halocfg was writing"}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return syncDir(dir)
}

// WriteFile writes a new file as ReplaceFile does, and never replaces
// anything: when path exists it is refused.
func WriteFile(path string, write func(io.Writer) error) error {
	return ReplaceFile(path, Output{}, write)
}

// MayReplaceFile reports whether halocfg may write a file of kind out at
// path: nil when nothing is there, or a regular file (not a link, directory,
// FIFO or device) that out.Is recognises as halocfg's own. Anything else is
// an *InTheWayError saying what is there.
func MayReplaceFile(path string, out Output) error {
	_, err := mayReplaceFile(path, out)
	return err
}

// mayReplaceFile is MayReplaceFile returning what it found (nil: nothing).
func mayReplaceFile(path string, out Output) (os.FileInfo, error) {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, &InTheWayError{path, "it is " + Describe(info.Mode())}
	case out.Is == nil:
		return nil, &InTheWayError{path, "it already exists"}
	}
	f, err := OpenInside(filepath.Dir(path), filepath.Base(path), MaxFileBytes)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return nil, &InTheWayError{path, "it is " + fe.Err.Error()}
		}
		return nil, err
	}
	defer f.Close()
	opened, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(info, opened) || !out.Is(f) {
		return nil, &InTheWayError{path, "it is not " + out.Name + " halocfg wrote"}
	}
	return opened, nil
}

// JSONOutput recognises a JSON object with every one of keys at its top
// level (the plan, the ledger, diff --output json).
func JSONOutput(name string, keys ...string) Output {
	return Output{Name: name, Is: func(f *os.File) bool {
		dec := json.NewDecoder(bufio.NewReader(io.LimitReader(f, MaxFileBytes)))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return false
		}
		seen := map[string]bool{}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return false
			}
			seen[fmt.Sprint(key)] = true
			if skipJSON(dec) != nil {
				return false
			}
		}
		for _, k := range keys {
			if !seen[k] {
				return false
			}
		}
		return true
	}}
}

// skipJSON reads one value, token by token, holding none of it.
func skipJSON(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// TextOutput recognises text whose first lines start with prefixes, one
// a line (diff --output text: "A: ...", "B: ...").
func TextOutput(name string, prefixes ...string) Output {
	return Output{Name: name, Is: func(f *os.File) bool {
		r := bufio.NewReader(io.LimitReader(f, 64<<10))
		for _, p := range prefixes {
			line, err := r.ReadString('\n')
			if !strings.HasPrefix(line, p) || (err != nil && err != io.EOF) {
				return false
			}
		}
		return true
	}}
}

// WorkbookOutput recognises an XLSX workbook whose sheets are exactly
// sheets, in that order (diff --output xlsx: summary, changes).
func WorkbookOutput(name string, sheets ...string) Output {
	return Output{Name: name, Is: func(f *os.File) bool {
		info, err := f.Stat()
		if err != nil {
			return false
		}
		z, err := zip.NewReader(f, info.Size())
		if err != nil {
			return false
		}
		wb, err := z.Open("xl/workbook.xml")
		if err != nil {
			return false
		}
		defer wb.Close()
		var doc struct {
			Sheets []struct {
				Name string `xml:"name,attr"`
			} `xml:"sheets>sheet"`
		}
		if xml.NewDecoder(io.LimitReader(wb, 1<<20)).Decode(&doc) != nil || len(doc.Sheets) != len(sheets) {
			return false
		}
		for i, s := range doc.Sheets {
			if s.Name != sheets[i] {
				return false
			}
		}
		return true
	}}
}
