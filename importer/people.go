package importer

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/halocfg/halocfg/termsafe"
)

// People is how the records of one pair-only kind (agents, teams ...)
// paired: the snapshot's directory with the target's, by natural key.
// They are never written; references to those paired point at the
// target's own, the others go to --map and --external.
type People struct {
	Kind      string `json:"kind"`
	Directory bool   `json:"directory"`         // the snapshot holds the kind's directory
	Source    int    `json:"source"`            // entries of the snapshot's directory
	Target    int    `json:"target"`            // entries the target lists
	Paired    int    `json:"paired"`            // source entries paired by key
	Refused   string `json:"refused,omitempty"` // why the target's list could not be read: no one paired
	// Refs counts the references to the kind in the records this import
	// writes; Unpaired lists the source's entries left unpaired (and the
	// ids referenced that the directory lacks), those --map maps aside.
	Refs     int        `json:"references"`
	Unpaired []Unpaired `json:"unpaired"`
}

// Unpaired is a person of the source that the target has no one record for.
type Unpaired struct {
	SourceID string `json:"source_id"`
	Key      string `json:"key,omitempty"`
	Reason   string `json:"reason"`
	Refs     int    `json:"references"` // references to it in the records this import writes
}

// people sums up the pairing of every pair-only kind that the snapshot
// holds a directory of or the imported records point at.
func (p *Plan) people(snap *snapshot.Snapshot, over mapping.Overrides) []People {
	refs := map[string]map[string]int{} // kind -> source id -> references
	for _, k := range p.kinds {
		for _, rec := range p.src.Records(k.Name) {
			for _, sl := range k.Slots(rec) {
				if _, ok := catalog.LookupPairOnly(sl.Target); !ok || !sl.External {
					continue
				}
				if text, none, err := sl.IDText(); err == nil && !none {
					if refs[sl.Target] == nil {
						refs[sl.Target] = map[string]int{}
					}
					refs[sl.Target][text]++
				}
			}
		}
	}
	out := []People{}
	for _, k := range catalog.PairOnlyKinds() {
		dir, held := snap.Records[k.Name]
		if !held && len(refs[k.Name]) == 0 {
			continue
		}
		refused := p.refused[k.Name]
		if refused != "" {
			held, dir = false, nil
		}
		s := People{Kind: k.Name, Directory: held, Refused: refused, Source: len(dir), Target: len(p.dst.Records(k.Name)), Unpaired: []Unpaired{}}
		for _, n := range refs[k.Name] {
			s.Refs += n
		}
		ids := map[string]bool{}
		for _, rec := range dir {
			ids[rec.ID()] = true
		}
		for id := range refs[k.Name] {
			ids[id] = true
		}
		sorted := slices.Collect(maps.Keys(ids))
		sort.Slice(sorted, func(i, j int) bool { return snapshot.LessID(sorted[i], sorted[j]) })
		for _, id := range sorted {
			t, why := p.mapper.Paired(k.Name, id)
			switch {
			case t != nil:
				s.Paired++
			case !held:
			case over[k.Name][id] != "":
			default:
				key := ""
				if rec := p.src.ByID(k.Name, id); rec != nil {
					key, _ = mapping.Key(k, rec)
				}
				s.Unpaired = append(s.Unpaired, Unpaired{SourceID: id, Key: key, Reason: why, Refs: refs[k.Name][id]})
			}
		}
		out = append(out, s)
	}
	return out
}

// writePeople writes, under the plan's table, how people paired: per
// kind the count, then every unpaired one that is referenced.
func (p *Plan) writePeople(w io.Writer) error {
	if len(p.People) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPeople, organisations and named lists (pair-only) are paired by natural key, never written:")
	for _, s := range p.People {
		k := catalog.MustLookupStored(s.Kind)
		if s.Refused != "" {
			fmt.Fprintf(tw, "  %s\tnot paired: the target refused its list (%s); its %d reference(s) go to --map and --external\n", s.Kind, termsafe.Escape(s.Refused), s.Refs)
			continue
		}
		if !s.Directory {
			fmt.Fprintf(tw, "  %s\tnot paired: the snapshot holds no directory of them (an older halocfg, or export --skip %s); its %d reference(s) go to --map and --external\n", s.Kind, s.Kind, s.Refs)
			continue
		}
		referenced := 0
		for _, u := range s.Unpaired {
			if u.Refs > 0 {
				referenced++
			}
		}
		rest := ""
		switch {
		case len(s.Unpaired) == 0:
		case referenced == 0:
			rest = fmt.Sprintf("; %d unpaired, none of them referenced", len(s.Unpaired))
		default:
			rest = fmt.Sprintf("; %d unpaired, %d of them referenced:", len(s.Unpaired), referenced)
		}
		fmt.Fprintf(tw, "  %s\t%d of %d paired by %s%s\n", s.Kind, s.Paired, s.Source, keyText(k), rest)
		for _, u := range s.Unpaired {
			if u.Refs > 0 {
				fmt.Fprintf(tw, "  \t  %s %s (%s), %d reference(s): %s\n", s.Kind, u.SourceID, termsafe.Escape(u.Key), u.Refs, termsafe.Escape(u.Reason))
			}
		}
	}
	return tw.Flush()
}

// keyText names a pair-only kind's keys for people: "email, else name".
func keyText(k *catalog.Kind) string {
	var alts []string
	for _, fs := range k.KeyAlternatives() {
		alts = append(alts, strings.Join(fs, " and "))
	}
	return strings.Join(alts, ", else ")
}
