package formats

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/xuri/excelize/v2"
)

func golden(t testing.TB, rel string) []byte { return readTestdata(t, goldenDir, rel) }

func seedFile(t testing.TB, rel string) []byte { return readTestdata(t, seedDir, rel) }

func readTestdata(t testing.TB, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// badInputs are broken versions of each format's files, by the file they replace.
func badInputs(t testing.TB) map[string]map[string][]byte {
	xlsx := seedFile(t, xlsxName)
	pq := seedFile(t, "parquet/status.parquet")
	js := seedFile(t, "json/status.json")

	corruptFooter := bytes.Clone(pq)
	for i := len(pq) - 200; i < len(pq)-8; i++ {
		corruptFooter[i] ^= 0x5a
	}
	var foreign bytes.Buffer // a Parquet file another tool wrote
	if err := parquet.Write(&foreign, []struct{ ID, Name string }{{"1", "x"}}); err != nil {
		t.Fatal(err)
	}
	var plainBook bytes.Buffer // a workbook that is not halocfg's
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "hello")
	f.Write(&plainBook)
	var zipNoBook bytes.Buffer // a zip that is no workbook
	zw := zip.NewWriter(&zipNoBook)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hi"))
	zw.Close()

	return map[string]map[string][]byte{
		"xlsx": {
			"empty file":       {},
			"truncated zip":    xlsx[:len(xlsx)/2],
			"not an xlsx":      js,
			"zip of no book":   zipNoBook.Bytes(),
			"foreign workbook": plainBook.Bytes(),
		},
		"parquet": {
			"empty file":     {},
			"truncated":      pq[:len(pq)-100],
			"corrupt footer": corruptFooter,
			"not parquet":    js,
			"foreign schema": foreign.Bytes(),
			"other kind":     golden(t, "parquet/tickettypegroup.parquet"),
		},
		"json": {
			"empty file":       {},
			"truncated":        js[:len(js)/2],
			"an object":        []byte(`{"id": 1}`),
			"not objects":      []byte(`[1, 2]`),
			"a null record":    []byte(`[null]`),
			"trailing garbage": append(bytes.Clone(js), "]"...),
			"not json":         xlsx,
		},
	}
}

// TestBadFilesAreErrorsNamingTheFile: every reader turns a broken file into an
// error that names it, never a panic and never a silent empty result.
func TestBadFilesAreErrorsNamingTheFile(t *testing.T) {
	files := map[string]string{"xlsx": xlsxName, "parquet": "parquet/status.parquet", "json": "json/status.json"}
	for format, cases := range badInputs(t) {
		for name, data := range cases {
			t.Run(format+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				p := filepath.Join(dir, filepath.FromSlash(files[format]))
				os.MkdirAll(filepath.Dir(p), 0o700)
				if err := os.WriteFile(p, data, 0o600); err != nil {
					t.Fatal(err)
				}
				f, _ := Lookup(format)
				recs, err := ReadAll(f, dir)
				assertErrorHas(t, err, p)
				if recs != nil {
					t.Errorf("records %v alongside the error", recs)
				}
				if format == "xlsx" {
					_, err := Open(p)
					assertErrorHas(t, err, p)
				}
			})
		}
	}
}
