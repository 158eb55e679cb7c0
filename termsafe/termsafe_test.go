package termsafe

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Awaiting Customer", "Awaiting Customer"},
		{"accents and emoji stay", "Réglé ✓ 😀 日本", "Réglé ✓ 😀 日本"},
		{"backslash stays", `C:\path`, `C:\path`},
		{"ESC sequence", "\x1b[2J\x1b]0;pwned\x07title", `\x1b[2J\x1b]0;pwned\x07title`},
		{"CR overwrites a line", "ok\rFAILED", `ok\rFAILED`},
		{"newline and tab", "a\nb\tc", `a\nb\tc`},
		{"NUL and DEL", "a\x00b\x7fc", `a\x00b\x7fc`},
		{"C1 CSI", "a\u009b2Jb", `a\u009b2Jb`},
		{"bidi override", "abc\u202egpj.exe", `abc\u202egpj.exe`},
		{"bidi isolates and marks", "\u2066x\u2069\u200f\u061c", `\u2066x\u2069\u200f\u061c`},
		{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLines(t *testing.T) {
	in := "2 problem(s):\n  status 1 (\x1b[31mRed): bad\n  outcome 2 (a\rb): bad"
	want := "2 problem(s):\n  status 1 (\\x1b[31mRed): bad\n  outcome 2 (a\\rb): bad"
	if got := Lines(in); got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

func TestJSON(t *testing.T) {
	in := "{\"v\":\"a\\u001b\u009b31m\u202eexe é 😀\"}\n"
	want := `{"v":"a\u001b\u009b31m\u202eexe é 😀"}` + "\n"
	if got := string(JSON([]byte(in))); got != want {
		t.Errorf("JSON = %q, want %q", got, want)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(JSONWriter(&b), nil)).Info("m", "v", "\x1b[2J\u009b\u202e")
	if got := b.String(); !strings.Contains(got, `"v":"\u001b[2J\u009b\u202e"`) {
		t.Errorf("log line %q", got)
	}
}

func TestShort(t *testing.T) {
	long := strings.Repeat("é", 30)
	tests := []struct {
		v     any
		width int
		want  string
	}{
		{"#f39c12", 20, `"#f39c12"`},
		{json.Number("72.0"), 20, `72.0`}, // numbers exact
		{nil, 20, `null`},
		{true, 20, `true`},
		{map[string]any{"b": 1, "a": []any{"x", json.Number("2")}}, 40, `{"a":["x",2],"b":1}`}, // compact, keys sorted
		{[]any{}, 20, `[]`},
		{"<a href='x'>&</a>", 40, `"<a href='x'>&</a>"`}, // no HTML escapes
		{long, 10, `"ééééééééé… (32 characters)`},        // cut at 10 characters of the JSON text, its length told
		{map[string]any{"text": long}, 12, `{"text":"ééé… (41 characters)`},
		{"a\x1bb\u202ec", 40, `"a\u001bb\u202ec"`}, // what would drive a terminal is escaped
		{"\u0085", 40, `"\u0085"`},
	}
	for _, tt := range tests {
		if got := Short(tt.v, tt.width); got != tt.want {
			t.Errorf("Short(%#v, %d) = %s, want %s", tt.v, tt.width, got, tt.want)
		}
	}
}

// TestShortPair: two long values that differ deep inside are shown from a
// little before where they differ, not cut where they are still equal.
func TestShortPair(t *testing.T) {
	prefix := strings.Repeat("x", 100)
	tests := []struct {
		before, after any
		width         int
		wantB, wantA  string
	}{
		{"#1b4f72", "#2e86de", 20, `"#1b4f72"`, `"#2e86de"`},
		{json.Number("65"), json.Number("60"), 20, `65`, `60`},
		{prefix + "abc", prefix + "abd", 20,
			`…xxxxxxxxabc" (105 characters)`, `…xxxxxxxxabd" (105 characters)`},
		{[]any{map[string]any{"note": prefix, "seq": json.Number("1")}}, []any{map[string]any{"note": prefix, "seq": json.Number("2")}}, 24,
			`…xxxx","seq":1}] (121 characters)`, `…xxxx","seq":2}] (121 characters)`},
		{prefix + "abc" + prefix, prefix + "abd" + prefix, 20,
			`…xxxxxxxxabcxxxxxxxxx… (205 characters)`, `…xxxxxxxxabdxxxxxxxxx… (205 characters)`},
		{"short", prefix, 20, `"short"`, `"xxxxxxxxxxxxxxxxxxx… (102 characters)`},
	}
	for _, tt := range tests {
		b, a := ShortPair(tt.before, tt.after, tt.width)
		if b != tt.wantB || a != tt.wantA {
			t.Errorf("ShortPair(%.30v, %.30v, %d) =\n  %s\n  %s\nwant\n  %s\n  %s", tt.before, tt.after, tt.width, b, a, tt.wantB, tt.wantA)
		}
	}
}
