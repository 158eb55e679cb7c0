package mapping

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/internal/spill"
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
//
// diff and verify index every record of a snapshot, and hold only what the
// index needs of each (PutSkeleton): its Skeleton, encoded in a temporary
// file (internal/spill), which ByID and the rest read and decode again when asked.
// In memory each record is then an entry in flat arrays (skeletons): at
// 50,000 records maps of maps took hundreds of bytes a record (issue 12).
// Such a tenant must be closed; Err says whether the file failed it.
type Tenant struct {
	kinds map[string]*index
	sp    *spill.File // made by the first PutSkeleton
}

// index holds the records of a kind. A kind of whole records (the
// importer's) keeps them in full and its indexes in maps, changed by every
// Put. Once a skeleton is put, sk holds every record's entry and indexes
// them lazily, and records put whole wait in the spill as skeletons do
// (diff puts a few so); full then holds only what the spill cannot
// (snapshot.BadText, a text over 16 MiB).
type index struct {
	k    *catalog.Kind
	full map[string]snapshot.Record // id -> a record put whole
	sk   *skeletons
	sp   *spill.File
	// byRef holds the RefField of kinds whose RefField is not the id
	// (priority's priorityid); byID answers for the others.
	byRef map[string]string // RefField text -> id
	// byGUID and byKey are made when first asked for.
	keyed  bool
	byGUID multi // lower-case guid -> ids
	byKey  multi // natural key -> ids
}

// multi maps a text to the ids that have it: almost always one, held
// without a slice of its own.
type multi struct {
	one  map[string]string   // text -> its first id
	more map[string][]string // text -> its other ids, when several have it
}

func newMulti() multi { return multi{one: map[string]string{}, more: map[string][]string{}} }

func (m multi) add(text, id string) {
	switch first, ok := m.one[text]; {
	case !ok:
		m.one[text] = id
	case first != id && !slices.Contains(m.more[text], id):
		m.more[text] = append(m.more[text], id)
	}
}

func (m multi) drop(text, id string) {
	more := m.more[text]
	if m.one[text] == id {
		if len(more) == 0 {
			delete(m.one, text)
			return
		}
		m.one[text], more = more[0], more[1:]
	} else if i := slices.Index(more, id); i >= 0 {
		more = slices.Delete(slices.Clone(more), i, i+1)
	}
	if len(more) == 0 {
		delete(m.more, text)
	} else {
		m.more[text] = more
	}
}

// ids returns the ids that have text.
func (m multi) ids(text string) []string {
	first, ok := m.one[text]
	if !ok {
		return nil
	}
	return append([]string{first}, m.more[text]...)
}

// NewTenant indexes records (kind name -> records). Kinds absent from recs
// are unknown to the tenant (Has is false); records without an id are skipped.
func NewTenant(recs map[string][]snapshot.Record) *Tenant {
	t := &Tenant{kinds: map[string]*index{}}
	for name, rs := range recs {
		if !t.AddKind(name) {
			continue
		}
		for _, r := range rs {
			t.Put(name, r)
		}
	}
	return t
}

// AddKind makes the records of a kind known (Has), before any is put: a
// kind without records is known to hold none. It is false for a kind
// halocfg does not store.
func (t *Tenant) AddKind(kind string) bool {
	k, ok := catalog.LookupStored(kind)
	if ok && t.kinds[kind] == nil {
		t.kinds[kind] = newIndex(k)
	}
	return ok
}

// DropKind forgets the records of a kind: Has is false again.
func (t *Tenant) DropKind(kind string) { delete(t.kinds, kind) }

// DropKeys lets go of the indexes by guid and natural key, made again
// when next asked for: diff needs them to pair records, and little after.
func (t *Tenant) DropKeys() {
	for _, ix := range t.kinds {
		ix.keyed, ix.byGUID, ix.byKey = false, multi{}, multi{}
		if ix.sk != nil {
			ix.sk.guid, ix.sk.key = nil, nil
		}
	}
}

// Has reports whether the tenant's records of a kind are known.
func (t *Tenant) Has(kind string) bool { return t.kinds[kind] != nil }

// Put adds a record, or replaces the record with its id.
func (t *Tenant) Put(kind string, rec snapshot.Record) {
	t.put(kind, rec, false)
}

// PutSkeleton adds what the tenant needs of rec, its Skeleton, held
// compactly, or replaces the record with its id. ByID and the others
// return the skeleton.
func (t *Tenant) PutSkeleton(kind string, rec snapshot.Record) {
	t.put(kind, rec, true)
}

func (t *Tenant) put(kind string, rec snapshot.Record, skeleton bool) {
	ix := t.kinds[kind]
	if ix == nil {
		ix = newIndex(catalog.MustLookupStored(kind))
		t.kinds[kind] = ix
	}
	id := rec.ID()
	if id == "" {
		return
	}
	if skeleton && ix.sk == nil {
		ix.toSkeletons()
	}
	if ix.sk == nil {
		ix.remove(id)
		ix.full[id] = rec
		ix.index(id, rec, add)
		return
	}
	if skeleton {
		rec = Skeleton(ix.k, rec)
	}
	delete(ix.full, id)
	// A record whose canonical JSON would not decode as the same text
	// (snapshot.BadText), or too large for a span, is held whole.
	if _, _, bad := snapshot.BadText(rec); !bad {
		if t.sp == nil {
			t.sp = spill.New("", "record skeletons")
		}
		ix.sp = t.sp
		if at, ok := ix.sp.Put(snapshot.Canonical(map[string]any(rec))); ok {
			ix.sk.set(id, at)
			return
		}
	}
	ix.full[id] = rec
	ix.sk.set(id, whole)
}

// toSkeletons makes ix a kind of skeletons: the records it holds whole stay
// so, given entries.
func (ix *index) toSkeletons() {
	ix.sk = &skeletons{live: -1}
	for id := range ix.full {
		ix.sk.set(id, whole)
	}
	ix.byRef, ix.keyed, ix.byGUID, ix.byKey = nil, false, multi{}, multi{}
}

// Err returns the first failure of the temporary file that holds the
// skeletons: after one, ByID and the rest may have answered nil.
func (t *Tenant) Err() error {
	if t.sp == nil {
		return nil
	}
	return t.sp.Err()
}

// Close lets go of the skeletons' file, and returns Err as it was. A
// tenant without skeletons needs no closing.
func (t *Tenant) Close() error {
	if t.sp == nil {
		return nil
	}
	return t.sp.Close()
}

// Delete removes the record with an id.
func (t *Tenant) Delete(kind, id string) {
	if ix := t.kinds[kind]; ix != nil {
		ix.remove(id)
	}
}

func newIndex(k *catalog.Kind) *index {
	return &index{k: k, full: map[string]snapshot.Record{}, byRef: map[string]string{}}
}

// keys returns the index by natural key of a kind of whole records, made
// on first use, as the index by guid is.
func (ix *index) keys() multi {
	if !ix.keyed {
		ix.keyed, ix.byGUID, ix.byKey = true, newMulti(), newMulti()
		for id, rec := range ix.full {
			ix.keyIndex(id, rec, add)
		}
	}
	return ix.byKey
}

const add, drop = true, false

// index adds the record rec with an id to the indexes by RefField, guid
// and key (once made), or drops it from them.
func (ix *index) index(id string, rec snapshot.Record, adding bool) {
	if ix.k.RefField != "id" {
		if ref := snapshot.Scalar(rec[ix.k.RefField]); ref != "" {
			if adding {
				ix.byRef[ref] = id
			} else if ix.byRef[ref] == id {
				delete(ix.byRef, ref)
			}
		}
	}
	if ix.keyed {
		ix.keyIndex(id, rec, adding)
	}
}

// keyIndex adds the record rec with an id to the indexes by guid and key,
// or drops it from them.
func (ix *index) keyIndex(id string, rec snapshot.Record, adding bool) {
	change := multi.drop
	if adding {
		change = multi.add
	}
	if g := guidOf(rec); g != "" {
		change(ix.byGUID, g, id)
	}
	for _, key := range keysOf(ix.k, rec, false) { // a person under each of its keys
		change(ix.byKey, key, id)
	}
}

// guidOf returns rec's guid as indexed: in lower case.
func guidOf(rec snapshot.Record) string { return strings.ToLower(snapshot.Scalar(rec["guid"])) }

func (ix *index) remove(id string) {
	if ix.sk != nil {
		delete(ix.full, id)
		ix.sk.set(id, gone)
		return
	}
	if old := ix.full[id]; old != nil {
		delete(ix.full, id)
		ix.index(id, old, drop)
	}
}

// get returns the record with an id, or its skeleton; nil when there is none.
func (ix *index) get(id string) snapshot.Record {
	if ix.sk == nil {
		return ix.full[id]
	}
	if at := ix.sk.tab.Find(id); at != nil {
		return ix.read(*at, func() string { return id })
	}
	return nil
}

// at returns the record at a position of sk.
func (ix *index) at(p int) snapshot.Record {
	return ix.read(*ix.sk.tab.Value(p), func() string { id, _ := ix.sk.tab.At(p); return id })
}

// read returns the record an entry of sk says where to find; id names it.
func (ix *index) read(at span, id func() string) snapshot.Record {
	switch at {
	case gone:
		return nil
	case whole:
		return ix.full[id()]
	}
	text := ix.sp.Get(at)
	if text == nil {
		return nil // the file failed: Err says so
	}
	rec, err := snapshot.DecodeRecord(text)
	if err != nil {
		panic(fmt.Sprintf("mapping: a skeleton does not decode: %v", err)) // put wrote it
	}
	return rec
}

// ids returns the ids of the kind's records, in id order.
func (ix *index) ids() []string {
	var out []string
	if ix.sk == nil {
		out = slices.AppendSeq(make([]string, 0, len(ix.full)), maps.Keys(ix.full))
	} else {
		out = make([]string, 0, ix.sk.count())
		for p := range ix.sk.tab.Len() {
			if id, at := ix.sk.tab.At(p); *at != gone {
				out = append(out, id)
			}
		}
	}
	slices.SortFunc(out, snapshot.CompareID)
	return out
}

func (ix *index) len() int {
	if ix.sk == nil {
		return len(ix.full)
	}
	return ix.sk.count()
}

// hashed returns the index of sk x points at, made first when it is not:
// by the texts texts finds in each record.
func (ix *index) hashed(x *hashIndex, texts func(snapshot.Record) []string) hashIndex {
	if *x == nil {
		ix.sk.tab.Sort()
		*x = newHashIndex(ix.sk.tab.Len(), func(p int) []string {
			if rec := ix.at(p); rec != nil {
				return texts(rec)
			}
			return nil
		})
	}
	return *x
}

// lookup returns, sorted by id, the records of sk that x lists under text
// and whose texts (as x was made with) include it.
func (ix *index) lookup(x hashIndex, text string, texts func(snapshot.Record) []string) []snapshot.Record {
	var out []snapshot.Record
	for _, e := range x.at(text) {
		if rec := ix.at(int(e.pos)); rec != nil && slices.Contains(texts(rec), text) {
			out = append(out, rec)
		}
	}
	sortRecords(out)
	return out
}

// The texts the indexes of sk hold of a record.
func (ix *index) refTexts(rec snapshot.Record) []string {
	return nonEmpty(snapshot.Scalar(rec[ix.k.RefField]))
}
func (ix *index) guidTexts(rec snapshot.Record) []string { return nonEmpty(guidOf(rec)) }
func (ix *index) keyTexts(rec snapshot.Record) []string  { return keysOf(ix.k, rec, false) }

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// withKey returns the records with a natural key, sorted by id.
func (ix *index) withKey(key string) []snapshot.Record {
	if ix.sk == nil {
		return ix.sorted(ix.keys().ids(key))
	}
	return ix.lookup(ix.hashed(&ix.sk.key, ix.keyTexts), key, ix.keyTexts)
}

// sharedKeys returns the natural keys two or more records have.
func (ix *index) sharedKeys() []string {
	if ix.sk == nil {
		return slices.Collect(maps.Keys(ix.keys().more))
	}
	var out []string
	for run := range ix.hashed(&ix.sk.key, ix.keyTexts).shared {
		count := map[string]int{}
		for _, e := range run {
			if rec := ix.at(int(e.pos)); rec != nil {
				for _, key := range ix.keyTexts(rec) {
					if hashText(key) == e.h {
						count[key]++
					}
				}
			}
		}
		for key, n := range count {
			if n > 1 {
				out = append(out, key)
			}
		}
	}
	return out
}

// Records returns the records of a kind sorted by id.
func (t *Tenant) Records(kind string) []snapshot.Record {
	ix := t.kinds[kind]
	if ix == nil {
		return nil
	}
	return ix.records(ix.ids())
}

// IDs returns the ids of the records of a kind, in id order.
func (t *Tenant) IDs(kind string) []string {
	if ix := t.kinds[kind]; ix != nil {
		return ix.ids()
	}
	return nil
}

// Len returns how many records of a kind the tenant holds.
func (t *Tenant) Len(kind string) int {
	if ix := t.kinds[kind]; ix != nil {
		return ix.len()
	}
	return 0
}

// ByID returns the record of a kind with an id, or nil.
func (t *Tenant) ByID(kind, id string) snapshot.Record {
	if ix := t.kinds[kind]; ix != nil {
		return ix.get(id)
	}
	return nil
}

// ByRef returns the record that references of a kind point at with the
// text of its RefField (priority's priorityid, every other kind's id), or
// nil. Of records that share it, the last put answers (of skeletons, the
// last by id).
func (t *Tenant) ByRef(kind, ref string) snapshot.Record {
	ix := t.kinds[kind]
	switch {
	case ix == nil:
		return nil
	case ix.k.RefField == "id":
		return ix.get(ref)
	case ix.sk != nil:
		if recs := ix.lookup(ix.hashed(&ix.sk.ref, ix.refTexts), ref, ix.refTexts); len(recs) > 0 {
			return recs[len(recs)-1]
		}
		return nil
	}
	if id, ok := ix.byRef[ref]; ok {
		return ix.get(id)
	}
	return nil
}

// ByKey returns the records of a kind with a natural key, sorted by id.
func (t *Tenant) ByKey(kind, key string) []snapshot.Record {
	if ix := t.kinds[kind]; ix != nil {
		return ix.withKey(key)
	}
	return nil
}

// ByGUID returns the records of a kind with a guid (compared case-insensitively), sorted by id.
func (t *Tenant) ByGUID(kind, guid string) []snapshot.Record {
	ix := t.kinds[kind]
	switch {
	case ix == nil || guid == "":
		return nil
	case ix.sk != nil:
		g := strings.ToLower(guid)
		return ix.lookup(ix.hashed(&ix.sk.guid, ix.guidTexts), g, ix.guidTexts)
	}
	ix.keys()
	return ix.sorted(ix.byGUID.ids(strings.ToLower(guid)))
}

func (ix *index) sorted(ids []string) []snapshot.Record {
	slices.SortFunc(ids, snapshot.CompareID)
	return ix.records(ids)
}

func (ix *index) records(ids []string) []snapshot.Record {
	out := make([]snapshot.Record, len(ids))
	for i, id := range ids {
		out[i] = ix.get(id)
	}
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
