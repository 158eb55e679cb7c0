package halosim

import (
	"fmt"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// refValue is what reference r holds to point at target, a record of kind tk.
func refValue(r catalog.Ref, target snapshot.Record, tk *catalog.Kind) any {
	return r.Value(snapshot.Scalar(target[tk.RefField]))
}

// lookup finds a record of a kind by the text of its RefField.
type lookup func(kind, key string) snapshot.Record

// indexRecords indexes records by kind and RefField text.
func indexRecords(recs map[string][]snapshot.Record) lookup {
	idx := map[string]map[string]snapshot.Record{}
	for _, k := range catalog.Kinds() {
		m := map[string]snapshot.Record{}
		for _, r := range recs[k.Name] {
			m[snapshot.Scalar(r[k.RefField])] = r
		}
		idx[k.Name] = m
	}
	return func(kind, key string) snapshot.Record { return idx[kind][key] }
}

// fillPartners recomputes what Halo derives from a record's references: the
// owner back-references of nested rows, and the *_guid and *_name partners of
// every internal reference (null and "" when the reference is empty).
// References to missing records keep whatever partners they carry.
func fillPartners(rec snapshot.Record, k *catalog.Kind, find lookup) {
	for _, r := range k.Refs {
		if r.OwnerRow != "" { // the id of the row that holds it
			idf := k.RowIDField(r.OwnerRow)
			hs, leaf := r.RowHolders(rec)
			for _, h := range hs {
				h.Holder[leaf] = h.Row[idf]
			}
			continue
		}
		if r.Owner { // also where a write left it out
			hs, leaf := r.Holders(rec)
			for _, h := range hs {
				h[leaf] = refValue(r, rec, k)
			}
		}
	}
	for _, sl := range k.Slots(rec) {
		r := sl.Ref
		if sl.External || r.Owner {
			continue
		}
		key, none, err := sl.IDText()
		if err != nil {
			continue
		}
		var guid, name any = nil, ""
		if !none {
			t, tname := target(sl, key, find)
			if t == nil {
				continue
			}
			guid, name = t["guid"], tname
		}
		if r.GUID != "" {
			sl.Holder[catalog.Leaf(r.GUID)] = guid
		}
		if r.Name != "" {
			sl.Holder[catalog.Leaf(r.Name)] = name
		}
	}
}

// target finds what an internal reference points at: a record, or the row
// of a record (Ref.Row), and its display name; nil when it is missing.
func target(sl catalog.Slot, key string, find lookup) (map[string]any, any) {
	tk := catalog.MustLookup(sl.Target)
	if sl.Ref.Row == "" {
		if t := find(sl.Target, key); t != nil {
			return t, t[tk.DisplayField()]
		}
		return nil, nil
	}
	in, _, _ := sl.In()
	if rec := find(sl.Target, in); rec != nil {
		if row := catalog.RowByID(rec, sl.Ref.Row, key); row != nil {
			return row, tk.RowKey(sl.Ref.Row, row)
		}
	}
	return nil, nil
}

// CheckReferences verifies that records are a consistent tenant: every
// internal reference (catalog Refs with External false) is empty (0, -1,
// null) or points at an existing record of its target kind by the target's
// RefField (or at an existing row of it); *_guid and *_name partners of
// non-empty references equal the target's guid and display name; owner
// back-references equal the record's own id. It returns one error per
// problem, in catalog order.
func CheckReferences(recs map[string][]snapshot.Record) []error {
	find := indexRecords(recs)
	var errs []error
	for _, k := range catalog.Kinds() {
		for _, rec := range recs[k.Name] {
			errs = append(errs, checkRecord(rec, k, find)...)
		}
	}
	return errs
}

func checkRecord(rec snapshot.Record, k *catalog.Kind, find lookup) []error {
	var errs []error
	bad := func(field string, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s %s: %s: %s", k.Name, rec.ID(), field, fmt.Sprintf(format, a...)))
	}
	own := snapshot.Scalar(rec[k.RefField])
	for _, sl := range k.Slots(rec) {
		if sl.External {
			continue
		}
		r := sl.Ref
		key, none, err := sl.IDText()
		switch {
		case err != nil:
			bad(r.Field, "%v", err)
			continue
		case none:
			continue
		case r.OwnerRow != "":
			continue // checked below, row by row
		case r.Owner:
			if key != own {
				bad(r.Field, "owner reference %s, want the record's own %s %s", key, k.RefField, own)
			}
			continue
		}
		t, name := target(sl, key, find)
		if t == nil {
			tk := catalog.MustLookup(sl.Target)
			if r.Row != "" {
				in, _, _ := sl.In()
				bad(r.Field, "no %s row %s in %s %s (%s)", r.Row, key, sl.Target, in, r.In)
			} else {
				bad(r.Field, "no %s with %s %s", sl.Target, tk.RefField, key)
			}
			continue
		}
		if r.GUID != "" && !snapshot.Same(sl.Holder[catalog.Leaf(r.GUID)], t["guid"]) {
			bad(r.GUID, "%v, want %s %s's guid %v", sl.Holder[catalog.Leaf(r.GUID)], sl.Target, key, t["guid"])
		}
		if r.Name != "" && !snapshot.Same(sl.Holder[catalog.Leaf(r.Name)], name) {
			bad(r.Name, "%q, want %s %s's name %q", sl.Holder[catalog.Leaf(r.Name)], sl.Target, key, name)
		}
	}
	for _, r := range k.Refs {
		if r.OwnerRow == "" {
			continue
		}
		idf := k.RowIDField(r.OwnerRow)
		hs, leaf := r.RowHolders(rec)
		for _, h := range hs {
			if got, want := snapshot.Scalar(h.Holder[leaf]), snapshot.Scalar(h.Row[idf]); got != want {
				bad(r.Field, "row back-reference %s, want the id %s of its %s row", got, want, r.OwnerRow)
			}
		}
	}
	return errs
}

// CheckNaturalKeys reports records of a kind that share a natural key.
func CheckNaturalKeys(recs map[string][]snapshot.Record) []error {
	var errs []error
	for _, k := range catalog.Kinds() {
		seen := map[string]string{}
		for _, rec := range recs[k.Name] {
			key := naturalKey(rec, k)
			if id, dup := seen[key]; dup {
				errs = append(errs, fmt.Errorf("%s %s and %s share the natural key %s", k.Name, id, rec.ID(), key))
			}
			seen[key] = rec.ID()
		}
	}
	return errs
}

func naturalKey(rec snapshot.Record, k *catalog.Kind) string {
	parts := make([]string, len(k.NaturalKey))
	for i, f := range k.NaturalKey {
		parts[i] = f + "=" + snapshot.Scalar(rec[f])
	}
	return strings.Join(parts, ",")
}
