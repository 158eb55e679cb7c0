package importer

import (
	"fmt"
	"os"

	"github.com/halocfg/halocfg/mapping"
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

// ReadOverrides reads and checks a --map file.
func ReadOverrides(path string) (mapping.Overrides, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	o, err := mapping.ParseOverrides(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}
