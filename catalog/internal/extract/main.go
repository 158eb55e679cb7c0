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
)

// roots are the schemas of the 11 kinds; the schemas they refer to directly
// are extracted too, one level deep, because nested arrays carry references.
var roots = []string{"TStatus", "TOutcome", "RequestType", "RequestTypeGroup", "TicketArea",
	"StdRequest", "CategoryDetail", "FlowHeader", "SlaHead", "Policy", "MessageContent"}

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
	var visit func(name string, depth int) error
	visit = func(name string, depth int) error {
		if _, done := out[name]; done {
			return nil
		}
		fields, err := parse(doc.Components.Schemas[name])
		if err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
		out[name] = fields
		if depth == 0 {
			return nil
		}
		for _, f := range fields {
			if f.Ref != "" {
				if err := visit(f.Ref, depth-1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, r := range roots {
		if err := visit(r, 1); err != nil {
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

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }
