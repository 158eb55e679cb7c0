package catalog

import (
	_ "embed"
	"encoding/json"
	"sync"
)

// schemas.json is extracted from Halo's OpenAPI description by
// ./internal/extract: the 11 kinds' schemas and the schemas they nest, two
// levels deep.
//
//go:embed schemas.json
var schemasJSON []byte

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
