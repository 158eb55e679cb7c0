package mapping

import (
	"fmt"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Paired returns the target's record of a pair-only kind (an agent, a
// team ...) that the source's record with the id text was paired with by
// natural key. Otherwise it says why not, or "" when the snapshot holds no
// directory of that kind (an older snapshot, or not a pair-only target):
// then --external alone decides, as before.
func (m *Mapper) Paired(target, text string) (snapshot.Record, string) {
	k, ok := catalog.LookupPairOnly(target)
	if !ok || !m.Source.Has(target) {
		return nil, ""
	}
	s := m.Source.ByID(target, text)
	if s == nil {
		return nil, fmt.Sprintf("the snapshot's directory holds no %s %s", target, text)
	}
	key, _ := Key(k, s)
	if p, ok := m.Matching.Get(target, s.ID()); ok {
		if t := m.Target.ByID(target, p.TargetID); t != nil {
			return t, ""
		}
	}
	if reason := m.Matching.Reason(target, s.ID()); reason != "" {
		return nil, reason
	}
	return nil, fmt.Sprintf("the target has no %s with the key %q", target, key)
}

// HasPeople reports whether t holds the directory of the pair-only kind
// target: its people are then told by their keys, not their ids.
func (t *Tenant) HasPeople(target string) bool {
	_, ok := catalog.LookupPairOnly(target)
	return ok && t.Has(target)
}
