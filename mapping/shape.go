package mapping

import (
	"encoding/json"
	"math/big"
	"strconv"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Comparable returns a copy of rec, a record of kind k, without what Halo
// derives or numbers on its own (catalog Kind.Derived: the *_guid and *_name
// partners of references, owner back-references, the ids of nested rows,
// counters, computed flags, guids ...), so that a record rewritten for the
// target and the target's own record compare equal exactly when an update
// would change nothing; numbers are written in one form (72.0 is 72). The
// record's own id and references stay.
func Comparable(k *catalog.Kind, rec snapshot.Record) snapshot.Record {
	out := rec.Clone()
	k.StripDerived(out)
	normalize(out)
	return out
}

// normalize writes numbers in one form, so that 72.0 and 72, or 1E-07 and
// 0.0000001, compare equal: Halo may send a value back in another spelling
// than it was given.
func normalize(v any) {
	switch v := v.(type) {
	case snapshot.Record:
		normalize(map[string]any(v))
	case map[string]any:
		for k, x := range v {
			if n, ok := x.(json.Number); ok {
				v[k] = canonNumber(n)
			} else {
				normalize(x)
			}
		}
	case []any:
		for i, x := range v {
			if n, ok := x.(json.Number); ok {
				v[i] = canonNumber(n)
			} else {
				normalize(x)
			}
		}
	}
}

func canonNumber(n json.Number) json.Number {
	if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
		return n
	}
	f, _, err := big.ParseFloat(n.String(), 10, 256, big.ToNearestEven)
	if err != nil {
		return n
	}
	return json.Number(f.Text('g', -1))
}

// RefKey renders the value v of reference r, as held by a record of t, as
// the natural key of the record it points at: "status:Open",
// "category:1/Hardware". Empty references ("", "0", null, -1) render as "";
// a reference to a record t lacks as "status#999"; an external reference as
// "agent#4". Two tenants' records can so be compared without their ids.
func (t *Tenant) RefKey(r catalog.Ref, v any) string {
	_, isKind := catalog.Lookup(r.Target)
	return t.SlotKey(catalog.Slot{Ref: r, Holder: map[string]any{"v": v}, Leaf: "v", Target: r.Target, External: !isKind})
}

// SlotKey is RefKey of a value as Slots found it. A reference to a row of a
// record (a custom field's value) renders as the record's key and the row's:
// "customfield:Department/values:Sales".
func (t *Tenant) SlotKey(sl catalog.Slot) string {
	text, none, err := sl.IDText()
	switch {
	case err != nil:
		return sl.Target + "#" + snapshot.Scalar(sl.Get())
	case none:
		return ""
	case sl.External:
		if t.HasPeople(sl.Target) { // a person by its key: "agent:email ana@example.com"
			if rec := t.ByID(sl.Target, text); rec != nil {
				if key, ok := Key(catalog.MustLookupStored(sl.Target), rec); ok {
					return sl.Target + ":" + key
				}
			}
		}
		return sl.Target + "#" + text
	}
	tk := catalog.MustLookup(sl.Target)
	if row := sl.Ref.Row; row != "" {
		in, _, _ := sl.In()
		if rec := t.ByRef(tk.Name, in); rec != nil {
			key, ok := Key(tk, rec)
			if rk := tk.RowKey(row, catalog.RowByID(rec, row, text)); ok && rk != "" {
				return tk.Name + ":" + key + "/" + row + ":" + rk
			}
		}
		return tk.Name + "#" + in + "/" + row + "#" + text
	}
	if rec := t.ByRef(tk.Name, text); rec != nil {
		if key, ok := Key(tk, rec); ok {
			return tk.Name + ":" + key
		}
	}
	return tk.Name + "#" + text
}

// Neutral returns rec, a record of kind k held by t, in a form that
// compares equal across tenants exactly when the records mean the same:
// Comparable, without the record's own id, RefField and guid, and with
// every internal reference replaced by its RefKey (an empty one by null),
// and so every reference to a person of a directory t holds (HasPeople).
// diff uses it to compare two tenants; the import tests use it to check
// that the target now says what the source said.
func (t *Tenant) Neutral(k *catalog.Kind, rec snapshot.Record) snapshot.Record {
	out := rec.Clone()
	from, to := k.Slots(rec), k.Slots(out) // keys read from rec: a row's field is rewritten too
	for i, sl := range to {
		if sl.External && !t.HasPeople(sl.Target) || sl.Ref.Owner {
			continue
		}
		if key := t.SlotKey(from[i]); key != "" {
			sl.Set(key)
		} else {
			sl.Set(nil)
		}
	}
	out = Comparable(k, out)
	delete(out, "id")
	delete(out, k.RefField)
	delete(out, "guid")
	return out
}
