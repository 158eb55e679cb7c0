package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// Ledger records which target record each source record became, per kind,
// for one target tenant. Apply saves it after every create, atomically, so
// that a run killed at any point leaves a ledger that names every record it
// created and whose answer it received; a record whose answer was lost is
// found again by its natural key.
type Ledger struct {
	path string
	f    ledgerFile
}

type ledgerFile struct {
	Version int         `json:"version"`
	Target  string      `json:"target"`
	Source  string      `json:"source,omitempty"`
	Updated time.Time   `json:"updated"`
	Kinds   mapping.IDs `json:"kinds"`
}

// maxLedger bounds the ledger file read: far above the ledger of the largest
// tenant (100,000 records of every kind make some 40 MB).
const maxLedger = 256 << 20

// DefaultLedgerPath is where the ledger of the target tenant at url lives
// unless --ledger says otherwise: in the user's state directory
// ($XDG_STATE_HOME/halocfg, else ~/.local/state/halocfg, created 0700), so
// that every run against a target finds it, whatever directory it starts
// from. The file is named after the target's normalised URL (the form
// SameTenant compares), with a hash of it that keeps names that the
// spelling-out makes alike apart: ledger-acme.halopsa.com-1a2b3c4d.json.
func DefaultLedgerPath(target string) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(base) { // the XDG spec: a relative path is invalid, ignore it
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return "", errors.New("no state directory for the ledger ($XDG_STATE_HOME and $HOME are unset): give --ledger FILE")
		}
		base = filepath.Join(home, ".local", "state")
	}
	dir := filepath.Join(base, "halocfg")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("ledger directory: %w", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("ledger directory: %w", err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("ledger directory %s is not a directory", dir)
	}
	if info.Mode().Perm()&0o077 != 0 { // ledgers are private: name the tenants and their ids
		if err := os.Chmod(dir, 0o700); err != nil {
			return "", fmt.Errorf("ledger directory: %w", err)
		}
	}
	norm := halo.TenantKey(target)
	if norm == "" {
		return "", fmt.Errorf("ledger: target %q is not a URL", target)
	}
	sum := sha256.Sum256([]byte(norm))
	name := "ledger-" + unsafeName.ReplaceAllString(strings.Trim(norm, "/"), "_") + "-" + hex.EncodeToString(sum[:4]) + ".json"
	return filepath.Join(dir, name), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// OpenLedger reads the ledger at path, or starts an empty one when the file
// does not exist. A ledger written for another target is refused: its ids
// would pair records with strangers.
func OpenLedger(path, target string) (*Ledger, error) {
	l := &Ledger{path: path, f: ledgerFile{Version: 1, Target: target, Kinds: mapping.IDs{}}}
	// What is at path is replaced by Save: refuse at once what halocfg may not replace.
	if err := snapshot.MayReplaceFile(path, ledgerOutput); err != nil {
		return nil, err
	}
	data, err := readLedger(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	var f ledgerFile
	if err := snapshot.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("ledger %s: version %d is not supported", path, f.Version)
	}
	if !SameTenant(f.Target, target) {
		return nil, fmt.Errorf("ledger %s was written for %s, not %s: give another --ledger", path, f.Target, target)
	}
	if f.Kinds == nil {
		f.Kinds = mapping.IDs{}
	}
	l.f = f
	l.f.Target = target
	return l, nil
}

// RemoveLedger deletes the ledger at path, when there is one and it is a
// ledger halocfg wrote; anything else there is left alone and named.
func RemoveLedger(path string) error {
	if err := snapshot.MayReplaceFile(path, ledgerOutput); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// ledgerOutput recognises a ledger halocfg wrote, the only file Save replaces.
var ledgerOutput = snapshot.JSONOutput("a ledger", "version", "target", "kinds")

// readLedger reads the ledger, a regular file of at most maxLedger bytes,
// never through a link: halocfg replaces this file, and must not be led to
// replace another one.
func readLedger(path string) ([]byte, error) {
	return snapshot.ReadInside(filepath.Dir(path), filepath.Base(path), maxLedger)
}

// Path is where the ledger is saved.
func (l *Ledger) Path() string { return l.path }

// IDs returns the pairs, source id -> target id per kind.
func (l *Ledger) IDs() mapping.IDs { return l.f.Kinds }

// SavePairs records every pair of the plan in the ledger (which pairs the
// target's records with the source's from the next run on, whatever is
// renamed since) and saves it when that changed it. Apply does so before
// its first write; a run with nothing to write must too.
func (p *Plan) SavePairs(l *Ledger) error {
	l.f.Source = p.Source
	changed := false
	for kind, ids := range p.matching.IDs() {
		if _, ok := catalog.Lookup(kind); !ok {
			continue // people pair by key on every run
		}
		for src, tgt := range ids {
			if l.set(kind, src, tgt) {
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	return l.Save()
}

// set records a pair and reports whether it is new.
func (l *Ledger) set(kind, src, tgt string) bool {
	if l.f.Kinds[kind] == nil {
		l.f.Kinds[kind] = map[string]string{}
	}
	if l.f.Kinds[kind][src] == tgt {
		return false
	}
	l.f.Kinds[kind][src] = tgt
	return true
}

// Save writes the ledger atomically: a temporary file in the same
// directory, flushed to disk, renamed over the old one, and the directory
// flushed, so that a crash leaves either the old ledger or the new one.
func (l *Ledger) Save() error {
	l.f.Updated = time.Now().UTC()
	data, err := json.MarshalIndent(l.f, "", "  ")
	if err != nil {
		return err
	}
	if err := snapshot.ReplaceFile(l.path, ledgerOutput, func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
