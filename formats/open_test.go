package formats

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

func allFormats() []Format { return All() }

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

	relist(t, dir, func(fl snapshot.File) bool { return !JSON{}.Owns(fl.Path) })
	if got, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got.Records)

	relist(t, dir, func(fl snapshot.File) bool { return XLSX{}.Owns(fl.Path) })
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
		{"a file missing from every format", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "json", "outcome.json"))
			os.Remove(filepath.Join(dir, "parquet", "outcome.parquet"))
			os.Remove(filepath.Join(dir, xlsxName))
		}, []string{"DIR: no format is complete, none can be read: DIR/json/outcome.json: missing (listed in the manifest); " +
			"DIR/parquet/outcome.parquet: missing (listed in the manifest); DIR/snapshot.xlsx: missing (listed in the manifest)"}},
		{"a record count", func(t *testing.T, dir string) {
			m, _ := snapshot.ReadManifest(dir)
			m.Kinds["outcome"] = snapshot.KindInfo{Records: 4}
			writeManifest(t, dir, m)
		}, []string{"DIR: outcome: json: 3 records, the manifest counts 4"}},
		{"a kind the files lack", func(t *testing.T, dir string) {
			m, _ := snapshot.ReadManifest(dir)
			m.Kinds["nosuchkind"] = snapshot.KindInfo{Records: 1}
			writeManifest(t, dir, m)
		}, []string{"DIR: nosuchkind: json: no records of this kind; the manifest counts 1"}},
		{"no manifest", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, snapshot.ManifestName))
		}, []string{"not a snapshot"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSnapshot(t, s, allFormats()...)
			c.spoil(t, dir)
			_, err := Open(dir)
			// convert's way, one kind at a time, refuses it alike.
			src, serr := OpenSource(dir)
			if serr == nil {
				serr = WriteSource(src, memDir{}, All())
			}
			for _, w := range c.wantErr {
				assertErrorHas(t, err, strings.ReplaceAll(w, "DIR", dir))
				assertErrorHas(t, serr, strings.ReplaceAll(w, "DIR", dir))
			}
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

// removeFormats deletes from the snapshot directory the files of every
// format but keep, leaving the manifest as it is: parquet/ copied alone.
func removeFormats(t *testing.T, dir string, keep Format) {
	t.Helper()
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range m.Files {
		if !keep.Owns(fl.Path) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(fl.Path))); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestOpenFromOneFormatAlone: a snapshot restores from any one of its
// formats with the manifest, the other formats' files gone; a format with a
// file missing is passed over for the next complete one.
func TestOpenFromOneFormatAlone(t *testing.T) {
	s := edgeSnapshot()
	for _, f := range All() {
		t.Run(f.Name(), func(t *testing.T) {
			dir := writeSnapshot(t, s, All()...)
			removeFormats(t, dir, f)
			got, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			assertSameRecords(t, s.Records, got.Records)
			m, _ := snapshot.ReadManifest(dir)
			if r, err := CheckFiles(dir, m).Readable(); err != nil || r != f {
				t.Errorf("reads %v (%v), want %s", r, err, f.Name())
			}
		})
	}
	t.Run("one file of json missing", func(t *testing.T) {
		dir := writeSnapshot(t, s, All()...)
		os.Remove(filepath.Join(dir, "json", "status.json"))
		m, _ := snapshot.ReadManifest(dir)
		c := CheckFiles(dir, m)
		if r, err := c.Readable(); err != nil || r.Name() != "parquet" {
			t.Errorf("reads %v (%v), want parquet", r, err)
		}
		if len(c.Complete) != 2 || c.Complete[0].Name() != "parquet" || c.Complete[1].Name() != "xlsx" {
			t.Errorf("complete %v, want parquet, xlsx", c.Complete)
		}
		got, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		assertSameRecords(t, s.Records, got.Records)
	})
}

// fakeFormat is a format added by registration alone: Open, Parse, Lookup,
// Owner and the flags' list of names learn of it from the one list.
type fakeFormat struct{ JSON }

func (fakeFormat) Name() string         { return "fake" }
func (fakeFormat) Owns(rel string) bool { return strings.HasPrefix(rel, "fake/") }
func fakePath(rel string) string        { return "fake/" + strings.TrimPrefix(rel, "json/") }
func (fakeFormat) Write(src Source, dst Creator) error {
	return JSON{}.Write(src, renamer{dst})
}

type renamer struct{ Creator }

func (r renamer) Create(rel string) (io.WriteCloser, error) { return r.Creator.Create(fakePath(rel)) }

func (fakeFormat) Stream(dir string, fn func(string, Records) error) error {
	rel := func(kind string) string { return fakePath(jsonPath(kind)) }
	return streamFiles(dir, fn, rel, func(rel, _ string) Records { return jsonRecords(dir, rel) })
}

func (f fakeFormat) Each(dir string, fn func(string, []snapshot.Record) error) error {
	return eachOf(f, dir, fn)
}

func TestAddingAFormatIsOneRegistration(t *testing.T) {
	saved := all
	all = append(append([]Format(nil), all...), fakeFormat{})
	defer func() { all = saved }()

	fs, err := Parse("fake")
	if err != nil || len(fs) != 1 || fs[0].Name() != "fake" {
		t.Fatalf("Parse: %v %v", fs, err)
	}
	if Names() != "json, parquet, xlsx, fake" {
		t.Errorf("Names: %s", Names())
	}
	if Owner("fake/status.json") == nil || Owner("fake/status.json").Name() != "fake" {
		t.Errorf("Owner: %v", Owner("fake/status.json"))
	}
	s := genSnapshot(3)
	dir := writeSnapshot(t, s, fs...)
	m, _ := snapshot.ReadManifest(dir)
	if len(m.Files) == 0 || !strings.HasPrefix(m.Files[0].Path, "fake/") {
		t.Fatalf("manifest lists %v", m.Files)
	}
	got, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	assertSameRecords(t, s.Records, got.Records)
}
