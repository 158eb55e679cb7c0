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
