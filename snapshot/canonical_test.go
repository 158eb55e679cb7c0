package snapshot

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// Canonical writes byte for byte what encoding/json writes: hashes and
// notes computed before it had its own encoder stay the same.
func TestCanonicalIsEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `quo"te`, `back\slash`, "\b\f\n\r\t", "\x00\x01\x1f\x7f", "<&>", "ünï", "\u2028\u2029",
		"\xff\xfe", "a\xc3", "😀", "\ufffd", "\ufeff", "_x0041_", strings.Repeat("x", 1000)}
	vals := []any{nil, true, false, json.Number("0"), json.Number("-1.5e+10"), json.Number("12345678901234567890"),
		json.Number("-0"), json.Number("0.25"), json.Number("1E-7"), json.Number("2.0"), json.Number("1e5"),
		map[string]any{}, []any{}, map[string]any(nil), []any(nil), Record{"b": json.Number("1"), "a": nil}, 1.5, int64(7)}
	for _, s := range strs {
		vals = append(vals, s, map[string]any{s: s}, []any{s, json.Number("2")})
	}
	r := rand.New(rand.NewPCG(1, 2))
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := r.IntN(7); {
		case n == 0 || depth > 3:
			return strs[r.IntN(len(strs))]
		case n == 1:
			return json.Number("42")
		case n == 2:
			return r.IntN(2) == 0
		case n == 3:
			return nil
		case n == 4:
			a := make([]any, r.IntN(4))
			for i := range a {
				a[i] = gen(depth + 1)
			}
			return a
		default:
			m := map[string]any{}
			for range r.IntN(5) {
				m[strs[r.IntN(len(strs))]+string(rune('a'+r.IntN(26)))] = gen(depth + 1)
			}
			return m
		}
	}
	for range 2000 {
		vals = append(vals, gen(0))
	}
	for _, v := range vals {
		if got, want := Canonical(v), encodingJSON(t, v); !bytes.Equal(got, want) {
			t.Errorf("Canonical(%#v) = %s, encoding/json writes %s", v, got, want)
		}
	}
	// What encoding/json refuses, Canonical refuses too.
	for _, n := range []json.Number{"1x", " 1", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1.5e3x", "--1"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Canonical(json.Number(%q)) did not panic", n)
				}
			}()
			Canonical(n)
		}()
	}
	if got := string(Canonical(json.Number(""))); got != "0" {
		t.Errorf(`Canonical(json.Number("")) = %s, encoding/json writes 0`, got)
	}
}
