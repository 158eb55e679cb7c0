// Package diff compares the configuration of two snapshots (or tenants)
// without regard to ids: records are paired by guid or natural key
// (mapping.Match), references are compared by the natural key of the record
// they point at (mapping.Tenant.Neutral), and fields that change without
// anyone changing the configuration are left out (catalog Kind.Derived).
package diff

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/internal/idtab"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// Op is what happened to a record between A and B.
type Op string

const (
	Added   Op = "added"   // only in B
	Removed Op = "removed" // only in A
	Changed Op = "changed" // in both, different
)

// Field is one difference inside a record. Path is "colour", "x.limit",
// "steps[2].name". Arrays of references are compared as sets: their
// elements are named by the record they point at,
// "allowed_status[status:Closed].seq", or, when they cannot be, "steps[]".
type Field struct {
	Path          string
	Before, After any  // decoded JSON values; references as "status:Open"
	NoBefore      bool // the field is absent in A
	NoAfter       bool // the field is absent in B
	// Member marks an element of a set array that only one side holds.
	Member bool
}

// Change is one record that differs.
type Change struct {
	Kind string
	Key  string // natural key, or "#id" for a record without one
	Op   Op
	IDA  string // the record's id in A ("" when added)
	IDB  string // the record's id in B ("" when removed)
	// Note says why a record was not paired with a record of the same key:
	// several records share it.
	Note   string
	Fields []Field // for Changed
}

// KindSummary counts one kind's records and differences.
type KindSummary struct {
	Kind                    string
	A, B                    int // records on each side
	Added, Removed, Changed int
}

// Result is the comparison of A with B.
type Result struct {
	A, B    string // labels for people: a path, or "live (URL)"
	Kinds   []KindSummary
	OnlyA   []string // kinds only A holds (B was exported without them)
	OnlyB   []string
	Changes []Change // in catalog kind order, then by key
}

// Equal reports whether A and B hold the same configuration.
func (r *Result) Equal() bool { return len(r.Changes) == 0 && len(r.OnlyA) == 0 && len(r.OnlyB) == 0 }

// Totals sums the differences of every kind.
func (r *Result) Totals() (added, removed, changed int) {
	for _, k := range r.Kinds {
		added += k.Added
		removed += k.Removed
		changed += k.Changed
	}
	return
}

// Ignored says in words which fields diff does not compare, for --help
// and docs: each record's id, guid and RefField (priority's priorityid),
// and what Halo derives or numbers by itself (catalog Kind.Derived, which
// the importer uses too: an import updates a record exactly when diff
// reports it changed).
func Ignored() string {
	return "each record's id, guid and priority's priorityid; what Halo derives or numbers by itself: " + catalog.DerivedRules()
}

// Compare compares the records of A and B, kind by kind.
//
// References to people (agents, teams ...) compare by the person's key
// when both sides hold that directory, else by id, on both sides alike.
//
// It fails only when the temporary file of the records' skeletons does
// (mapping.Tenant.Err).
func Compare(a, b map[string][]snapshot.Record) (*Result, error) {
	return CompareSources(memory(a), memory(b))
}

// memory is a source of records held in memory.
func memory(recs map[string][]snapshot.Record) formats.Source {
	return formats.FromSnapshot(&snapshot.Snapshot{Records: recs})
}

// CompareSources compares A and B as Compare does, reading each side one
// record at a time (issue 12), in three passes over both sides at once:
//
//  1. keep of every record only what pairing and references need (its
//     skeleton, mapping.Skeleton), and pair the records;
//  2. keep of every paired record the digest of its neutral form (normal),
//     which the comparison looks at, and in full the records whose natural
//     key both sides share while one holds it more than once
//     (mapping.Contested): pairing tells those apart by their other fields;
//  3. read again only the records of pairs whose digests differ, and
//     compare them in full, a kind at a time.
//
// What it holds grows with the number of records by their skeletons and
// digests, and with the differences by the records that differ: a
// snapshot compared with an unchanged copy is read twice, never held.
func CompareSources(a, b formats.Source) (*Result, error) {
	sa, sb := &side{src: a, name: "A"}, &side{src: b, name: "B"}
	defer sa.close()
	defer sb.close()
	if err := both(sa.skeletons, sb.skeletons); err != nil {
		return nil, err
	}
	if err := tenantErr(sa, sb); err != nil {
		return nil, err
	}
	sharedPeople(sa.t, sb.t)
	match, _ := mapping.Match(sa.t, sb.t, nil, nil) // what cannot be paired stays unpaired

	r := &Result{}
	kinds := map[string]bool{} // kinds both hold
	for _, k := range catalog.Kinds() {
		inA, inB := sa.t.Has(k.Name), sb.t.Has(k.Name)
		switch {
		case inA && !inB:
			r.OnlyA = append(r.OnlyA, k.Name)
		case inB && !inA:
			r.OnlyB = append(r.OnlyB, k.Name)
		case inA:
			kinds[k.Name] = true
		}
	}
	for kind := range kinds {
		sa.contest(kind, mapping.Contested(sb.t, sa.t, kind))
		sb.contest(kind, mapping.Contested(sa.t, sb.t, kind))
	}
	sa.t.DropKeys() // made again for the kinds with contested keys, or records not paired
	sb.t.DropKeys()
	// Only paired records are compared: the others need no digest. The
	// pairs of a kind whose digests differ are listed as soon as both sides
	// have read it, and its digests dropped: what is held is a kind or two
	// of digests, not every record's (issue 12).
	sa.paired = func(kind, id string) bool { _, ok := match.Get(kind, id); return ok }
	sb.paired = func(kind, id string) bool { _, ok := match.Source(kind, id); return ok }
	matches := map[string]*mapping.Matching{}
	contested := map[string][2]kindSums{}
	err := zip(sa, sb, kinds, func(s *side, send func(string, kindSums) error) error {
		return s.digests(kinds, send)
	}, func(kind string, da, db kindSums) error {
		matches[kind] = match
		if len(da.full) > 0 || len(db.full) > 0 {
			contested[kind] = [2]kindSums{da, db}
		} else {
			differ(kind, match, sa, sb, da.sums, db.sums)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Pair again the kinds with contested keys, their contested records in
	// full, then list the pairs whose digests differ.
	for kind, d := range contested {
		undo := append(sa.put(kind, d[0].full), sb.put(kind, d[1].full)...)
		matches[kind], _ = mapping.Match(sa.t, sb.t, nil, nil)
		for _, u := range undo {
			u()
		}
		differ(kind, matches[kind], sa, sb, d[0].sums, d[1].sums)
	}
	contested = nil

	done := map[string]kindResult{}
	for kind := range kinds {
		if len(sa.needed[kind]) == 0 {
			done[kind] = compareKind(catalog.MustLookup(kind), sa.t, sb.t, matches[kind], nil, nil)
		}
	}
	needed := map[string]bool{}
	for kind := range sa.needed {
		needed[kind] = true
	}
	err = zip(sa, sb, needed, (*side).held, func(kind string, ha, hb map[string]snapshot.Record) error {
		done[kind] = compareKind(catalog.MustLookup(kind), sa.t, sb.t, matches[kind], ha, hb)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := tenantErr(sa, sb); err != nil {
		return nil, err // what was compared may have missed skeletons
	}
	for _, k := range catalog.Kinds() {
		if kr, ok := done[k.Name]; ok {
			r.Kinds = append(r.Kinds, kr.sum)
			r.Changes = append(r.Changes, kr.changes...)
		}
	}
	return r, nil
}

// tenantErr is the first failure of the sides' tenants (mapping.Tenant.Err),
// named by side.
func tenantErr(sides ...*side) error {
	for _, s := range sides {
		if err := s.t.Err(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

// close lets go of the side's tenant.
func (s *side) close() {
	if s.t != nil {
		s.t.Close()
	}
}

// both runs a and b side by side, and returns the first error.
func both(a, b func() error) error {
	var errB error
	var wg sync.WaitGroup
	wg.Go(func() { errB = b() })
	errA := a()
	wg.Wait()
	return cmp.Or(errA, errB)
}

// side is one of the snapshots compared, as far as it is held.
type side struct {
	src  formats.Source
	name string          // "A", "B": for errors
	t    *mapping.Tenant // the skeletons of every record (mapping.Tenant.PutSkeleton)
	// contested lists, by kind, the ids of the records pairing needs in
	// full.
	contested map[string]map[string]bool
	paired    func(kind, id string) bool // whether a record of the side is paired
	needed    map[string]map[string]bool // the records that differ, by kind
}

// kindSums is what the second pass keeps of a kind of a side: the digests
// of its paired and contested records, and the contested records in full.
type kindSums struct {
	sums *sums
	full map[string]snapshot.Record
}

// sum is the digest of a record's neutral form (snapshot.Digest): equal
// exactly when the forms are.
type sum = [sha256.Size]byte

// sums are the digests of a kind's records, by id: 40 bytes a record,
// where a map took three times that (issue 12).
type sums = idtab.Table[sum]

// skeletons reads every kind of the side and keeps of each record its
// skeleton, in the side's tenant.
func (s *side) skeletons() error {
	s.t = mapping.NewTenant(nil)
	return s.src.Kinds(func(kind string, recs formats.Records) error {
		if !s.t.AddKind(kind) {
			return nil
		}
		return recs(func(rec snapshot.Record) error {
			s.t.PutSkeleton(kind, rec)
			return nil
		})
	})
}

func (s *side) contest(kind string, recs []snapshot.Record) {
	for _, rec := range recs {
		mark(&s.contested, kind, rec.ID())
	}
}

// mark adds id to the ids of kind in set.
func mark(set *map[string]map[string]bool, kind, id string) {
	if *set == nil {
		*set = map[string]map[string]bool{}
	}
	if (*set)[kind] == nil {
		(*set)[kind] = map[string]bool{}
	}
	(*set)[kind][id] = true
}

// digests reads the side's records of kinds again and hands send, a kind
// at a time, the digest of the neutral form of each one that is paired or
// contested, and the contested records in full.
func (s *side) digests(kinds map[string]bool, send func(string, kindSums) error) error {
	return s.src.Kinds(func(kind string, recs formats.Records) error {
		contested := s.contested[kind]
		if !kinds[kind] {
			return nil
		}
		k := catalog.MustLookup(kind)
		lv := levels(k)
		d := kindSums{&sums{}, map[string]snapshot.Record{}}
		d.sums.Grow(s.t.Len(kind))
		err := recs(func(rec snapshot.Record) error {
			id := rec.ID()
			if s.paired(kind, id) || contested[id] {
				d.sums.Add(id, snapshot.Digest(normal(s.t, k, lv, rec)))
			}
			if contested[id] {
				d.full[id] = rec
			}
			return nil
		})
		if err != nil {
			return err
		}
		// A paired record without a digest would pass for unchanged.
		for _, id := range s.t.IDs(kind) {
			if s.paired(kind, id) && d.sums.Find(id) == nil {
				return fmt.Errorf("%s %s: not in %s when read again", kind, id, s.name)
			}
		}
		return send(kind, d)
	})
}

// differ marks the pairs of kind (as match pairs them) whose digests, da of
// a's records and db of b's, differ: they are read again and compared.
func differ(kind string, match *mapping.Matching, a, b *side, da, db *sums) {
	for p := range da.Len() {
		id, sa := da.At(p)
		if pr, ok := match.Get(kind, id); ok {
			if sb := db.Find(pr.TargetID); sb == nil || *sa != *sb {
				mark(&a.needed, kind, id)
				mark(&b.needed, kind, pr.TargetID)
			}
		}
	}
}

// put puts the side's contested records of kind in full (full) into its
// tenant, and returns what puts their skeletons back.
func (s *side) put(kind string, full map[string]snapshot.Record) []func() {
	var undo []func()
	for id, rec := range full {
		if sk := s.t.ByID(kind, id); sk != nil {
			undo = append(undo, func() { s.t.PutSkeleton(kind, sk) })
		}
		s.t.Put(kind, rec)
	}
	return undo
}

// held reads the side's records again, and hands send each kind's records
// that it needs (those that differ), one kind at a time.
func (s *side) held(send func(string, map[string]snapshot.Record) error) error {
	return s.src.Kinds(func(kind string, recs formats.Records) error {
		need := s.needed[kind]
		if len(need) == 0 {
			return nil
		}
		out := make(map[string]snapshot.Record, len(need))
		err := recs(func(rec snapshot.Record) error {
			if id := rec.ID(); need[id] {
				out[id] = rec
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(out) != len(need) { // the snapshot changed since it was first read
			return fmt.Errorf("%s: %s holds %d of the %d records that differ, read again", kind, s.name, len(out), len(need))
		}
		return send(kind, out)
	})
}

var errStop = errors.New("stopped")

// zip runs read on sides a and b at once, each handing send what it keeps
// of a kind, and calls fn with both sides' of each kind of want, once both
// have sent it: a kind of each side is held at a time, or more when one
// side reads its kinds in another order (sheets reordered by hand). It
// fails when a kind of want does not come from both.
func zip[T any](a, b *side, want map[string]bool, read func(s *side, send func(string, T) error) error, fn func(kind string, va, vb T) error) error {
	if len(want) == 0 {
		return nil
	}
	type item struct {
		kind string
		v    T
	}
	feeds := [2]chan item{make(chan item), make(chan item)}
	errs := [2]error{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range [2]*side{a, b} {
		wg.Go(func() {
			defer close(feeds[i])
			errs[i] = read(s, func(kind string, v T) error {
				select {
				case feeds[i] <- item{kind, v}:
					return nil
				case <-stop:
					return errStop
				}
			})
		})
	}
	left := maps.Clone(want)
	var failed error
	fail := func(err error) {
		if failed == nil {
			failed = err
			close(stop)
		}
	}
	early := [2]map[string]T{{}, {}}
	for open := 2; open > 0; {
		var it item
		var ok bool
		from := 0
		select {
		case it, ok = <-feeds[0]:
		case it, ok = <-feeds[1]:
			from = 1
		}
		if !ok {
			feeds[from] = nil // a nil channel is never ready: read the other
			open--
			if errs[from] != nil {
				fail(errs[from])
			}
			continue
		}
		if !left[it.kind] || failed != nil {
			continue
		}
		early[from][it.kind] = it.v
		va, inA := early[0][it.kind]
		vb, inB := early[1][it.kind]
		if !inA || !inB {
			continue
		}
		delete(early[0], it.kind)
		delete(early[1], it.kind)
		delete(left, it.kind)
		if err := fn(it.kind, va, vb); err != nil {
			fail(err)
		}
	}
	wg.Wait()
	if failed == nil && len(left) > 0 {
		failed = fmt.Errorf("%s: not found when the snapshots were read again", slices.Sorted(maps.Keys(left))[0])
	}
	return failed
}

// sharedPeople drops from each of a and b the directories of pair-only
// kinds the other lacks.
func sharedPeople(a, b *mapping.Tenant) {
	for _, k := range catalog.Stored() {
		if _, people := catalog.LookupPairOnly(k.Name); people && a.Has(k.Name) != b.Has(k.Name) {
			a.DropKind(k.Name)
			b.DropKind(k.Name)
		}
	}
}

// compareBatch is how many paired records are rendered neutral at once.
const compareBatch = 256

// kindResult is the comparison of one kind.
type kindResult struct {
	sum     KindSummary
	changes []Change
}

// compareKind compares the records of kind k of ta and tb (skeletons),
// paired by match. Of pairs, only those whose records ha (A's, by id) and
// hb (B's) hold in full are compared: the others are the same.
func compareKind(k *catalog.Kind, ta, tb *mapping.Tenant, match *mapping.Matching, ha, hb map[string]snapshot.Record) kindResult {
	sum := KindSummary{Kind: k.Name, A: ta.Len(k.Name), B: tb.Len(k.Name)}
	var changes []Change
	lv := levels(k)
	shared := func(key string) string {
		na, nb := len(ta.ByKey(k.Name, key)), len(tb.ByKey(k.Name, key))
		if na < 2 && nb < 2 {
			return ""
		}
		return fmt.Sprintf("%d records in A and %d in B have this key; they are not paired by guess", na, nb)
	}
	var pa, pb []snapshot.Record // paired records, compared a batch at a time
	var ka []string              // their keys
	compare := func() {
		na, nb := make([]map[string]any, len(pa)), make([]map[string]any, len(pb))
		var wg sync.WaitGroup // each side's neutral forms on a core of its own
		wg.Go(func() {
			for i, rb := range pb {
				nb[i] = normal(tb, k, lv, rb)
			}
		})
		for i, ra := range pa {
			na[i] = normal(ta, k, lv, ra)
		}
		wg.Wait()
		for i, ra := range pa {
			if fs := fields("", na[i], nb[i], true, true, lv); len(fs) > 0 {
				changes = append(changes, Change{Kind: k.Name, Key: ka[i], Op: Changed, IDA: ra.ID(), IDB: pb[i].ID(), Fields: fs})
				sum.Changed++
			}
		}
		pa, pb, ka = pa[:0], pb[:0], ka[:0]
	}
	// Records are named by their keys, which their skeletons hold.
	for _, id := range ta.IDs(k.Name) {
		p, ok := match.Get(k.Name, id)
		if !ok {
			ka := key(k, ta.ByID(k.Name, id))
			changes = append(changes, Change{Kind: k.Name, Key: ka, Op: Removed, IDA: id, Note: shared(ka)})
			sum.Removed++
			continue
		}
		full, differs := ha[id]
		if !differs {
			continue
		}
		pa, pb, ka = append(pa, full), append(pb, hb[p.TargetID]), append(ka, key(k, ta.ByID(k.Name, id)))
		if len(pa) == compareBatch {
			compare()
		}
	}
	compare()
	for _, id := range tb.IDs(k.Name) {
		if _, ok := match.Source(k.Name, id); !ok {
			kb := key(k, tb.ByID(k.Name, id))
			changes = append(changes, Change{Kind: k.Name, Key: kb, Op: Added, IDB: id, Note: shared(kb)})
			sum.Added++
		}
	}
	sort.SliceStable(changes, func(i, j int) bool {
		if changes[i].Key != changes[j].Key {
			return changes[i].Key < changes[j].Key
		}
		return changes[i].Op > changes[j].Op // removed before added
	})
	return kindResult{sum, changes}
}

func key(k *catalog.Kind, rec snapshot.Record) string {
	if s, ok := mapping.Key(k, rec); ok {
		return s
	}
	return "#" + rec.ID()
}

// normal is rec as diff compares it: neutral (no ids, references by natural
// key, nothing Halo derives).
func normal(t *mapping.Tenant, k *catalog.Kind, lv level, rec snapshot.Record) map[string]any {
	raw := rec
	if lv.hasCopies() {
		raw = rec.Clone()
		for top, sa := range lv {
			arr, _ := raw[top].([]any)
			for i, e := range arr {
				if m, ok := e.(map[string]any); ok && sa.copyOf != nil {
					n := t.Neutral(sa.copyOf, snapshot.Record(m))
					for _, f := range outerFields(k, top) {
						if v, ok := m[f]; ok {
							n[f] = v // the outer Neutral renders it
						}
					}
					arr[i] = map[string]any(n)
				}
			}
		}
	}
	return map[string]any(t.Neutral(k, raw))
}

// outerFields lists the fields of the copies in k's array top that hold
// references k declares itself (a SLA's priorities[].priorityid and
// priorities[].workdaysoverride): those are rendered once, by k's Neutral.
func outerFields(k *catalog.Kind, top string) []string {
	var out []string
	for _, r := range k.Refs {
		if p := r.Path(); len(p) > 1 && p[0] == top+"[]" {
			out = append(out, strings.TrimSuffix(p[1], "[]"))
		}
	}
	return out
}

// level describes the arrays of references directly under an object (a
// record, or an element of such an array). What they hold matters, not the
// order Halo lists it in, which follows ids.
type level map[string]setArray

type setArray struct {
	// leaf names an element by the record it points at: the first internal
	// reference of the array that is not an owner back-reference ("" when
	// there is none): "status_id" for allowed_status.
	leaf string
	// copyOf is set when each element is a copy of a whole record of that
	// kind (a SLA's priorities, a workflow's always_allow_actions); elem
	// then describes the element's own arrays.
	copyOf *catalog.Kind
	elem   level
}

func (lv level) hasCopies() bool {
	for _, sa := range lv {
		if sa.copyOf != nil {
			return true
		}
	}
	return false
}

// levels returns the arrays of references of k's records.
func levels(k *catalog.Kind) level {
	schema, _ := catalog.Schema(k.Schema)
	lv := level{}
	for _, r := range k.Refs {
		if !r.Nested() || !strings.HasSuffix(r.Path()[0], "[]") {
			continue
		}
		sa := lv[r.Top()]
		if sa.leaf == "" && !r.Owner && !r.External && len(r.Path()) == 2 {
			sa.leaf = r.Path()[1]
			tk, _ := catalog.Lookup(r.Target)
			for _, f := range schema {
				if f.Name == r.Top() && f.Ref == tk.Schema && tk != k {
					sa.copyOf, sa.elem = tk, levels(tk)
				}
			}
		}
		lv[r.Top()] = sa
	}
	return lv
}

// fields lists the differences between a and b at path; lv describes the
// arrays of references directly under a and b when they are objects.
func fields(path string, a, b any, aok, bok bool, lv level) []Field {
	if aok && bok && snapshot.Same(a, b) {
		return nil
	}
	whole := []Field{{Path: path, Before: a, After: b, NoBefore: !aok, NoAfter: !bok}}
	if !aok || !bok {
		return whole
	}
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return whole
		}
		var out []Field
		for _, f := range unionKeys(a, bm) {
			va, oka := a[f]
			vb, okb := bm[f]
			aa, isA := va.([]any)
			ab, isB := vb.([]any)
			if sa, ok := lv[f]; ok && isA && isB && !snapshot.Same(va, vb) {
				out = append(out, setFields(join(path, f), aa, ab, sa)...)
				continue
			}
			out = append(out, fields(join(path, f), va, vb, oka, okb, nil)...)
		}
		return out
	case []any:
		ba, ok := b.([]any)
		if !ok || len(a) != len(ba) {
			return whole
		}
		return positional(path, a, ba, nil)
	}
	return whole
}

func positional(path string, a, b []any, lv level) []Field {
	var out []Field
	for i := range a {
		out = append(out, fields(path+"["+strconv.Itoa(i)+"]", a[i], b[i], true, true, lv)...)
	}
	return out
}

// setFields compares two arrays of references as sets. When every element
// of both names a distinct target by the leaf ("status:Closed"), elements
// are paired by it and compared field by field at path[status:Closed].
// Otherwise the arrays are compared as multisets of whole elements: those
// only A holds at path[], and those only B holds; when there are as many of
// each, each of A's is paired with its closest counterpart in B and compared
// field by field at path[its index in A].
func setFields(path string, a, b []any, sa setArray) []Field {
	ka, okA := keyed(a, sa.leaf)
	kb, okB := keyed(b, sa.leaf)
	if okA && okB {
		var out []Field
		for _, k := range unionKeys(ka, kb) {
			ea, ina := ka[k]
			eb, inb := kb[k]
			p := path + "[" + k + "]"
			if ina && inb {
				out = append(out, fields(p, ea, eb, true, true, sa.elem)...)
			} else {
				out = append(out, Field{Path: p, Before: ea, After: eb, NoBefore: !ina, NoAfter: !inb, Member: true})
			}
		}
		return out
	}
	// Elements on both sides cancel out; what remains is paired, when as
	// many remain on each side, each with its closest counterpart.
	count := map[string]int{}
	for _, x := range b {
		count[string(snapshot.Canonical(x))]++
	}
	var onlyA []int // indexes in a
	for i, x := range a {
		if c := string(snapshot.Canonical(x)); count[c] > 0 {
			count[c]--
		} else {
			onlyA = append(onlyA, i)
		}
	}
	var onlyB []any
	for _, x := range b {
		if c := string(snapshot.Canonical(x)); count[c] > 0 {
			count[c]--
			onlyB = append(onlyB, x)
		}
	}
	var out []Field
	if len(onlyA) == len(onlyB) {
		sort.SliceStable(onlyB, func(i, j int) bool {
			return string(snapshot.Canonical(onlyB[i])) < string(snapshot.Canonical(onlyB[j]))
		})
		used := make([]bool, len(onlyB))
		for _, i := range onlyA {
			var best []Field
			bj := -1
			for j, x := range onlyB {
				if used[j] {
					continue
				}
				if fs := fields(path+"["+strconv.Itoa(i)+"]", a[i], x, true, true, sa.elem); bj < 0 || len(fs) < len(best) {
					best, bj = fs, j
				}
			}
			used[bj] = true
			out = append(out, best...)
		}
		return out
	}
	for _, i := range onlyA {
		out = append(out, Field{Path: path + "[]", Before: a[i], NoAfter: true, Member: true})
	}
	for _, x := range onlyB {
		out = append(out, Field{Path: path + "[]", After: x, NoBefore: true, Member: true})
	}
	return out
}

// keyed indexes the elements of a set array by the text at leaf, and fails
// unless every element has a distinct one.
func keyed(arr []any, leaf string) (map[string]any, bool) {
	if leaf == "" {
		return nil, false
	}
	out := make(map[string]any, len(arr))
	for _, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		k, ok := m[leaf].(string)
		if _, dup := out[k]; !ok || k == "" || dup {
			return nil, false
		}
		out[k] = e
	}
	return out, true
}

func join(path, f string) string {
	if path == "" {
		return f
	}
	return path + "." + f
}

func unionKeys(a, b map[string]any) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
