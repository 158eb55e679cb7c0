package export_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/export"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// TestPeople: the directories of people hold every one — disabled agents,
// inactive teams, clients and sites, which the lists show only with their
// flags — with the id and key fields alone; departments come from the
// teams' rows, each once; a list over 100 rows is read page by page, and
// the requests are few: one per list page (35 lists: one per pair-only
// kind, teams and departments sharing /Team).
func TestPeople(t *testing.T) {
	demo := map[string]int{"agent": 22, "team": 12, "department": 6, "role": 8, "mailbox": 4, "client": 16, "site": 14,
		"language": 8, "user": 13, "service": 9, "supplier": 9, "kbarticle": 7, "report": 7, "pdftemplate": 5,
		"budgettype": 4, "appointmenttype": 4, "resourcetype": 4, "contract": 5, "suppliercontract": 4, "callscript": 3,
		"customtable": 3, "assettype": 6, "tag": 5, "integrationmethod": 5, "organisation": 3, "faqlist": 4,
		"databaselookup": 3, "certificate": 2, "screenlayout": 3, "dashboard": 3,
		"azureconnection": 4, "notification": 4, "product": 4,
		"columnprofile": 4, "filter": 4, "filterprofile": 4, "viewlist": 4}
	with := func(m map[string]int, kind string, n int) map[string]int {
		out := maps.Clone(m)
		out[kind] = n
		return out
	}
	tests := []struct {
		dataset  string
		counts   map[string]int
		requests int
	}{
		{"demo", demo, 35},
		{"scale:150", with(demo, "client", 166), 36}, // clients: two pages
		{"empty", map[string]int{}, 35},
	}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			sim, c := tenant(t, halosim.Options{Dataset: tt.dataset, Seed: 1}, halo.Config{})
			dirs, err := export.People(context.Background(), c, catalog.PairOnlyKinds(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := sim.Stats().Requests; n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			for _, k := range catalog.PairOnlyKinds() {
				recs := dirs[k.Name]
				if len(recs) != tt.counts[k.Name] {
					t.Errorf("%s: %d entries, want %d", k.Name, len(recs), tt.counts[k.Name])
				}
				if !sort.SliceIsSorted(recs, func(i, j int) bool { return snapshot.LessID(recs[i].ID(), recs[j].ID()) }) {
					t.Errorf("%s: not sorted by id", k.Name)
				}
				for _, r := range recs {
					for f := range r {
						if !slices.ContainsFunc(k.Keep, func(keep string) bool { return keep == f || len(keep) > len(f) && keep[:len(f)+1] == f+"=" }) {
							t.Errorf("%s %s: keeps %s, which its directory does not name", k.Name, r.ID(), f)
						}
					}
				}
			}
			if tt.dataset != "demo" {
				return
			}
			find := func(kind, name string) snapshot.Record {
				for _, r := range dirs[kind] {
					if r["name"] == name {
						return r
					}
				}
				t.Errorf("%s %q is not in the directory", kind, name)
				return nil
			}
			for kind, name := range map[string]string{"agent": "Henry Walsh", "team": "Legacy Support", "client": "Orchid Spa", "site": "Old Depot",
				"language": "Polski", "user": "Former Contact", "supplier": "Old Telecom Co", "kbarticle": "Outdated article"} {
				find(kind, name) // disabled or inactive
			}
			if got := find("agent", "Alice Carter"); !reflect.DeepEqual(got, snapshot.Record{"id": got["id"], "name": "Alice Carter", "email": "alice.carter@msp.example"}) {
				t.Errorf("agent entry %v, want id, name and email alone", got)
			}
			if got := find("site", "Warehouse"); got["client_name"] != "Bluebird Logistics" {
				t.Errorf("site entry %v, want its client's name", got)
			}
		})
	}
}
