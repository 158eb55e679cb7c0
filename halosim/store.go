package halosim

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// table holds the records of one kind.
type table struct {
	kind  *catalog.Kind
	byID  map[string]snapshot.Record
	byRef map[string]string // RefField text -> id text (priority: priorityid -> uuid)
	guids map[string]bool   // guids in use
	ids   []string          // sorted as snapshot.SortByID sorts
	next  int64             // the next integer id (priority: priorityid)
}

func newTable(k *catalog.Kind, recs []snapshot.Record) *table {
	tb := &table{kind: k, byID: map[string]snapshot.Record{}, byRef: map[string]string{}, guids: map[string]bool{}, next: 1} // ids start at 1: 0 means "none"
	for _, r := range recs {
		tb.put(r)
	}
	return tb
}

// put adds or replaces a record.
func (tb *table) put(r snapshot.Record) {
	id := r.ID()
	if _, ok := tb.byID[id]; !ok {
		i := sort.Search(len(tb.ids), func(i int) bool { return !snapshot.LessID(tb.ids[i], id) })
		tb.ids = slices.Insert(tb.ids, i, id)
	}
	tb.byID[id] = r
	tb.byRef[snapshot.Scalar(r[tb.kind.RefField])] = id
	if g, ok := r["guid"].(string); ok {
		tb.guids[strings.ToLower(g)] = true
	}
	if n, ok := r.Int(tb.kind.RefField); ok && n >= tb.next {
		tb.next = n + 1
	}
}

func (tb *table) remove(id string) {
	r := tb.byID[id]
	delete(tb.byRef, snapshot.Scalar(r[tb.kind.RefField]))
	if g, ok := r["guid"].(string); ok {
		delete(tb.guids, strings.ToLower(g))
	}
	delete(tb.byID, id)
	for i, x := range tb.ids {
		if x == id {
			tb.ids = append(tb.ids[:i], tb.ids[i+1:]...)
			break
		}
	}
}

// find looks a record up by kind and RefField text; callers hold t.mu.
func (t *Tenant) find(kind, key string) snapshot.Record {
	tb := t.data[kind]
	if tb == nil {
		return nil
	}
	return tb.byID[tb.byRef[key]]
}

// view is a record as a detail GET serves it: a deep copy with its derived
// fields recomputed. Callers hold t.mu.
func (t *Tenant) view(tb *table, r snapshot.Record) snapshot.Record {
	v := r.Clone()
	fillPartners(v, tb.kind, t.find)
	return v
}

// summary is a record as a list row shows it.
func summary(k *catalog.Kind, r snapshot.Record) snapshot.Record {
	s := snapshot.Record{}
	for _, f := range behaviours[k.Name].summary {
		if v, ok := r[f]; ok {
			s[f] = v
		}
	}
	return s
}

// writeJSON renders v with the fields of objects in the order of schema
// (then unknown fields, sorted), as Halo's serializer writes its classes.
// Numbers keep their exact text.
func writeJSON(b *bytes.Buffer, v any, schema string) {
	switch v := v.(type) {
	case snapshot.Record:
		writeObject(b, v, schema)
	case map[string]any:
		writeObject(b, v, schema)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, schema)
		}
		b.WriteByte(']')
	case []snapshot.Record:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeObject(b, e, schema)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(v.String())
	case string:
		writeString(b, v)
	default:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		enc.Encode(v) // nil, bool and numbers of Go literals never fail
		b.Truncate(b.Len() - 1)
	}
}

func writeObject(b *bytes.Buffer, m map[string]any, schema string) {
	fields, _ := catalog.Schema(schema)
	b.WriteByte('{')
	first := true
	key := func(k string) {
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, k)
		b.WriteByte(':')
	}
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.Name] = true
		if v, ok := m[f.Name]; ok {
			key(f.Name)
			writeJSON(b, v, f.Ref)
		}
	}
	var extra []string
	for k := range m {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		key(k)
		writeJSON(b, m[k], "")
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1)
}
