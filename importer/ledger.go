package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

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

// OpenLedger reads the ledger at path, or starts an empty one when the file
// does not exist. A ledger written for another target is refused: its ids
// would pair records with strangers.
func OpenLedger(path, target string) (*Ledger, error) {
	l := &Ledger{path: path, f: ledgerFile{Version: 1, Target: target, Kinds: mapping.IDs{}}}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
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

// Path is where the ledger is saved.
func (l *Ledger) Path() string { return l.path }

// IDs returns the pairs, source id -> target id per kind.
func (l *Ledger) IDs() mapping.IDs { return l.f.Kinds }

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
	if err := snapshot.ReplaceFile(l.path, snapshot.JSONOutput("a ledger", "version", "target", "kinds"), func(w io.Writer) error {
		_, err := w.Write(append(data, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}
