package catalog

import "strings"

// FieldAt returns the field a path names in schema: "newstatus",
// "fields[].fieldid", "steps[].actions[].action_id",
// "soc_default_target.value", following the nested schemas; false when the
// schema does not document it (such fields are not type-checked).
func FieldAt(schema, path string) (Field, bool) {
	steps := strings.Split(path, ".")
	for i, step := range steps {
		f, ok := field(schema, strings.TrimSuffix(step, "[]"))
		if !ok {
			return Field{}, false
		}
		if i == len(steps)-1 {
			return f, true
		}
		if f.Ref == "" || strings.HasSuffix(step, "[]") != (f.Type == "array") {
			return Field{}, false
		}
		schema = f.Ref
	}
	return Field{}, false
}

func field(schema, name string) (Field, bool) {
	fields, _ := Schema(schema)
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Fits reports whether v may be the value of f as CheckTypes sees it; for
// an array of scalars (fieldidlist), whether v may be one of its elements.
func (f Field) Fits(v any) bool {
	if v == nil {
		return true
	}
	if f.Type == "array" && f.Ref == "" {
		return checkScalar(v, f.Items, "", "") == ""
	}
	return checkScalar(v, f.Type, f.Format, "") == ""
}
