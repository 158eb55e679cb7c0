//go:build linux

package formats

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestMain lets the test binary stand in as a small launcher for the real
// halocfg (see measured): Linux reports for a child the peak RSS of the
// memory it shared with its parent until exec, so a child started by this
// test process, whose heap grew with earlier tests, would be charged for it.
// A freshly started launcher has a small heap, and the child it starts is
// measured alone.
func TestMain(m *testing.M) {
	if os.Getenv(launcherEnv) != "" {
		os.Exit(launch(os.Args[1:]))
	}
	os.Exit(m.Run())
}

const launcherEnv = "HALOCFG_TEST_LAUNCH_RSS_FILE"

// launch runs args with the address space capped at 3 GB, so that a
// regression fails instead of exhausting the machine, and writes the child's
// peak RSS in bytes to the file $launcherEnv names.
func launch(args []string) int {
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: 3e9, Max: 3e9}); err != nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	if err := os.WriteFile(os.Getenv(launcherEnv), fmt.Appendf(nil, "%d", rss), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 125
	}
	return cmd.ProcessState.ExitCode()
}
