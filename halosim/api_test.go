package halosim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

func TestAuthInfoAnyCase(t *testing.T) {
	s := newSim(t, Options{Dataset: "empty"})
	for _, p := range []string{"/api/authinfo", "/api/AuthInfo", "/API/AUTHINFO"} {
		resp, err := http.Get(s.url + p)
		if err != nil {
			t.Fatal(err)
		}
		var info struct{ AuthURL, TenantID string }
		err = json.NewDecoder(resp.Body).Decode(&struct {
			AuthURL  *string `json:"auth_url"`
			TenantID *string `json:"tenant_id"`
		}{&info.AuthURL, &info.TenantID})
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || info.AuthURL != s.url+"/auth" || info.TenantID == "" {
			t.Errorf("GET %s: %d %+v %v", p, resp.StatusCode, info, err)
		}
	}
	if got := s.tenant.Stats().Requests; got != 0 {
		t.Errorf("authinfo counted as %d API requests", got)
	}
}

func TestAuth(t *testing.T) {
	s := newSim(t, Options{Dataset: "empty", ClientID: "cid", ClientSecret: "s3cret", Tenant: "acme", TokenTTL: time.Minute})
	tests := []struct {
		name                      string
		id, secret, scope, tenant string
		tokenCode                 int
		apiCode                   int // with the token, when one is issued
	}{
		{"good", "cid", "s3cret", "all", "acme", 200, 200},
		{"scope among others", "cid", "s3cret", "read all", "acme", 200, 200},
		{"wrong secret", "cid", "nope", "all", "acme", 401, 0},
		{"wrong client", "x", "s3cret", "all", "acme", 401, 0},
		{"missing scope", "cid", "s3cret", "", "acme", 200, 401},
		{"other scope", "cid", "s3cret", "read", "acme", 200, 401},
		{"missing tenant", "cid", "s3cret", "all", "", 400, 0},
		{"wrong tenant", "cid", "s3cret", "all", "other", 400, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := s.requestToken(tc.id, tc.secret, tc.scope, tc.tenant)
			if code != tc.tokenCode {
				t.Fatalf("token: %d %s, want %d", code, body, tc.tokenCode)
			}
			if code == 401 && !strings.Contains(string(body), `"error":"invalid_client"`) {
				t.Errorf("401 body %s", body)
			}
			if strings.Contains(string(body), "s3cret") {
				t.Errorf("response leaks the secret: %s", body)
			}
			if code != 200 {
				return
			}
			var tok struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			if err := json.Unmarshal(body, &tok); err != nil || tok.TokenType != "Bearer" || tok.ExpiresIn != 60 || len(tok.AccessToken) < 32 {
				t.Fatalf("token response %s: %v", body, err)
			}
			u := *s
			u.token = tok.AccessToken
			if code, body := u.get("/api/Status"); code != tc.apiCode {
				t.Errorf("API with token: %d %s, want %d", code, body, tc.apiCode)
			}
		})
	}
}

func TestTokensExpireAndAreRequired(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", TokenTTL: time.Hour})
	if code, _ := s.get("/api/Status"); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	bad := *s
	for _, tok := range []string{"", "not-a-token"} {
		bad.token = tok
		if code, _ := bad.get("/api/Status"); code != 401 {
			t.Errorf("token %q: %d, want 401", tok, code)
		}
	}
	s.clock.Add(time.Hour + time.Second)
	if code, _ := s.get("/api/Status"); code != 401 {
		t.Errorf("expired token: %d, want 401", code)
	}
	if got := s.tenant.Stats().Tokens; got != 1 {
		t.Errorf("Stats.Tokens = %d, want 1", got)
	}
}

func TestDefaultCredentials(t *testing.T) {
	a, _ := New(Options{})
	b, _ := New(Options{})
	ida, sa, ta := a.Credentials()
	_, sb, _ := b.Credentials()
	if ida == "" || len(sa) < 32 || sa == sb || ta != "" {
		t.Errorf("defaults: id %q secret %q (other %q) tenant %q", ida, sa, sb, ta)
	}
}

func TestListShapesAndSummaries(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	var bare, wrapped []string
	for _, k := range catalog.Kinds() {
		code, body := s.get("/api" + k.Endpoint + "?" + k.ListQuery)
		if code != 200 {
			t.Fatalf("%s: %d %s", k.Name, code, body)
		}
		rows, total, isBare := listRows(t, k, body)
		if isBare {
			bare = append(bare, k.Name)
		} else {
			wrapped = append(wrapped, k.Name)
		}
		if total != len(s.tenant.Records(k.Name)) || len(rows) != total {
			t.Errorf("%s: %d rows, record_count %d, want %d", k.Name, len(rows), total, len(s.tenant.Records(k.Name)))
		}
		fields, _ := catalog.Schema(k.Schema)
		for _, r := range rows {
			if len(r) >= len(fields)/2 && len(fields) > 8 {
				t.Errorf("%s row %s has %d fields: not a summary", k.Name, r.ID(), len(r))
			}
			for _, f := range k.NaturalKey {
				if _, ok := r[f]; !ok {
					t.Errorf("%s row %s lacks natural key field %s", k.Name, r.ID(), f)
				}
			}
		}
		if k.Name == "workflow" && !bytes.Contains(body, []byte(`"filters":[`)) {
			t.Errorf("workflow list lacks its side array: %.200s", body)
		}
	}
	if !slices.Contains(bare, "status") || !slices.Contains(wrapped, "template") || len(bare) < 3 || len(wrapped) < 3 {
		t.Errorf("bare %v, wrapped %v: want both shapes, /Status bare and /Template wrapped", bare, wrapped)
	}
}

func TestHiddenRecordsNeedListFlags(t *testing.T) {
	for _, ds := range []string{"demo", "demo-target", "scale:20"} {
		s := newSim(t, Options{Dataset: ds, Seed: 3})
		for _, k := range catalog.Kinds() {
			want := ids(s.tenant.Records(k.Name))
			if got := ids(s.listAll(k)); !slices.Equal(got, want) {
				t.Errorf("%s %s with %q: ids %v, want %v", ds, k.Name, k.ListQuery, got, want)
			}
			b := behaviours[k.Name]
			if b.hiddenField == "" {
				continue // every record is listed, with or without ListQuery
			}
			code, body := s.get("/api" + k.Endpoint + "?pageinate=true&page_size=100")
			if code != 200 {
				t.Fatalf("%s: %d", k.Name, code)
			}
			rows, _, _ := listRows(t, k, body)
			var hidden []string
			for _, r := range s.tenant.Records(k.Name) {
				if b.isHidden(r) {
					hidden = append(hidden, r.ID())
				}
			}
			if len(hidden) == 0 {
				t.Errorf("%s %s: no hidden or inactive records", ds, k.Name)
			}
			for _, r := range rows {
				if slices.Contains(hidden, r.ID()) {
					t.Errorf("%s %s: hidden %s listed without %q", ds, k.Name, r.ID(), k.ListQuery)
				}
			}
			if len(rows)+len(hidden) != len(want) {
				t.Errorf("%s %s: %d visible + %d hidden != %d", ds, k.Name, len(rows), len(hidden), len(want))
			}
		}
	}
}

func TestPaging(t *testing.T) {
	s := newSim(t, Options{Dataset: "scale:250", Seed: 1})
	tk, _ := catalog.Lookup("template")
	all := s.tenant.Records("template")
	tests := []struct {
		query     string
		wantFirst int // index in all of the first row
		wantRows  int
	}{
		{"showall=true", 0, 50}, // no pageinate: the first 50 rows only
		{"showall=true&page_size=100&page_no=2", 0, 50},
		{"showall=true&pageinate=true&page_size=500&page_no=1", 0, 100}, // capped
		{"showall=true&pageinate=true&page_size=100&page_no=3", 200, 50},
		{"showall=true&pageinate=true&page_size=30&page_no=2", 30, 30},
		{"showall=true&pageinate=true&page_size=100&page_no=4", 0, 0},
		{"showall=true&PageInate=TRUE&page_size=100&page_no=2", 100, 100}, // parameter names ignore case
	}
	for _, tc := range tests {
		code, body := s.get("/api/Template?" + tc.query)
		if code != 200 {
			t.Fatalf("%s: %d", tc.query, code)
		}
		rows, total, _ := listRows(t, tk, body)
		if total != len(all) || len(rows) != tc.wantRows {
			t.Errorf("%s: %d rows of record_count %d, want %d of %d", tc.query, len(rows), total, tc.wantRows, len(all))
			continue
		}
		if len(rows) > 0 && rows[0].ID() != all[tc.wantFirst].ID() {
			t.Errorf("%s: first row %s, want %s", tc.query, rows[0].ID(), all[tc.wantFirst].ID())
		}
	}
	// Endpoints that do not page ignore the parameters.
	sk, _ := catalog.Lookup("status")
	_, body := s.get("/api/Status?showall=true&pageinate=true&page_size=10&page_no=2")
	if rows, _, _ := listRows(t, sk, body); len(rows) != 250 {
		t.Errorf("/Status with paging parameters: %d rows, want 250", len(rows))
	}
}

func TestDetailsAreFullRecordsInSchemaOrder(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	for _, k := range catalog.Kinds() {
		fields, _ := catalog.Schema(k.Schema)
		for _, want := range s.tenant.Records(k.Name) {
			code, body := s.get("/api" + k.Endpoint + "/" + want.ID() + "?" + k.DetailQuery)
			if code != 200 {
				t.Fatalf("%s %s: %d %s", k.Name, want.ID(), code, body)
			}
			got, err := snapshot.DecodeRecord(body)
			if err != nil {
				t.Fatal(err)
			}
			if !snapshot.Equal(got, want) {
				t.Errorf("%s %s: detail differs from Records", k.Name, want.ID())
			}
			for _, f := range fields {
				if _, ok := got[f.Name]; !ok {
					t.Errorf("%s %s lacks schema field %s", k.Name, want.ID(), f.Name)
				}
			}
			if keys := topKeys(t, body); !slices.Equal(keys[:len(fields)], fieldNames(fields)) {
				t.Errorf("%s %s: keys not in schema order: %v", k.Name, want.ID(), keys[:5])
			}
		}
	}
	// Priority ids are uuids, the others integers.
	if p := s.tenant.Records("priority")[0]; len(p.ID()) != 36 {
		t.Errorf("priority id %q, want a uuid", p.ID())
	}
}

func TestDetailWithoutIncludeDetailsLeavesOutArrays(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo", Seed: 1})
	for _, q := range []string{"", "?includedetails=true"} { // ticket types also want includeconfig
		_, body := s.get("/api/TicketType/1" + q)
		r, _ := snapshot.DecodeRecord(body)
		if _, ok := r["allowed_status"]; ok || r["name"] != "Incident" {
			t.Errorf("TicketType/1%s: allowed_status present or wrong record (%v)", q, r["name"])
		}
	}
	_, body := s.get("/api/TicketType/1?includedetails=true&includeconfig=true")
	if r, _ := snapshot.DecodeRecord(body); r["allowed_status"] == nil {
		t.Error("TicketType/1 with includeconfig: allowed_status missing")
	}
}

func TestNotFound(t *testing.T) {
	s := newSim(t, Options{Dataset: "demo"})
	for _, p := range []string{"/api/Status/999", "/api/Status/abc", "/api/Priority/00000000-0000-0000-0000-000000000000",
		"/api/Nothing", "/api/Status/1/extra", "/nowhere", "/api/"} {
		code, body := s.get(p)
		var e struct{ Error, Message string }
		if code != 404 || json.Unmarshal(body, &e) != nil || e.Error == "" {
			t.Errorf("GET %s: %d %s, want 404 with a JSON error", p, code, body)
		}
	}
	if code, _ := s.get("/api/status/1?includedetails=true"); code != 200 {
		t.Errorf("lower-case entity: %d, want 200", code)
	}
}

func topKeys(t *testing.T, body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func fieldNames(fs []catalog.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
