package importer

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/halocfg/halocfg/mapping"
)

func TestParseExternal(t *testing.T) {
	tests := []struct {
		in   string
		want mapping.External
		err  string
	}{
		{"", mapping.ExternalFail, ""},
		{"fail", mapping.ExternalFail, ""},
		{"clear", mapping.ExternalClear, ""},
		{"keep", mapping.ExternalKeep, ""},
		{"Keep", 0, `"Keep": want fail, clear or keep`},
		{"drop", 0, `"drop": want fail, clear or keep`},
	}
	for _, tt := range tests {
		got, err := ParseExternal(tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("ParseExternal(%q) = %v, %v; want the error %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseExternal(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestReadOverrides(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "map.json")
	if err := os.WriteFile(good, []byte(`{"status": {"12": 31}, "agent": {"4": "9"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := ReadOverrides(good)
	if err != nil || o["status"]["12"] != "31" || o["agent"]["4"] != "9" {
		t.Errorf("ReadOverrides = %v, %v", o, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"widget": {"1": 2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{bad, filepath.Join(dir, "missing.json")} {
		if _, err := ReadOverrides(name); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("ReadOverrides(%s): %v, want an error naming the file", name, err)
		}
	}
	// A map is a regular file of bounded size: a device, a directory or a
	// FIFO is refused at once, by name, never read.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/dev/zero", dir, fifo} {
		_, err := ReadOverrides(name)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("ReadOverrides(%s): %v, want it refused as not a regular file", name, err)
		}
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, maxMapBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadOverrides(big); err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "over the 16 MiB halocfg reads") {
		t.Errorf("ReadOverrides(%s): %v, want it refused as too large", big, err)
	}
}
