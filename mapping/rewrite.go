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

// OwnRow reports whether p is a reference of a record of k to a row of
// itself (Ref.Row without In): Rewrite empties it, so the rest of its field
// can go with the create, and it is set once the target numbered the rows.
func (p Pending) OwnRow(k *catalog.Kind) bool {
	for _, r := range k.Refs {
		if r.Field == p.Field {
			return r.Row != "" && r.In == "" && p.To.Kind == k.Name
		}
	}
	return false
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

	unmapped map[[2]string]*Unmapped // target, id -> what Rewrite saw of it
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
// ticketype_id): Halo assigns them. No write carries a back-reference to a
// nested row (Ref.OwnerRow: a step's translations[].entity_id): Halo sets
// it to the id it gives the row. It keeps the source's guid, which Halo
// keeps when no record of the tenant has it, so that a later import can
// pair the two records by guid even once one of them is renamed. An update
// carries the target's id and guid.
//
// References to records still to be created are left as they are and listed
// in pending; references that cannot be resolved are problems.
func (m *Mapper) Rewrite(k *catalog.Kind, rec snapshot.Record, targetID string) (out snapshot.Record, pending []Pending, probs []snapshot.Problem) {
	out = rec.Clone()
	var self snapshot.Record
	if targetID == "" {
		delete(out, "id")
		delete(out, k.RefField)
	} else {
		self = m.Target.ByID(k.Name, targetID)
		if self == nil {
			return nil, nil, []snapshot.Problem{problemAt(k, rec, "", "the paired target record %s is gone", targetID)}
		}
		out["id"] = self["id"]
		out[k.RefField] = self[k.RefField]
		if _, ok := out["guid"]; ok {
			out["guid"] = self["guid"]
		}
	}
	// Values are read from rec and written to out: a reference that reads
	// a sibling (a value's field, Ref.In) sees the source's id even once
	// the sibling is rewritten. out is a clone of rec: its slots line up.
	from, to := k.Slots(rec), k.Slots(out)
	for i, sl := range to {
		r := sl.Ref
		if r.Owner {
			if self == nil || r.OwnerRow != "" { // Halo sets it: to the row's id, which it issues
				delete(sl.Holder, sl.Leaf)
			} else {
				sl.Set(json.Number(snapshot.Scalar(self[k.RefField])))
			}
			continue
		}
		text, none, err := from[i].IDText()
		if err != nil {
			probs = append(probs, problemAt(k, rec, r.Field, "%v", err))
			continue
		}
		if none {
			continue
		}
		if sl.External {
			_, mapped := m.Overrides[sl.Target][text]
			if paired, _ := m.Paired(sl.Target, text); !mapped && paired == nil {
				m.note(k, rec, from[i], text) // what --external decides, and --write-map lists
			}
			if p := m.external(sl, text); p != "" {
				pr := problemAt(k, rec, r.Field, "%s", p)
				pr.External = sl.Target + " " + text
				probs = append(probs, pr)
			}
			continue
		}
		tk := catalog.MustLookup(sl.Target)
		if r.Row != "" {
			p, msg := m.rewriteRow(tk, from[i], sl, text)
			switch {
			case msg != "":
				probs = append(probs, problemAt(k, rec, r.Field, "%s", msg))
			case p != nil && r.In == "":
				sl.Remove()
				setPartners(sl, nil, "")
				pending = append(pending, Pending{Field: r.Field, To: *p}) // emptied: see OwnRow
			case p != nil:
				pending = append(pending, Pending{Field: r.Field, To: *p})
			}
			continue
		}
		t, s, msg := m.resolve(tk, text)
		switch {
		case msg != "":
			probs = append(probs, problemAt(k, rec, r.Field, "%s", msg))
		case t == nil:
			pending = append(pending, Pending{Field: r.Field, To: Node{tk.Name, s.ID()}})
		default:
			sl.Set(sl.Value(snapshot.Scalar(t[tk.RefField])))
			name := t[tk.DisplayField()]
			if s != nil && m.Imported(tk.Name) {
				name = s[tk.DisplayField()] // the name the import gives it
			}
			setPartners(sl, t["guid"], name)
		}
	}
	k.StripRowIDs(out) // each tenant numbers its nested rows
	if self != nil {
		keepRowIDs(k, out, self)
	}
	return out, pending, probs
}

// setPartners gives the *_guid and *_name partners of the value in sl, where
// the holder has them, the guid and name of what it now points at.
func setPartners(sl catalog.Slot, guid, name any) {
	for _, p := range []struct {
		field string
		v     any
	}{{sl.Ref.GUID, guid}, {sl.Ref.Name, name}} {
		if _, ok := sl.Holder[catalog.Leaf(p.field)]; ok && p.field != "" {
			sl.Holder[catalog.Leaf(p.field)] = p.v
		}
	}
}

// rewriteRow points sl, a reference to a row of a record of tk (a custom
// field's value), at the row with the same key (the value's name) in the
// target record paired with the record the source row belongs to. src is
// the same value in the source record, whose sibling Ref.In still names the
// source's record. It returns the record to create first when that one is
// still to be created, or a message.
func (m *Mapper) rewriteRow(tk *catalog.Kind, src, sl catalog.Slot, text string) (*Node, string) {
	r := sl.Ref
	in, none, err := src.In()
	if err != nil || none {
		return nil, fmt.Sprintf("points at %s row %s, but %s names no %s", r.Row, text, r.In, tk.Name)
	}
	s := m.Source.ByRef(tk.Name, in)
	if s == nil {
		return nil, fmt.Sprintf("points at %s row %s of %s %s, which is not in the snapshot", r.Row, text, tk.Name, in)
	}
	skey, _ := Key(tk, s)
	row := catalog.RowByID(s, r.Row, text)
	key := tk.RowKey(r.Row, row)
	if key == "" {
		return nil, fmt.Sprintf("points at %s row %s of %s %s (%s), which has no such row", r.Row, text, tk.Name, in, skey)
	}
	t, s, msg := m.resolve(tk, in)
	switch {
	case msg != "":
		return nil, msg
	case t == nil:
		return &Node{tk.Name, s.ID()}, ""
	}
	trow := tk.RowByKey(t, r.Row, key)
	if trow == nil && r.In == "" {
		// a row this update adds to the record itself: empty until the
		// target has numbered it (importer.Apply then sends the field again)
		sl.Remove()
		setPartners(sl, nil, "")
		return nil, ""
	}
	if trow == nil {
		return nil, fmt.Sprintf("points at %s %q of %s %q, which the target's %s %s lacks: import %s first, then this",
			r.Row, key, tk.Name, skey, tk.Name, t.ID(), tk.Name)
	}
	sl.Set(sl.Value(snapshot.Scalar(trow["id"])))
	setPartners(sl, trow["guid"], key)
	return nil, ""
}

// keepRowIDs gives the rows of out's keyed arrays (k.RowKeys) the ids of
// the target record's rows with the same keys, so that an update changes
// those rows in place instead of adding copies; other rows go without id,
// as new rows.
func keepRowIDs(k *catalog.Kind, out, self map[string]any) {
	for array := range k.RowKeys {
		rows, _ := out[array].([]any)
		for _, e := range rows {
			row, ok := e.(map[string]any)
			if !ok {
				continue
			}
			delete(row, "id")
			if t := k.RowByKey(self, array, k.RowKey(array, row)); t != nil {
				row["id"] = t["id"]
			}
		}
	}
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

// external rewrites one external reference: by the --map file, else to
// the target's record paired with the one it points at (people: Paired),
// else as m.External says; it returns a message when it cannot go to the
// target so.
func (m *Mapper) external(sl catalog.Slot, text string) string {
	if to, ok := m.Overrides[sl.Target][text]; ok {
		sl.Set(sameType(sl.Get(), to))
		return ""
	}
	t, why := m.Paired(sl.Target, text)
	if t != nil {
		sl.Set(sameType(sl.Get(), t.ID()))
		return ""
	}
	switch m.External {
	case ExternalKeep:
	case ExternalClear:
		sl.Remove() // 0 or "", or out of its array or text list
		setPartners(sl, "", "")
	default:
		if why != "" {
			why = " (" + why + ")"
		}
		return fmt.Sprintf("external %s %s is not mapped%s: map it with --map ({%q: {%q: TARGET_ID}}) or choose --external clear or keep", sl.Target, text, why, sl.Target, text)
	}
	return ""
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
