package mapping

import (
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// RefKey renders the value v of reference r, as held by a record of t, as
// the natural key of the record it points at: "status:Open",
// "category:1/Hardware". Empty references ("", "0", null, -1) render as "";
// a reference to a record t lacks as "status#999"; an external reference as
// "agent#4". Two tenants' records can so be compared without their ids.
func (t *Tenant) RefKey(r catalog.Ref, v any) string {
	text, none, err := RefText(r, v)
	switch {
	case err != nil:
		return r.Target + "#" + snapshot.Scalar(v)
	case none:
		return ""
	case r.External:
		return r.Target + "#" + text
	}
	tk := kindOf(r.Target)
	if rec := t.ByRef(tk.Name, text); rec != nil {
		if key, ok := Key(tk, rec); ok {
			return tk.Name + ":" + key
		}
	}
	return tk.Name + "#" + text
}

// Neutral returns a copy of rec, a record of kind k held by t, in a form
// that compares equal across tenants exactly when the records mean the
// same: its own id, RefField and guid are removed; every internal reference
// is replaced by RefKey (an empty one by null); the *_guid and *_name
// partners of references and owner back-references are removed, being
// derived from the reference; and so are the ids and guids of nested rows
// that hold a reference (allowed_status, workflow steps ...), which each
// tenant numbers on its own.
func (t *Tenant) Neutral(k *catalog.Kind, rec snapshot.Record) snapshot.Record {
	out := rec.Clone()
	delete(out, "id")
	delete(out, k.RefField)
	delete(out, "guid")
	for _, r := range k.Refs {
		hs, lf := holders(out, r.Field)
		for _, h := range hs {
			v, ok := h[lf]
			if !ok {
				continue
			}
			if r.Nested() {
				dropRowIDs(h, lf)
			}
			if r.Owner {
				delete(h, lf)
				continue
			}
			if r.GUID != "" {
				delete(h, leaf(r.GUID))
			}
			if r.Name != "" {
				delete(h, leaf(r.Name))
			}
			if r.External {
				continue
			}
			if key := t.RefKey(r, v); key != "" {
				h[lf] = key
			} else {
				h[lf] = nil
			}
		}
	}
	return out
}

// dropRowIDs removes from a nested row what each tenant numbers on its own:
// the row's id ("id", "fdid") and guids (its own, or partners the catalog
// does not name, such as the owning SLA's sla_guid in an SLA's priorities),
// but never the reference leaf itself.
func dropRowIDs(row map[string]any, keep string) {
	for f := range row {
		if f != keep && (f == "id" || f == "fdid" || strings.HasSuffix(f, "guid")) {
			delete(row, f)
		}
	}
}
