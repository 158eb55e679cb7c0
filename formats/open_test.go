package formats

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

func allFormats() []Format { return []Format{JSON{}, XLSX{}, Parquet{}} }

func TestOpenReadsEachFormatAlone(t *testing.T) {
	s := genSnapshot(4)
	for _, f := range allFormats() {
		t.Run(f.Name(), func(t *testing.T) {
			dir := writeSnapshot(t, s, f)
			got, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got.Records)
			if got.Manifest.Source != s.Manifest.Source || !got.Manifest.CreatedAt.Equal(s.Manifest.CreatedAt) {
				t.Errorf("manifest %+v, want source and time of %+v", got.Manifest, s.Manifest)
			}
			if len(got.Manifest.Files) == 0 {
				t.Error("manifest of an opened directory lists no files")
			}
		})
	}
}

func TestOpenPrefersJSONThenParquet(t *testing.T) {
	s := edgeSnapshot()
	dir := writeSnapshot(t, s, allFormats()...)
	// A workbook edited after export must not win over JSON; and with the
	// JSON gone from the manifest, Parquet wins over the workbook.
	editWorkbook(t, filepath.Join(dir, xlsxName), func(f *xlsxFile) {
		f.set("status", "B2", "edited in the workbook")
	})
	relist(t, dir, func(fl snapshot.File) bool { return true })

	got, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got.Records)

	relist(t, dir, func(fl snapshot.File) bool { return !ownsFile("json", fl.Path) })
	if got, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got.Records)

	relist(t, dir, func(fl snapshot.File) bool { return ownsFile("xlsx", fl.Path) })
	if got, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	if name := got.Records["status"][0]["name"]; name != "edited in the workbook" {
		t.Errorf("from the workbook: name %v, want the edit", name)
	}
}

// relist rewrites the manifest keeping the files keep accepts, with their
// current checksums.
func relist(t *testing.T, dir string, keep func(snapshot.File) bool) {
	t.Helper()
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []snapshot.File
	for _, fl := range m.Files {
		if !keep(fl) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(fl.Path)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		fl.SHA256, fl.Bytes = hex.EncodeToString(sum[:]), int64(len(b))
		files = append(files, fl)
	}
	m.Files = files
	writeManifest(t, dir, m)
}

func writeManifest(t *testing.T, dir string, m snapshot.Manifest) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, snapshot.ManifestName), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesWhatTheManifestContradicts(t *testing.T) {
	s := genSnapshot(3)
	cases := []struct {
		name    string
		spoil   func(t *testing.T, dir string)
		wantErr []string
	}{
		{"a changed byte", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "json", "status.json")
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o600)
		}, []string{filepath.Join("json", "status.json"), "checksum mismatch"}},
		{"a truncated workbook", func(t *testing.T, dir string) {
			p := filepath.Join(dir, xlsxName)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o600)
		}, []string{xlsxName, "checksum mismatch"}},
		{"a missing file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "parquet", "outcome.parquet"))
		}, []string{filepath.Join("parquet", "outcome.parquet"), "missing"}},
		{"a record count", func(t *testing.T, dir string) {
			m, _ := snapshot.ReadManifest(dir)
			m.Kinds["outcome"] = snapshot.KindInfo{Records: 4}
			writeManifest(t, dir, m)
		}, []string{"outcome", "lists 4 records", "hold 3"}},
		{"a kind the files lack", func(t *testing.T, dir string) {
			m, _ := snapshot.ReadManifest(dir)
			m.Kinds["nosuchkind"] = snapshot.KindInfo{Records: 1}
			writeManifest(t, dir, m)
		}, []string{"nosuchkind", "none"}},
		{"no manifest", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, snapshot.ManifestName))
		}, []string{"not a snapshot"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSnapshot(t, s, allFormats()...)
			c.spoil(t, dir)
			_, err := Open(dir)
			assertErrorHas(t, err, c.wantErr...)
		})
	}
}

func TestOpenLoneWorkbook(t *testing.T) {
	s := edgeSnapshot()
	s.Manifest.Tenant = "acme"
	s.Manifest.Tool = "halocfg 1.2.3"
	dir := writeSnapshot(t, s, XLSX{})
	got, err := Open(filepath.Join(dir, xlsxName))
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got.Records)
	m := got.Manifest
	if m.Source != s.Manifest.Source || m.Tenant != "acme" || m.Tool != "halocfg 1.2.3" ||
		!m.CreatedAt.Equal(s.Manifest.CreatedAt) || m.FormatVersion != snapshot.FormatVersion {
		t.Errorf("manifest from _about: %+v", m)
	}
	if m.Kinds["status"].Records != len(s.Records["status"]) {
		t.Errorf("counts %v", m.Kinds)
	}
}

func assertErrorHas(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}
