package mapping

import (
	"cmp"
	"slices"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Unmapped is an external id (an agent, a team ...) that the records an
// import rewrote hold and the --map file does not map, with what the
// source says of it: the names and guids the *_name and *_guid partners
// beside it carry, and where it is used. --external decides what becomes
// of it; a --map entry would.
type Unmapped struct {
	Target  string   `json:"target"` // what it points at: "agent"
	ID      string   `json:"id"`     // the source tenant's id
	Names   []string `json:"names,omitempty"`
	GUIDs   []string `json:"guids,omitempty"`
	Records []string `json:"records"` // the records holding it: "outcome 12 (Close Ticket)"
	Fields  []string `json:"fields"`  // where: "outcome.defaultagent"
}

// Unmapped returns every external id Rewrite met that the --map file does
// not map, by target and then id.
func (m *Mapper) Unmapped() []Unmapped {
	out := make([]Unmapped, 0, len(m.unmapped))
	for _, u := range m.unmapped {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Unmapped) int {
		if c := cmp.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		return snapshot.CompareID(a.ID, b.ID)
	})
	return out
}

// note records that rec, a record of k, holds the unmapped external id
// text in sl (a slot of the source record, whose partners are the source's).
func (m *Mapper) note(k *catalog.Kind, rec snapshot.Record, sl catalog.Slot, text string) {
	if m.unmapped == nil {
		m.unmapped = map[[2]string]*Unmapped{}
	}
	id := [2]string{sl.Target, text}
	u := m.unmapped[id]
	if u == nil {
		u = &Unmapped{Target: sl.Target, ID: text}
		m.unmapped[id] = u
	}
	who := k.Name + " " + rec.ID()
	if key, ok := Key(k, rec); ok {
		who += " (" + key + ")"
	}
	u.Records = appendNew(u.Records, who)
	u.Fields = appendNew(u.Fields, k.Name+"."+sl.Ref.Field)
	if _, isArray := sl.Holder[sl.Leaf].([]any); isArray || sl.Ref.List {
		return // one of several ids: the holder's partners are not its own
	}
	for _, p := range []struct {
		field string
		into  *[]string
	}{{sl.Ref.Name, &u.Names}, {sl.Ref.GUID, &u.GUIDs}} {
		if p.field == "" {
			continue
		}
		if v := snapshot.Scalar(sl.Holder[catalog.Leaf(p.field)]); v != "" {
			*p.into = appendNew(*p.into, v)
		}
	}
}

// appendNew appends s to list unless list holds it.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
