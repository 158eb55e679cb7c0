package importer

import (
	"os"
	"path/filepath"
	"strings"
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
