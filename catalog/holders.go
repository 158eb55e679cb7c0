package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Holders returns the objects of rec that hold r's leaf field, and the leaf:
// rec itself for "newstatus", each object element of the array for
// "tickettypes[].value", the object for "soc_default_target.value"; deeper
// paths the same way, step by step. Changing a holder changes rec.
func (r Ref) Holders(rec map[string]any) (holders []map[string]any, leaf string) {
	steps := r.Path()
	holders = []map[string]any{rec}
	for _, step := range steps[:len(steps)-1] {
		var next []map[string]any
		for _, h := range holders {
			switch v := h[strings.TrimSuffix(step, "[]")].(type) {
			case []any:
				for _, e := range v {
					if m, ok := e.(map[string]any); ok {
						next = append(next, m)
					}
				}
			case map[string]any:
				next = append(next, v)
			}
		}
		holders = next
	}
	return holders, steps[len(steps)-1]
}

// IDText reads a value of reference r as the text of the target's RefField.
// none is true for the values Halo uses for "no reference": null, 0 and -1
// (and "", "0", "-1" where the id is carried as a string, r.StringID). An
// external reference may hold any scalar; an internal one must be an
// integer (in a string when r.StringID).
func (r Ref) IDText(v any) (text string, none bool, err error) {
	var s string
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case json.Number:
		if r.StringID {
			return "", false, fmt.Errorf("want a string id, got %s", describe(v))
		}
		s = x.String()
	case string:
		if !r.StringID && !r.External {
			return "", false, fmt.Errorf("want an integer id, got %s", describe(v))
		}
		if x == "" {
			return "", true, nil
		}
		s = x
	default:
		return "", false, fmt.Errorf("want an id, got %s", describe(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if r.External {
			return s, false, nil
		}
		return "", false, fmt.Errorf("want an integer id, got %s", describe(v))
	}
	if n == 0 || n == -1 {
		return "", true, nil
	}
	return strconv.FormatInt(n, 10), false, nil
}
