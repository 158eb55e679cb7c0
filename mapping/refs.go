// Package mapping carries records from one tenant to another: it matches
// source records to target records, rewrites every reference from source
// ids to target ids, and orders the records to create so that each is
// written after the records it points at, deferring only the references that
// close a cycle. It is pure: no HTTP, no files beyond the --map file.
package mapping

import "github.com/halocfg/halocfg/catalog"

// slot is one value of a reference in a record: the field lf of the object
// h, or element i of the array of ids that field holds (an integer list
// such as fieldidlist). Partners live in h.
type slot struct {
	h  map[string]any
	lf string
	i  int // -1: the field itself
}

func (s slot) get() any {
	if s.i < 0 {
		return s.h[s.lf]
	}
	return s.h[s.lf].([]any)[s.i]
}

func (s slot) set(v any) {
	if s.i < 0 {
		s.h[s.lf] = v
	} else {
		s.h[s.lf].([]any)[s.i] = v
	}
}

// slots returns every value reference field holds in rec: one per holder
// that has the field, or one per element when the field is an array of scalars.
func slots(rec map[string]any, field string) []slot {
	hs, lf := catalog.Ref{Field: field}.Holders(rec)
	var out []slot
	for _, h := range hs {
		v, ok := h[lf]
		if !ok {
			continue
		}
		if arr, isArr := v.([]any); isArr && scalars(arr) {
			for i := range arr {
				out = append(out, slot{h, lf, i})
			}
			continue
		}
		out = append(out, slot{h, lf, -1})
	}
	return out
}

func scalars(arr []any) bool {
	for _, e := range arr {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}
