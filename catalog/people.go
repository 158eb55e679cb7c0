package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// pairOnly are the people and organisation records the configuration
// points at: agents, teams, roles, departments, mailboxes, clients, sites.
// They are not configuration to copy, and nothing ever writes them. An
// export keeps a small directory of each — the id and the fields of its
// natural keys, nothing else — so that an import, from the snapshot alone,
// pairs the source's records with the target's by natural key and points
// the external references at the target's own. Each is named after the
// external target (Ref.Target) it serves. Keys compare without case.
//
// What the lists answer is read from Halo's API description alone:
// halocfg probe should check each "probe:".
var pairOnly = []*Kind{
	{
		// probe: includeenabled and includedisabled together list every
		// agent, disabled ones too (Uname rows); whether configuration points
		// at agents only includeapiagents or includeunassigned would list
		Name: "agent", Endpoint: "/Agent", ListKey: "agents",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id", "name", "email"},
		Keys:      [][]string{{"email"}, {"name"}},
	},
	{
		// probe: the same for teams (SectionDetail rows)
		Name: "team", Endpoint: "/Team", ListKey: "teams",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id", "name"},
	},
	{
		// Halo's API description has no department list: each team's row
		// names its department (probe: department_id and department_name
		// are in the rows). A department without a team is not seen.
		Name: "department", Endpoint: "/Team", ListKey: "teams",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id=department_id", "name=department_name"},
	},
	{
		// probe: /Roles lists every role (NHD_Roles rows)
		Name: "role", Endpoint: "/Roles", ListKey: "roles",
		Keep: []string{"id", "name"},
	},
	{
		// probe: a mailbox's name is its address (Mailbox rows)
		Name: "mailbox", Endpoint: "/Mailbox", ListKey: "mailboxes",
		Keep: []string{"id", "name"},
	},
	{
		// Paged (the 100-row cap). probe: includeactive and
		// includeinactive together list every client (Area rows)
		Name: "client", Endpoint: "/Client", ListKey: "clients",
		ListQuery: "includeactive=true&includeinactive=true",
		Keep:      []string{"id", "name"},
	},
	{
		// A site is named within its client: "Main Office" repeats.
		// Paged. probe: the same flags as clients (Site rows)
		Name: "site", Endpoint: "/Site", ListKey: "sites",
		ListQuery:  "includeactive=true&includeinactive=true",
		Keep:       []string{"id", "client_name", "name"},
		NaturalKey: []string{"client_name", "name"},
	},
}

func init() {
	for _, k := range pairOnly {
		k.PairOnly, k.RefField = true, "id"
		if k.NaturalKey == nil {
			k.NaturalKey = []string{"name"}
		}
	}
}

// PairOnlyKinds returns the pair-only kinds (Kind.PairOnly), in the order
// a snapshot stores them.
func PairOnlyKinds() []*Kind { return pairOnly }

// LookupPairOnly returns the pair-only kind with the given name: the
// external target whose references pairing resolves.
func LookupPairOnly(name string) (*Kind, bool) { return find(pairOnly, name) }

// Stored returns every kind a snapshot may hold: the configuration kinds
// (Kinds), then the directories of the pair-only kinds.
func Stored() []*Kind { return slices.Concat(kinds, pairOnly) }

// LookupStored returns the kind of a snapshot's records with the given
// name, a configuration kind or a pair-only one.
func LookupStored(name string) (*Kind, bool) {
	if k, ok := Lookup(name); ok {
		return k, true
	}
	return LookupPairOnly(name)
}

// PairOnlyFor returns the pair-only kinds the references of ks may point
// at, less those named in skip (an unknown name in skip is an error).
// An export keeps their directories.
func PairOnlyFor(ks []*Kind, skip []string) ([]*Kind, error) {
	for _, n := range skip {
		if _, ok := LookupPairOnly(n); !ok {
			return nil, fmt.Errorf("unknown pair-only kind %q (known: %s)", n, strings.Join(pairOnlyNames(), ", "))
		}
	}
	targets := map[string]bool{}
	for _, k := range ks {
		for _, r := range k.Refs {
			for _, t := range r.Targets() {
				targets[t] = true
			}
		}
	}
	var out []*Kind
	for _, k := range pairOnly {
		if targets[k.Name] && !slices.Contains(skip, k.Name) {
			out = append(out, k)
		}
	}
	return out, nil
}

func pairOnlyNames() []string {
	out := make([]string, len(pairOnly))
	for i, k := range pairOnly {
		out[i] = k.Name
	}
	return out
}

// KeyAlternatives returns the natural keys of k in the order pairing
// tries them: Keys, or NaturalKey alone.
func (k *Kind) KeyAlternatives() [][]string {
	if len(k.Keys) > 0 {
		return k.Keys
	}
	return [][]string{k.NaturalKey}
}

// Project returns the directory entry of a list row of a pair-only kind:
// the fields Keep names, taken from the row (absent ones stay absent). ok
// is false when the entry has no id (a team without a department).
func (k *Kind) Project(row map[string]any) (entry map[string]any, ok bool) {
	entry = map[string]any{}
	for _, f := range k.Keep {
		to, from, renamed := strings.Cut(f, "=")
		if !renamed {
			from = to
		}
		if v, present := row[from]; present {
			entry[to] = v
		}
	}
	_, none, err := Ref{Target: k.Name, External: true}.IDText(entry["id"])
	return entry, err == nil && !none
}

// MustLookupStored is LookupStored for a name the caller knows.
func MustLookupStored(name string) *Kind {
	k, ok := LookupStored(name)
	if !ok {
		panic("catalog: unknown kind " + name)
	}
	return k
}
