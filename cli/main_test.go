package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain keeps the tests' ledgers out of the user's state directory: an
// import without --ledger keeps its ledger under $XDG_STATE_HOME.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "halocfg-cli-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_STATE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
