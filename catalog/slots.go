package catalog

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Slot is one value a reference holds in a record: the field in one of its
// holders, or one element of the array of ids ([12, 13]) or of the text list
// ("12,13") the field holds. Every package that reads, checks or rewrites
// references walks them through Slots, so that a new shape of reference is
// taught here once.
type Slot struct {
	Ref    Ref
	Holder map[string]any // the object holding the field; partners live in it too
	Leaf   string         // the field's name in Holder
	At     string         // where, for messages (SlotsAt only): "allowed_status[2].status_id", "fieldidlist[1]"

	// Target is what the value points at: Ref.Target, or for a reference
	// whose target a sibling field chooses (Ref.By) the one it names.
	// External is true when Target is not a kind of the catalog.
	Target   string
	External bool

	elems *elements // the array or text list the value is an element of; nil: the field itself
	index int
	rec   map[string]any // the record walked: its own id names the record of a row of itself (Ref.In "")
}

// elements are the values of an array of ids or a text list, shared by its
// slots: setting or removing one rewrites the field from them.
type elements struct {
	vals []any
	gone []bool
	text bool // a text list: the field is the kept values joined by ","
}

// Slots returns every value of every reference of k in rec, in the order of
// k.Refs.
func (k *Kind) Slots(rec map[string]any) []Slot {
	var out []Slot
	for _, r := range k.Refs {
		out = append(out, r.slots(rec, false)...)
	}
	return out
}

// SlotsAt is Slots with each slot's At filled in.
func (k *Kind) SlotsAt(rec map[string]any) []Slot {
	var out []Slot
	for _, r := range k.Refs {
		out = append(out, r.slots(rec, true)...)
	}
	return out
}

// Slots returns every value r holds in rec: one per holder that has the
// field, or one per element when the field holds an array of scalars or
// (r.List) a text list. Values a sibling field says are no reference
// (r.ByValue maps them to "") are left out.
func (r Ref) Slots(rec map[string]any) []Slot { return r.slots(rec, false) }

// SlotsAt is Slots with each slot's At filled in.
func (r Ref) SlotsAt(rec map[string]any) []Slot { return r.slots(rec, true) }

func (r Ref) slots(rec map[string]any, paths bool) []Slot {
	hs, leaf, at := r.walk(rec, paths)
	var out []Slot
	for i, h := range hs {
		v, ok := h[leaf]
		if !ok {
			continue
		}
		target := r.Target
		if r.By != "" {
			by, _ := h[r.By].(string)
			if t, ok := r.ByValue[strings.ToLower(by)]; ok {
				target = t
			}
			if target == "" {
				continue // the sibling says the value is no id
			}
		}
		_, isKind := Lookup(target)
		s := Slot{Ref: r, Holder: h, Leaf: leaf, Target: target, External: !isKind, index: -1, rec: rec}
		if paths {
			s.At = at[i]
		}
		var elems *elements
		switch x := v.(type) {
		case []any:
			if scalars(x) {
				elems = &elements{vals: append([]any(nil), x...)}
			}
		case string:
			if r.List {
				elems = &elements{text: true}
				for _, e := range strings.Split(x, ",") {
					if e = strings.TrimSpace(e); e != "" {
						elems.vals = append(elems.vals, e)
					}
				}
			}
		}
		if elems == nil {
			out = append(out, s)
			continue
		}
		elems.gone = make([]bool, len(elems.vals))
		for j := range elems.vals {
			e := s
			e.elems, e.index = elems, j
			if paths {
				e.At = fmt.Sprintf("%s[%d]", s.At, j)
			}
			out = append(out, e)
		}
	}
	return out
}

func scalars(arr []any) bool {
	for _, e := range arr {
		if _, ok := asObject(e); ok {
			return false
		}
		if _, ok := e.([]any); ok {
			return false
		}
	}
	return true
}

// Get returns the value: the field's, or the element's (a string in a text list).
func (s Slot) Get() any {
	if s.elems == nil {
		return s.Holder[s.Leaf]
	}
	return s.elems.vals[s.index]
}

// Set replaces the value. In a text list it is written as text.
func (s Slot) Set(v any) {
	if s.elems == nil {
		s.Holder[s.Leaf] = v
		return
	}
	if s.elems.text {
		v = textOf(v)
	}
	s.elems.vals[s.index] = v
	s.elems.store(s.Holder, s.Leaf)
}

// Remove takes the element out of its array or text list; a reference held
// by the field itself is set to the "none" value of its JSON type (0, or "").
func (s Slot) Remove() {
	if s.elems == nil {
		if _, isText := s.Get().(string); isText {
			s.Holder[s.Leaf] = ""
		} else {
			s.Holder[s.Leaf] = json.Number("0")
		}
		return
	}
	s.elems.gone[s.index] = true
	s.elems.store(s.Holder, s.Leaf)
}

func (e *elements) store(h map[string]any, leaf string) {
	kept := make([]any, 0, len(e.vals))
	for i, v := range e.vals {
		if !e.gone[i] {
			kept = append(kept, v)
		}
	}
	if !e.text {
		h[leaf] = kept
		return
	}
	parts := make([]string, len(kept))
	for i, v := range kept {
		parts[i] = textOf(v)
	}
	h[leaf] = strings.Join(parts, ",")
}

func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// IDText reads the value as the text of the target's RefField (Ref.IDText),
// as the slot's target wants it: an element of a text list is a string id.
func (s Slot) IDText() (text string, none bool, err error) {
	return s.ref().IDText(s.Get())
}

// Value is what the slot holds to point at the record whose RefField reads
// text (Ref.Value).
func (s Slot) Value(text string) any { return s.ref().Value(text) }

// ref is the Ref as it applies to this value: external or not by the slot's
// target, string ids in text lists.
func (s Slot) ref() Ref {
	r := s.Ref
	r.External = s.External
	r.StringID = r.StringID || r.List
	return r
}

// In returns the id text of the record of Ref.Target whose row the slot
// points at (Ref.Row): the value of the sibling field Ref.In, or without
// In the record's own (a row of itself).
func (s Slot) In() (text string, none bool, err error) {
	if s.Ref.In == "" {
		f := MustLookup(s.Ref.Target).RefField
		return Ref{Field: f, Target: s.Ref.Target}.IDText(s.rec[f])
	}
	return Ref{Field: s.Ref.In, Target: s.Ref.Target}.IDText(s.Holder[s.Ref.In])
}

// RowByID returns the row of rec's nested array whose "id" reads id, or nil.
func RowByID(rec map[string]any, array, id string) map[string]any {
	rows, _ := rec[array].([]any)
	for _, e := range rows {
		if row, ok := asObject(e); ok && textOf(row["id"]) == id {
			return row
		}
	}
	return nil
}

// RowKey returns the text that identifies a row of k's nested array across
// tenants: its RowKeys field ("" when k's rows of array have no key).
func (k *Kind) RowKey(array string, row map[string]any) string {
	f := k.RowKeys[array]
	if f == "" || row[f] == nil {
		return ""
	}
	return textOf(row[f])
}

// RowByKey returns the row of rec's nested array whose key (RowKey) reads
// key; nil when there is none, or several.
func (k *Kind) RowByKey(rec map[string]any, array, key string) map[string]any {
	var found map[string]any
	rows, _ := rec[array].([]any)
	for _, e := range rows {
		if row, ok := asObject(e); ok && key != "" && k.RowKey(array, row) == key {
			if found != nil {
				return nil
			}
			found = row
		}
	}
	return found
}
