// Command extract copies the schemas halocfg needs out of Halo's OpenAPI
// description into catalog/schemas.json, so that the product never reads the
// (3.6 MB) description at run time. Run from the repository root:
//
//	go run ./catalog/internal/extract ../shared/halo-api/openapi.json > catalog/schemas.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
)

// The schemas of the 11 kinds are extracted with the schemas they nest, two
// levels deep, because nested rows carry references (a workflow's
// steps[].actions[].action_id names an outcome). One exception: a nested
// row whose own id is a Ref of the kind ("always_allow_actions[].id",
// "newticket_user.id") is a copy of another record; its own nesting belongs
// to that record, so it is extracted one level deep only, and the catalog
// test classifies all of it with a "Schema.container.*" entry of notRefs.
const depth = 2

type property struct {
	Type     string    `json:"type"`
	Format   string    `json:"format"`
	Ref      string    `json:"$ref"`
	Nullable bool      `json:"nullable"`
	Items    *property `json:"items"`
}

// Field is one property of a schema, in the order the description gives.
type Field struct {
	Name   string `json:"name"`
	Type   string `json:"type"`             // integer, number, string, boolean, array, object
	Format string `json:"format,omitempty"` // int32, int64, double, uuid, date-time ...
	Ref    string `json:"ref,omitempty"`    // schema of an object, or of array items
	Items  string `json:"items,omitempty"`  // scalar type of array items
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func run() error {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	out := map[string][]Field{}
	deepest := map[string]int{} // levels below a schema already extracted
	var visit func(name string, levels int, copies map[string]bool) error
	visit = func(name string, levels int, copies map[string]bool) error {
		if d, done := deepest[name]; done && d >= levels {
			return nil
		}
		fields, err := parse(doc.Components.Schemas[name])
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
			below := levels - 1
			if copies[f.Name] {
				below = 0
			}
			if err := visit(f.Ref, below, nil); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range catalog.Kinds() {
		if err := visit(k.Schema, depth, copies(k)); err != nil {
			return err
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
		fs, _ := json.Marshal(out[n])
		fmt.Fprintf(&b, "%q: %s", n, fs)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err = os.Stdout.Write(b.Bytes())
	return err
}

// parse keeps the property order of the description, which encoding/json maps lose.
func parse(raw json.RawMessage) ([]Field, error) {
	var s struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
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

// copies names the containers of k that hold a copy of another record:
// "always_allow_actions" for the Ref "always_allow_actions[].id".
func copies(k *catalog.Kind) map[string]bool {
	m := map[string]bool{}
	for _, r := range k.Refs {
		if p := r.Path(); len(p) == 2 && p[1] == "id" {
			m[strings.TrimSuffix(p[0], "[]")] = true
		}
	}
	return m
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }
