package importer

import (
	"fmt"

	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// Options say what to import and how.
type Options struct {
	Kinds     []string          // kinds to write (--only); empty: every kind of the snapshot
	Overrides mapping.Overrides // --map
	MapFile   string            // the --map file's name, for problems
	Ledger    mapping.IDs       // the pairs of earlier runs against this target
	External  mapping.External  // --external
	Prune     bool              // delete target records no source record pairs with

	// TargetURL is the target's base URL. The import is refused when it is
	// the snapshot's source, unless AllowSameTenant.
	TargetURL       string
	AllowSameTenant bool

	Concurrency int // detail reads of the target at once; default 8
}

// ParseExternal reads an --external value: what to do with a reference
// to something halocfg does not export that the --map file does not map.
func ParseExternal(s string) (mapping.External, error) {
	switch s {
	case "fail", "":
		return mapping.ExternalFail, nil
	case "clear":
		return mapping.ExternalClear, nil
	case "keep":
		return mapping.ExternalKeep, nil
	}
	return 0, fmt.Errorf("%q: want fail, clear or keep", s)
}

// maxMapBytes bounds a --map file: some hundred thousand entries.
const maxMapBytes = 16 << 20

// ReadOverrides reads and checks a --map file: a regular file (a link to
// one is followed) of at most maxMapBytes.
func ReadOverrides(path string) (mapping.Overrides, error) {
	data, err := snapshot.ReadRegular(path, maxMapBytes)
	if err != nil {
		return nil, err
	}
	o, err := mapping.ParseOverrides(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}
