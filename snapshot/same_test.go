package snapshot

import (
	"encoding/json"
	"testing"
)

func TestSameIsEqual(t *testing.T) {
	vals := []any{
		nil, "", "1", json.Number("1"), json.Number("1.0"), true, false, 1.0,
		[]any{}, []any{json.Number("1")}, []any{"1"}, []any{nil},
		map[string]any{}, map[string]any{"a": nil}, map[string]any{"b": nil},
		map[string]any{"a": []any{map[string]any{"x": json.Number("2")}}},
		Record{"a": nil}, Record{"a": []any{map[string]any{"x": json.Number("2")}}},
	}
	for _, a := range vals {
		for _, b := range vals {
			if Same(a, b) != Equal(a, b) {
				t.Errorf("Same(%#v, %#v) = %v, Equal = %v", a, b, Same(a, b), Equal(a, b))
			}
		}
	}
}

// TestDigestIsSame: digests are equal exactly when Same is, whatever the
// order a map was built in.
func TestDigestIsSame(t *testing.T) {
	long := string(make([]byte, 40<<10)) // longer than the digester's buffer
	vals := []any{
		nil, "", "1", "z", json.Number("1"), json.Number("1.0"), true, false, 1.0, long, long + "x",
		[]any{}, []any{json.Number("1")}, []any{"1"}, []any{nil}, []any{[]any{}}, []any{[]any{}, []any{}},
		[]any{"a", "b"}, []any{"ab"}, []any{"b", "a"},
		map[string]any{}, map[string]any{"a": nil}, map[string]any{"b": nil}, map[string]any{"a": "b"},
		map[string]any{"a": map[string]any{}}, map[string]any{"a": long}, map[string]any{"a": long + "x"},
		map[string]any{"a": []any{map[string]any{"x": json.Number("2")}}},
		map[string]any{"a": "1", "b": "2"}, map[string]any{"a": "1", "c": "2"}, map[string]any{"ab": "1"},
		Record{"a": nil}, Record{"a": []any{map[string]any{"x": json.Number("2")}}}, Record{"b": "2", "a": "1"},
	}
	for _, a := range vals {
		for _, b := range vals {
			if same := Same(a, b); (Digest(a) == Digest(b)) != same {
				t.Errorf("Digest(%.40v) == Digest(%.40v) is %v, Same is %v", a, b, !same, same)
			}
		}
	}
}
