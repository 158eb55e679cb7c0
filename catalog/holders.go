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
	holders, leaf, _ = r.walk(rec, false)
	return holders, leaf
}

// HoldersAt is Holders with the path of each holder's leaf, for messages:
// "newstatus", "allowed_status[2].status_id", "soc_default_target.value".
func (r Ref) HoldersAt(rec map[string]any) (holders []map[string]any, leaf string, at []string) {
	return r.walk(rec, true)
}

// walk builds the paths only when asked: Holders runs for every reference
// of every record an import rewrites.
func (r Ref) walk(rec map[string]any, paths bool) (holders []map[string]any, leaf string, at []string) {
	steps := r.Path()
	holders = []map[string]any{rec}
	if paths {
		at = []string{""}
	}
	for _, step := range steps[:len(steps)-1] {
		name := strings.TrimSuffix(step, "[]")
		var next []map[string]any
		var nextAt []string
		for i, h := range holders {
			switch v := h[name].(type) {
			case []any:
				for j, e := range v {
					if m, ok := e.(map[string]any); ok {
						next = append(next, m)
						if paths {
							nextAt = append(nextAt, fmt.Sprintf("%s%s[%d].", at[i], name, j))
						}
					}
				}
			case map[string]any:
				next = append(next, v)
				if paths {
					nextAt = append(nextAt, at[i]+name+".")
				}
			}
		}
		holders, at = next, nextAt
	}
	leaf = steps[len(steps)-1]
	for i := range at {
		at[i] += leaf
	}
	return holders, leaf, at
}

// Leaf is the last step of a field path: "allowed_status[].status_guid" ->
// "status_guid". The partners of a nested reference live in the same
// element as it.
func Leaf(field string) string { return field[strings.LastIndex(field, ".")+1:] }

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

// Value is what reference r holds to point at the record whose RefField
// reads text: the number, or for a KeyPair2 value (r.StringID) the string.
// It is the inverse of IDText.
func (r Ref) Value(text string) any {
	if r.StringID {
		return text
	}
	return json.Number(text)
}

// RowHolder is a holder of an owner back-reference to a row (Ref.OwnerRow)
// with the row it lies in.
type RowHolder struct {
	Row, Holder map[string]any
}

// RowHolders returns the holders of r, an owner back-reference to a row
// (Ref.OwnerRow), each with the row of OwnerRow that holds it, and the leaf.
func (r Ref) RowHolders(rec map[string]any) (out []RowHolder, leaf string) {
	rows, _ := Ref{Field: r.OwnerRow + ".id"}.Holders(rec)
	rest := Ref{Field: strings.TrimPrefix(r.Field, r.OwnerRow+".")}
	for _, row := range rows {
		hs, l := rest.Holders(row)
		leaf = l
		for _, h := range hs {
			out = append(out, RowHolder{Row: row, Holder: h})
		}
	}
	if leaf == "" {
		leaf = Leaf(r.Field)
	}
	return out, leaf
}

// RowIDField is the field that numbers the rows of the nested array
// ("steps[]") of k: "id", or "fdid" for a workflow's steps.
func (k *Kind) RowIDField(array string) string {
	if _, _, ok := FieldAt(k.Schema, array+".id"); ok {
		return "id"
	}
	if _, _, ok := FieldAt(k.Schema, array+".fdid"); ok {
		return "fdid"
	}
	return "id"
}
