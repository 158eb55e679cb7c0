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
	for _, r := range k.InternalRefs() {
		hs, leaf := r.Holders(rec)
		tk, _ := catalog.Lookup(r.Target)
		for _, h := range hs {
			if r.Owner {
				h[leaf] = refValue(r, rec, k)
				continue
			}
			key, none, err := r.IDText(h[leaf])
			if err != nil {
				continue
			}
			var guid, name any = nil, ""
			if !none {
				t := find(r.Target, key)
				if t == nil {
					continue
				}
				guid, name = t["guid"], t[tk.DisplayField()]
			}
			if r.GUID != "" {
				h[catalog.Leaf(r.GUID)] = guid
			}
			if r.Name != "" {
				h[catalog.Leaf(r.Name)] = name
			}
		}
	}
}

// CheckReferences verifies that records are a consistent tenant: every
// internal reference (catalog Refs with External false) is empty (0, -1,
// null) or points at an existing record of its target kind by the target's
// RefField; *_guid and *_name partners of non-empty references equal the
// target's guid and display name; owner back-references equal the record's
// own id. It returns one error per problem, in catalog order.
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
	for _, r := range k.InternalRefs() {
		hs, leaf := r.Holders(rec)
		tk, _ := catalog.Lookup(r.Target)
		for _, h := range hs {
			v, ok := h[leaf]
			if !ok {
				continue
			}
			key, none, err := r.IDText(v)
			switch {
			case err != nil:
				bad(r.Field, "%v", err)
				continue
			case none:
				continue
			case r.Owner:
				if key != own {
					bad(r.Field, "owner reference %s, want the record's own %s %s", key, k.RefField, own)
				}
				continue
			}
			t := find(r.Target, key)
			if t == nil {
				bad(r.Field, "no %s with %s %s", r.Target, tk.RefField, key)
				continue
			}
			if r.GUID != "" && !snapshot.Same(h[catalog.Leaf(r.GUID)], t["guid"]) {
				bad(r.GUID, "%v, want %s %s's guid %v", h[catalog.Leaf(r.GUID)], r.Target, key, t["guid"])
			}
			if r.Name != "" && !snapshot.Same(h[catalog.Leaf(r.Name)], t[tk.DisplayField()]) {
				bad(r.Name, "%q, want %s %s's %s %q", h[catalog.Leaf(r.Name)], r.Target, key, tk.DisplayField(), t[tk.DisplayField()])
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
