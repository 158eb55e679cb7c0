package snapshot

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"
)

var plan = JSONOutput("an import plan", "summary", "actions")

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	text := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	old := `{"summary": {}, "actions": [], "old": true}`
	if err := WriteFile(path, text(old)); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old file whole and no temporary file behind.
	boom := errors.New("boom")
	err := ReplaceFile(path, plan, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != old {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// WriteFile writes new files only.
	if err := WriteFile(path, text("new")); !errors.Is(err, ErrInTheWay) || err.Error() != path+": refusing to replace: it already exists" {
		t.Errorf("WriteFile over a file: %v", err)
	}
	if err := ReplaceFile(path, plan, text("new")); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "new" || info.Mode().Perm() != 0o600 {
		t.Errorf("file %q mode %v, want \"new\" 0600", b, info.Mode().Perm())
	}
}

func workbook(t *testing.T, path string, sheets ...string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheets[0])
	for _, s := range sheets[1:] {
		f.NewSheet(s)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// TestReplaceFileOnlyItsOwn: a single-file output replaces only halocfg's
// own earlier output of the same kind; a link, a directory, a FIFO or
// anybody else's file is refused, and left as it was.
func TestReplaceFileOnlyItsOwn(t *testing.T) {
	dir := t.TempDir()
	put := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	ownPlan := put("plan.json", `{"summary": {"create": 1}, "actions": [{"op": "create", "fields": [[{}]]}], "problems": []}`)
	notes := put("notes.txt", "my notes\n")
	otherJSON := put("package.json", `{"name": "x", "summary": "a summary but no actions"}`)
	arrayJSON := put("array.json", `[{"summary": 1, "actions": 2}]`)
	link := filepath.Join(dir, "link.json")
	os.Symlink(ownPlan, link)
	fifo := filepath.Join(dir, "fifo.json")
	syscall.Mkfifo(fifo, 0o600)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	ownText := put("diff.txt", "A: snap1 (x)\nB: snap2 (y)\n\nstatus: 1 added\n")
	otherText := put("other.txt", "A: to do\nC: later\n")
	ownBook, otherBook := filepath.Join(dir, "diff.xlsx"), filepath.Join(dir, "budget.xlsx")
	workbook(t, ownBook, "summary", "changes")
	workbook(t, otherBook, "summary", "changes", "2027")

	text := TextOutput("a diff report", "A: ", "B: ")
	book := WorkbookOutput("a diff workbook", "summary", "changes")
	cases := []struct {
		path string
		out  Output
		why  string // "" = replaced
	}{
		{filepath.Join(dir, "new.json"), plan, ""},
		{ownPlan, plan, ""},
		{ownText, text, ""},
		{ownBook, book, ""},
		{notes, plan, "it is not an import plan halocfg wrote"},
		{otherJSON, plan, "it is not an import plan halocfg wrote"},
		{arrayJSON, plan, "it is not an import plan halocfg wrote"},
		{ownPlan, text, "it is not a diff report halocfg wrote"},
		{otherText, text, "it is not a diff report halocfg wrote"},
		{otherBook, book, "it is not a diff workbook halocfg wrote"},
		{notes, book, "it is not a diff workbook halocfg wrote"},
		{link, plan, "it is a symbolic link"},
		{fifo, plan, "it is a named pipe (FIFO)"},
		{sub, plan, "it is a directory"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path)+"/"+tc.out.Name, func(t *testing.T) {
			before, _ := os.Lstat(tc.path)
			var content []byte
			if before != nil && before.Mode().IsRegular() { // never read the FIFO
				content, _ = os.ReadFile(tc.path)
			}
			err := within(t, func() error {
				return ReplaceFile(tc.path, tc.out, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
			})
			if tc.why == "" {
				if b, _ := os.ReadFile(tc.path); err != nil || string(b) != "new" {
					t.Errorf("not replaced: %v, %q", err, b)
				}
				return
			}
			if !errors.Is(err, ErrInTheWay) || err.Error() != tc.path+": refusing to replace: "+tc.why {
				t.Errorf("error %v, want %q", err, tc.why)
			}
			after, _ := os.Lstat(tc.path)
			if !os.SameFile(before, after) {
				t.Error("it was replaced")
			}
			if content != nil {
				if b, _ := os.ReadFile(tc.path); string(b) != string(content) {
					t.Errorf("changed: %q", b)
				}
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 12 {
		t.Errorf("%d entries: a temporary file left behind? %v", len(entries), entries)
	}
}

// TestReplaceFileChangedMeanwhile: a file swapped in while halocfg writes
// is not replaced either.
func TestReplaceFileChangedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	err := ReplaceFile(path, plan, func(w io.Writer) error {
		return os.WriteFile(path, []byte("written meanwhile"), 0o600)
	})
	if !errors.Is(err, ErrInTheWay) || err.Error() != path+": refusing to replace: it changed while halocfg was writing" {
		t.Errorf("error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "written meanwhile" {
		t.Errorf("file %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
