package catalog

import "strings"

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
