package halosim

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

var datasets = []string{"demo", "demo-target", "scale:40"}

func TestDatasetsAreConsistent(t *testing.T) {
	for _, ds := range datasets {
		t.Run(ds, func(t *testing.T) {
			tn, err := New(Options{Dataset: ds, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			all := tn.AllRecords()
			for _, e := range CheckReferences(all) {
				t.Error(e)
			}
			for _, e := range CheckNaturalKeys(all) {
				t.Error(e)
			}
			for _, k := range catalog.Kinds() {
				recs := all[k.Name]
				if ds == "demo" && (len(recs) < 3 || len(recs) > 30) {
					t.Errorf("%s: %d records, want a small MSP's 3..30", k.Name, len(recs))
				}
				for _, r := range recs {
					// What the tenant serves, it accepts back: types and references.
					if err := tn.validate(k, r); err != nil {
						t.Errorf("%s %s does not validate: %v", k.Name, r.ID(), err)
					}
				}
			}
			checkCycles(t, all)
		})
	}
}

// checkCycles finds the reference cycles importers must break.
func checkCycles(t *testing.T, all map[string][]snapshot.Record) {
	t.Helper()
	byID := func(kind, id string) snapshot.Record {
		for _, r := range all[kind] {
			if r.ID() == id {
				return r
			}
		}
		return nil
	}
	keyPairs := func(r snapshot.Record, field string) []string {
		var out []string
		for _, e := range r[field].([]any) {
			out = append(out, e.(map[string]any)["value"].(string))
		}
		return out
	}
	var statusOutcome, typeStatus, statusStatus bool
	for _, s := range all["status"] {
		for _, o := range keyPairs(s, "outcomes") {
			if snapshot.Equal(byID("outcome", o)["newstatus"], s["id"]) {
				statusOutcome = true
			}
		}
		for _, tt := range keyPairs(s, "tickettypes") {
			if snapshot.Equal(byID("tickettype", tt)["initial_status"], s["id"]) {
				typeStatus = true
			}
		}
		if n, _ := s.Int("statuschangeto"); n > 0 {
			statusStatus = true
		}
	}
	if !statusOutcome || !typeStatus || !statusStatus {
		t.Errorf("cycles: status<->outcome %v, status<->tickettype %v, status->status %v; want all", statusOutcome, typeStatus, statusStatus)
	}
}

func TestDatasetsAreDeterministic(t *testing.T) {
	for _, ds := range append(datasets, "empty") {
		a, _ := New(Options{Dataset: ds, Seed: 42})
		b, _ := New(Options{Dataset: ds, Seed: 42})
		c, _ := New(Options{Dataset: ds, Seed: 43})
		if state(a) != state(b) {
			t.Errorf("%s: two tenants with the same options differ", ds)
		}
		if ds != "empty" && state(a) == state(c) {
			t.Errorf("%s: the seed changes nothing", ds)
		}
	}
}

func TestDemoTargetIsAnotherTenant(t *testing.T) {
	src, _ := New(Options{Dataset: "demo", Seed: 1})
	dst, _ := New(Options{Dataset: "demo-target", Seed: 1})
	for _, k := range catalog.Kinds() {
		srcByKey := map[string]snapshot.Record{}
		for _, r := range src.Records(k.Name) {
			srcByKey[naturalKey(r, k)] = r
		}
		var shared, own, sameID, sameGUID int
		for _, r := range dst.Records(k.Name) {
			s, ok := srcByKey[naturalKey(r, k)]
			if !ok {
				own++
				continue
			}
			shared++
			if s.ID() == r.ID() {
				sameID++
			}
			if r["guid"] != nil && snapshot.Equal(s["guid"], r["guid"]) {
				sameGUID++
			}
		}
		if shared == 0 || sameID > 0 || sameGUID > 0 {
			t.Errorf("%s: %d shared natural keys, %d same ids, %d same guids; want shared records under other ids", k.Name, shared, sameID, sameGUID)
		}
		if k.Name == "status" && (own == 0 || shared == len(src.Records(k.Name))) {
			t.Errorf("status: %d own records, %d of %d shared; want some of each", own, shared, len(src.Records(k.Name)))
		}
	}
	// Some shared records differ in value.
	find := func(tn *Tenant, kind, name string) snapshot.Record {
		for _, r := range tn.Records(kind) {
			if r["name"] == name {
				return r
			}
		}
		t.Fatalf("%s %q missing", kind, name)
		return nil
	}
	if a, b := find(src, "status", "New"), find(dst, "status", "New"); a["colour"] == b["colour"] {
		t.Errorf("status New has colour %v in both tenants", a["colour"])
	}
	if a, b := find(src, "status", "On Hold"), find(dst, "status", "On Hold"); snapshot.Equal(a["sequence"], b["sequence"]) {
		t.Errorf("status On Hold has sequence %v in both tenants", a["sequence"])
	}
	if a, b := find(src, "status", "Resolved"), find(dst, "status", "Resolved"); !snapshot.Equal(a["statuschangetofreq"], b["statuschangetofreq"]) {
		t.Error("an unchanged status differs between tenants of the same seed")
	}
}

func TestDatasetsCarryLosslessnessCases(t *testing.T) {
	tn, _ := New(Options{Dataset: "demo", Seed: 1})
	all := tn.AllRecords()
	text := string(snapshot.Canonical(all))
	for _, want := range []string{
		`"x_halo_new_setting":9007199254740993`, `18446744073709551615`, `"statuschangetofreq":1E-07`, `"timeuntilloffhold":0.1`,
		"処理中", "🎉", "تم", `"=SUM(A1:A9)"`, `"shortname":"007"`, `"_warning":null`, `"_warning":""`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("demo lacks %s", want)
		}
	}
	if n := len(all["emailtemplate"][0]["body_html"].(string)); n <= 32767 {
		t.Errorf("longest text %d characters, want over Excel's 32767", n)
	}
	missing := false
	for _, s := range all["status"] {
		for _, e := range s["tickettypes"].([]any) {
			if _, ok := e.(map[string]any)["isnew"]; !ok {
				missing = true
			}
		}
	}
	if !missing {
		t.Error("no KeyPair2 element lacks isnew: absent is never exercised")
	}
	var big json.Number = all["status"][0]["x_halo_new_setting"].(json.Number)
	if big.String() != "9007199254740993" {
		t.Errorf("big integer reads back as %s", big)
	}
}

func TestCheckReferencesReportsProblems(t *testing.T) {
	tn, _ := New(Options{Dataset: "demo", Seed: 1})
	all := tn.AllRecords()
	o := all["outcome"][0]
	o["newstatus"] = json.Number("999")
	o["emailtemplate_guid"] = "00000000-0000-0000-0000-000000000001"
	o["emailtemplate_name"] = "Renamed"
	s := all["status"][0]
	s["outcomes"] = []any{map[string]any{"value": "12345", "label": "x", "isnew": false}}
	tt := all["tickettype"][0]
	tt["allowed_status"].([]any)[0].(map[string]any)["ticketype_id"] = json.Number("77")
	errs := CheckReferences(all)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"newstatus: no status with id 999", "emailtemplate_guid", "emailtemplate_name", "outcomes[].value: no outcome with id 12345", "allowed_status[].ticketype_id: owner reference 77"} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors lack %q:\n%s", want, joined)
		}
	}
	if len(errs) != 5 {
		t.Errorf("%d errors, want 5:\n%s", len(errs), joined)
	}
	all["status"] = append(all["status"], all["status"][1])
	if errs := CheckNaturalKeys(all); len(errs) != 1 || !slices.ContainsFunc(errs, func(e error) bool { return strings.Contains(e.Error(), "name=In Progress") }) {
		t.Errorf("duplicate natural key: %v", errs)
	}
}

func TestUnknownDataset(t *testing.T) {
	for _, ds := range []string{"nope", "scale:", "scale:0", "scale:x", "scale:-3"} {
		if _, err := New(Options{Dataset: ds}); err == nil {
			t.Errorf("dataset %q accepted", ds)
		}
	}
}

// A kind the dataset tables do not list is generated from its catalog
// entry and schema: a kind added to the catalog simulates as it is.
func TestUnlistedKindIsGenerated(t *testing.T) {
	u := demoUniverse()
	delete(u, "ticketarea")
	withDefaults(u, 6)
	recs := generate(u, nil, 1, "demo", 0, false)
	var names []string
	for _, r := range recs["ticketarea"] {
		names = append(names, r["name"].(string))
	}
	if want := []string{"Ticket Area 00001", "Ticket Area 00002", "Ticket Area 00003", "Ticket Area 00004", "Ticket Area 00005", "Ticket Area 00006"}; !slices.Equal(names, want) {
		t.Errorf("ticket areas %v, want %v", names, want)
	}
	for _, e := range CheckReferences(recs) {
		t.Error(e)
	}
	// A kind keyed by two fields spreads its records over the first.
	ps := defaultProtos(catalog.MustLookup("category"), 5, "")
	var types []any
	for _, p := range ps {
		types = append(types, p.set["type_id"])
	}
	if want := []any{1, 2, 3, 4, 1}; !slices.Equal(types, want) || ps[0].name != "Category 00001" || !ps[1].hidden || ps[0].hidden {
		t.Errorf("category protos: types %v, first %q hidden %v/%v", types, ps[0].name, ps[0].hidden, ps[1].hidden)
	}
}

// derive reads a kind's simulated behaviour off its catalog entry.
func TestDeriveBehaviour(t *testing.T) {
	k := &catalog.Kind{Name: "newkind", Schema: "FlowHeader", RefField: "id", NaturalKey: []string{"name"},
		ListQuery: "includeinactive=true&isconfig=true&type=2", DetailQuery: "includedetails=true"}
	b := derive(k)
	want := behaviour{summary: []string{"id", "guid", "name", "active"}, hiddenField: "active", hiddenValue: false, shownValue: true,
		showParams: []string{"includeinactive", "isconfig"}, detailParams: []string{"includedetails"}}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("derive:\n got %+v\nwant %+v", b, want)
	}
	// No list flag: every record is listed; no detail flag: details are whole.
	k.ListQuery, k.DetailQuery = "", ""
	if b := derive(k); b.hiddenField != "" || len(b.showParams) != 0 || len(b.detailParams) != 0 {
		t.Errorf("derive without flags: %+v", b)
	}
	// The variations keep every list shape in use.
	var bare, paged, side, writeArray bool
	for _, b := range behaviours {
		bare, paged, side, writeArray = bare || b.bare, paged || b.paged, side || b.side != "", writeArray || b.writeArray
	}
	if !bare || !paged || !side || !writeArray {
		t.Errorf("variants in use: bare %v, paged %v, side %v, writeArray %v; want all", bare, paged, side, writeArray)
	}
}
