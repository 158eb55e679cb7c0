package importer

import (
	"context"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/export"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// simPeople reads the directories of people of a simulated tenant, as
// export and import read them: over HTTP, lists only.
func simPeople(t testing.TB, s *sim) map[string][]snapshot.Record {
	t.Helper()
	dirs, err := export.People(context.Background(), s.client, catalog.PairOnlyKinds(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// peopleTenants indexes a snapshot and a tenant's records with their
// directories of people, the snapshot's reduced to the people that pair
// with the target's: a reference to a paired person then compares by its
// key on both sides, one to an unpaired person by the id it keeps.
func peopleTenants(t *testing.T, snap *snapshot.Snapshot, dst *sim) (src, tgt *mapping.Tenant, all map[string][]snapshot.Record) {
	t.Helper()
	all = dst.tenant.AllRecords()
	for kind, dir := range simPeople(t, dst) {
		all[kind] = dir
	}
	tgt = mapping.NewTenant(all)
	m, _ := mapping.Match(mapping.NewTenant(snap.Records), tgt, nil, nil)
	recs := map[string][]snapshot.Record{}
	for kind, rs := range snap.Records {
		if _, people := catalog.LookupPairOnly(kind); !people {
			recs[kind] = rs
			continue
		}
		recs[kind] = []snapshot.Record{}
		for _, r := range rs {
			if _, ok := m.Get(kind, r.ID()); ok {
				recs[kind] = append(recs[kind], r)
			}
		}
	}
	return mapping.NewTenant(recs), tgt, all
}

// peopleOf returns the plan's summary of a pair-only kind.
func peopleOf(t *testing.T, p *Plan, kind string) People {
	t.Helper()
	for _, s := range p.People {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("the plan says nothing of %s: %+v", kind, p.People)
	return People{}
}

// peopleProblems returns the problems about references to people.
func peopleProblems(p *Plan) []string {
	var out []string
	for _, pr := range p.Problems {
		for _, k := range catalog.PairOnlyKinds() {
			if strings.Contains(pr.Msg, "external "+k.Name+" ") {
				out = append(out, pr.Error())
				break
			}
		}
	}
	return out
}

// trainingTeams returns the ids of the target's two teams named Training.
func trainingTeams(t *testing.T, dst *sim) []string {
	t.Helper()
	return targetIDs(t, dst, "team", "Training")
}

// targetIDs returns the ids of the target's two records of a pair-only
// kind that share a name.
func targetIDs(t *testing.T, dst *sim, kind, name string) []string {
	t.Helper()
	var ids []string
	for _, r := range simPeople(t, dst)[kind] {
		if r["name"] == name {
			ids = append(ids, r.ID())
		}
	}
	if len(ids) != 2 {
		t.Fatalf("the target's %s records named %s: %v, want two", kind, name, ids)
	}
	return ids
}

// TestPeoplePaired: the demo's people pair with demo-target's, which holds
// them under other ids (an agent renamed, one missing, two teams named
// Training): at the default --external fail not one reference to people is
// a problem, the plan says what paired and what did not, a handful of list
// requests reads them, the import writes none of them, and a rerun writes
// nothing.
func TestPeoplePaired(t *testing.T) {
	ctx := context.Background()
	snap := exportSim(t, startSim(t, "demo", 1))
	dst := startSim(t, "demo-target", 1)
	before := simPeople(t, dst)

	dst.tenant.ResetStats()
	p, err := NewPlan(ctx, snap, dst.client, Options{TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	withPeople := dst.tenant.Stats().ListPages
	if probs := peopleProblems(p); len(probs) != 0 {
		t.Errorf("%d problems about people, want none:\n%s", len(probs), strings.Join(probs, "\n"))
	}
	if len(p.Problems) == 0 {
		t.Errorf("no problem at all: the demo's tickets, releases ... should still be unmapped")
	}
	training := trainingTeams(t, dst)
	oldReports := targetIDs(t, dst, "report", "Tickets by Client (old)")
	want := map[string]People{
		"agent": {Kind: "agent", Directory: true, Source: 22, Target: 21, Paired: 21, Unpaired: []Unpaired{
			{SourceID: "22", Key: "email victor.dubois@msp.example", Reason: `the target has no agent with the key "email victor.dubois@msp.example"`}}},
		"team": {Kind: "team", Directory: true, Source: 12, Target: 13, Paired: 11, Unpaired: []Unpaired{
			{SourceID: "12", Key: "training", Reason: `target team records ` + training[0] + ", " + training[1] + ` share the key "training", and nothing tells which is which`}}},
		"department": {Kind: "department", Directory: true, Source: 6, Target: 6, Paired: 6, Unpaired: []Unpaired{}},
		"role":       {Kind: "role", Directory: true, Source: 8, Target: 8, Paired: 8, Unpaired: []Unpaired{}},
		"mailbox":    {Kind: "mailbox", Directory: true, Source: 4, Target: 4, Paired: 4, Unpaired: []Unpaired{}},
		"client":     {Kind: "client", Directory: true, Source: 16, Target: 16, Paired: 16, Unpaired: []Unpaired{}},
		"site":       {Kind: "site", Directory: true, Source: 14, Target: 14, Paired: 14, Unpaired: []Unpaired{}},
		// Named lists: Italiano (spare) missing, Website (spare) renamed,
		// two reports "Tickets by Client (old)" (spare), an end user
		// renamed (pairs by email), a supplier's name in capitals.
		"language": {Kind: "language", Directory: true, Source: 8, Target: 7, Paired: 7, Unpaired: []Unpaired{
			{SourceID: "8", Key: "italiano", Reason: `the target has no language with the key "italiano"`}}},
		"user": {Kind: "user", Directory: true, Source: 13, Target: 13, Paired: 13, Unpaired: []Unpaired{}},
		"service": {Kind: "service", Directory: true, Source: 9, Target: 9, Paired: 8, Unpaired: []Unpaired{
			{SourceID: "9", Key: "website", Reason: `the target has no service with the key "website"`}}},
		"supplier": {Kind: "supplier", Directory: true, Source: 9, Target: 9, Paired: 9, Unpaired: []Unpaired{}},
		"report": {Kind: "report", Directory: true, Source: 7, Target: 8, Paired: 6, Unpaired: []Unpaired{
			{SourceID: "7", Key: "tickets by client (old)", Reason: `target report records ` + oldReports[0] + ", " + oldReports[1] + ` share the key "tickets by client (old)", and nothing tells which is which`}}},
		"contract":          {Kind: "contract", Directory: true, Source: 5, Target: 5, Paired: 5, Unpaired: []Unpaired{}},
		"integrationmethod": {Kind: "integrationmethod", Directory: true, Source: 5, Target: 5, Paired: 5, Unpaired: []Unpaired{}},
		"tag":               {Kind: "tag", Directory: true, Source: 5, Target: 5, Paired: 5, Unpaired: []Unpaired{}},
	}
	for _, k := range catalog.PairOnlyKinds() { // the others: every one paired
		if _, ok := want[k.Name]; !ok {
			n := len(before[k.Name])
			want[k.Name] = People{Kind: k.Name, Directory: true, Source: n, Target: n, Paired: n, Unpaired: []Unpaired{}}
		}
	}
	for kind, w := range want {
		got := peopleOf(t, p, kind)
		if got.Refs == 0 {
			t.Errorf("%s: no references counted", kind)
		}
		w.Refs = got.Refs
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", kind, got, w)
		}
	}

	// The same snapshot without its directories: the lists are not read.
	dst.tenant.ResetStats()
	if _, err := NewPlan(ctx, withoutPeople(snap), dst.client, Options{TargetURL: dst.client.BaseURL()}); err != nil {
		t.Fatal(err)
	}
	if n := withPeople - dst.tenant.Stats().ListPages; n != 35 { // one per pair-only kind, teams and departments sharing /Team, filters and filter profiles /ViewFilter
		t.Errorf("reading the target's people took %d list requests, want 35", n)
	}

	_, done, err := importInto(ctx, snap, dst, keep, nil)
	if err != nil {
		t.Fatal(err)
	}
	verifyImported(t, snap, dst)
	if after := simPeople(t, dst); !reflect.DeepEqual(after, before) {
		t.Errorf("the target's people changed")
	}
	dst.tenant.ResetStats()
	p2, done2, err := importInto(ctx, snap, dst, keep, nil)
	if err != nil || done2.Writes() != 0 || dst.tenant.Stats().Writes != 0 {
		t.Errorf("rerun: %v, plan %+v, %d writes (first run: %d)", err, p2.Summary, dst.tenant.Stats().Writes, done.Writes())
	}
}

// withoutPeople is snap as an older halocfg exported it: no directories.
func withoutPeople(snap *snapshot.Snapshot) *snapshot.Snapshot {
	c := cloneSnapshot(snap)
	for _, k := range catalog.PairOnlyKinds() {
		delete(c.Records, k.Name)
		delete(c.Manifest.Kinds, k.Name)
	}
	return c
}

// TestPeopleUnpairedReferenced: a reference to the agent the target lacks
// and one to the team it holds twice are never guessed: at --external
// fail each is a problem that says why, naming the candidates; --map
// settles them; --external keep keeps their ids, and a rerun writes
// nothing.
func TestPeopleUnpairedReferenced(t *testing.T) {
	ctx := context.Background()
	snap := cloneSnapshot(exportSim(t, startSim(t, "demo", 1)))
	tpl := findByKey(t, snap, "template", "New Starter")
	tpl["agent_id"], tpl["restrictto_team_id"] = snapshotNumber(22), snapshotNumber(12) // Victor Dubois, Training
	dst := startSim(t, "demo-target", 1)
	training := trainingTeams(t, dst)

	p, err := NewPlan(ctx, snap, dst.client, Options{TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	wantProbs := []string{
		`template ` + tpl.ID() + ` (New Starter): agent_id: external agent 22 is not mapped (the target has no agent with the key "email victor.dubois@msp.example"): map it with --map ({"agent": {"22": TARGET_ID}}) or choose --external clear or keep`,
		`template ` + tpl.ID() + ` (New Starter): restrictto_team_id: external team 12 is not mapped (target team records ` + training[0] + `, ` + training[1] + ` share the key "training", and nothing tells which is which): map it with --map ({"team": {"12": TARGET_ID}}) or choose --external clear or keep`,
	}
	if got := peopleProblems(p); !reflect.DeepEqual(got, wantProbs) {
		t.Errorf("problems about people:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantProbs, "\n"))
	}
	for kind, id := range map[string]string{"agent": "22", "team": "12"} {
		if u := peopleOf(t, p, kind).Unpaired; len(u) != 1 || u[0].SourceID != id || u[0].Refs != 1 {
			t.Errorf("%s: unpaired %+v, want %s with one reference", kind, u, id)
		}
	}

	// --map settles them: nothing is left about people.
	over, err := mapping.ParseOverrides([]byte(`{"agent": {"22": 101}, "team": {"12": ` + training[1] + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err = NewPlan(ctx, snap, dst.client, Options{Overrides: over, TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	if got := peopleProblems(p); len(got) != 0 {
		t.Errorf("with --map: %s", strings.Join(got, "\n"))
	}
	if u := peopleOf(t, p, "agent").Unpaired; len(u) != 0 {
		t.Errorf("with --map, agents still unpaired: %+v", u)
	}

	// Kept: the source's ids, as asked; a rerun writes nothing.
	if _, _, err := importInto(ctx, snap, dst, keep, nil); err != nil {
		t.Fatal(err)
	}
	got := dst.tenant.Records("template")
	for _, r := range got {
		if r["name"] == "New Starter" && (snapshot.Scalar(r["agent_id"]) != "22" || snapshot.Scalar(r["restrictto_team_id"]) != "12") {
			t.Errorf("kept: agent_id %v, restrictto_team_id %v, want 22 and 12", r["agent_id"], r["restrictto_team_id"])
		}
	}
	dst.tenant.ResetStats()
	if _, done, err := importInto(ctx, snap, dst, keep, nil); err != nil || done.Writes() != 0 {
		t.Errorf("rerun: %v, %d writes", err, done.Writes())
	}
}

// TestDirectoriesUnpairedReferenced: the named lists pair as people do,
// never guessed: a reference to the service the target renamed, and one to
// the report name it holds twice, are problems that say why at --external
// fail; --map settles them; a rerun with them kept writes nothing.
func TestDirectoriesUnpairedReferenced(t *testing.T) {
	ctx := context.Background()
	snap := cloneSnapshot(exportSim(t, startSim(t, "demo", 1)))
	tpl := findByKey(t, snap, "template", "New Starter")
	tpl["service"], tpl["reportid"] = snapshotNumber(9), snapshotNumber(7) // Website, Tickets by Client (old)
	dst := startSim(t, "demo-target", 1)
	old := targetIDs(t, dst, "report", "Tickets by Client (old)")

	p, err := NewPlan(ctx, snap, dst.client, Options{TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	wantProbs := []string{
		`template ` + tpl.ID() + ` (New Starter): reportid: external report 7 is not mapped (target report records ` + old[0] + `, ` + old[1] + ` share the key "tickets by client (old)", and nothing tells which is which): map it with --map ({"report": {"7": TARGET_ID}}) or choose --external clear or keep`,
		`template ` + tpl.ID() + ` (New Starter): service: external service 9 is not mapped (the target has no service with the key "website"): map it with --map ({"service": {"9": TARGET_ID}}) or choose --external clear or keep`,
	}
	if got := peopleProblems(p); !reflect.DeepEqual(got, wantProbs) {
		t.Errorf("problems about named lists:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantProbs, "\n"))
	}
	for kind, id := range map[string]string{"service": "9", "report": "7"} {
		if u := peopleOf(t, p, kind).Unpaired; len(u) != 1 || u[0].SourceID != id || u[0].Refs != 1 {
			t.Errorf("%s: unpaired %+v, want %s with one reference", kind, u, id)
		}
	}

	over, err := mapping.ParseOverrides([]byte(`{"service": {"9": 109}, "report": {"7": ` + old[1] + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p, err = NewPlan(ctx, snap, dst.client, Options{Overrides: over, TargetURL: dst.client.BaseURL()}); err != nil {
		t.Fatal(err)
	}
	if got := peopleProblems(p); len(got) != 0 {
		t.Errorf("with --map: %s", strings.Join(got, "\n"))
	}

	before := simPeople(t, dst)
	if _, _, err := importInto(ctx, snap, dst, keep, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range dst.tenant.Records("template") {
		if r["name"] == "New Starter" && (snapshot.Scalar(r["service"]) != "9" || snapshot.Scalar(r["reportid"]) != "7") {
			t.Errorf("kept: service %v, reportid %v, want 9 and 7", r["service"], r["reportid"])
		}
	}
	if after := simPeople(t, dst); !reflect.DeepEqual(after, before) {
		t.Errorf("the target's directories changed")
	}
	dst.tenant.ResetStats()
	if _, done, err := importInto(ctx, snap, dst, keep, nil); err != nil || done.Writes() != 0 {
		t.Errorf("rerun: %v, %d writes", err, done.Writes())
	}
}

// TestPeopleOldSnapshot: a snapshot without directories (an older halocfg,
// or export --skip) imports as before: references to people go to --map
// and --external, and the plan says so.
func TestPeopleOldSnapshot(t *testing.T) {
	ctx := context.Background()
	full := exportSim(t, startSim(t, "demo", 1))
	snap := withoutPeople(full)
	dst := startSim(t, "demo-target", 1)
	p, err := NewPlan(ctx, snap, dst.client, Options{TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	agents := peopleOf(t, p, "agent")
	if agents.Directory || agents.Refs == 0 || agents.Paired != 0 || agents.Source != 0 || agents.Target != 0 {
		t.Errorf("agents: %+v, want no directory and the references counted", agents)
	}
	n := 0
	for _, pr := range peopleProblems(p) {
		if strings.Contains(pr, "external agent ") {
			n++
			if strings.Contains(pr, "is not mapped (") {
				t.Errorf("a reason without a directory: %s", pr)
			}
		}
	}
	if n != agents.Refs {
		t.Errorf("%d problems about agents, want one per reference: %d", n, agents.Refs)
	}
	var table strings.Builder
	if err := p.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if want := "agent +not paired: the snapshot holds no directory of them \\(an older halocfg, or export --skip agent\\); its " + strconv.Itoa(agents.Refs) + " reference\\(s\\) go to --map and --external"; !regexp.MustCompile(want).MatchString(table.String()) {
		t.Errorf("the table does not say %q:\n%s", want, table.String())
	}

	// Kept as they are, as before: a rerun writes nothing.
	if _, _, err := importInto(ctx, snap, dst, keep, nil); err != nil {
		t.Fatal(err)
	}
	if _, done, err := importInto(ctx, snap, dst, keep, nil); err != nil || done.Writes() != 0 {
		t.Errorf("rerun: %v, %d writes", err, done.Writes())
	}
}

// TestPeopleListRefused: a target whose API application may not read
// /Team (403) pairs no team and no department (both come from /Team): the
// plan says why, their references go to --map and --external, and the rest
// pairs as before. Nothing is guessed, and the import is not stopped.
func TestPeopleListRefused(t *testing.T) {
	ctx := context.Background()
	snap := exportSim(t, startSim(t, "demo", 1))
	dst := startSimWith(t, halosim.Options{Dataset: "demo-target", Seed: 1, Deviate: []string{"forbidden:team"}})
	p, err := NewPlan(ctx, snap, dst.client, Options{TargetURL: dst.client.BaseURL()})
	if err != nil {
		t.Fatalf("a refused directory stopped the plan: %v", err)
	}
	for _, kind := range []string{"team", "department"} {
		s := peopleOf(t, p, kind)
		if !strings.Contains(s.Refused, "403") || s.Paired != 0 || s.Refs == 0 {
			t.Errorf("%s: %+v, want refused (403), none paired, references counted", kind, s)
		}
		n := 0
		for _, pr := range peopleProblems(p) {
			if strings.Contains(pr, "external "+kind+" ") {
				n++
			}
		}
		if n != s.Refs {
			t.Errorf("%d problems about %s references, want %d", n, kind, s.Refs)
		}
	}
	if a := peopleOf(t, p, "agent"); a.Refused != "" || a.Paired == 0 {
		t.Errorf("agents: %+v, want them paired as before", a)
	}
	var table strings.Builder
	if err := p.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if want := `team +not paired: the target refused its list \(`; !regexp.MustCompile(want).MatchString(table.String()) {
		t.Errorf("the table does not say %q:\n%s", want, table.String())
	}
}
