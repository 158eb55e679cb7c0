package mapping

import (
	"reflect"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// peopleFixture: the directories of two tenants, and a source template
// pointing at people. Agent 1 was renamed in the target (same email), agent
// 2's email differs in case, agent 3 has no email, agent 4 is not in the
// target, source agents 5 and 6 share a name the target has once; team 1 is
// in other case, and the target has two teams "Training".
func peopleFixture(t *testing.T, withDirectories bool) (src, dst *Tenant) {
	t.Helper()
	srcKinds := map[string]string{
		"template": `[{"id":1,"name":"New Starter","agent_id":1,"optional_agent_id":3,"restrictto_agent_id":6,"restrictto_team_id":2,
			"restrictto_department_id":7,"access_control":[{"entity_id":1,"role_id":1,"agent_id":4,"team_id":1}],
			"automationcriteria":[{"fieldname":"agent","value_int":2},{"fieldname":"team_id","value_int":9}]}]`,
	}
	dstKinds := map[string]string{"template": `[]`}
	if withDirectories {
		srcKinds["agent"] = `[{"id":1,"name":"Ana Lopez","email":"ana@x.example"},{"id":2,"name":"Ben Ode","email":"BEN@x.example"},
			{"id":3,"name":"Robot","email":""},{"id":4,"name":"Gone","email":"gone@x.example"},{"id":5,"name":"Kim","email":null},{"id":6,"name":"Kim"}]`
		srcKinds["team"] = `[{"id":1,"name":"Service Desk"},{"id":2,"name":"Training"}]`
		srcKinds["role"] = `[{"id":1,"name":"Admin"}]`
		srcKinds["department"] = `[]`
		dstKinds["agent"] = `[{"id":11,"name":"Ana Lopez-Diaz","email":"ana@x.example"},{"id":12,"name":"Ben Ode","email":"ben@x.example"},
			{"id":13,"name":"Robot","email":""},{"id":15,"name":"Kim","email":"kim@x.example"}]`
		dstKinds["team"] = `[{"id":21,"name":"service desk "},{"id":22,"name":"Training"},{"id":23,"name":"Training"}]`
		dstKinds["role"] = `[{"id":31,"name":"Admin"}]`
		dstKinds["department"] = `[]`
	}
	return tenant(t, srcKinds), tenant(t, dstKinds)
}

// TestMatchPeople: people pair by key (an agent by email, else name; teams
// and roles by name; without case); a key that several records share is
// reported naming every candidate, never settled by a guess.
func TestMatchPeople(t *testing.T) {
	src, dst := peopleFixture(t, true)
	m, probs := Match(src, dst, nil, nil)
	want := map[string]map[string]Pair{
		"agent": {"1": {"11", "key"}, "2": {"12", "key"}, "3": {"13", "key"}},
		"team":  {"1": {"21", "key"}},
		"role":  {"1": {"31", "key"}},
	}
	for kind, pairs := range want {
		for id, p := range pairs {
			if got, ok := m.Get(kind, id); !ok || got != p {
				t.Errorf("%s %s: paired %v (%v), want %v", kind, id, got, ok, p)
			}
		}
	}
	for _, unpaired := range [][2]string{{"agent", "4"}, {"agent", "5"}, {"agent", "6"}, {"team", "2"}} {
		if p, ok := m.Get(unpaired[0], unpaired[1]); ok {
			t.Errorf("%s %s paired with %v, want it unpaired", unpaired[0], unpaired[1], p)
		}
	}
	reasons := map[[2]string]string{
		{"agent", "4"}: "",
		{"agent", "5"}: `source agent records 5, 6 share the key "name kim", as does target agent record 15, and nothing tells which is which`,
		{"agent", "6"}: `source agent records 5, 6 share the key "name kim", as does target agent record 15, and nothing tells which is which`,
		{"team", "2"}:  `target team records 22, 23 share the key "training", and nothing tells which is which`,
	}
	for at, want := range reasons {
		if got := m.Reason(at[0], at[1]); got != want {
			t.Errorf("%s %s: reason %q, want %q", at[0], at[1], got, want)
		}
	}
	if len(probs) != 3 { // agents 5 and 6, team 2: for the importer to keep or drop
		t.Errorf("problems %v, want 3", probs)
	}
	if ids := m.IDs(); !reflect.DeepEqual(ids["agent"], map[string]string{"1": "11", "2": "12", "3": "13"}) {
		t.Errorf("IDs()[agent] = %v", ids["agent"])
	}
}

// TestRewritePeople: an external reference to a paired person points at
// the target's; the rest go to --map, then --external, the message saying
// why pairing left them.
func TestRewritePeople(t *testing.T) {
	tests := []struct {
		name     string
		dirs     bool
		external External
		over     string
		want     string // canonical JSON of the rewritten record; "" to skip
		probs    []string
	}{
		{
			name: "kept: paired people point at the target's, the others keep their ids", dirs: true, external: ExternalKeep,
			want: `{"access_control":[{"agent_id":4,"role_id":31,"team_id":21}],"agent_id":11,` +
				`"automationcriteria":[{"fieldname":"agent","value_int":12},{"fieldname":"team_id","value_int":9}],"name":"New Starter","optional_agent_id":13,` +
				`"restrictto_agent_id":6,"restrictto_department_id":7,"restrictto_team_id":2}`,
		},
		{
			name: "cleared", dirs: true, external: ExternalClear,
			want: `{"access_control":[{"agent_id":0,"role_id":31,"team_id":21}],"agent_id":11,` +
				`"automationcriteria":[{"fieldname":"agent","value_int":12},{"fieldname":"team_id","value_int":0}],"name":"New Starter","optional_agent_id":13,` +
				`"restrictto_agent_id":0,"restrictto_department_id":0,"restrictto_team_id":0}`,
		},
		{
			name: "--map wins over pairing and fills the gaps", dirs: true, external: ExternalClear,
			over: `{"agent":{"1":"99","4":"14","6":"15"},"team":{"2":"23"}}`,
			want: `{"access_control":[{"agent_id":14,"role_id":31,"team_id":21}],"agent_id":99,` +
				`"automationcriteria":[{"fieldname":"agent","value_int":12},{"fieldname":"team_id","value_int":0}],"name":"New Starter","optional_agent_id":13,` +
				`"restrictto_agent_id":15,"restrictto_department_id":0,"restrictto_team_id":23}`,
		},
		{
			name: "failed: each unpaired reference says why", dirs: true,
			probs: []string{
				`template 1 (New Starter): access_control[].agent_id: external agent 4 is not mapped (the target has no agent with the key "email gone@x.example"): map it with --map ({"agent": {"4": TARGET_ID}})`,
				`template 1 (New Starter): restrictto_agent_id: external agent 6 is not mapped (source agent records 5, 6 share the key "name kim", as does target agent record 15, and nothing tells which is which)`,
				`template 1 (New Starter): restrictto_team_id: external team 2 is not mapped (target team records 22, 23 share the key "training", and nothing tells which is which)`,
				`template 1 (New Starter): restrictto_department_id: external department 7 is not mapped (the snapshot's directory holds no department 7)`,
				`template 1 (New Starter): automationcriteria[].value_int: external team 9 is not mapped (the snapshot's directory holds no team 9)`,
			},
		},
		{
			name: "a snapshot without directories: as before, --external decides alone", external: ExternalKeep,
			want: `{"access_control":[{"agent_id":4,"role_id":1,"team_id":1}],"agent_id":1,` +
				`"automationcriteria":[{"fieldname":"agent","value_int":2},{"fieldname":"team_id","value_int":9}],"name":"New Starter","optional_agent_id":3,` +
				`"restrictto_agent_id":6,"restrictto_department_id":7,"restrictto_team_id":2}`,
		},
		{
			name: "a snapshot without directories, failed: no reason given",
			probs: []string{
				`access_control[].agent_id: external agent 4 is not mapped: map it`, `access_control[].role_id: external role 1 is not mapped: map it`,
				`access_control[].team_id: external team 1 is not mapped: map it`, `agent_id: external agent 1 is not mapped: map it`,
				`optional_agent_id: external agent 3 is not mapped: map it`, `restrictto_agent_id: external agent 6 is not mapped: map it`,
				`restrictto_team_id: external team 2 is not mapped: map it`, `restrictto_department_id: external department 7 is not mapped: map it`,
				`automationcriteria[].value_int: external agent 2 is not mapped: map it`, `automationcriteria[].value_int: external team 9 is not mapped: map it`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := peopleFixture(t, tt.dirs)
			var over Overrides
			if tt.over != "" {
				var err error
				if over, err = ParseOverrides([]byte(tt.over)); err != nil {
					t.Fatal(err)
				}
			}
			m, _ := Match(src, dst, over, nil)
			mp := &Mapper{Source: src, Target: dst, Matching: m, Overrides: over, External: tt.external, Imported: func(string) bool { return true }}
			out, _, probs := mp.Rewrite(kindNamed(t, "template"), src.ByID("template", "1"), "")
			got := texts(probs)
			if len(got) != len(tt.probs) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.probs))
			}
			for i, w := range tt.probs {
				if !containsAny(got, w) {
					t.Errorf("problem %d: none of\n%s\ncontains %q", i, strings.Join(got, "\n"), w)
				}
			}
			if tt.want != "" {
				delete(out, "guid")
				if s := string(snapshot.Canonical(out)); s != tt.want {
					t.Errorf("rewritten:\n got %s\nwant %s", s, tt.want)
				}
			}
		})
	}
}

// texts returns the problems as their messages.
func texts(probs []snapshot.Problem) []string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.Error()
	}
	return out
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestNeutralPeople: where a tenant holds a directory, references to its
// people compare by the person's key, so two tenants' records that point
// at the same people under other ids are alike; without one, by id.
func TestNeutralPeople(t *testing.T) {
	src, dst := peopleFixture(t, true)
	k := kindNamed(t, "template")
	a := rec(t, `{"id":1,"name":"T","agent_id":1,"restrictto_team_id":1,"optional_agent_id":4}`)
	b := rec(t, `{"id":2,"name":"T","agent_id":11,"restrictto_team_id":21,"optional_agent_id":4}`)
	na, nb := src.Neutral(k, a), dst.Neutral(k, b)
	if na["agent_id"] != "agent:email ana@x.example" || na["restrictto_team_id"] != "team:service desk" {
		t.Errorf("neutral source: %s", snapshot.Canonical(na))
	}
	if !snapshot.Equal(na["agent_id"], nb["agent_id"]) || !snapshot.Equal(na["restrictto_team_id"], nb["restrictto_team_id"]) {
		t.Errorf("the same people compare unequal:\n%s\n%s", snapshot.Canonical(na), snapshot.Canonical(nb))
	}
	if na["optional_agent_id"] != "agent:email gone@x.example" || nb["optional_agent_id"] != "agent#4" {
		t.Errorf("agent 4: %v and %v, want it by key in the source and by id in the target, which lacks it", na["optional_agent_id"], nb["optional_agent_id"])
	}
	plain, _ := peopleFixture(t, false)
	if n := plain.Neutral(k, a); !snapshot.Equal(n["agent_id"], snapshot.Record{"x": a["agent_id"]}["x"]) {
		t.Errorf("without a directory agent_id = %v, want the id as it is", n["agent_id"])
	}
}
