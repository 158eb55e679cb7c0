package halosim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

func TestCreateAndUpdate(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	before := len(s.tenant.Records("status"))

	// Status answers the saved object.
	code, body := s.post("/api/Status", `[{"name":"Awaiting Parts","colour":"#123456","statusemailid":2,"guid":"7d3c4f9e-8a6b-4c1d-9e2f-0a1b2c3d4e5f"}]`)
	if code != 200 {
		t.Fatalf("create status: %d %s", code, body)
	}
	st, err := snapshot.DecodeRecord(body)
	if err != nil {
		t.Fatalf("status POST answers %s: %v", body, err)
	}
	if st.ID() != "13" || st["guid"] != "7d3c4f9e-8a6b-4c1d-9e2f-0a1b2c3d4e5f" || st["statusemailname"] != "Ticket Resolved" {
		t.Errorf("created status: id %s guid %v statusemailname %v", st.ID(), st["guid"], st["statusemailname"])
	}
	tmpl := s.tenant.Records("emailtemplate")[1]
	if !snapshot.Equal(st["statusemail_guid"], tmpl["guid"]) {
		t.Errorf("statusemail_guid %v, want the template's %v", st["statusemail_guid"], tmpl["guid"])
	}
	fields, _ := catalog.Schema("TStatus")
	for _, f := range fields {
		if _, ok := st[f.Name]; !ok {
			t.Errorf("created status lacks %s", f.Name)
		}
	}
	if got := len(s.tenant.Records("status")); got != before+1 {
		t.Errorf("%d statuses, want %d", got, before+1)
	}

	// Outcome answers an array; a reused guid is replaced.
	used := s.tenant.Records("outcome")[0]["guid"].(string)
	code, body = s.post("/api/Outcome", `[{"outcome":"Order Parts","newstatus":13,"guid":"`+used+`","tickettypes":[{"value":"1","label":"stale","isnew":true}],"x_new":12345678901234567890}]`)
	if code != 200 {
		t.Fatalf("create outcome: %d %s", code, body)
	}
	var outs []snapshot.Record
	if err := snapshot.Unmarshal(body, &outs); err != nil || len(outs) != 1 {
		t.Fatalf("outcome POST answers %s: %v", body, err)
	}
	o := outs[0]
	if o["guid"] == used || !snapshot.Equal(o["newstatus_guid"], st["guid"]) || o["x_new"] != json.Number("12345678901234567890") {
		t.Errorf("created outcome: guid %v newstatus_guid %v x_new %v", o["guid"], o["newstatus_guid"], o["x_new"])
	}
	if label := o["tickettypes"].([]any)[0].(map[string]any)["label"]; label != "Incident" {
		t.Errorf("KeyPair2 label %v, want the ticket type's name", label)
	}

	// An update replaces the fields given and keeps the others.
	old := s.tenant.Records("status")[0]
	code, body = s.post("/api/Status", `[{"id":1,"colour":"#000000","statuschangeto":0}]`)
	if code != 200 {
		t.Fatalf("update: %d %s", code, body)
	}
	now := s.tenant.Records("status")[0]
	for f := range old {
		switch f {
		case "colour", "statuschangeto", "statuschangetoname":
		default:
			if !snapshot.Equal(old[f], now[f]) {
				t.Errorf("update changed %s: %v -> %v", f, old[f], now[f])
			}
		}
	}
	if now["colour"] != "#000000" || now["statuschangetoname"] != "" {
		t.Errorf("update: colour %v statuschangetoname %q", now["colour"], now["statuschangetoname"])
	}

	// A priority gets a uuid id and the next priorityid.
	code, body = s.post("/api/Priority", `[{"name":"P5 - Planning","slaid":1,"priorityid":3}]`)
	p, err := snapshot.DecodeRecord(body)
	if code != 200 || err != nil {
		t.Fatalf("create priority: %d %s", code, body)
	}
	if len(p.ID()) != 36 || p["priorityid"] != json.Number("9") {
		t.Errorf("created priority id %q priorityid %v, want a uuid and 9", p.ID(), p["priorityid"])
	}
	if errs := CheckReferences(s.tenant.AllRecords()); len(errs) > 0 {
		t.Errorf("after writes: %v", errs)
	}
	if st := s.tenant.Stats(); st.Writes != 4 {
		t.Errorf("Stats.Writes = %d, want 4", st.Writes)
	}
}

func TestRejectedWritesApplyNothing(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	tests := []struct {
		name, path, body, contentType string
		code                          int
		msg                           string // in the error message
	}{
		{"string for integer", "/api/Status", `[{"name":"A","sequence":"10"}]`, "", 400, `sequence: want an integer, got the string "10"`},
		{"fraction for integer", "/api/Status", `[{"name":"A","sequence":1.5}]`, "", 400, "sequence: want an integer, got the number 1.5"},
		{"integer over int32", "/api/Status", `[{"name":"A","sequence":3000000000}]`, "", 400, "sequence: 3000000000 does not fit int32"},
		{"number for string", "/api/Status", `[{"name":7}]`, "", 400, "name: want a string"},
		{"string for boolean", "/api/Status", `[{"name":"A","showonquickchange":"true"}]`, "", 400, "showonquickchange: want a boolean"},
		{"object for array", "/api/Status", `[{"name":"A","outcomes":{"value":"1"}}]`, "", 400, "outcomes: want an array, got an object"},
		{"bad uuid", "/api/Status", `[{"name":"A","guid":"not-a-guid"}]`, "", 400, "guid: want a uuid"},
		{"nested type", "/api/TicketType", `[{"name":"A","allowed_status":[{"status_id":"x"}]}]`, "", 400, "allowed_status[0].status_id: want an integer"},
		{"update of a missing id", "/api/Status", `[{"id":999,"name":"A"}]`, "", 400, "id: no status with id 999"},
		{"missing priority", "/api/Priority", `[{"id":"00000000-0000-4000-8000-000000000000","name":"A"}]`, "", 400, "no priority with id"},
		{"dangling scalar", "/api/Outcome", `[{"outcome":"A","newstatus":999}]`, "", 400, "newstatus: no status with id 999"},
		{"dangling KeyPair2", "/api/Status", `[{"name":"A","outcomes":[{"value":"999","label":"x"}]}]`, "", 400, "outcomes[0].value: no outcome with id 999"},
		{"non-numeric KeyPair2", "/api/Status", `[{"name":"A","outcomes":[{"value":"abc"}]}]`, "", 400, "outcomes[0].value"},
		{"dangling nested", "/api/TicketType", `[{"name":"A","allowed_status":[{"status_id":1},{"status_id":999}]}]`, "", 400, "allowed_status[1].status_id: no status with id 999"},
		{"dangling two levels deep", "/api/Workflow", `[{"name":"A","steps":[{"actions":[]},{"actions":[{"action_id":1},{"action_id":999}]}]}]`, "", 400, "steps[1].actions[1].action_id: no outcome with id 999"},
		{"type two levels deep", "/api/Workflow", `[{"name":"A","steps":[{"actions":[{"time_limit_action_id":"x"}]}]}]`, "", 400, "steps[0].actions[0].time_limit_action_id: want an integer"},
		{"dangling three levels deep", "/api/Workflow", `[{"name":"A","steps":[{"actions":[{"conditions":[{"stdid":999}]}]}]}]`, "", 400, "steps[0].actions[0].conditions[0].stdid: no template with id 999"},
		{"dangling by its field name", "/api/TicketRules", `[{"name":"A","criteria":[{"fieldname":"agent","value_int":999},{"fieldname":"status","value_int":999}]}]`, "", 400, "criteria[1].value_int: no status with id 999"},
		{"dangling in a text list", "/api/TicketArea", `[{"name":"A","kanbanstatuschoice_list":"1,999"}]`, "", 400, "kanbanstatuschoice_list[1]: no status with id 999"},
		{"dangling value", "/api/FieldGroup", `[{"name":"A","visibility_conditions":[{"lookup_field_id":1,"lookup_value_id":99999}]}]`, "", 400, "visibility_conditions[0].lookup_value_id: no values row 99999 in customfield 1"},
		{"dangling priorityid", "/api/Template", `[{"name":"A","priority_id":99}]`, "", 400, "priority_id: no priority with priorityid 99"},
		{"second element bad", "/api/Status", `[{"name":"Good"},{"name":"Bad","statuschangeto":999}]`, "", 400, "[1] statuschangeto"},
		{"object body", "/api/Status", `{"name":"A"}`, "", 400, "JSON array"},
		{"element not an object", "/api/Status", `[1]`, "", 400, "[0]: want an object"},
		{"not JSON", "/api/Status", `[{"name":`, "", 400, "JSON array"},
		{"wrong content type", "/api/Status", `[{"name":"A"}]`, "text/plain", 415, "application/json"},
		{"no content type", "/api/Status", `[{"name":"A"}]`, "-", 415, "application/json"},
		{"non-ASCII without charset", "/api/Status", `[{"name":"Résolu"}]`, "application/json", 415, "charset=utf-8"},
	}
	want := state(s.tenant)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			switch ct {
			case "":
				ct = "application/json; charset=utf-8"
			case "-":
				ct = ""
			}
			resp, body, err := s.do(http.MethodPost, tc.path, []byte(tc.body), ct)
			if err != nil {
				t.Fatal(err)
			}
			var e struct{ Message string }
			if resp.StatusCode != tc.code || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("%d %s, want %d with %q", resp.StatusCode, body, tc.code, tc.msg)
			}
			if state(s.tenant) != want {
				t.Error("a rejected write changed the tenant")
			}
		})
	}
	if st := s.tenant.Stats(); st.Writes != 0 {
		t.Errorf("Stats.Writes = %d after rejected writes", st.Writes)
	}
	// The same ASCII body is fine without a charset; none, 0 and -1 are empty references.
	resp, body, _ := s.do(http.MethodPost, "/api/Outcome", []byte(`[{"outcome":"A","newstatus":-1,"workflow_id":0,"requesttype":null}]`), "application/json")
	if resp.StatusCode != 200 {
		t.Errorf("ASCII body without charset: %d %s", resp.StatusCode, body)
	}
}

func TestWritesRoundTrip(t *testing.T) {
	// Every record, posted back as served, is accepted and changes nothing.
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	want := state(s.tenant)
	for _, k := range catalog.Kinds() {
		recs := s.tenant.Records(k.Name)
		body, _ := json.Marshal(recs)
		if code, resp := s.post("/api"+k.Endpoint, string(body)); code != 200 {
			t.Fatalf("%s: %d %.300s", k.Name, code, resp)
		}
	}
	if state(s.tenant) != want {
		t.Error("posting records back unchanged changed the tenant")
	}
}

func TestDelete(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	p := s.tenant.Records("priority")[3]
	for _, path := range []string{"/api/Status/3", "/api/Priority/" + strings.ToUpper(p.ID())} {
		resp, _, err := s.do(http.MethodDelete, path, nil, "")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("DELETE %s: %v %v", path, resp.StatusCode, err)
		}
		if code, _ := s.get(path); code != 404 {
			t.Errorf("GET %s after DELETE: %d, want 404", path, code)
		}
		if resp, _, _ := s.do(http.MethodDelete, path, nil, ""); resp.StatusCode != 404 {
			t.Errorf("second DELETE %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if got := ids(s.tenant.Records("status")); strings.Contains(strings.Join(got, ","), ",3,") {
		t.Errorf("status 3 still listed: %v", got)
	}
	if st := s.tenant.Stats(); st.Deletes != 2 {
		t.Errorf("Stats.Deletes = %d, want 2", st.Deletes)
	}
	// A new record never reuses a deleted id.
	_, body := s.post("/api/Status", `[{"name":"After"}]`)
	if r, _ := snapshot.DecodeRecord(body); r.ID() != "13" {
		t.Errorf("new status id %s, want 13", r.ID())
	}
}

func TestOnWriteAndDroppedResponse(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	var seen []string
	s.tenant.OnWrite(func(kind string, rec snapshot.Record) {
		seen = append(seen, kind+":"+rec.ID()+":"+rec["name"].(string))
	})
	s.tenant.DropWriteResponse(2)
	ct := "application/json; charset=utf-8"
	if resp, _, err := s.do(http.MethodPost, "/api/Status", []byte(`[{"name":"One"}]`), ct); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first write: %v", err)
	}
	if _, _, err := s.do(http.MethodPost, "/api/Status", []byte(`[{"name":"Two"}]`), ct); err == nil {
		t.Fatal("second write answered; want its response dropped")
	}
	if resp, _, err := s.do(http.MethodPost, "/api/Status", []byte(`[{"name":"Three"}]`), ct); err != nil || resp.StatusCode != 200 {
		t.Fatalf("third write: %v", err)
	}
	if want := "status:13:One status:14:Two status:15:Three"; strings.Join(seen, " ") != want {
		t.Errorf("OnWrite saw %v, want %s", seen, want)
	}
	if n := len(s.tenant.Records("status")); n != 15 {
		t.Errorf("%d statuses, want 15: the dropped write is applied", n)
	}
}

func TestUpdateKeepsIdentity(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	p := s.tenant.Records("priority")[0]
	code, body := s.post("/api/Priority", `[{"id":"`+strings.ToUpper(p.ID())+`","priorityid":77,"name":"Renamed"}]`)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	got := s.tenant.Records("priority")[0]
	if got.ID() != p.ID() || !snapshot.Equal(got["priorityid"], p["priorityid"]) || got["name"] != "Renamed" {
		t.Errorf("after update: id %s priorityid %v name %v", got.ID(), got["priorityid"], got["name"])
	}
	if errs := CheckReferences(s.tenant.AllRecords()); len(errs) > 0 {
		t.Errorf("references after a priority update: %v", errs)
	}
	// Partners follow a renamed target everywhere.
	for _, sla := range s.tenant.Records("sla") {
		for _, e := range sla["priorities"].([]any) {
			if el := e.(map[string]any); snapshot.Equal(el["priorityid"], p["priorityid"]) && el["name"] != "Renamed" {
				t.Errorf("sla %s still names the priority %v", sla.ID(), el["name"])
			}
		}
	}
}

func TestCreateInEmptyTenant(t *testing.T) {
	s := newSim(t, Options{Dataset: "empty"})
	_, body := s.post("/api/Status", `[{"name":"First"}]`)
	_, pbody := s.post("/api/Priority", `[{"name":"P1"}]`)
	st, _ := snapshot.DecodeRecord(body)
	p, _ := snapshot.DecodeRecord(pbody)
	if st.ID() != "1" || p["priorityid"] != json.Number("1") {
		t.Errorf("first ids: status %s, priorityid %v; want 1 (0 means none)", st.ID(), p["priorityid"])
	}
}
