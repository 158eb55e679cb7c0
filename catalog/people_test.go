package catalog

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestPairOnlyKinds: each pair-only kind serves an external target some
// reference has, none is a configuration kind (references to it stay
// external; nothing writes it), and each keeps its id and key fields.
func TestPairOnlyKinds(t *testing.T) {
	targets := ExternalTargets()
	for _, k := range PairOnlyKinds() {
		if !slices.Contains(targets, k.Name) {
			t.Errorf("%s: no reference points at it", k.Name)
		}
		if _, ok := Lookup(k.Name); ok {
			t.Errorf("%s: also a configuration kind", k.Name)
		}
		if got, ok := LookupStored(k.Name); !ok || got != k || !k.PairOnly {
			t.Errorf("%s: LookupStored %v %v", k.Name, got, ok)
		}
		kept := map[string]bool{}
		for _, f := range k.Keep {
			to, _, _ := strings.Cut(f, "=")
			kept[to] = true
		}
		if !kept["id"] {
			t.Errorf("%s: its directory keeps no id", k.Name)
		}
		for _, alt := range k.KeyAlternatives() {
			for _, f := range alt {
				if !kept[f] {
					t.Errorf("%s: key field %s is not kept", k.Name, f)
				}
			}
		}
		if len(k.Refs) > 0 || k.Schema != "" {
			t.Errorf("%s: a pair-only kind has no references or schema", k.Name)
		}
	}
	if all, _ := PairOnlyFor(Kinds(), nil); !reflect.DeepEqual(all, PairOnlyKinds()) {
		t.Errorf("PairOnlyFor(every kind) = %v", all)
	}
	if len(Stored()) != len(Kinds())+len(PairOnlyKinds()) {
		t.Errorf("Stored: %d kinds", len(Stored()))
	}
	if _, err := Select([]string{"agent"}, nil); err == nil {
		t.Errorf("Select accepts a pair-only kind: it would be written")
	}
}

func TestPairOnlyFor(t *testing.T) {
	names := func(ks []*Kind) []string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Name)
		}
		return out
	}
	tests := []struct {
		kinds []string
		skip  []string
		want  []string
		err   string
	}{
		{kinds: []string{"status"}, want: []string{"language"}}, // a status points at no one, and at its translations' languages
		{kinds: []string{"emailtemplate"}, want: []string{"agent", "team", "department", "role", "user"}},
		{kinds: []string{"emailtemplate"}, skip: []string{"agent"}, want: []string{"team", "department", "role", "user"}},
		{kinds: []string{"status"}, skip: []string{"status"}, err: `unknown pair-only kind "status" (known: agent, team, department, role, mailbox, client, site, language, user, service, supplier, kbarticle, report, pdftemplate, budgettype, appointmenttype, resourcetype, contract, suppliercontract, callscript, customtable, assettype, tag, integrationmethod, organisation, faqlist, databaselookup, certificate, screenlayout, dashboard, azureconnection, notification, product, columnprofile, filter, filterprofile, viewlist)`},
	}
	for _, tt := range tests {
		var ks []*Kind
		for _, n := range tt.kinds {
			ks = append(ks, MustLookup(n))
		}
		got, err := PairOnlyFor(ks, tt.skip)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("PairOnlyFor(%v, skip %v): error %v, want %q", tt.kinds, tt.skip, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(names(got), tt.want) {
			t.Errorf("PairOnlyFor(%v, skip %v) = %v, %v; want %v", tt.kinds, tt.skip, names(got), err, tt.want)
		}
	}
}

func TestProject(t *testing.T) {
	agent, _ := LookupPairOnly("agent")
	dept, _ := LookupPairOnly("department")
	tests := []struct {
		k    *Kind
		row  string
		want string
		ok   bool
	}{
		{agent, `{"id":4,"name":"Ana","email":"ana@x.example","isdisabled":true,"phonenumber":"+44 1"}`, `{"email":"ana@x.example","id":4,"name":"Ana"}`, true},
		{agent, `{"id":4,"name":"Ana"}`, `{"id":4,"name":"Ana"}`, true}, // absent stays absent
		{agent, `{"id":4,"name":"Ana","email":null}`, `{"email":null,"id":4,"name":"Ana"}`, true},
		{dept, `{"id":9,"name":"Service Desk","department_id":3,"department_name":"Support"}`, `{"id":3,"name":"Support"}`, true},
		{dept, `{"id":9,"name":"Unfiled","department_id":0,"department_name":""}`, ``, false},
		{agent, `{"name":"No id"}`, ``, false},
	}
	for _, tt := range tests {
		var row map[string]any
		dec := json.NewDecoder(strings.NewReader(tt.row))
		dec.UseNumber()
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		got, ok := tt.k.Project(row)
		if ok != tt.ok {
			t.Errorf("%s %s: ok %v, want %v", tt.k.Name, tt.row, ok, tt.ok)
		}
		if b, _ := json.Marshal(got); ok && string(b) != tt.want {
			t.Errorf("%s %s: %s, want %s", tt.k.Name, tt.row, b, tt.want)
		}
	}
}
