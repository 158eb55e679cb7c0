package probe

import (
	"context"
	"fmt"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// refCount is what the values of one inferred reference came to.
type refCount struct {
	kind string
	ref  catalog.Ref
	// resolved: a record of the inferred kind has the value (an owner
	// reference: the record's own); unresolved: none has, of a kind read
	// in full; empty: 0, -1, null or ""; external: the reference points
	// outside the catalog (by its target, or by the fieldname beside it);
	// unknownField: the fieldname beside it is not in the catalog's table;
	// malformed: not an id at all; unknown: the target's ids were not read
	// in full; rows: points at a row of a record's array, not checked.
	resolved, unresolved, empty, external, unknownField, malformed, unknown, rows int
}

func (c *refCount) seen() int {
	return c.resolved + c.unresolved + c.empty + c.external + c.unknownField + c.malformed + c.unknown + c.rows
}

func (c *refCount) verdict() Verdict {
	switch {
	case c.unresolved+c.malformed > 0:
		return Deviates
	case c.resolved > 0:
		return OK
	}
	return Unconfirmed
}

// entry names the reference as the unverified entries do.
func (c *refCount) entry() string {
	if c.ref.By != "" {
		return c.kind + "." + c.ref.Field + " → what " + c.ref.By + " names"
	}
	return c.kind + "." + c.ref.Field + " → " + c.ref.Target
}

// refResults are the counts of every inferred reference, by kind, in the
// order of the kind's Refs.
type refResults map[string][]*refCount

// references resolves the values of every reference the catalog infers
// from a field's name, in the records read (each kind's detail and list
// rows), against the ids of the kinds they point at. Ids not seen in a
// list that was not read in full are looked up with what is left of the
// extra budget.
func (p *prober) references(ctx context.Context, kinds []*catalog.Kind) (refResults, error) {
	pending := p.resolve(kinds, nil)
	for len(pending) > 0 && p.extra > 0 {
		target, id := pending[0].kind, pending[0].id
		ks := p.kinds[target]
		if ks.pagesHonoured() {
			ks.pages++
			p.spend()
			a, err := p.list(ctx, ks.k, exportQuery(ks.k, haloCap, ks.pages), haloCap)
			if err != nil {
				return nil, err
			}
			ks.keep(a)
		} else {
			p.spend()
			d, err := p.get(ctx, ks.k, id, "")
			if err != nil {
				return nil, err
			}
			ks.looked[id] = d.err == nil
			if d.err == nil {
				ks.rows[id] = d.rec // a record named by its id: ids and RefField are one
			}
		}
		pending = p.resolve(kinds, nil)
	}
	out := refResults{}
	p.resolve(kinds, out)
	return out, nil
}

// pendingID is an id of a kind that was not read in full.
type pendingID struct{ kind, id string }

// resolve counts the values of the inferred references of kinds into out
// (when not nil) and returns the values it could not tell about, each once.
func (p *prober) resolve(kinds []*catalog.Kind, out refResults) []pendingID {
	var pending []pendingID
	seen := map[pendingID]bool{}
	for _, k := range kinds {
		ks := p.kinds[k.Name]
		recs := ks.records()
		for _, r := range k.Refs {
			if !r.Inferred {
				continue
			}
			c := &refCount{kind: k.Name, ref: r}
			for _, rec := range recs {
				if r.OwnerRow != "" {
					countRowOwners(c, k, rec)
					continue
				}
				for _, sl := range r.Slots(rec) {
					if pid, ok := p.count(c, k, rec, sl); !ok && !seen[pid] {
						seen[pid] = true
						pending = append(pending, pid)
					}
				}
			}
			if out != nil {
				out[k.Name] = append(out[k.Name], c)
			}
		}
	}
	return pending
}

// count adds one value to c. It returns false, with the id, when the
// value's target kind was not read in full and does not list it.
func (p *prober) count(c *refCount, k *catalog.Kind, rec snapshot.Record, sl catalog.Slot) (pendingID, bool) {
	r := sl.Ref
	switch {
	case r.Row != "":
		c.rows++
		return pendingID{}, true
	case sl.External && r.By != "":
		if _, known := r.ByValue[strings.ToLower(snapshot.Scalar(sl.Holder[r.By]))]; !known {
			c.unknownField++
		} else {
			c.external++
		}
		return pendingID{}, true
	case sl.External:
		c.external++
		return pendingID{}, true
	}
	text, none, err := sl.IDText()
	switch {
	case err != nil:
		c.malformed++
	case none:
		c.empty++
	case r.Owner:
		if text == snapshot.Scalar(rec[k.RefField]) {
			c.resolved++
		} else {
			c.unresolved++
		}
	default:
		target := p.kinds[sl.Target]
		switch {
		case target == nil:
			c.unknown++ // a kind left out of the probe
		case target.has(text):
			c.resolved++
		case target.complete():
			c.unresolved++
		default:
			if _, asked := target.looked[text]; asked {
				c.unresolved++ // looked up by its id: none
				break
			}
			c.unknown++
			return pendingID{sl.Target, text}, false
		}
	}
	return pendingID{}, true
}

// countRowOwners adds to c the values of c.ref, a back-reference to the
// row that holds it (Ref.OwnerRow), in rec: resolved when it is that row's id.
func countRowOwners(c *refCount, k *catalog.Kind, rec snapshot.Record) {
	idf := k.RowIDField(c.ref.OwnerRow)
	hs, leaf := c.ref.RowHolders(rec)
	for _, h := range hs {
		switch text, none, err := c.ref.IDText(h.Holder[leaf]); {
		case err != nil:
			c.malformed++
		case none:
			c.empty++
		case text == snapshot.Scalar(h.Row[idf]):
			c.resolved++
		default:
			c.unresolved++
		}
	}
}

// records are the records read of a kind: its detail, then its list rows.
func (ks *kindState) records() []snapshot.Record {
	var out []snapshot.Record
	if ks.detail.rec != nil {
		out = append(out, snapshot.Record(ks.detail.rec))
	}
	for _, id := range sortedKeys(ks.rows) {
		if id != ks.detail.id {
			out = append(out, ks.rows[id])
		}
	}
	return out
}

// has reports whether a record read of the kind has RefField text.
func (ks *kindState) has(text string) bool {
	for _, r := range ks.records() {
		if snapshot.Scalar(r[ks.k.RefField]) == text {
			return true
		}
	}
	return false
}

// complete reports whether the rows read are every record of the kind that
// export reads: the list as export asks for it was whole, or as many rows
// were read as its record_count says.
func (ks *kindState) complete() bool {
	with, known := ks.paged.total()
	return ks.paged.whole() || (known && len(ks.rows) >= with)
}

// finding sums the inferred references of k.
func (rr refResults) finding(k *catalog.Kind) Finding {
	cs := rr[k.Name]
	if len(cs) == 0 {
		return Finding{}
	}
	var sum refCount
	var details, bad []string
	notSeen := 0
	v := Unconfirmed
	for _, c := range cs {
		if c.seen() == 0 {
			notSeen++
			continue
		}
		switch c.verdict() {
		case Deviates:
			v = Deviates
			bad = append(bad, c.ref.Field)
		case OK:
			if v != Deviates {
				v = OK
			}
		}
		sum.resolved += c.resolved
		sum.unresolved += c.unresolved + c.malformed
		sum.empty += c.empty
		details = append(details, c.entry()+": "+c.counts())
	}
	found := fmt.Sprintf("%d of %d references inferred from a field name hold values in the records read: %d resolve, %d do not, %d are empty",
		len(cs)-notSeen, len(cs), sum.resolved, sum.unresolved, sum.empty)
	f := Finding{Kind: k.Name, Check: "inferred-refs", Verdict: v, Found: found, Details: details}
	if v == Deviates {
		f.Means = "import remaps " + strings.Join(bad, ", ") + " as references to the kind the catalog guessed: a value no such record has stops the import before its first write (\"resolves nowhere\"), one that happens to resolve points at the wrong record"
		f.Do = "report it with this report (the catalog guessed the field's target from its name); meanwhile an import needs --map entries for these values, which halocfg import lists"
	}
	return f
}

// counts reads the non-zero counts of c.
func (c *refCount) counts() string {
	var parts []string
	for _, x := range []struct {
		n    int
		what string
	}{
		{c.resolved, "resolved"}, {c.unresolved, "unresolved"}, {c.malformed, "not an id"}, {c.empty, "empty"},
		{c.external, "external"}, {c.unknownField, "fieldname not in the catalog's table"},
		{c.unknown, "not checked (ids not read in full)"}, {c.rows, "rows of a record, not checked"},
	} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.what))
		}
	}
	return strings.Join(parts, ", ")
}
