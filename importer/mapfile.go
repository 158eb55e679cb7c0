package importer

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// mapAbout heads a map WriteMap writes.
const mapAbout = "A --map file for halocfg import, written by --write-map. Each null is an external id of the " +
	"source (an agent, a team ...) that nothing maps yet: put the target tenant's id in its place (a number, or a " +
	"string), then pass this file to import with --map. An entry left null is still unmapped: --external decides " +
	"what becomes of it (fail lists it). _hints says, per id, the names and guids the snapshot shows beside it, how " +
	"many records hold it, and in which fields. Sections starting with _ are notes: halocfg does not read them."

// MapOutput recognises a map WriteMap wrote (filled in or not), which
// --write-map may replace.
var MapOutput = snapshot.JSONOutput("a map halocfg wrote (--write-map)", "_about", "_hints")

// mapHint is what a map says of an unmapped id, for the person filling it in.
type mapHint struct {
	Names   []string `json:"names,omitempty"`
	GUIDs   []string `json:"guids,omitempty"`
	Records int      `json:"records"`
	Fields  []string `json:"fields"`
}

// WriteMap writes a --map file that holds the --map entries of this import
// and, as null, every external id no entry maps (Unmapped), with hints:
// once each null is filled in, it is the --map file of the next run. Keys
// are in id order, one entry a line.
func (p *Plan) WriteMap(w io.Writer) error {
	sections := map[string]map[string]any{}
	for name, entries := range p.over {
		sections[name] = map[string]any{}
		for from, to := range entries {
			sections[name][from] = mapValue(to)
		}
	}
	hints := map[string]map[string]any{}
	for _, u := range p.Unmapped {
		if sections[u.Target] == nil {
			sections[u.Target] = map[string]any{}
		}
		if hints[u.Target] == nil {
			hints[u.Target] = map[string]any{}
		}
		sections[u.Target][u.ID] = nil
		hints[u.Target][u.ID] = mapHint{Names: u.Names, GUIDs: u.GUIDs, Records: len(u.Records), Fields: u.Fields}
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"_about\": ")
	writeJSON(&b, mapAbout)
	for _, name := range sectionOrder(sections) {
		b.WriteString(",\n  ")
		writeJSON(&b, name)
		b.WriteString(": ")
		writeEntries(&b, sections[name], "  ")
	}
	b.WriteString(",\n  \"_hints\": {")
	for i, name := range slices.Sorted(maps.Keys(hints)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		writeJSON(&b, name)
		b.WriteString(": ")
		writeEntries(&b, hints[name], "    ")
	}
	b.WriteString("\n  }\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// sectionOrder puts the kinds first, in catalog order, then the external
// targets by name.
func sectionOrder(sections map[string]map[string]any) []string {
	var out []string
	for _, k := range catalog.Kinds() {
		if _, ok := sections[k.Name]; ok {
			out = append(out, k.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(sections)) {
		if _, isKind := catalog.Lookup(name); !isKind {
			out = append(out, name)
		}
	}
	return out
}

// writeEntries writes an object of entries in id order (integers by value,
// then text), one a line, each value compact.
func writeEntries(b *bytes.Buffer, entries map[string]any, indent string) {
	keys := slices.SortedFunc(maps.Keys(entries), snapshot.CompareID)
	if len(keys) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n  " + indent)
		writeJSON(b, k)
		b.WriteString(": ")
		writeJSON(b, entries[k])
	}
	b.WriteString("\n" + indent + "}")
}

func writeJSON(b *bytes.Buffer, v any) {
	b.Write(snapshot.Canonical(v))
}

// mapValue writes a --map value as it was most likely given: an integer as
// a number, anything else as a string.
func mapValue(to string) any {
	if _, err := strconv.ParseInt(to, 10, 64); err == nil {
		return json.Number(to)
	}
	return to
}
