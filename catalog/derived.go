package catalog

import (
	"fmt"
	"strings"
	"sync"
)

// Derived reports whether Halo derives or numbers by itself the field at
// path in a record of k, so that two tenants' values of it say nothing about
// their configuration: an import never updates a record for it, and diff
// never reports it. This is the one definition both use. path is a field
// path as Ref.Field writes it ("colour", "allowed_status[].ticketype_id";
// the brackets may be left out). Derived are:
//   - at any depth, fields whose name starts with "_" (computed warnings and
//     flags: _warning, _canupdate), or ends in "_count" (usage counters:
//     ticket_count, rule_count) or in "guid" (each tenant numbers its own
//     records, the record's own guid included; what a guid points at, the
//     reference beside it says);
//   - the *_guid and *_name partners of references and KeyPair2 labels, which
//     Halo recomputes from the reference on every save;
//   - owner back-references (allowed_status[].ticketype_id), and those to
//     the nested row that holds them (Ref.OwnerRow), which Halo fills in;
//   - the row ids ("id", "fdid") of nested rows that hold references or that
//     other records point at, which each tenant issues (RowID);
//   - the kind's Computed fields (a recurring template's run times).
//
// The record's own id and RefField are not derived: they are its identity,
// which pairing deals with.
func (k *Kind) Derived(path string) bool {
	parent, leaf := splitPath(path)
	return k.derived(parent, leaf)
}

// RowID reports whether the field at path is what numbers a nested row in
// one tenant only: "id" or "fdid", or a guid no reference explains (an SLA's
// priority rows carry the SLA's sla_guid), in a row that holds a reference
// or that other records point at; a field a reference of the row uses is
// never one. An import leaves them out of what it sends: the target numbers
// its own rows.
func (k *Kind) RowID(path string) bool {
	parent, leaf := splitPath(path)
	return k.derivedSet().rowID(parent, leaf)
}

// StripDerived deletes from rec, a record of k, every field Derived names,
// at every depth.
func (k *Kind) StripDerived(rec map[string]any) { strip(rec, "", k.derived) }

// StripRowIDs deletes from rec, a record of k, every field RowID names.
func (k *Kind) StripRowIDs(rec map[string]any) { strip(rec, "", k.derivedSet().rowID) }

// DerivedRules says in words what Derived names, for help texts and the README.
func DerivedRules() string {
	var computed []string
	for _, k := range kinds {
		if len(k.Computed) > 0 {
			computed = append(computed, fmt.Sprintf("a %s's %s", k.Name, strings.Join(k.Computed, " and ")))
		}
	}
	s := "fields starting with _ (_warning, _canupdate ...) or ending in _count (ticket_count, rule_count) or in guid, " +
		"at any depth; the *_guid and *_name partners of references and KeyPair2 labels; owner back-references " +
		"(allowed_status[].ticketype_id), to the record or to the row that holds them (steps[].translations[].entity_id); the row ids (id, fdid) of nested rows that hold references"
	if len(computed) > 0 {
		s += "; " + strings.Join(computed, "; ")
	}
	return s
}

func (k *Kind) derived(parent, leaf string) bool {
	if derivedName(leaf) {
		return true
	}
	d := k.derivedSet()
	return d.fields[joinPath(parent, leaf)] || d.rowID(parent, leaf)
}

// derivedName is the rule of names that are derived wherever they appear.
func derivedName(leaf string) bool {
	n := strings.ToLower(leaf)
	return strings.HasPrefix(n, "_") || strings.HasSuffix(n, "_count") || strings.HasSuffix(n, "guid")
}

// derivedFields is what k's references and Computed make derived, by
// paths without brackets.
type derivedFields struct {
	fields map[string]bool            // partners, owner back-references, Computed
	rows   map[string]map[string]bool // path of a row -> the fields its references use
}

func (d *derivedFields) rowID(parent, leaf string) bool {
	keep, ok := d.rows[parent]
	if !ok || keep[leaf] {
		return false
	}
	return leaf == "id" || leaf == "fdid" || strings.HasSuffix(strings.ToLower(leaf), "guid")
}

var derivedCache sync.Map // *Kind -> *derivedFields

func (k *Kind) derivedSet() *derivedFields {
	if d, ok := derivedCache.Load(k); ok {
		return d.(*derivedFields)
	}
	d := &derivedFields{fields: map[string]bool{}, rows: map[string]map[string]bool{}}
	for _, f := range k.Computed {
		d.fields[f] = true
	}
	for _, r := range k.Refs {
		for _, f := range []string{r.GUID, r.Name} {
			if f != "" {
				d.fields[bare(f)] = true
			}
		}
		if r.Owner {
			d.fields[bare(r.Field)] = true
		}
		if !r.Nested() {
			continue
		}
		row, _ := splitPath(r.Field)
		if d.rows[row] == nil {
			d.rows[row] = map[string]bool{}
		}
		for _, f := range []string{r.Field, r.GUID, r.Name} {
			if f != "" {
				d.rows[row][Leaf(f)] = true
			}
		}
	}
	for array := range k.RowKeys { // rows other records point at: the target numbers them
		if d.rows[bare(array)] == nil {
			d.rows[bare(array)] = map[string]bool{}
		}
	}
	v, _ := derivedCache.LoadOrStore(k, d)
	return v.(*derivedFields)
}

// strip deletes, at every depth below v (found at path), the fields drop names.
func strip(v any, path string, drop func(parent, leaf string) bool) {
	switch x := v.(type) {
	case map[string]any:
		for f, e := range x {
			if drop(path, f) {
				delete(x, f)
				continue
			}
			strip(e, joinPath(path, f), drop)
		}
	case []any:
		for _, e := range x {
			strip(e, path, drop)
		}
	}
}

// bare is a path without the brackets that mark arrays: "a[].b" -> "a.b".
func bare(path string) string { return strings.ReplaceAll(path, "[]", "") }

// splitPath splits a path into the bare path of its holder and its leaf.
func splitPath(path string) (parent, leaf string) {
	p := bare(path)
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

func joinPath(parent, leaf string) string {
	if parent == "" {
		return leaf
	}
	return parent + "." + leaf
}
