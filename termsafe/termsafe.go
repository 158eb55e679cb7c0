// Package termsafe makes untrusted text safe to print on a terminal. Text
// from a snapshot or a tenant (record names, keys, field values, a manifest's
// source) may hold escape sequences, carriage returns, C1 controls or bidi
// overrides that would drive the terminal or disguise what is shown; every
// printer of such text passes it through Escape.
package termsafe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character, bidi control, line or
// paragraph separator and invalid UTF-8 byte written as a Go escape (\x1b,
// \r, \u202e, \xff). Everything else, backslashes included, is kept.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(r):
			b.WriteString(s[i : i+n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// Lines is Escape for text of several lines, such as an error listing
// problems: the newlines stay, each line is escaped.
func Lines(s string) string {
	if firstUnsafe(s) < 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}

// firstUnsafe is the index of the first byte of s that Escape changes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether r is a C0 or C1 control, DEL, a bidi control or
// a line or paragraph separator.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // ALM, LRM, RLM, embeddings and overrides, isolates
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// JSON returns JSON text b with every rune Escape would change written as a
// \u escape. encoding/json escapes the C0 controls itself but writes C1
// controls and bidi controls as they are; inside a JSON string (the only
// place such runes can be) the escape means the same, so nothing is lost.
func JSON(b []byte) []byte {
	i := firstUnsafe(string(b))
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x80 && unsafeRune(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// JSONWriter passes JSON text to w through JSON. Each Write must hold whole
// runes, as an encoder's or a log handler's writes do.
func JSONWriter(w io.Writer) io.Writer { return jsonWriter{w} }

type jsonWriter struct{ w io.Writer }

func (j jsonWriter) Write(p []byte) (int, error) {
	if _, err := j.w.Write(JSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Absent is how a printer of values shows a field one side does not have.
const Absent = "(absent)"

// Short renders a value decoded from JSON for one line of text output, the
// one way every printer of values does: compact JSON (numbers exact, keys
// sorted, a string in quotes), cut after width characters with an ellipsis
// and the whole length ("…" (5230 characters)), and escaped as Escape does.
// Files (--plan-out, diff --output json) carry values whole.
func Short(v any, width int) string {
	r := compact(v)
	return cut(r, 0, width)
}

// ShortPair renders two values as Short does, for "before -> after": when
// they do not fit and begin alike, both are shown from a little before
// where they first differ ("…"), so that what changes is in sight.
func ShortPair(before, after any, width int) (string, string) {
	a, b := compact(before), compact(after)
	if len(a) <= width && len(b) <= width {
		return Escape(string(a)), Escape(string(b))
	}
	same := 0
	for same < len(a) && same < len(b) && a[same] == b[same] {
		same++
	}
	from := max(same-width/2, 0)
	return cut(a, from, width), cut(b, from, width)
}

// compact is v as compact JSON text, in runes.
func compact(v any) []rune {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []rune(fmt.Sprint(v)) // only values decoded from JSON reach here; they encode
	}
	return []rune(strings.TrimSuffix(b.String(), "\n"))
}

// cut shows at most width runes of r from from on, escaped, marking what
// it leaves out with "…" and then telling the whole length.
func cut(r []rune, from, width int) string {
	width = max(width, 0)
	from = min(from, len(r))
	to := min(from+width, len(r))
	s := string(r[from:to])
	if from > 0 {
		s = "…" + s
	}
	if to < len(r) {
		s += "…"
	}
	if from > 0 || to < len(r) {
		s += fmt.Sprintf(" (%d characters)", len(r))
	}
	return Escape(s)
}
