package halosim

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// TestPeopleLists: the people lists are read-only; disabled agents and
// inactive teams, clients, sites, languages (active false), end users,
// suppliers and KB articles are listed only with the list's flags (the
// catalog's ListQuery); clients and sites page.
func TestPeopleLists(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	names := func(k *catalog.Kind, query string) []string {
		code, body := s.get("/api" + k.Endpoint + "?" + query)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", k.Endpoint, code, body)
		}
		rows, _, _ := listRows(t, k, body)
		var out []string
		for _, r := range rows {
			out = append(out, r["name"].(string))
		}
		return out
	}
	for kind, hidden := range map[string]string{"agent": "Henry Walsh", "team": "Legacy Support", "client": "Orchid Spa", "site": "Old Depot",
		"language": "Polski", "user": "Former Contact", "supplier": "Old Telecom Co", "kbarticle": "Outdated article"} {
		k, _ := catalog.LookupPairOnly(kind)
		if slices.Contains(names(k, "pageinate=true&page_size=100"), hidden) {
			t.Errorf("%s: %q listed without %s", kind, hidden, k.ListQuery)
		}
		if !slices.Contains(names(k, k.ListQuery+"&pageinate=true&page_size=100"), hidden) {
			t.Errorf("%s: %q not listed with %s", kind, hidden, k.ListQuery)
		}
	}
	k, _ := catalog.LookupPairOnly("client")
	if got := names(k, k.ListQuery+"&pageinate=true&page_size=10&page_no=2"); len(got) != 6 {
		t.Errorf("clients, page 2 of 10: %v, want 6 rows", got)
	}
	before := s.tenant.people["agent"]
	for _, req := range []struct{ method, path string }{
		{http.MethodPost, "/api/Agent"}, {http.MethodGet, "/api/Agent/1"}, {http.MethodDelete, "/api/Team/1"}, {http.MethodPost, "/api/Roles"},
		{http.MethodPost, "/api/Languages"}, {http.MethodDelete, "/api/Supplier/1"},
	} {
		resp, body, err := s.do(req.method, req.path, []byte(`[{"id":1,"name":"Mallory"}]`), "application/json")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(string(body), "read-only list") {
			t.Errorf("%s %s: %d %s, want 405", req.method, req.path, resp.StatusCode, body)
		}
	}
	if !slices.EqualFunc(before, s.tenant.people["agent"], func(a, b snapshot.Record) bool { return snapshot.Same(a, b) }) {
		t.Errorf("the agents changed")
	}
}

// TestReferencesToPeople: every reference the datasets make to people
// points at a person of the same tenant, and two tenants made from one
// universe point at the same people (an agent by email, others by name)
// under their own ids.
func TestReferencesToPeople(t *testing.T) {
	read := func(ds string) map[string]string { // "kind key field" -> "agent:ana@x.example"
		tn, err := New(Options{Dataset: ds, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		who := map[string]map[string]string{"department": {}} // kind -> id -> person
		for kind, rows := range tn.people {
			who[kind] = map[string]string{}
			for _, r := range rows {
				who[kind][r.ID()] = rowKey(catalog.MustLookupStored(kind), r)
			}
		}
		for _, k := range catalog.PairOnlyKinds() { // read from another kind's list: filterprofile
			if _, own := tn.people[k.Name]; !own && k.Name != "department" {
				who[k.Name] = who[listedWith(k).Name]
			}
		}
		for _, r := range tn.people["team"] {
			who["department"][snapshot.Scalar(r["department_id"])] = strings.ToLower(snapshot.Scalar(r["department_name"]))
		}
		refs := map[string]string{}
		for _, k := range catalog.Kinds() {
			for _, rec := range tn.Records(k.Name) {
				for _, sl := range k.SlotsAt(rec) {
					text, none, err := sl.IDText()
					if _, people := catalog.LookupPairOnly(sl.Target); !people || err != nil || none {
						continue
					}
					at := k.Name + " " + naturalKey(rec, k) + " " + sl.At
					if strings.Contains(sl.At, "priorities[") {
						continue // an SLA's priorities[] come in the order of the tenant's own ids
					}
					w, ok := who[sl.Target][text]
					if !ok {
						t.Errorf("%s: %s: %s %s is not one of its people", ds, at, sl.Target, text)
					}
					refs[at] = sl.Target + ":" + w
				}
			}
		}
		return refs
	}
	demo, target := read("demo"), read("demo-target")
	if len(demo) < 100 {
		t.Errorf("the demo makes %d references to people, want many", len(demo))
	}
	same := 0
	for at, w := range demo {
		if tw, ok := target[at]; ok {
			same++
			if tw != w {
				t.Errorf("%s: demo points at %s, demo-target at %s", at, w, tw)
			}
		}
	}
	if same < 100 {
		t.Errorf("%d references to people in common, want many", same)
	}
}

// TestDefaultDirectories: a pair-only kind the demo names no records of
// (one just added to the catalog) gets four made-up ones, told apart by
// every key; one read from another kind's list gets none of its own.
func TestDefaultDirectories(t *testing.T) {
	pu := peopleUniverse{"agent": named("Ana")}
	defaultDirectories(pu)
	if got := pu["agent"]; len(got) != 1 {
		t.Errorf("agent: %v, want the one given", got)
	}
	for _, kind := range []string{"department", "filterprofile"} {
		if _, ok := pu[kind]; ok {
			t.Errorf("%s: records of its own, want its list's kind's", kind)
		}
	}
	contract := catalog.MustLookupStored("contract")
	var keys []string
	for _, p := range pu["contract"] {
		row := snapshot.Record{contract.DisplayField(): p.name}
		maps.Copy(row, p.set)
		keys = append(keys, rowKey(contract, row))
	}
	if want := []string{"client_name 1/contract 1", "client_name 2/contract 2", "client_name 3/contract 3", "client_name 4/contract 4"}; !slices.Equal(keys, want) {
		t.Errorf("contract keys %v, want %v", keys, want)
	}
}
