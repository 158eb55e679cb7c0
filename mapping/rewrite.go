package mapping

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// External says what to do with a reference to something halocfg does not
// export (an agent, a team, a mailbox ...) when the --map file does not map it.
type External int

const (
	ExternalFail  External = iota // refuse the import, listing every such reference
	ExternalClear                 // clear the reference (0, or "" for text ids)
	ExternalKeep                  // keep the source tenant's id as it is
)

// ParseExternal reads an --external value.
func ParseExternal(s string) (External, error) {
	switch s {
	case "fail", "":
		return ExternalFail, nil
	case "clear":
		return ExternalClear, nil
	case "keep":
		return ExternalKeep, nil
	}
	return 0, fmt.Errorf("%q: want fail, clear or keep", s)
}

func (e External) String() string { return [...]string{"fail", "clear", "keep"}[e] }

// Node is one source record: its kind and id.
type Node struct{ Kind, ID string }

func (n Node) String() string { return n.Kind + " " + n.ID }

// Pending is a reference to a source record this import creates: the record
// holding it can be written only once that record exists.
type Pending struct {
	Field string // the reference's path: "outcomes[].value"
	To    Node
}

// Top is the top-level field that holds the reference: "outcomes".
func (p Pending) Top() string { return catalog.Ref{Field: p.Field}.Top() }

// Mapper rewrites source records for the target tenant.
type Mapper struct {
	Source, Target *Tenant
	Matching       *Matching
	Overrides      Overrides
	External       External
	// Imported reports whether this import writes the records of a kind. An
	// unpaired source record of an imported kind is pending (it will be
	// created); of any other kind it is missing from the target.
	Imported func(kind string) bool
}

// Rewrite returns rec, a source record of kind k, as the target should hold
// it:
//   - every internal reference points at the paired target record, by its
//     RefField, in the JSON type of the field (a string in KeyPair2 values);
//   - *_guid partners carry the target record's guid, and *_name partners and
//     KeyPair2 labels the name it will have once imported (Halo recomputes
//     both on save; halocfg sends them right and ignores them in comparisons);
//   - external references are mapped by --map, or else cleared, kept or
//     reported, as m.External says.
//
// Nested rows go without their row ids ("id", "fdid") and stray guids: those
// number rows of the source tenant, and Halo numbers the target's.
//
// targetID is the target record rec updates, "" for a create. A create
// carries no id, RefField nor owner back-reference (allowed_status[].
// ticketype_id): Halo assigns them. It keeps the source's guid, which Halo
// keeps when no record of the tenant has it, so that a later import can
// pair the two records by guid even once one of them is renamed. An update
// carries the target's id and guid.
//
// References to records still to be created are left as they are and listed
// in pending; references that cannot be resolved are problems.
func (m *Mapper) Rewrite(k *catalog.Kind, rec snapshot.Record, targetID string) (out snapshot.Record, pending []Pending, probs []Problem) {
	out = rec.Clone()
	var self snapshot.Record
	if targetID == "" {
		delete(out, "id")
		delete(out, k.RefField)
	} else {
		self = m.Target.ByID(k.Name, targetID)
		if self == nil {
			return nil, nil, []Problem{problemAt(k, rec, "", "the paired target record %s is gone", targetID)}
		}
		out["id"] = self["id"]
		out[k.RefField] = self[k.RefField]
		if _, ok := out["guid"]; ok {
			out["guid"] = self["guid"]
		}
	}
	for _, r := range k.Refs {
		for _, sl := range slots(out, r.Field) {
			if r.Owner {
				if self == nil {
					delete(sl.h, sl.lf)
				} else {
					sl.set(json.Number(snapshot.Scalar(self[k.RefField])))
				}
				continue
			}
			text, none, err := r.IDText(sl.get())
			if err != nil {
				probs = append(probs, problemAt(k, rec, r.Field, "%v", err))
				continue
			}
			if none {
				continue
			}
			if r.External {
				if p := m.external(sl, r, text); p != "" {
					probs = append(probs, problemAt(k, rec, r.Field, "%s", p))
				}
				continue
			}
			tk := catalog.MustLookup(r.Target)
			t, s, msg := m.resolve(tk, text)
			switch {
			case msg != "":
				probs = append(probs, problemAt(k, rec, r.Field, "%s", msg))
			case t == nil:
				pending = append(pending, Pending{Field: r.Field, To: Node{tk.Name, s.ID()}})
			default:
				sl.set(r.Value(snapshot.Scalar(t[tk.RefField])))
				if r.GUID != "" {
					if _, ok := sl.h[catalog.Leaf(r.GUID)]; ok {
						sl.h[catalog.Leaf(r.GUID)] = t["guid"]
					}
				}
				if r.Name != "" {
					if _, ok := sl.h[catalog.Leaf(r.Name)]; ok {
						name := t[tk.DisplayField()]
						if s != nil && m.Imported(tk.Name) {
							name = s[tk.DisplayField()] // the name the import gives it
						}
						sl.h[catalog.Leaf(r.Name)] = name
					}
				}
			}
		}
	}
	dropCleared(k, out)
	dropRowIdentity(k, out) // each tenant numbers its nested rows
	return out, pending, probs
}

// resolve finds the target record that a source reference (the text of the
// target kind's RefField) points at. A nil record with no message means the
// source record s is still to be created.
func (m *Mapper) resolve(tk *catalog.Kind, text string) (t, s snapshot.Record, msg string) {
	s = m.Source.ByRef(tk.Name, text)
	if s != nil {
		key, _ := Key(tk, s)
		if p, ok := m.Matching.Get(tk.Name, s.ID()); ok {
			if t = m.Target.ByID(tk.Name, p.TargetID); t != nil {
				return t, s, ""
			}
			return nil, s, fmt.Sprintf("%s %s (%s) was paired with target %s %s, which is gone", tk.Name, text, key, tk.Name, p.TargetID)
		}
		if reason := m.Matching.Reason(tk.Name, s.ID()); reason != "" {
			return nil, s, fmt.Sprintf("points at %s %s (%s), which cannot be matched: %s", tk.Name, text, key, reason)
		}
		if m.Imported(tk.Name) {
			return nil, s, ""
		}
		return nil, s, fmt.Sprintf("points at %s %s (%s), which the target lacks and this import does not write (--only): import %s too, or map it with --map", tk.Name, text, key, tk.Name)
	}
	if to, ok := m.Overrides[tk.Name][text]; ok {
		if t = targetFor(m.Target, tk, to); t != nil {
			return t, nil, ""
		}
		return nil, nil, fmt.Sprintf("--map sends %s %s to %s, which the target lacks", tk.Name, text, to)
	}
	if !m.Source.Has(tk.Name) {
		return nil, nil, fmt.Sprintf("points at %s %s, and the snapshot holds no %s records: map it with --map", tk.Name, text, tk.Name)
	}
	return nil, nil, fmt.Sprintf("points at %s %s, which is not in the snapshot: map it with --map", tk.Name, text)
}

// external rewrites one external reference in h; it returns a message when
// the reference cannot go to the target as m.External says.
func (m *Mapper) external(sl slot, r catalog.Ref, text string) string {
	v := sl.get()
	if to, ok := m.Overrides[r.Target][text]; ok {
		sl.set(sameType(v, to))
		return ""
	}
	switch m.External {
	case ExternalKeep:
	case ExternalClear:
		switch _, isText := v.(string); {
		case sl.i >= 0:
			sl.set(cleared{}) // dropped from its array of ids by dropCleared
		case isText:
			sl.set("")
		default:
			sl.set(json.Number("0"))
		}
		for _, f := range []string{r.GUID, r.Name} {
			if _, ok := sl.h[catalog.Leaf(f)]; ok && f != "" {
				sl.h[catalog.Leaf(f)] = ""
			}
		}
	default:
		return fmt.Sprintf("external %s %s is not mapped: map it with --map ({%q: {%q: TARGET_ID}}) or choose --external clear or keep", r.Target, text, r.Target, text)
	}
	return ""
}

// cleared marks an id that --external clear removes from an array of ids.
type cleared struct{}

// dropCleared removes the cleared ids from arrays of ids (fieldidlist).
func dropCleared(k *catalog.Kind, rec map[string]any) {
	for _, r := range k.ExternalRefs() {
		hs, lf := r.Holders(rec)
		for _, h := range hs {
			if arr, ok := h[lf].([]any); ok {
				kept := arr[:0]
				for _, v := range arr {
					if _, drop := v.(cleared); !drop {
						kept = append(kept, v)
					}
				}
				h[lf] = kept
			}
		}
	}
}

// sameType renders a mapped id in the JSON type of the value it replaces.
func sameType(old any, id string) any {
	if _, ok := old.(json.Number); ok {
		if _, err := strconv.ParseInt(id, 10, 64); err == nil {
			return json.Number(id)
		}
	}
	return id
}
