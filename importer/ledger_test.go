package importer

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestLedger(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.json")
	l, err := OpenLedger(path, "https://acme.halopsa.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.IDs()) != 0 {
		t.Fatalf("a new ledger holds %v", l.IDs())
	}
	l.set("status", "1", "101")
	l.set("priority", "9f3c", "b0d1")
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left beside the ledger: %v", entries)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("ledger mode %v, want 0600", st.Mode().Perm())
	}
	again, err := OpenLedger(path, "HTTPS://ACME.halopsa.com/api/")
	if err != nil {
		t.Fatal(err)
	}
	if again.IDs()["status"]["1"] != "101" || again.IDs()["priority"]["9f3c"] != "b0d1" {
		t.Errorf("read back %v", again.IDs())
	}
	if _, err := OpenLedger(path, "https://other.halopsa.com"); err == nil || !strings.Contains(err.Error(), "was written for https://acme.halopsa.com") {
		t.Errorf("another target's ledger: %v", err)
	}
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := OpenLedger(path, "https://acme.halopsa.com"); err == nil {
		t.Error("a corrupt ledger was accepted")
	}
}

func TestSameTenant(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"https://acme.halopsa.com", "https://ACME.halopsa.com/", true},
		{"https://acme.halopsa.com/api", "https://acme.halopsa.com", true},
		{"http://127.0.0.1:8480", "http://127.0.0.1:8481", false},
		{"https://acme.halopsa.com", "https://acme2.halopsa.com", false},
		{"", "https://acme.halopsa.com", false},
		// Normalised hosts, not strings: one server however it is written.
		{"https://acme.halopsa.com", "https://acme.halopsa.com:443", true},
		{"http://127.0.0.1:80/", "http://127.0.0.1", true},
		{"https://acme.halopsa.com.", "https://ACME.HaloPSA.com/api/", true},
		{"https://acme.halopsa.com/api/", "https://acme.halopsa.com//", true},
		{"http://localhost:8480", "http://127.0.0.1:8480", true},
		{"http://[::1]:8480/api", "http://localhost.:8480", true},
		{"http://[0:0:0:0:0:0:0:1]:8480", "http://127.0.0.1:8480/", true},
		{" https://acme.halopsa.com ", "https://acme.halopsa.com", true},
		{"https://acme.halopsa.com/halo", "https://acme.halopsa.com/HALO/api", true},
		// Different servers or tenants stay apart.
		{"https://acme.halopsa.com", "https://acme.halopsa.com:8443", false},
		{"http://localhost:8480", "http://localhost:8481", false},
		{"https://acme.halopsa.com/halo", "https://acme.halopsa.com/other", false},
		{"https://acme.halopsa.com", "https://acme.halopsa.com.evil.example", false},
		{"acme.halopsa.com", "acme.halopsa.com", false}, // not a URL: names no tenant
	} {
		if got := SameTenant(tt.a, tt.b); got != tt.same {
			t.Errorf("SameTenant(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestDefaultLedgerPath(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	t.Setenv("XDG_STATE_HOME", state)
	a, err := DefaultLedgerPath("https://ACME.halopsa.com/api/")
	if err != nil {
		t.Fatal(err)
	}
	if dir, name := filepath.Split(a); dir != filepath.Join(state, "halocfg")+"/" || !strings.HasPrefix(name, "ledger-acme.halopsa.com_443-") || !strings.HasSuffix(name, ".json") {
		t.Errorf("ledger path %s", a)
	}
	if info, err := os.Stat(filepath.Join(state, "halocfg")); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("state directory: %v %v", info, err)
	}
	for _, tt := range []struct {
		url  string
		same bool
	}{
		{"https://acme.halopsa.com", true}, // one tenant, however its URL is spelled
		{"http://acme.halopsa.com", false},
		{"https://acme.halopsa.com/a/b", false},
		{"https://acme.halopsa.com/a_b", false},
		{"https://other.halopsa.com", false},
	} {
		b, err := DefaultLedgerPath(tt.url)
		if err != nil || (a == b) != tt.same {
			t.Errorf("%s: %s (%v); same as %s: %v, want %v", tt.url, b, err, a, a == b, tt.same)
		}
	}
	// Spelled alike in a file name, told apart by the hash.
	ab, _ := DefaultLedgerPath("https://acme.halopsa.com/a/b")
	a_b, _ := DefaultLedgerPath("https://acme.halopsa.com/a_b")
	if ab == a_b {
		t.Errorf("two tenants share the ledger %s", ab)
	}

	// Without XDG_STATE_HOME (or with a relative one): ~/.local/state/halocfg.
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, xdg := range []string{"", "relative/state"} {
		t.Setenv("XDG_STATE_HOME", xdg)
		p, err := DefaultLedgerPath("https://acme.halopsa.com")
		if err != nil || filepath.Dir(p) != filepath.Join(home, ".local", "state", "halocfg") {
			t.Errorf("XDG_STATE_HOME=%q: %s %v", xdg, p, err)
		}
	}
}

// TestLedgerReadIsBounded: a ledger path that is not a regular file, or a
// file larger than a ledger can be, is refused before it is read.
func TestLedgerReadIsBounded(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	l, _ := OpenLedger(real, "https://acme.halopsa.com")
	l.set("status", "1", "2")
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	os.Symlink(real, link)
	big := filepath.Join(dir, "big.json")
	f, _ := os.Create(big)
	f.Truncate(maxLedger + 1)
	f.Close()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		link: "refusing to replace: it is a symbolic link",
		dir:  "refusing to replace: it is a directory",
		big:  "refusing to replace: it is not a ledger halocfg wrote",
		fifo: "refusing to replace: it is a named pipe (FIFO)",
	} {
		if _, err := OpenLedger(path, "https://acme.halopsa.com"); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming it and saying %q", path, err, want)
		}
	}
}
