package mapping

import (
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Key returns the natural key of rec as text: the values of the kind's key
// fields joined by "/" ("Open", "1/Hardware"). ok is false when a key field
// is absent, null or "": such a record cannot be found again by its key.
//
// A pair-only kind's key is the first of its KeyAlternatives whose fields
// rec has, without case ("service desk"), named by its fields when the kind
// has several ("email ana@example.com", "name ana lopez").
func Key(k *catalog.Kind, rec snapshot.Record) (key string, ok bool) {
	keys := keysOf(k, rec, true)
	if len(keys) == 0 {
		return "", false
	}
	return keys[0], true
}

// keysOf returns the keys rec has, in the order of the kind's
// KeyAlternatives (only the first when first is set).
func keysOf(k *catalog.Kind, rec snapshot.Record, first bool) []string {
	alts := k.KeyAlternatives()
	var out []string
	for _, fields := range alts {
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = snapshot.Scalar(rec[f])
			if k.PairOnly {
				parts[i] = strings.ToLower(strings.TrimSpace(parts[i]))
			}
			if parts[i] == "" {
				parts = nil
				break
			}
		}
		if parts == nil {
			continue
		}
		key := strings.Join(parts, "/")
		if len(alts) > 1 {
			key = strings.Join(fields, "/") + " " + key
		}
		out = append(out, key)
		if first {
			break
		}
	}
	return out
}

// Tenant indexes the records of one tenant by id, by the field references
// use (RefField), by guid and by natural key. The importer adds the records
// it creates and updates with Put.
type Tenant struct {
	kinds map[string]*index
}

type index struct {
	k      *catalog.Kind
	byID   map[string]snapshot.Record
	byRef  map[string]snapshot.Record
	byGUID map[string]map[string]bool // guid -> ids
	byKey  map[string]map[string]bool // natural key -> ids
}

// NewTenant indexes records (kind name -> records). Kinds absent from recs
// are unknown to the tenant (Has is false); records without an id are skipped.
func NewTenant(recs map[string][]snapshot.Record) *Tenant {
	t := &Tenant{kinds: map[string]*index{}}
	for name, rs := range recs {
		k, ok := catalog.LookupStored(name)
		if !ok {
			continue
		}
		t.kinds[name] = newIndex(k)
		for _, r := range rs {
			t.Put(name, r)
		}
	}
	return t
}

// Has reports whether the tenant's records of a kind are known.
func (t *Tenant) Has(kind string) bool { return t.kinds[kind] != nil }

// Put adds a record, or replaces the record with its id.
func (t *Tenant) Put(kind string, rec snapshot.Record) {
	ix := t.kinds[kind]
	if ix == nil {
		ix = newIndex(catalog.MustLookupStored(kind))
		t.kinds[kind] = ix
	}
	id := rec.ID()
	if id == "" {
		return
	}
	if old := ix.byID[id]; old != nil {
		ix.remove(id, old)
	}
	ix.byID[id] = rec
	if ref := snapshot.Scalar(rec[ix.k.RefField]); ref != "" {
		ix.byRef[ref] = rec
	}
	if g := snapshot.Scalar(rec["guid"]); g != "" {
		add(ix.byGUID, strings.ToLower(g), id)
	}
	for _, key := range keysOf(ix.k, rec, false) { // a person under each of its keys
		add(ix.byKey, key, id)
	}
}

// Delete removes the record with an id.
func (t *Tenant) Delete(kind, id string) {
	if ix := t.kinds[kind]; ix != nil {
		if old := ix.byID[id]; old != nil {
			ix.remove(id, old)
		}
	}
}

func newIndex(k *catalog.Kind) *index {
	return &index{k: k, byID: map[string]snapshot.Record{}, byRef: map[string]snapshot.Record{},
		byGUID: map[string]map[string]bool{}, byKey: map[string]map[string]bool{}}
}

func (ix *index) remove(id string, old snapshot.Record) {
	delete(ix.byID, id)
	if ref := snapshot.Scalar(old[ix.k.RefField]); ref != "" && ix.byRef[ref] != nil && ix.byRef[ref].ID() == id {
		delete(ix.byRef, ref)
	}
	if g := snapshot.Scalar(old["guid"]); g != "" {
		drop(ix.byGUID, strings.ToLower(g), id)
	}
	for _, key := range keysOf(ix.k, old, false) {
		drop(ix.byKey, key, id)
	}
}

func add(m map[string]map[string]bool, key, id string) {
	if m[key] == nil {
		m[key] = map[string]bool{}
	}
	m[key][id] = true
}

func drop(m map[string]map[string]bool, key, id string) {
	delete(m[key], id)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}

// Records returns the records of a kind sorted by id.
func (t *Tenant) Records(kind string) []snapshot.Record {
	ix := t.kinds[kind]
	if ix == nil {
		return nil
	}
	out := make([]snapshot.Record, 0, len(ix.byID))
	for _, r := range ix.byID {
		out = append(out, r)
	}
	snapshot.SortByID(out)
	return out
}

// ByID returns the record of a kind with an id, or nil.
func (t *Tenant) ByID(kind, id string) snapshot.Record {
	if ix := t.kinds[kind]; ix != nil {
		return ix.byID[id]
	}
	return nil
}

// ByRef returns the record that references of a kind point at with the
// text of its RefField (priority's priorityid, every other kind's id), or nil.
func (t *Tenant) ByRef(kind, ref string) snapshot.Record {
	if ix := t.kinds[kind]; ix != nil {
		return ix.byRef[ref]
	}
	return nil
}

// ByKey returns the records of a kind with a natural key, sorted by id.
func (t *Tenant) ByKey(kind, key string) []snapshot.Record {
	if ix := t.kinds[kind]; ix != nil {
		return ix.records(ix.byKey[key])
	}
	return nil
}

// ByGUID returns the records of a kind with a guid (compared case-insensitively), sorted by id.
func (t *Tenant) ByGUID(kind, guid string) []snapshot.Record {
	if ix := t.kinds[kind]; ix != nil && guid != "" {
		return ix.records(ix.byGUID[strings.ToLower(guid)])
	}
	return nil
}

func (ix *index) records(ids map[string]bool) []snapshot.Record {
	out := make([]snapshot.Record, 0, len(ids))
	for id := range ids {
		out = append(out, ix.byID[id])
	}
	snapshot.SortByID(out)
	return out
}

// Skeleton is what of rec a mapping.Tenant needs to pair it (id, guid,
// natural key) and to render references to it (RefField, the key of each
// row other records point at); the rest can be read again when needed (diff,
// verify hold skeletons of every record, and one kind whole at a time).
func Skeleton(k *catalog.Kind, rec snapshot.Record) snapshot.Record {
	out := snapshot.Record{}
	keep := func(f string) {
		if v, ok := rec[f]; ok {
			out[f] = v
		}
	}
	keep("id")
	keep("guid")
	keep(k.RefField)
	for _, fs := range k.KeyAlternatives() {
		for _, f := range fs {
			keep(f)
		}
	}
	for array, f := range k.RowKeys {
		rows, ok := rec[array].([]any)
		if !ok {
			keep(array)
			continue
		}
		kept := make([]any, len(rows))
		for i, e := range rows {
			row, ok := e.(map[string]any)
			if !ok {
				kept[i] = e
				continue
			}
			sr := map[string]any{}
			for _, name := range []string{"id", f} {
				if v, ok := row[name]; ok {
					sr[name] = v
				}
			}
			kept[i] = sr
		}
		out[array] = kept
	}
	return out
}
