// Package schemas extracts from Halo's OpenAPI description the schemas the
// catalog needs: those of its kinds, and those they nest.
// The result is catalog/schemas.json, which the product embeds (it never
// reads the 3.6 MB description at run time); `go generate ./catalog` writes
// it, and the catalog's tests check it is current when the description is
// at hand.
package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
)

// Field is one property of a schema, in the order the description gives;
// it is catalog.Field's JSON form.
type Field struct {
	Name   string `json:"name"`
	Type   string `json:"type"`             // integer, number, string, boolean, array, object
	Format string `json:"format,omitempty"` // int32, int64, double, uuid, date-time ...
	Ref    string `json:"ref,omitempty"`    // schema of an object, or of array items
	Items  string `json:"items,omitempty"`  // scalar type of array items
}

type property struct {
	Type   string    `json:"type"`
	Format string    `json:"format"`
	Ref    string    `json:"$ref"`
	Items  *property `json:"items"`
}

// Extract reads an OpenAPI description and returns schemas.json: every
// schema of the catalog's kinds and of what they nest, catalog.SchemaDepth
// levels deep, one line per schema, sorted by name. One exception: a nested
// row whose own id is a Ref of the kind ("always_allow_actions[].id",
// "fields[].fieldinfo.id") is a copy of another record; its own nesting
// belongs to that record, so it is extracted one level deep only, and the
// catalog test classifies all of it with a "Schema.container.*" entry.
func Extract(doc []byte) ([]byte, error) {
	var d struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("reading the description: %w", err)
	}
	out := map[string][]Field{}
	deepest := map[string]int{} // levels below a schema already extracted
	var visit func(name, path string, levels int, copies map[string]bool) error
	visit = func(name, path string, levels int, copies map[string]bool) error {
		if d, done := deepest[name]; done && d >= levels {
			return nil
		}
		raw, ok := d.Components.Schemas[name]
		if !ok {
			return fmt.Errorf("no schema %s (at %s)", name, path)
		}
		fields, err := parse(raw)
		if err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
		out[name], deepest[name] = fields, levels
		if levels == 0 {
			return nil
		}
		for _, f := range fields {
			if f.Ref == "" {
				continue
			}
			step := f.Name
			if f.Type == "array" {
				step += "[]"
			}
			below := levels - 1
			if copies[path+step] {
				below = 0
			}
			if err := visit(f.Ref, path+step+".", below, copies); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range catalog.Kinds() {
		if err := visit(k.Schema, "", catalog.SchemaDepth, copies(k)); err != nil {
			return nil, fmt.Errorf("kind %s: %w", k.Name, err)
		}
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, n := range names {
		fs, err := json.Marshal(out[n])
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q: %s", n, fs)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// parse keeps the property order of the description, which encoding/json maps lose.
func parse(raw json.RawMessage) ([]Field, error) {
	var s struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	if len(s.Properties) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(s.Properties))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var fields []Field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var p property
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		f := Field{Name: tok.(string), Type: p.Type, Format: p.Format}
		switch {
		case p.Ref != "":
			f.Type, f.Ref = "object", refName(p.Ref)
		case p.Type == "array" && p.Items != nil && p.Items.Ref != "":
			f.Ref = refName(p.Items.Ref)
		case p.Type == "array" && p.Items != nil:
			f.Items = p.Items.Type
		}
		fields = append(fields, f)
	}
	return fields, nil
}

// copies names the containers of k that hold a copy of another record, by
// path: "always_allow_actions[]" for the Ref "always_allow_actions[].id",
// "fields[].fieldinfo" for "fields[].fieldinfo.id".
func copies(k *catalog.Kind) map[string]bool {
	m := map[string]bool{}
	for _, r := range k.Refs {
		if container, ok := strings.CutSuffix(r.Field, ".id"); ok {
			m[container] = true
		}
	}
	return m
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }
