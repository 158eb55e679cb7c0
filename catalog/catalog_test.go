package catalog

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// openAPI returns the schemas extracted from Halo's OpenAPI description
// (schemas.json; TestSchemasJSONIsCurrent checks it against the description).
func openAPI(t *testing.T) map[string][]Field {
	t.Helper()
	return schemas()
}

// candidate is a field that must be classified: an integer (or integer
// array) field named like a reference, or the id of a KeyPair/KeyPair2.
type candidate struct {
	path   string   // in the root schema: "steps[].actions[].action_id"
	schema string   // schema declaring the field: "FlowSubDetail"
	field  string   // "action_id"
	steps  []string // container steps of a nested field: ["steps[]", "actions[]"]
}

func isCandidate(schema string, f Field) bool {
	switch {
	case schema == "KeyPair2" && f.Name == "value", schema == "KeyPair" && f.Name == "id":
		return true
	case f.Type == "integer", f.Type == "array" && f.Items == "integer":
		return NamedLikeRef(f.Name)
	case f.Type == "string" && strings.HasSuffix(f.Name, "_list"): // a text list of ids: "12,13,14"?
		return NamedLikeRef(strings.TrimSuffix(f.Name, "_list"))
	}
	return false
}

// containerStep is the path step of a field that nests a schema: "fields[]" or "design".
func containerStep(f Field) string {
	if f.Type == "array" {
		return f.Name + "[]"
	}
	return f.Name
}

// candidates walks the fields of root and of the schemas it nests, SchemaDepth levels deep.
func candidates(schemas map[string][]Field, root string) []candidate {
	var out []candidate
	var walk func(schema string, steps []string)
	walk = func(schema string, steps []string) {
		for _, f := range schemas[schema] {
			if isCandidate(schema, f) {
				path := strings.Join(append(slices.Clone(steps), f.Name), ".")
				out = append(out, candidate{path: path, schema: schema, field: f.Name, steps: steps})
			}
			if f.Ref != "" && len(steps) < SchemaDepth {
				walk(f.Ref, append(slices.Clone(steps), containerStep(f)))
			}
		}
	}
	walk(root, nil)
	return out
}

// notRefKey returns the notRefs key that classifies a candidate of root,
// most specific first: the path, the schema's field, then a wildcard of the
// innermost container, then of the containers around it.
func notRefKey(root string, c candidate) (string, bool) {
	keys := []string{root + "." + c.path, c.schema + "." + c.field}
	for i := len(c.steps); i > 0; i-- {
		keys = append(keys, root+"."+strings.Join(c.steps[:i], ".")+".*")
	}
	for _, k := range keys {
		if _, ok := notRefs[k]; ok {
			return k, true
		}
	}
	return "", false
}

// resolve finds the field a path names in root (FieldAt).
func resolve(_ map[string][]Field, root, path string) (Field, string, bool) {
	return FieldAt(root, path)
}

func TestEveryReferenceLikeFieldIsClassified(t *testing.T) {
	schemas := openAPI(t)
	var missing []string
	used := map[string]bool{}
	flagged, byRef, byNotRef := 0, 0, 0
	for _, k := range Kinds() {
		refs := map[string]bool{}
		for _, r := range k.Refs {
			refs[r.Field] = true
		}
		for _, c := range candidates(schemas, k.Schema) {
			flagged++
			if refs[c.path] {
				byRef++
				continue
			}
			key, ok := notRefKey(k.Schema, c)
			if !ok {
				missing = append(missing, fmt.Sprintf("%s: %s (%s.%s)", k.Name, c.path, c.schema, c.field))
				continue
			}
			used[key] = true
			byNotRef++
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		t.Errorf("%d fields named like a reference are neither a Ref nor in notRefs:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	for key := range notRefs {
		if !used[key] {
			t.Errorf("notRefs[%q] classifies no field (stale, or shadowed by Refs)", key)
		}
	}
	t.Logf("%d flagged fields on kind paths: %d Refs, %d not references (%d notRefs entries)", flagged, byRef, byNotRef, len(notRefs))
}

func TestNotRefsNameFlaggedFields(t *testing.T) {
	schemas := openAPI(t)
	for key, reason := range notRefs {
		schema, path, _ := strings.Cut(key, ".")
		if reason == "" {
			t.Errorf("notRefs[%q]: no reason", key)
		}
		if container, ok := strings.CutSuffix(path, ".*"); ok {
			last := container[strings.LastIndex(container, ".")+1:]
			f, _, ok := resolve(schemas, schema, strings.TrimSuffix(container, "[]"))
			if !ok || f.Ref == "" || containerStep(f) != last {
				t.Errorf("notRefs[%q]: %s has no nested schema %s", key, schema, container)
			}
			continue
		}
		f, nested, ok := resolve(schemas, schema, path)
		if !ok {
			t.Errorf("notRefs[%q]: no such field", key)
			continue
		}
		if !isCandidate(nested, f) {
			t.Errorf("notRefs[%q]: field is not named like a reference (or not an integer)", key)
		}
	}
}

func TestRefsResolve(t *testing.T) {
	schemas := openAPI(t)
	for _, k := range Kinds() {
		seen := map[string]bool{}
		for _, r := range k.Refs {
			where := k.Name + " " + r.Field
			if seen[r.Field] {
				t.Errorf("%s: listed twice", where)
			}
			seen[r.Field] = true
			f, _, ok := resolve(schemas, k.Schema, r.Field)
			switch {
			case !ok:
				t.Errorf("%s: no such field in %s", where, k.Schema)
			case r.StringID && f.Type != "string":
				t.Errorf("%s: StringID but the field is %s", where, f.Type)
			case !r.StringID && f.Type != "integer" && (f.Type != "array" || f.Items != "integer"):
				t.Errorf("%s: the field is %s %s, not an integer id", where, f.Type, f.Items)
			}
			for _, partner := range []string{r.GUID, r.Name} {
				if _, _, ok := resolve(schemas, k.Schema, partner); partner != "" && !ok {
					t.Errorf("%s: partner field %s does not exist", where, partner)
				}
			}
			checkShape(t, schemas, k, r)
			_, isKind := Lookup(r.Target)
			switch {
			case r.Target == "":
				t.Errorf("%s: no target", where)
			case r.External && isKind:
				t.Errorf("%s: external, but %s is an exported kind", where, r.Target)
			case !r.External && !isKind:
				t.Errorf("%s: target %s is not a kind", where, r.Target)
			case r.Owner && (r.External || r.Target != k.Name || !r.Nested()):
				t.Errorf("%s: an owner reference must be nested and point at %s", where, k.Name)
			}
		}
	}
}

// checkShape checks what the new shapes of reference need: a text list is
// text; a target chosen by a sibling has the sibling, an external fallback,
// and choices that are kinds or external targets; a reference to a row
// names a keyed array of its target kind and a sibling that points at that
// kind.
func checkShape(t *testing.T, schemas map[string][]Field, k *Kind, r Ref) {
	t.Helper()
	where := k.Name + " " + r.Field
	sibling := func(name string) (Field, bool) {
		f, _, ok := resolve(schemas, k.Schema, strings.TrimSuffix(r.Field, Leaf(r.Field))+name)
		return f, ok
	}
	if f, _, _ := resolve(schemas, k.Schema, r.Field); r.List && (f.Type != "string" || !r.StringID) {
		t.Errorf("%s: a text list must be a string field with StringID", where)
	}
	if r.By != "" {
		if f, ok := sibling(r.By); !ok || f.Type != "string" {
			t.Errorf("%s: By %s is not a text field beside it", where, r.By)
		}
		if _, isKind := Lookup(r.Target); isKind || !r.External {
			t.Errorf("%s: the fallback target %s must be external", where, r.Target)
		}
		for v := range r.ByValue {
			if v != strings.ToLower(v) {
				t.Errorf("%s: ByValue key %q is not lower-case", where, v)
			}
		}
	}
	if r.Row != "" || r.In != "" {
		tk, ok := Lookup(r.Target)
		if !ok || tk.RowKeys[r.Row] == "" {
			t.Errorf("%s: %s has no keyed rows %q", where, r.Target, r.Row)
		}
		in := strings.TrimSuffix(r.Field, Leaf(r.Field)) + r.In
		i := slices.IndexFunc(k.Refs, func(x Ref) bool { return x.Field == in })
		switch {
		case r.In == "" && r.Target != k.Name:
			t.Errorf("%s: a row of the record itself (no In) must target %s", where, k.Name)
		case r.In == "":
		case i < 0 || k.Refs[i].Target != r.Target:
			t.Errorf("%s: In %s is not a reference to %s beside it", where, in, r.Target)
		}
	}
}

func TestKindsMatchSchemas(t *testing.T) {
	schemas := openAPI(t)
	for _, k := range Kinds() {
		if _, ok := schemas[k.Schema]; !ok {
			t.Errorf("%s: no schema %s", k.Name, k.Schema)
			continue
		}
		if k.Endpoint == "" || k.ListKey == "" { // DetailQuery may be empty: /ToDoGroup/{id} takes no parameter
			t.Errorf("%s: endpoint %q, list key %q", k.Name, k.Endpoint, k.ListKey)
		}
		if f, _, ok := resolve(schemas, k.Schema, k.RefField); !ok || f.Type != "integer" {
			t.Errorf("%s: RefField %s is not an integer field of %s", k.Name, k.RefField, k.Schema)
		}
		id, _, _ := resolve(schemas, k.Schema, "id")
		if want := map[bool]string{true: "string", false: "integer"}[k.StringID]; id.Type != want {
			t.Errorf("%s: id is %s, StringID is %v", k.Name, id.Type, k.StringID)
		}
		if len(k.NaturalKey) == 0 {
			t.Errorf("%s: no natural key", k.Name)
		}
		for _, n := range k.NaturalKey {
			if _, _, ok := resolve(schemas, k.Schema, n); !ok {
				t.Errorf("%s: natural key field %s does not exist", k.Name, n)
			}
		}
	}
}

func TestSchema(t *testing.T) {
	if f, ok := Schema("TStatus"); !ok || len(f) == 0 || f[0].Name == "" {
		t.Errorf(`Schema("TStatus") = %v, %v`, f, ok)
	}
	if _, ok := Schema("NoSuchSchema"); ok {
		t.Error(`Schema("NoSuchSchema") found`)
	}
}

// designRefs is DESIGN.md's list "Reference fields to remap".
var designRefs = map[string]map[string]string{
	"outcome": {
		"newstatus": "status", "default_linkedticket_status": "status", "child_ticket_type_id": "tickettype",
		"requesttype": "tickettype", "tickettypes[].value": "tickettype", "child_template_id": "template",
		"emailtemplate_id": "emailtemplate", "child_emailtemplate_id": "emailtemplate", "workflow_id": "workflow",
		"workflows[].value": "workflow", "defaultpriority": "priority",
	},
	"status": {
		"statuschangeto": "status", "nochangetemplate": "emailtemplate", "statusemailid": "emailtemplate",
		"tickettypes[].value": "tickettype", "outcomes[].value": "outcome",
	},
	"tickettype": {
		"initial_status": "status", "statusafteruserupdate": "status", "statusaftersupplierupdate": "status",
		"statusaftertechupdate": "status", "statusafterapproverupdate": "status", "reopenedstatus": "status",
		"parentstatusafterallchildclosed": "status", "statusafterresourcebook": "status",
		"ticket_status_after_appointment": "status", "allowed_status[].status_id": "status",
		"workflow_id": "workflow", "default_sla": "sla", "default_priority": "priority", "group_id": "tickettypegroup",
		"acknowledgementtemplate": "emailtemplate", "acknowledgementtemplateooh": "emailtemplate",
		"closedrequestsemailid": "emailtemplate", "pendingrequestsemailid": "emailtemplate",
		"allowed_child_tickettypes[].child_tickettype_id": "tickettype", "sprint_tickettype_id": "tickettype",
		"allowed_category1[].category_id": "category", "allowed_category2[].category_id": "category",
		"allowed_category3[].category_id": "category", "allowed_category4[].category_id": "category",
	},
	"ticketarea": {"default_ticket_type": "tickettype"},
	"template": {
		"tickettype_id": "tickettype", "status_id": "status", "workflow_id": "workflow", "priority_id": "priority",
	},
	"category": {"sla_id": "sla", "priority_id": "priority"},
	"sla": {
		"statusafterautorelease": "status", "slstatusafterfirstwarning": "status", "slstatusaftersecondwarning": "status",
	},
	"workflow": {"steps[].newticket_tickettype_id": "tickettype", "steps[].newticket_template_id": "template"},
}

func TestDesignReferencesAreInternal(t *testing.T) {
	for kind, fields := range designRefs {
		k, ok := Lookup(kind)
		if !ok {
			t.Fatalf("no kind %s", kind)
		}
		for field, target := range fields {
			i := slices.IndexFunc(k.Refs, func(r Ref) bool { return r.Field == field })
			if i < 0 {
				t.Errorf("%s.%s: not a Ref", kind, field)
				continue
			}
			if r := k.Refs[i]; r.External || r.Owner || r.Target != target {
				t.Errorf("%s.%s: %+v, want an internal reference to %s", kind, field, r, target)
			}
		}
	}
}

func TestNamedLikeRef(t *testing.T) {
	for name, want := range map[string]bool{
		"id": true, "status_id": true, "priorityid": true, "releaseid2": true, "fieldidlist": true,
		"newstatus": true, "defaultagent": true, "requesttype": true, "type": true, "sequence": false,
		"chargerate": true, "travelrate": true, "value_int": true, "status_guid": false, "guid": false, "autoCloseHours": false, "ID": true, "key1": true,
	} {
		if got := NamedLikeRef(name); got != want {
			t.Errorf("NamedLikeRef(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ok     bool
		schema string
	}{
		{"status", true, "TStatus"},
		{"priority", true, "Policy"},
		{"emailtemplate", true, "MessageContent"},
		{"Status", false, ""},
		{"", false, ""},
	} {
		k, ok := Lookup(tc.name)
		if ok != tc.ok || (ok && k.Schema != tc.schema) {
			t.Errorf("Lookup(%q) = %v, %v; want schema %q, %v", tc.name, k, ok, tc.schema, tc.ok)
		}
	}
}

func TestSelect(t *testing.T) {
	all := Names()
	for _, tc := range []struct {
		name       string
		only, skip []string
		want       []string
		err        string
	}{
		{name: "all", want: all},
		{name: "only", only: []string{"outcome", "status"}, want: []string{"status", "outcome"}},
		{name: "skip", skip: []string{"template", "emailtemplate"}, want: without(all, "template", "emailtemplate")},
		{name: "only and skip", only: []string{"status", "sla"}, skip: []string{"status"}, want: []string{"sla"}},
		{name: "unknown only", only: []string{"statuses"},
			err: `unknown kind "statuses" (known kinds: ` + strings.Join(all, ", ") + ")"},
		{name: "unknown skip", skip: []string{"agent"}, err: `unknown kind "agent"`},
		{name: "nothing left", only: []string{"sla"}, skip: []string{"sla"}, err: "no kinds selected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := Select(tc.only, tc.skip)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range ks {
				got = append(got, k.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func without(names []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return slices.Contains(drop, n) })
}

func TestRefsTo(t *testing.T) {
	k, _ := Lookup("status")
	var got []string
	for _, r := range k.RefsTo("emailtemplate") {
		got = append(got, r.Field)
	}
	if want := []string{"nochangetemplate", "statusemailid"}; !slices.Equal(got, want) {
		t.Errorf("status RefsTo emailtemplate: %v, want %v", got, want)
	}
	if refs := k.RefsTo("agent"); len(refs) != 0 {
		t.Errorf("RefsTo an external target: %v", refs)
	}
	sla, _ := Lookup("sla")
	got = nil
	for _, r := range sla.RefsTo("sla") {
		if r.Owner {
			got = append(got, r.Field)
		}
	}
	if want := []string{"priorities[].slaid", "access_control[].entity_id"}; !slices.Equal(got, want) {
		t.Errorf("sla RefsTo sla (owners): %v, want %v", got, want)
	}
	if deps := sla.DependsOn(); slices.Contains(deps, "sla") {
		t.Errorf("sla DependsOn %v: owner back-references must not count", deps)
	}
}

// The kind graph is a golden file: a change of references shows in review.
func TestGraph(t *testing.T) {
	var b strings.Builder
	for _, k := range Kinds() {
		fmt.Fprintf(&b, "%s -> %s\n", k.Name, strings.Join(k.DependsOn(), ", "))
	}
	want, err := os.ReadFile("testdata/graph.golden")
	if err != nil || b.String() != string(want) {
		if os.Getenv("UPDATE_GOLDEN") != "" {
			if err := os.WriteFile("testdata/graph.golden", []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("kind graph differs from testdata/graph.golden (UPDATE_GOLDEN=1 rewrites it): %v\n%s", err, b.String())
	}

	for _, tc := range []struct {
		from, to string
		cycle    bool
	}{
		{"status", "outcome", true},
		{"outcome", "status", true},
		{"tickettype", "status", true},
		{"status", "status", true},
		{"category", "sla", true}, // sla -> status -> tickettype -> category
		{"status", "emailtemplate", false},
		{"ticketarea", "tickettype", false},
		{"sla", "status", true},
	} {
		if got := InCycle(tc.from, tc.to); got != tc.cycle {
			t.Errorf("InCycle(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.cycle)
		}
	}
}

// Kinds() lists referenced kinds first wherever no cycle prevents it.
func TestKindOrder(t *testing.T) {
	pos := map[string]int{}
	for i, n := range Names() {
		pos[n] = i
	}
	for _, k := range Kinds() {
		for _, t2 := range k.DependsOn() {
			if pos[t2] > pos[k.Name] && !InCycle(k.Name, t2) {
				t.Errorf("%s refers to %s, which comes later, and no cycle forces it", k.Name, t2)
			}
		}
	}
}

func TestDisplayField(t *testing.T) {
	for kind, want := range map[string]string{"status": "name", "outcome": "outcome", "category": "value", "priority": "name"} {
		if k, _ := Lookup(kind); k.DisplayField() != want {
			t.Errorf("%s: DisplayField %q, want %q", kind, k.DisplayField(), want)
		}
	}
}

func TestMustLookup(t *testing.T) {
	if k := MustLookup("status"); k.Endpoint != "/Status" {
		t.Errorf("MustLookup(status) = %s", k.Endpoint)
	}
	defer func() {
		if r := recover(); r != "catalog: unknown kind ticket" {
			t.Errorf("MustLookup(ticket) panicked with %v", r)
		}
	}()
	MustLookup("ticket")
}

// A reference's *_guid partner, where the schema has one beside it
// ("approval_process_id" and "approval_process_guid", "workday_id" and
// "workday_guid", "default_asset_type" and "default_asset_type_guid"), is
// declared: it is rewritten with the reference, and never compared.
func TestGUIDPartnersAreDeclared(t *testing.T) {
	schemas := openAPI(t)
	for _, k := range Kinds() {
		for _, r := range k.Refs {
			if r.GUID != "" || r.Owner || r.Row != "" {
				continue
			}
			leaf := Leaf(r.Field)
			prefix := strings.TrimSuffix(r.Field, leaf)
			stem := strings.TrimSuffix(strings.TrimSuffix(leaf, "id"), "_")
			for _, partner := range []string{stem + "_guid", stem + "guid"} {
				if _, _, ok := resolve(schemas, k.Schema, prefix+partner); ok && partner != leaf {
					t.Errorf("%s %s: the schema has %s%s beside it, not declared as its GUID", k.Name, r.Field, prefix, partner)
				}
			}
		}
	}
}

// The assumptions halocfg probe checks are data it can act on: a known
// aspect, words, and fields a full record of the kind's schema can hold.
func TestUnverifiedAssumptions(t *testing.T) {
	aspects := []Aspect{OnListKey, OnListQuery, OnDetailQuery, OnIDs, OnWrites}
	n := 0
	for _, k := range Kinds() {
		for _, a := range k.Unverified {
			n++
			if !slices.Contains(aspects, a.On) || a.Text == "" {
				t.Errorf("%s: assumption %+v: want a known aspect and a text", k.Name, a)
			}
			if len(a.Fields) > 0 && a.On != OnDetailQuery {
				t.Errorf("%s: %q: only a DetailQuery assumption names fields", k.Name, a.Text)
			}
			for _, f := range a.Fields {
				if _, _, ok := FieldAt(k.Schema, f); !ok {
					t.Errorf("%s: %q: %s is no field of %s", k.Name, a.Text, f, k.Schema)
				}
			}
		}
	}
	if n < 9 {
		t.Errorf("%d unverified assumptions, want at least one for each kind added from the description", n)
	}
}

func TestUnverifiedNotRefs(t *testing.T) {
	got := UnverifiedNotRefs()
	keys := make([]string, len(got))
	for i, nr := range got {
		keys[i] = nr.Key
		if notRefs[nr.Key] != nr.Reason || !strings.HasSuffix(nr.Reason, "(inferred)") {
			t.Errorf("%s: reason %q", nr.Key, nr.Reason)
		}
	}
	for _, want := range []string{"FieldInfo.lookup", "Workdays.holidays[].schedule.*"} {
		if !slices.Contains(keys, want) {
			t.Errorf("UnverifiedNotRefs lacks %s: %v", want, keys)
		}
	}
	if !slices.IsSorted(keys) {
		t.Errorf("not sorted: %v", keys)
	}
}

func TestParams(t *testing.T) {
	if got, want := ShowParams(), []string{"includeinactive", "showall", "showallcodes", "showhidden", "showinactive"}; !slices.Equal(got, want) {
		t.Errorf("ShowParams() = %v, want %v", got, want)
	}
	if got, want := TrueParams("a=true&b=false&c=TRUE&d"), []string{"a", "c"}; !slices.Equal(got, want) {
		t.Errorf("TrueParams = %v, want %v", got, want)
	}
}
