package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// hostile is text a snapshot or a tenant may hold to drive a terminal: clear
// the screen, set the window title, overwrite the line, reverse the text.
const hostile = "\x1b[2J\x1b]0;pwned\x07Ev\ril\u009b31m\u202eexe.txt"

// hostileEscaped is how it must be shown.
const hostileEscaped = `\x1b[2J\x1b]0;pwned\x07Ev\ril\u009b31m\u202eexe.txt`

// TestUntrustedTextEscaped runs the commands that show snapshot text (diff,
// verify, import's plan and problems, errors) on a snapshot whose names,
// keys, values and source hold control characters, and checks that nothing
// reaches stdout or stderr that a terminal would obey.
func TestUntrustedTextEscaped(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, colour string) string {
		s := snapshot.New("https://src.example/"+hostile, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
		recs := []snapshot.Record{}
		for _, js := range []string{
			`{"id": 1, "name": "New", "statuschangeto": 0}`,
			`{"id": 2, "name": "x", "statuschangeto": 9, "colour": "x"}`, // 9: a dangling reference
		} {
			r, err := snapshot.DecodeRecord([]byte(js))
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		recs[1]["id"] = "2" + hostile // an id
		recs[1]["name"] = "Closed " + hostile
		recs[1]["colour"] = colour
		recs[1][hostile] = colour // a key
		s.Put("status", recs)
		p := filepath.Join(dir, name)
		d, err := snapshot.NewDir(p, false)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Abort()
		fs, _ := formats.Parse("json")
		if err := formats.Write(s, d, fs); err != nil {
			t.Fatal(err)
		}
		if err := d.Commit(s.Manifest); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := mk("a", "red "+hostile)
	b := mk("b", "blue "+hostile)
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"diff", []string{"diff", a, b}},
		{"diff --output json", []string{"diff", a, b, "--output", "json"}},
		{"verify", []string{"verify", a}},
		{"import plan and problems", append([]string{"import", "--from", a, "--dry-run"}, sim.flags()...)},
		{"an error naming a file", []string{"verify", filepath.Join(dir, hostile)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(context.Background(), t, tc.args...)
			out := r.stdout + r.stderr
			want := hostileEscaped
			if strings.Contains(tc.name, "json") {
				want = `\u001b[2J\u001b]0;pwned\u0007Ev\ril\u009b31m\u202eexe.txt`
			}
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
			for i, c := range out {
				if c == utf8.RuneError || (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) {
					t.Fatalf("output holds %U at byte %d:\n%q", c, i, out)
				}
			}
		})
	}
	os.RemoveAll(dir)
}
