package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// CheckTypes checks every external entry of the --map file against the
// fields it lands in: the external references of the records of kinds
// that hold its source id. A value that does not fit such a field's schema
// type (a text id where Halo wants an integer) would be refused by the
// target on a write, after others were applied; it is a problem found
// before any. One problem per entry, naming every field.
func (o Overrides) CheckTypes(src *Tenant, kinds []*catalog.Kind) []snapshot.Problem {
	type entry struct{ section, from string }
	bad := map[entry]map[string][]string{} // entry -> wanted type -> "kind.field"
	for _, k := range kinds {
		for _, rec := range src.Records(k.Name) {
			for _, sl := range k.Slots(rec) {
				m := o[sl.Target]
				if !sl.External || len(m) == 0 {
					continue
				}
				f, _, known := catalog.FieldAt(k.Schema, sl.Ref.Field)
				if !known {
					continue // fields the schema does not know are not type-checked
				}
				text, none, err := sl.IDText()
				if err != nil || none {
					continue
				}
				to, ok := m[text]
				if !ok || f.Fits(sameType(sl.Get(), to)) {
					continue
				}
				e := entry{sl.Target, text}
				if bad[e] == nil {
					bad[e] = map[string][]string{}
				}
				want, at := typeName(f), k.Name+"."+sl.Ref.Field
				if !slices.Contains(bad[e][want], at) {
					bad[e][want] = append(bad[e][want], at)
				}
			}
		}
	}
	var probs []snapshot.Problem
	for _, e := range slices.SortedFunc(maps.Keys(bad), func(a, b entry) int {
		return strings.Compare(a.section+"\x00"+a.from, b.section+"\x00"+b.from)
	}) {
		wants := bad[e]
		var msgs []string
		for _, want := range slices.Sorted(maps.Keys(wants)) {
			at := wants[want]
			slices.Sort(at)
			msgs = append(msgs, fmt.Sprintf("%q is not %s, but %s %s lands in %s field(s): %s",
				o[e.section][e.from], article(want), e.section, e.from, want, strings.Join(at, ", ")))
		}
		probs = append(probs, snapshot.Problem{Kind: "map", Field: e.section + "." + e.from, Msg: strings.Join(msgs, "; ")})
	}
	return probs
}

// typeName names the type a field wants of one id: "integer", "uuid" ...
func typeName(f catalog.Field) string {
	t, format := f.Type, f.Format
	if t == "array" {
		t, format = f.Items, ""
	}
	switch {
	case t == "integer":
		return "integer"
	case t == "string" && format == "uuid":
		return "uuid"
	case t == "string":
		return "text"
	}
	return t
}

func article(want string) string {
	switch want {
	case "integer":
		return "an integer id"
	case "uuid":
		return "a uuid"
	case "text":
		return "text"
	}
	return "a " + want
}
