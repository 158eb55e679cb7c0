package probe

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// unplaced counts the values of one external reference that no directory
// pairs (a template group, an asset status, a ticket ...): what a user
// must map by hand, and what the catalog cannot place without being told
// what it points at.
type unplaced struct {
	ref           catalog.Ref
	target        string
	holders       int            // holders of the field in the records read
	filled        int            // of them, holding an id
	distinct      map[string]int // the filled values, counted (never shown: only how many)
	fieldnames    map[string]int // a By reference: the sibling's values the catalog's table lacks
	hints         map[string]int // the Hint siblings beside each filled value, as shown
	hiddenByNames int            // fieldnames that are not identifiers (not shown)
}

// externalFinding reports, for every reference of k to something halocfg
// cannot list, how many of the records read fill it, with how many distinct
// values, and what its Hint siblings and (By) unknown fieldnames say. No
// value, name or id is shown: counts, field names and type codes.
func (ks *kindState) externalFinding() Finding {
	var cs []*unplaced
	for _, r := range ks.k.Refs {
		if !r.External && r.By == "" {
			continue
		}
		for _, t := range r.Targets() {
			if _, isKind := catalog.Lookup(t); isKind {
				continue
			}
			if _, paired := catalog.LookupPairOnly(t); paired {
				continue
			}
			cs = append(cs, ks.countUnplaced(r, t))
		}
	}
	if len(cs) == 0 {
		return Finding{}
	}
	filled, holding := 0, 0
	var details []string
	for _, c := range cs {
		if c.holders == 0 {
			continue
		}
		filled += c.filled
		if c.filled > 0 {
			holding++
		}
		details = append(details, c.detail(ks.k.Name))
	}
	found := fmt.Sprintf("%d of %d references to what halocfg cannot list (no directory pairs them) hold %d values in the %d records read",
		holding, len(cs), filled, len(ks.records()))
	v := OK // nothing for an import to map here
	if filled > 0 {
		v = Unconfirmed // a user must map them, and can tell what they point at
	}
	f := ks.finding("external-refs", v, found)
	f.Details = details
	return f
}

// countUnplaced counts the slots of r whose target is t in the records read.
func (ks *kindState) countUnplaced(r catalog.Ref, t string) *unplaced {
	c := &unplaced{ref: r, target: t, distinct: map[string]int{}, fieldnames: map[string]int{}, hints: map[string]int{}}
	for _, rec := range ks.records() {
		for _, sl := range r.Slots(rec) {
			if sl.Target != t {
				continue
			}
			c.holders++
			text, none, err := sl.IDText()
			if err != nil || none {
				continue
			}
			c.filled++
			c.distinct[text]++
			if r.By != "" {
				name := snapshot.Scalar(sl.Holder[r.By])
				if identifier(name) || name == "" {
					c.fieldnames[name]++
				} else {
					c.hiddenByNames++
				}
			}
			if len(r.Hint) > 0 {
				c.hints[hintText(sl.Holder, r.Hint)]++
			}
		}
	}
	return c
}

// hintText shows the Hint siblings of a value: a number as it is (a type
// code), a text only as set or empty (it may be a name).
func hintText(h map[string]any, hint []string) string {
	parts := make([]string, len(hint))
	for i, f := range hint {
		v, present := h[f]
		switch x := v.(type) {
		case string:
			if x == "" {
				parts[i] = f + " empty"
			} else {
				parts[i] = f + " set"
			}
		case nil:
			if present {
				parts[i] = f + " null"
			} else {
				parts[i] = f + " absent"
			}
		default:
			if s := snapshot.Scalar(x); identNumber(s) {
				parts[i] = f + "=" + s
			} else {
				parts[i] = f + " (" + catalog.JSONType(x) + ")"
			}
		}
	}
	return strings.Join(parts, ", ")
}

// identNumber reports whether s is a short integer: a code, not a text.
func identNumber(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i, r := range s {
		if (r < '0' || r > '9') && (i > 0 || r != '-') {
			return false
		}
	}
	return true
}

// detail is one reference's line: "outcome.default_asset_status →
// assetstatus: 3 of 5 hold an id (2 distinct)".
func (c *unplaced) detail(kind string) string {
	what := kind + "." + c.ref.Field + " → " + c.target
	if c.ref.By != "" {
		what = kind + "." + c.ref.Field + " → " + c.target + " (" + c.ref.By + " not in the catalog's table)"
	}
	s := fmt.Sprintf("%s: %d of %d hold an id (%d distinct)", what, c.filled, c.holders, len(c.distinct))
	if len(c.fieldnames) > 0 || c.hiddenByNames > 0 {
		s += "; " + c.ref.By + ": " + counted(c.fieldnames)
		if c.hiddenByNames > 0 {
			s += fmt.Sprintf(", %d more that are not identifiers (not shown)", c.hiddenByNames)
		}
	}
	if len(c.hints) > 0 {
		s += "; beside them " + counted(c.hints)
	}
	return s
}

// counted lists values with their counts, most frequent first: "a (3), b (1)".
func counted(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int { return m[b] - m[a] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		name := k
		if name == "" {
			name = `""`
		}
		parts[i] = fmt.Sprintf("%s (%d)", name, m[k])
	}
	return strings.Join(parts, ", ")
}
