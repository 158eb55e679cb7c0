package catalog

import (
	"maps"
	"slices"
)

// RefsTo returns the references of k that may point at the kind named
// target, owner back-references included.
func (k *Kind) RefsTo(target string) []Ref {
	var out []Ref
	for _, r := range k.Refs {
		if slices.Contains(r.Kinds(), target) {
			out = append(out, r)
		}
	}
	return out
}

// DependsOn returns, sorted, the kinds that k's references may point at.
// Owner back-references are left out: they point at the record that holds
// them, which exists by the time the nested row is written.
func (k *Kind) DependsOn() []string {
	seen := map[string]bool{}
	for _, r := range k.Refs {
		if !r.Owner {
			for _, t := range r.Kinds() {
				seen[t] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// InCycle reports whether a reference from kind from to kind to lies on a
// cycle of the kind graph (status -> outcome -> status, status -> status):
// no order of kinds can write to before from, so an import has to create
// records without such references and patch them in afterwards.
func InCycle(from, to string) bool {
	return reaches(to, from, map[string]bool{})
}

// reaches reports whether kind a reaches kind b through DependsOn edges.
func reaches(a, b string, seen map[string]bool) bool {
	if a == b {
		return true
	}
	if seen[a] {
		return false
	}
	seen[a] = true
	k, ok := Lookup(a)
	if !ok {
		return false
	}
	for _, t := range k.DependsOn() {
		if reaches(t, b, seen) {
			return true
		}
	}
	return false
}
