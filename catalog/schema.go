package catalog

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

// schemas.json is extracted from Halo's OpenAPI description by
// ./internal/extract: the kinds' schemas and the schemas they nest,
// SchemaDepth levels deep. It is committed, so that a build needs no
// description; a test checks it is current when the description is at hand
// (../../shared/halo-api, or $HALO_OPENAPI).
//
//go:generate go run ./internal/extract -o schemas.json ../../shared/halo-api/openapi.json
//go:embed schemas.json
var schemasJSON []byte

// SchemaDepth is how many levels of nesting below a kind schemas.json
// holds, and the catalog's tests classify: nested rows carry references
// three levels down (a workflow's steps[].actions[].conditions[].stdid).
const SchemaDepth = 3

// Field is one property of an OpenAPI schema.
type Field struct {
	Name   string `json:"name"`
	Type   string `json:"type"`             // integer, number, string, boolean, array, object
	Format string `json:"format,omitempty"` // int32, int64, double, uuid, date-time ...
	Ref    string `json:"ref,omitempty"`    // schema of a nested object, or of array items
	Items  string `json:"items,omitempty"`  // scalar type of array items
}

var schemas = sync.OnceValue(func() map[string][]Field {
	m := map[string][]Field{}
	if err := json.Unmarshal(schemasJSON, &m); err != nil {
		panic("catalog: embedded schemas.json: " + err.Error())
	}
	return m
})

// Schema returns the fields of an OpenAPI schema in the order Halo documents
// them, and false when the schema was not extracted.
func Schema(name string) ([]Field, bool) {
	f, ok := schemas()[name]
	return f, ok
}

// FieldAt finds the field a path names in a schema ("a", "a[].b", "a.b",
// "a[].b[].c") and the schema that declares it.
func FieldAt(schema, path string) (Field, string, bool) {
	find := func(schema, name string) (Field, bool) {
		fields, _ := Schema(schema)
		for _, f := range fields {
			if f.Name == name {
				return f, true
			}
		}
		return Field{}, false
	}
	steps := strings.Split(path, ".")
	for _, step := range steps[:len(steps)-1] {
		outer, ok := find(schema, strings.TrimSuffix(step, "[]"))
		if !ok || outer.Ref == "" || (outer.Type == "array") != strings.HasSuffix(step, "[]") {
			return Field{}, "", false
		}
		schema = outer.Ref
	}
	f, ok := find(schema, steps[len(steps)-1])
	return f, schema, ok
}
