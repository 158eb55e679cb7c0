package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/halocfg/halocfg/snapshot"
	"github.com/halocfg/halocfg/termsafe"
	"golang.org/x/term"
)

// Exit codes, documented in the README.
const (
	exitOK          = 0
	exitFailure     = 1 // the command failed; diff: the snapshots differ
	exitUsage       = 2 // bad flags or arguments; diff: an error
	exitLocked      = 3 // another run holds the lock
	exitInterrupted = 130
)

// usageError marks an error in how halocfg was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// exitError carries a specific exit code, with or without a message.
type exitError struct {
	code int
	err  error // nil: exit silently
}

func (x exitError) Error() string {
	if x.err == nil {
		return fmt.Sprintf("exit %d", x.code)
	}
	return x.err.Error()
}
func (x exitError) Unwrap() error { return x.err }

// exitCode prints err (once, prefixed with the program name, its text safe
// for a terminal: errors quote snapshot text) and maps it to an exit code.
func exitCode(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	var x exitError
	if errors.As(err, &x) {
		if x.err != nil {
			fmt.Fprintf(e.stderr, "halocfg: %s\n", termsafe.Lines(x.err.Error()))
		}
		return x.code
	}
	fmt.Fprintf(e.stderr, "halocfg: %s\n", termsafe.Lines(err.Error()))
	var u usageError
	switch {
	case errors.As(err, &u), errors.Is(err, snapshot.ErrInTheWay):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitFailure
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
