package snapshot

import "encoding/json"

// Same reports what Equal reports, without encoding: decoded JSON values are
// compared in place (numbers by their exact text), which is many times
// faster on large records. Values of other Go types fall back to Equal.
func Same(a, b any) bool {
	if r, ok := a.(Record); ok {
		a = map[string]any(r)
	}
	if r, ok := b.(Record); ok {
		b = map[string]any(r)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return Equal(a, b)
		}
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Same(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok {
			return Equal(a, b)
		}
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Same(x[i], y[i]) {
				return false
			}
		}
		return true
	case nil, string, bool, json.Number:
		switch b.(type) {
		case nil, string, bool, json.Number:
			return a == b
		}
	}
	return Equal(a, b)
}
