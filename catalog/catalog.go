// Package catalog describes the kinds of ticket configuration halocfg moves:
// where each lives in the Halo API, how its records are keyed, and which of
// its fields point at other records. It is data, read by every other package,
// and imports none of them.
package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Kind is one entity kind of the ticket configuration.
type Kind struct {
	Name     string // file, sheet and --only name: "status"
	Endpoint string // API path under /api: "/Status"
	Schema   string // OpenAPI schema of a full record: "TStatus"
	ListKey  string // array key of the wrapped list shape {"record_count": N, ListKey: [...]}

	// ListQuery asks the list for every record, hidden and inactive included;
	// DetailQuery asks GET Endpoint/{id} for the full record.
	ListQuery   string
	DetailQuery string

	// RefField is the field other records use to point at a record of this
	// kind. It is "id" except for priority, whose id is a string (a uuid) and
	// which is referred to by its integer priorityid.
	RefField string
	// StringID is true when the id field is a JSON string.
	StringID bool

	// NaturalKey names the fields that identify a record across tenants.
	NaturalKey []string
	// Refs lists every field that holds the id of another record, internal or external.
	Refs []Ref
	// RowKeys names, for each nested array whose rows other records point
	// at (Ref.Row), the field that identifies a row across tenants: a
	// custom field's values[] by "name". The rows' ids are the target's.
	RowKeys map[string]string
	// Computed names the top-level fields Halo sets on records of this kind
	// by itself, beyond what Derived says of every kind: a recurring
	// template's run times.
	Computed []string

	// Unverified lists what the catalog assumes about this kind that no
	// tenant has confirmed yet (it was read from Halo's API description
	// alone). halocfg probe checks each against a tenant.
	Unverified []Assumption

	// PairOnly marks a kind that is read from both tenants and paired by
	// natural key, never written: people and organisation records that
	// external references point at (see pairOnly in people.go).
	PairOnly bool
	// Keep lists the fields a snapshot's directory keeps of each list row
	// of a pair-only kind: "email", or "id=department_id" (a field taken
	// from another field of the row).
	Keep []string
	// Keys lists the natural keys of a pair-only kind in the order pairing
	// tries them: a record is keyed by the first whose fields it has (an
	// agent by its email, else its name). Empty: NaturalKey alone.
	Keys [][]string
}

// Assumption is something the catalog holds about a kind that no tenant
// has confirmed. On names the part of the kind's entry it concerns, which
// tells halocfg probe the check that confirms or refutes it.
type Assumption struct {
	On   Aspect
	Text string // the assumption in words: "/Workday lists every workday without parameters"
	// Fields are the fields of a full record the assumption promises
	// (On DetailQuery: "holidays" comes with includedetails=true); a
	// nested one as a path ("steps[].rules").
	Fields []string
}

// Aspect is the part of a kind's entry an Assumption concerns.
type Aspect string

const (
	OnListKey     Aspect = "ListKey"     // the list answers a bare array or an object holding ListKey
	OnListQuery   Aspect = "ListQuery"   // the list, with ListQuery, holds every record
	OnDetailQuery Aspect = "DetailQuery" // the detail, with DetailQuery, holds every field
	OnIDs         Aspect = "ids"         // how records are identified: ids, natural keys
	OnWrites      Aspect = "writes"      // how a write behaves: not checked read-only
	OnKeep        Aspect = "Keep"        // a pair-only kind's list rows hold the fields its directory keeps
	OnTarget      Aspect = "target"      // which list a pair-only kind's references point at: not checked read-only
)

// Ref is a field holding the id of another record.
//
// Field is a path: "newstatus" (a scalar), "tickettypes[].value" (a field of
// each object of an array; for KeyPair2 arrays the id is a string) or
// "soc_default_target.value" (a field of a nested object). The field may
// hold one id, an array of ids ("fieldidlist": [3, 4]) or, with List, a
// text list of them ("12,13,14"). Slots walks its values.
type Ref struct {
	Field  string
	Target string // kind name, or for an external reference what it points at ("agent")
	// External references point at things halocfg does not export; they are
	// mapped, cleared or kept by the user's explicit choice.
	External bool
	// StringID is true when the id is carried as a JSON string (KeyPair2.value).
	StringID bool
	// GUID and Name are partner fields carrying the target's guid and display name.
	GUID string
	Name string
	// Owner marks a nested back-reference to the record that contains it
	// (allowed_status[].ticketype_id inside a ticket type).
	Owner bool
	// OwnerRow, on an Owner reference, names the nested array whose row
	// holds it, which it points at instead of the record: a workflow step's
	// translations (steps[].translations[].entity_id) hold the step's id,
	// a row of "steps[]". Halo sets it when it saves the row, by the id it
	// gives the row (RowIDField); like every owner back-reference it is
	// derived, and an import leaves it out.
	OwnerRow string
	// List is true when the field is a text holding a comma-separated list
	// of ids ("12,13,14"); each is carried as a string.
	List bool
	// By names a sibling field (in the same object) whose value says what
	// the reference points at: ByValue maps its values, lower-cased, to a
	// target (a kind, or an external target; "" for values that hold no
	// id), and Target, external, serves the values ByValue lacks. A
	// criterion's value_int is a status when its fieldname is "status".
	By      string
	ByValue map[string]string
	// Row, when set, makes the reference point at a row of the nested array
	// Row of a Target record: the record that the sibling field In names (a
	// custom field value: lookup_value_id is a row of the values[] of the
	// field lookup_field_id names). Rows pair across tenants by the target
	// kind's RowKeys. Without In the row is one of the record that holds
	// the reference (Target is its own kind): a template milestone's
	// dependencies[].parent is a row of the same template's milestones.
	// An import creates such a record with these references empty and
	// sets them once the target has numbered the rows.
	Row, In string
	// Inferred marks a reference read from a field name alone (the OpenAPI
	// description has no field descriptions): check it against a tenant.
	Inferred bool
	// Hint names sibling fields that tell what an external reference
	// points at, in a way Halo's API description leaves undocumented (an
	// approval step's type says whether agent_id_or_cab_id is an agent or
	// a CAB, by codes it does not list). halocfg probe shows, beside the
	// reference's values, the codes they hold (numbers) or whether they
	// are set (texts), so that a user can tell the catalog what they mean.
	Hint []string
}

// Kinds returns the kinds of the catalog r may point at: its Target, or
// for a reference whose target a sibling chooses (By) every kind among the
// choices. None for an external reference.
func (r Ref) Kinds() []string {
	var out []string
	if _, ok := Lookup(r.Target); ok {
		out = append(out, r.Target)
	}
	for _, t := range r.ByValue {
		if _, ok := Lookup(t); ok && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Targets returns every target r may point at, kinds and external targets.
func (r Ref) Targets() []string {
	out := []string{r.Target}
	for _, t := range r.ByValue {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Path splits Field into its steps: "tickettypes[].value" -> ["tickettypes[]", "value"].
func (r Ref) Path() []string { return strings.Split(r.Field, ".") }

// Top is the top-level field of the record that holds the reference.
func (r Ref) Top() string { return strings.TrimSuffix(r.Path()[0], "[]") }

// Nested reports whether the reference lies inside an array or object.
func (r Ref) Nested() bool { return strings.Contains(r.Field, ".") }

// ShowParams returns the parameters any kind's ListQuery sets to true to
// list hidden or inactive records ("showall", "showinactive" ...), sorted.
func ShowParams() []string {
	var out []string
	for _, k := range kinds {
		for _, p := range TrueParams(k.ListQuery) {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TrueParams lists the parameters of a query that are "true", in order.
func TrueParams(query string) []string {
	var out []string
	for _, p := range strings.Split(query, "&") {
		if name, v, _ := strings.Cut(p, "="); strings.EqualFold(v, "true") {
			out = append(out, name)
		}
	}
	return out
}

// Kinds returns every kind in a stable order: referenced kinds before the
// kinds that refer to them where no cycle prevents it.
func Kinds() []*Kind { return kinds }

// Lookup returns the kind with the given name.
func Lookup(name string) (*Kind, bool) { return find(kinds, name) }

func find(list []*Kind, name string) (*Kind, bool) {
	for _, k := range list {
		if k.Name == name {
			return k, true
		}
	}
	return nil, false
}

// MustLookup returns the kind with the given name, which the caller knows
// exists (a Ref's internal target, a kind of the catalog's own list).
func MustLookup(name string) *Kind {
	k, ok := Lookup(name)
	if !ok {
		panic("catalog: unknown kind " + name)
	}
	return k
}

// Names returns the names of all kinds.
func Names() []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return names
}

// Select returns the kinds named in only (all when empty) minus those in skip,
// in catalog order. Unknown names are an error that lists the known ones.
func Select(only, skip []string) ([]*Kind, error) {
	want := map[string]bool{}
	for _, list := range [][]string{only, skip} {
		for _, n := range list {
			if _, ok := Lookup(n); !ok {
				return nil, fmt.Errorf("unknown kind %q (known kinds: %s)", n, strings.Join(Names(), ", "))
			}
		}
	}
	for _, n := range only {
		want[n] = true
	}
	skipped := map[string]bool{}
	for _, n := range skip {
		skipped[n] = true
	}
	var out []*Kind
	for _, k := range kinds {
		if (len(only) == 0 || want[k.Name]) && !skipped[k.Name] {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no kinds selected")
	}
	return out, nil
}

// DisplayField is the field a *_name partner or a KeyPair2 label copies
// from a record of k: the last natural-key field ("name", "outcome",
// category's "value").
func (k *Kind) DisplayField() string { return k.NaturalKey[len(k.NaturalKey)-1] }

// InternalRefs returns the references of k that point at exported kinds.
func (k *Kind) InternalRefs() []Ref {
	var out []Ref
	for _, r := range k.Refs {
		if !r.External {
			out = append(out, r)
		}
	}
	return out
}

// ExternalRefs returns the references of k that point outside the export.
func (k *Kind) ExternalRefs() []Ref {
	var out []Ref
	for _, r := range k.Refs {
		if r.External {
			out = append(out, r)
		}
	}
	return out
}

// ExternalTargets lists the distinct targets of all external references,
// and of the external choices of references whose target a sibling chooses.
func ExternalTargets() []string {
	seen := map[string]bool{}
	for _, k := range kinds {
		for _, r := range k.Refs {
			for _, t := range r.Targets() {
				if _, isKind := Lookup(t); !isKind {
					seen[t] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
