package verify

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidUTF8 checks that text that is not valid UTF-8 is reported,
// naming the file or kind, the record and the field, instead of being read as
// U+FFFD (JSON) or passed on as it is (Parquet). XLSX is not here: excelize
// reads an invalid byte in a sheet's XML as U+FFFD before halocfg sees it.
func TestInvalidUTF8(t *testing.T) {
	for _, tt := range []struct {
		format string
		want   string
	}{
		{"json", `record 2: id 2: field "name": text is not valid UTF-8 (byte 0xff)`},
		{"parquet", "status 2: name: parquet: text is not valid UTF-8 (byte 0xff)"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			s := small(t)
			s.Records["status"][1]["name"] = "Clo\xffsed"
			dir := filepath.Join(t.TempDir(), "snap")
			write(t, dir, s, tt.format)
			if tt.format == "json" {
				// The JSON writer itself writes U+FFFD: put the byte back, as
				// a hand-made snapshot would hold it.
				p := filepath.Join(dir, "json", "status.json")
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Contains(b, []byte(`Clo\ufffdsed`)) {
					t.Fatalf("status.json:\n%s", b)
				}
				os.WriteFile(p, bytes.Replace(b, []byte(`Clo\ufffdsed`), []byte("Clo\xffsed"), 1), 0o600)
			}
			r, err := Dir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := messages(r); !strings.Contains(got, tt.want) {
				t.Errorf("problems:\n%s\nwant one with %q", got, tt.want)
			}
		})
	}
}

// TestDuplicateKey: a key that appears twice in a JSON record, at any depth,
// is a problem naming the file, the record and the key, not "the last wins".
func TestDuplicateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	write(t, dir, small(t), "json")
	p := filepath.Join(dir, "json", "tickettype.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	dup := bytes.Replace(b, []byte(`"status_id": 2,`), []byte(`"status_id": 2, "status_id": 1,`), 1)
	if bytes.Equal(dup, b) {
		t.Fatalf("tickettype.json:\n%s", b)
	}
	os.WriteFile(p, dup, 0o600)
	r, err := Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := p + `: record 1: id 5: field "allowed_status[1]": key "status_id" appears twice`
	if got := messages(r); !strings.Contains(got, want) {
		t.Errorf("problems:\n%s\nwant one with %q", got, want)
	}
}
