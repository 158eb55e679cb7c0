package mapping

import (
	"reflect"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// tenant builds a Tenant from JSON arrays of records per kind.
func tenant(t *testing.T, kinds map[string]string) *Tenant {
	t.Helper()
	recs := map[string][]snapshot.Record{}
	for kind, js := range kinds {
		var rs []snapshot.Record
		if err := snapshot.Unmarshal([]byte(js), &rs); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		recs[kind] = rs
	}
	return NewTenant(recs)
}

func rec(t *testing.T, js string) snapshot.Record {
	t.Helper()
	r, err := snapshot.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func kindNamed(t *testing.T, name string) *catalog.Kind {
	t.Helper()
	k, ok := catalog.Lookup(name)
	if !ok {
		t.Fatalf("no kind %s", name)
	}
	return k
}

func TestKey(t *testing.T) {
	tests := []struct {
		kind, rec string
		want      string
		ok        bool
	}{
		{"status", `{"id":1,"name":"Open"}`, "Open", true},
		{"outcome", `{"id":1,"outcome":"Close","buttonname":"Close it"}`, "Close", true},
		{"category", `{"id":1,"type_id":2,"value":"Hardware>Laptop"}`, "2/Hardware>Laptop", true},
		{"status", `{"id":1,"name":""}`, "", false},
		{"status", `{"id":1,"name":null}`, "", false},
		{"category", `{"id":1,"value":"Hardware"}`, "", false},
	}
	for _, tt := range tests {
		got, ok := Key(kindNamed(t, tt.kind), rec(t, tt.rec))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Key(%s %s) = %q, %v; want %q, %v", tt.kind, tt.rec, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMatch(t *testing.T) {
	src := `[{"id":1,"guid":"g-1","name":"New"},{"id":2,"guid":"g-2","name":"Open"},{"id":3,"name":"Closed"},
	         {"id":4,"name":"Held"},{"id":5,"name":"Gone"}]`
	tests := []struct {
		name   string
		dst    string
		over   string
		ledger IDs
		want   map[string]Pair // source id -> pair
		probs  []string        // substrings, one per problem
	}{
		{
			name: "natural key",
			dst:  `[{"id":11,"name":"New"},{"id":12,"name":"Open"},{"id":13,"name":"Other"}]`,
			want: map[string]Pair{"1": {"11", "key"}, "2": {"12", "key"}},
		},
		{
			name: "guid before key",
			dst:  `[{"id":11,"name":"New"},{"id":12,"name":"Renamed","guid":"G-1"}]`,
			want: map[string]Pair{"1": {"12", "guid"}},
		},
		{
			name:   "ledger before guid, and a ledger entry whose target is gone falls through",
			dst:    `[{"id":11,"name":"New","guid":"g-1"},{"id":14,"name":"Old"},{"id":15,"name":"Closed"}]`,
			ledger: IDs{"status": {"1": "14", "3": "99"}},
			want:   map[string]Pair{"1": {"14", "ledger"}, "3": {"15", "key"}},
		},
		{
			name: "map by id and by key before everything",
			dst:  `[{"id":11,"name":"New"},{"id":12,"name":"Open"},{"id":20,"name":"Nouveau"},{"id":21,"name":"Ouvert"}]`,
			over: `{"status":{"1":20,"Open":"21"}}`,
			want: map[string]Pair{"1": {"20", "map"}, "2": {"21", "map"}},
		},
		{
			name:  "map errors are reported",
			dst:   `[{"id":11,"name":"New"},{"id":12,"name":"Open"}]`,
			over:  `{"status":{"1":99,"Opne":12,"77":12}}`,
			want:  map[string]Pair{"2": {"12", "key"}},
			probs: []string{`map: status.1: the target has no status 99`, `map: status.Opne: no source status has the id or natural key "Opne"`},
		},
		{
			name:  "two target records with one key: reported, not guessed",
			dst:   `[{"id":11,"name":"New"},{"id":12,"name":"Open"},{"id":13,"name":"Open"}]`,
			want:  map[string]Pair{"1": {"11", "key"}},
			probs: []string{`status 2 (Open): target status records 12, 13 share the natural key "Open"`},
		},
		{
			name:  "two target records with one guid",
			dst:   `[{"id":11,"name":"X","guid":"g-2"},{"id":12,"name":"Y","guid":"g-2"}]`,
			probs: []string{`status 2 (Open): guid: target status records 11, 12 share its guid`},
		},
		{
			name: "a target record pairs once",
			dst:  `[{"id":11,"name":"Open","guid":"g-1"}]`,
			want: map[string]Pair{"1": {"11", "guid"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var over Overrides
			if tt.over != "" {
				var err error
				if over, err = ParseOverrides([]byte(tt.over)); err != nil {
					t.Fatal(err)
				}
			}
			m, probs := Match(tenant(t, map[string]string{"status": src}), tenant(t, map[string]string{"status": tt.dst}), over, tt.ledger)
			checkPairs(t, m, "status", tt.want, "1", "2", "3", "4", "5")
			if len(probs) != len(tt.probs) {
				t.Fatalf("problems = %v, want %d: %v", probs, len(tt.probs), tt.probs)
			}
			for i, p := range probs {
				if !strings.Contains(p.Error(), tt.probs[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p.Error(), tt.probs[i])
				}
			}
		})
	}
}

// checkPairs compares the pairs of the source records ids of a kind with want.
func checkPairs(t *testing.T, m *Matching, kind string, want map[string]Pair, ids ...string) {
	t.Helper()
	got := map[string]Pair{}
	for _, id := range ids {
		if p, ok := m.Get(kind, id); ok {
			got[id] = p
		}
	}
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pairs = %v, want %v", got, want)
	}
}

// TestMatchSharedKeys: a natural key shared by several source records, or
// by several target records, decides nothing alone. Where the target has no
// record with the key, the source's are created; where it has some, each
// pairs with the one its other fields match strictly best, the rest of the
// source's are created, and what nothing tells apart is reported, naming
// every candidate.
func TestMatchSharedKeys(t *testing.T) {
	src := `[{"id":1,"outcome":"Close Ticket","hidden":false,"colour":"green"},{"id":2,"outcome":"Close Ticket","hidden":true,"colour":"grey"},
	         {"id":3,"outcome":"Note","colour":"blue"}]`
	tests := []struct {
		name   string
		src    string
		dst    string
		ledger IDs
		want   map[string]Pair
		probs  []string
	}{
		{name: "none in the target: both created", dst: `[]`},
		{
			name: "the target holds one of them: the closest pairs, the other is created",
			dst:  `[{"id":7,"outcome":"Close Ticket","hidden":true,"colour":"grey"}]`,
			want: map[string]Pair{"2": {"7", "closest"}},
		},
		{
			name: "the target holds both",
			dst:  `[{"id":7,"outcome":"Close Ticket","hidden":true,"colour":"grey"},{"id":8,"outcome":"Close Ticket","hidden":false,"colour":"green"}]`,
			want: map[string]Pair{"1": {"8", "closest"}, "2": {"7", "closest"}},
		},
		{
			name: "the closest need not be equal",
			dst:  `[{"id":7,"outcome":"Close Ticket","hidden":false,"colour":"red"},{"id":8,"outcome":"Close Ticket","hidden":true,"colour":"red"}]`,
			want: map[string]Pair{"1": {"7", "closest"}, "2": {"8", "closest"}},
		},
		{
			name: "nothing tells them apart: reported with every candidate",
			dst:  `[{"id":7,"outcome":"Close Ticket","hidden":false,"colour":"grey"}]`,
			probs: []string{
				`outcome 1 (Close Ticket): source outcome records 1, 2 and target outcome record 7 share the natural key "Close Ticket", and nothing tells which is which`,
				`outcome 2 (Close Ticket): source outcome records 1, 2 and target outcome record 7 share the natural key "Close Ticket", and nothing tells which is which`,
			},
		},
		{
			name:   "the ledger settles one; the other is then alone with its key",
			dst:    `[{"id":7,"outcome":"Close Ticket","hidden":false,"colour":"grey"}]`,
			ledger: IDs{"outcome": {"1": "7"}},
			want:   map[string]Pair{"1": {"7", "ledger"}},
		},
		{
			name: "two target records with one key: the closest to the source record",
			src:  `[{"id":3,"outcome":"Note","colour":"blue"}]`,
			dst:  `[{"id":11,"outcome":"Note","colour":"red"},{"id":12,"outcome":"Note","colour":"blue"}]`,
			want: map[string]Pair{"3": {"12", "closest"}},
		},
		{
			name:  "two target records with one key, equally close",
			src:   `[{"id":3,"outcome":"Note","colour":"blue"}]`,
			dst:   `[{"id":11,"outcome":"Note","colour":"red"},{"id":12,"outcome":"Note","colour":"green"}]`,
			probs: []string{`outcome 3 (Note): target outcome records 11, 12 share the natural key "Note", and nothing tells which is which`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.src == "" {
				tt.src = src
			}
			m, probs := Match(tenant(t, map[string]string{"outcome": tt.src}), tenant(t, map[string]string{"outcome": tt.dst}), nil, tt.ledger)
			checkPairs(t, m, "outcome", tt.want, "1", "2", "3")
			var texts []string
			for _, p := range probs {
				texts = append(texts, p.Error())
			}
			if len(texts) != len(tt.probs) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(texts, "\n"), len(tt.probs))
			}
			for i, want := range tt.probs {
				if !strings.HasPrefix(texts[i], want) {
					t.Errorf("problem %d = %q, want it to start %q", i, texts[i], want)
				}
			}
			for _, id := range []string{"1", "2", "3"} { // a source record is paired, created or reported
				_, paired := m.Get("outcome", id)
				if paired && m.Reason("outcome", id) != "" {
					t.Errorf("outcome %s is paired and has a reason", id)
				}
			}
		})
	}
}

func TestParseOverrides(t *testing.T) {
	o, err := ParseOverrides([]byte(`{"status":{"12":31,"Awaiting Customer":"44"},"agent":{"4":9}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Overrides{"status": {"12": "31", "Awaiting Customer": "44"}, "agent": {"4": "9"}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %v, want %v", o, want)
	}
	for _, tt := range []struct{ file, err string }{
		{`{"statuses":{"1":2}}`, `unknown section "statuses"`},
		{`{"status":{"1":null}}`, `status: "1" -> <nil>: want a non-empty source id or key and a target id`},
		{`{"status":{"1":""}}`, `status: "1" -> : want`},
		{`[1]`, `want a JSON object of sections`},
		{`{"agent":{"4":{"id":9}}}`, `agent: "4" -> map[id:9]: want`},
		{`{"agent":[4]}`, `agent: not a JSON object`},
		{`{"agent":{"4":9}} {}`, `unexpected data after the JSON object`},
		{`{"agent":{"4":9,`, `want a JSON object of sections`},
		// JSON keeps the last of two equal names; a --map file must say one thing once.
		{`{"agent":{"4":9,"5":9,"4":10}}`, `agent: the key "4" appears twice (-> 9 and -> 10): keep one`},
		{`{"agent":{"4":9},"team":{},"agent":{"5":9}}`, `the section "agent" appears twice: merge them into one`},
	} {
		_, err := ParseOverrides([]byte(tt.file))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseOverrides(%s) = %v, want an error saying %q", tt.file, err, tt.err)
		}
	}
}

// fixture: a source and a target tenant with different ids and guids.
func fixture(t *testing.T) (src, dst *Tenant) {
	src = tenant(t, map[string]string{
		"status": `[
		  {"id":1,"guid":"s-new","name":"New","statuschangeto":2,"statuschangetoname":"Closed","statusemailid":5,"statusemail_guid":"s-et5","statusemailname":"Logged",
		   "tickettypes":[{"value":"7","label":"Incident","isnew":false}],"outcomes":[{"value":"9","label":"Resolve"}],"statusnochangehoursmanager":4},
		  {"id":2,"guid":"s-closed","name":"Closed","statuschangeto":0,"outcomes":[],"statusnochangehoursmanager":0}]`,
		"emailtemplate": `[{"id":5,"guid":"s-et5","name":"Logged"}]`,
		"tickettype": `[{"id":7,"guid":"s-inc","name":"Incident","initial_status":1,"initial_status_guid":"s-new",
		   "allowed_status":[{"ticketype_id":7,"status_id":1,"status_guid":"s-new","status_name":"New"},{"ticketype_id":7,"status_id":2,"status_guid":"s-closed","status_name":"Closed"}],
		   "kanbanstatuschoice":[{"id":"2","name":"Closed"}],"allowed_category1":[{"id":55,"category_id":0,"tickettype_id":7,"category_guid":null,"stray_guid":"x"}],
		   "default_agent":3,"default_agent_name":"Bob","fieldidlist":[4,0,5]}]`,
		"outcome": `[{"id":9,"guid":"s-res","outcome":"Resolve","newstatus":2,"newstatus_guid":"s-closed"},{"id":10,"outcome":"Lost","newstatus":99}]`,
	})
	dst = tenant(t, map[string]string{
		"status":        `[{"id":101,"guid":"t-new","name":"New"},{"id":102,"guid":"t-closed","name":"Closed"}]`,
		"emailtemplate": `[{"id":105,"guid":"t-et","name":"Logged"}]`,
		"tickettype":    `[]`,
		"outcome":       `[{"id":109,"guid":"t-res","outcome":"Resolve"}]`,
	})
	return src, dst
}

func TestRewrite(t *testing.T) {
	all := func(string) bool { return true }
	tests := []struct {
		name     string
		kind, id string
		target   string // "" for a create
		external External
		over     string
		imported func(string) bool
		want     string // the rewritten record, canonical JSON; "" to skip
		pending  []Pending
		probs    []string
	}{
		{
			name: "update: scalar, guid and name partners, KeyPair2 array, pending array, external kept",
			kind: "status", id: "1", target: "101", external: ExternalKeep,
			want: `{"guid":"t-new","id":101,"name":"New","outcomes":[{"label":"Resolve","value":"109"}],"statuschangeto":102,"statuschangetoname":"Closed",` +
				`"statusemail_guid":"t-et","statusemailid":105,"statusemailname":"Logged","statusnochangehoursmanager":4,"tickettypes":[{"isnew":false,"label":"Incident","value":"7"}]}`,
			pending: []Pending{{"tickettypes[].value", Node{"tickettype", "7"}}},
		},
		{
			name: "external cleared",
			kind: "status", id: "1", target: "101", external: ExternalClear,
			want:    `{"guid":"t-new","id":101,"name":"New","outcomes":[{"label":"Resolve","value":"109"}],"statuschangeto":102,"statuschangetoname":"Closed","statusemail_guid":"t-et","statusemailid":105,"statusemailname":"Logged","statusnochangehoursmanager":0,"tickettypes":[{"isnew":false,"label":"Incident","value":"7"}]}`,
			pending: []Pending{{"tickettypes[].value", Node{"tickettype", "7"}}},
		},
		{
			name: "external mapped by --map, whatever the mode",
			kind: "status", id: "1", target: "101", over: `{"agent":{"4":44}}`,
			want:    `{"guid":"t-new","id":101,"name":"New","outcomes":[{"label":"Resolve","value":"109"}],"statuschangeto":102,"statuschangetoname":"Closed","statusemail_guid":"t-et","statusemailid":105,"statusemailname":"Logged","statusnochangehoursmanager":44,"tickettypes":[{"isnew":false,"label":"Incident","value":"7"}]}`,
			pending: []Pending{{"tickettypes[].value", Node{"tickettype", "7"}}},
		},
		{
			name: "external unmapped fails",
			kind: "status", id: "1", target: "101",
			pending: []Pending{{"tickettypes[].value", Node{"tickettype", "7"}}},
			probs:   []string{`status 1 (New): statusnochangehoursmanager: external agent 4 is not mapped`},
		},
		{
			name: "create: no id or owner, the source's guid; nested references and partners rewritten",
			kind: "tickettype", id: "7", external: ExternalKeep,
			want: `{"allowed_category1":[{"category_guid":null,"category_id":0}],"allowed_status":[{"status_guid":"t-new","status_id":101,"status_name":"New"},{"status_guid":"t-closed","status_id":102,"status_name":"Closed"}],` +
				`"default_agent":3,"default_agent_name":"Bob","fieldidlist":[4,0,5],"guid":"s-inc","initial_status":101,"initial_status_guid":"t-new","kanbanstatuschoice":[{"id":"102","name":"Closed"}],"name":"Incident"}`,
		},
		{
			name: "externals cleared, mapped ones kept, in an array of ids too",
			kind: "tickettype", id: "7", external: ExternalClear, over: `{"customfield":{"5":50}}`,
			want: `{"allowed_category1":[{"category_guid":null,"category_id":0}],"allowed_status":[{"status_guid":"t-new","status_id":101,"status_name":"New"},{"status_guid":"t-closed","status_id":102,"status_name":"Closed"}],` +
				`"default_agent":0,"default_agent_name":"","fieldidlist":[0,50],"guid":"s-inc","initial_status":101,"initial_status_guid":"t-new","kanbanstatuschoice":[{"id":"102","name":"Closed"}],"name":"Incident"}`,
		},
		{
			name: "a reference to a record outside the snapshot",
			kind: "outcome", id: "10",
			probs: []string{`outcome 10 (Lost): newstatus: points at status 99, which is not in the snapshot: map it with --map`},
		},
		{
			name: "mapped by --map",
			kind: "outcome", id: "10", over: `{"status":{"99":"102"}}`,
			want: `{"newstatus":102,"outcome":"Lost"}`,
		},
		{
			name: "a reference to a kind this import does not write",
			kind: "status", id: "1", target: "101", external: ExternalKeep,
			imported: func(k string) bool { return k != "tickettype" },
			probs:    []string{`status 1 (New): tickettypes[].value: points at tickettype 7 (Incident), which the target lacks and this import does not write (--only)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := fixture(t)
			var over Overrides
			if tt.over != "" {
				over, _ = ParseOverrides([]byte(tt.over))
			}
			m, probs := Match(src, dst, over, nil)
			if len(probs) > 0 {
				t.Fatalf("match: %v", probs)
			}
			mp := &Mapper{Source: src, Target: dst, Matching: m, Overrides: over, External: tt.external, Imported: tt.imported}
			if mp.Imported == nil {
				mp.Imported = all
			}
			k := kindNamed(t, tt.kind)
			before := snapshot.Canonical(src.ByID(tt.kind, tt.id))
			out, pending, problems := mp.Rewrite(k, src.ByID(tt.kind, tt.id), tt.target)
			if got := snapshot.Canonical(src.ByID(tt.kind, tt.id)); string(got) != string(before) {
				t.Errorf("Rewrite changed the source record:\n%s", got)
			}
			if len(problems) != len(tt.probs) {
				t.Fatalf("problems = %v, want %v", problems, tt.probs)
			}
			for i, p := range problems {
				if !strings.Contains(p.Error(), tt.probs[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p.Error(), tt.probs[i])
				}
			}
			if !reflect.DeepEqual(pending, tt.pending) {
				t.Errorf("pending = %v, want %v", pending, tt.pending)
			}
			if tt.want != "" {
				if got := string(snapshot.Canonical(out)); got != tt.want {
					t.Errorf("rewritten:\n got %s\nwant %s", got, tt.want)
				}
			}
		})
	}
}

func TestRewriteIDTypes(t *testing.T) {
	src := tenant(t, map[string]string{"status": `[{"id":1,"name":"A","statuschangeto":"2"},{"id":2,"name":"B","tickettypes":[{"value":7}]}]`, "tickettype": `[]`})
	m, _ := Match(src, src, nil, nil)
	mp := &Mapper{Source: src, Target: src, Matching: m, External: ExternalKeep, Imported: func(string) bool { return true }}
	k := kindNamed(t, "status")
	_, _, p1 := mp.Rewrite(k, src.ByID("status", "1"), "1")
	_, _, p2 := mp.Rewrite(k, src.ByID("status", "2"), "2")
	if len(p1) != 1 || !strings.Contains(p1[0].Error(), `statuschangeto: want an integer id, got the string "2"`) {
		t.Errorf("string in an integer reference: %v", p1)
	}
	if len(p2) != 1 || !strings.Contains(p2[0].Error(), `tickettypes[].value: want a string id, got the number 7`) {
		t.Errorf("number in a KeyPair2 value: %v", p2)
	}
}

func TestNeutral(t *testing.T) {
	src, dst := fixture(t)
	// The same ticket type as the source's, in the target's ids.
	dst.Put("tickettype", rec(t, `{"id":207,"guid":"t-inc","name":"Incident","initial_status":101,"initial_status_guid":"t-new",
	   "allowed_status":[{"ticketype_id":207,"status_id":101,"status_guid":"t-new","status_name":"New"},{"ticketype_id":207,"status_id":102,"status_guid":"t-closed","status_name":"Closed"}],
	   "kanbanstatuschoice":[{"id":"102","name":"Closed"}],"allowed_category1":[{"id":955,"category_id":0,"tickettype_id":207}],
	   "default_agent":3,"default_agent_name":"Bob","fieldidlist":[4,0,5]}`))
	k := kindNamed(t, "tickettype")
	a := src.Neutral(k, src.ByID("tickettype", "7"))
	b := dst.Neutral(k, dst.ByID("tickettype", "207"))
	want := `{"allowed_category1":[{"category_id":null}],"allowed_status":[{"status_id":"status:New"},{"status_id":"status:Closed"}],"default_agent":3,"fieldidlist":[4,0,5],"initial_status":"status:New","kanbanstatuschoice":[{"id":"status:Closed"}],"name":"Incident"}`
	if string(snapshot.Canonical(a)) != want || string(snapshot.Canonical(b)) != want {
		t.Errorf("neutral forms:\nsource %s\ntarget %s\nwant   %s", snapshot.Canonical(a), snapshot.Canonical(b), want)
	}
	for _, tt := range []struct {
		r    catalog.Ref
		v    any
		want string
	}{
		{catalog.Ref{Field: "newstatus", Target: "status"}, rec(t, `{"v":1}`)["v"], "status:New"},
		{catalog.Ref{Field: "newstatus", Target: "status"}, rec(t, `{"v":0}`)["v"], ""},
		{catalog.Ref{Field: "newstatus", Target: "status"}, rec(t, `{"v":-1}`)["v"], ""},
		{catalog.Ref{Field: "newstatus", Target: "status"}, nil, ""},
		{catalog.Ref{Field: "newstatus", Target: "status"}, rec(t, `{"v":42}`)["v"], "status#42"},
		{catalog.Ref{Field: "x[].value", Target: "outcome", StringID: true}, "9", "outcome:Resolve"},
		{catalog.Ref{Field: "agent", Target: "agent", External: true}, rec(t, `{"v":4}`)["v"], "agent#4"},
	} {
		if got := src.RefKey(tt.r, tt.v); got != tt.want {
			t.Errorf("RefKey(%s, %v) = %q, want %q", tt.r.Field, tt.v, got, tt.want)
		}
	}
}

func TestComparable(t *testing.T) {
	k := kindNamed(t, "status")
	a := rec(t, `{"id":1,"name":"A","statuschangetofreq":72.0,"timeuntilloffhold":1E-07,"big":9007199254740993,"huge":18446744073709551615,"ticket_count":5,"_warning":"x","statuschangeto":2,"statuschangetoname":"B","outcomes":[{"value":"3","label":"C"}]}`)
	b := rec(t, `{"id":1,"name":"A","statuschangetofreq":72,"timeuntilloffhold":0.0000001,"big":9007199254740993,"huge":18446744073709551615,"ticket_count":9,"statuschangeto":2,"statuschangetoname":"Old","outcomes":[{"value":"3","label":"Old"}]}`)
	if ca, cb := Comparable(k, a), Comparable(k, b); !snapshot.Equal(ca, cb) {
		t.Errorf("not comparable:\n%s\n%s", snapshot.Canonical(ca), snapshot.Canonical(cb))
	}
	for _, diff := range []string{
		`{"id":1,"name":"A","statuschangetofreq":72.5}`,
		`{"id":1,"name":"A","big":9007199254740992}`,
		`{"id":1,"name":"A","statuschangeto":3}`,
		`{"id":1,"name":"A","outcomes":[{"value":"4","label":"C"}]}`,
	} {
		c := rec(t, diff)
		for f, v := range c {
			if snapshot.Equal(Comparable(k, snapshot.Record{f: a[f]}), Comparable(k, snapshot.Record{f: v})) && f != "id" && f != "name" {
				t.Errorf("%s: %v and %v compare equal", f, a[f], v)
			}
		}
	}
}

// TestOverridesCheckTypes: an external --map value is checked against the
// schema type of every field it lands in, elements of arrays of ids too.
func TestOverridesCheckTypes(t *testing.T) {
	src, _ := fixture(t)
	kinds := []*catalog.Kind{kindNamed(t, "status"), kindNamed(t, "tickettype")}
	tests := []struct {
		over  string
		probs []string
	}{
		{`{"agent":{"3":9,"4":"12"},"customfield":{"4":7}}`, nil}, // integer text becomes a number where one was
		{`{"agent":{"3":"Bob","4":"x","99":"y"}}`, []string{
			`map: agent.3: "Bob" is not an integer id, but agent 3 lands in integer field(s): tickettype.default_agent`,
			`map: agent.4: "x" is not an integer id, but agent 4 lands in integer field(s): status.statusnochangehoursmanager`}},
		{`{"customfield":{"5":"f-5"}}`, []string{`map: customfield.5: "f-5" is not an integer id, but customfield 5 lands in integer field(s): tickettype.fieldidlist`}},
	}
	for _, tt := range tests {
		over, err := ParseOverrides([]byte(tt.over))
		if err != nil {
			t.Fatal(err)
		}
		probs := over.CheckTypes(src, kinds)
		var got []string
		for _, p := range probs {
			got = append(got, p.Error())
		}
		if !reflect.DeepEqual(got, tt.probs) {
			t.Errorf("%s:\n got %q\nwant %q", tt.over, got, tt.probs)
		}
	}
}
