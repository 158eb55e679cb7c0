package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
)

// probeSim serves a simulated tenant over HTTP, through wrap when given,
// and probes it.
func probeSim(t *testing.T, o halosim.Options, wrap func(http.Handler) http.Handler) (*Report, *halosim.Tenant) {
	t.Helper()
	tenant, err := halosim.New(o)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = tenant
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	id, secret, name := tenant.Credentials()
	c, err := halo.New(halo.Config{URL: srv.URL, ClientID: id, ClientSecret: secret, Tenant: name, Rate: halo.Unlimited,
		Retry: halo.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), c, Options{Tool: "halocfg test"})
	if err != nil {
		t.Fatal(err)
	}
	return r, tenant
}

// simClient serves the default simulated tenant over HTTP and returns a
// client of it, the server and the client's secret.
func simClient(t *testing.T) (*halosim.Tenant, *halo.Client, *httptest.Server, string) {
	t.Helper()
	tenant, err := halosim.New(halosim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(tenant)
	t.Cleanup(srv.Close)
	id, secret, _ := tenant.Credentials()
	c, err := halo.New(halo.Config{URL: srv.URL, ClientID: id, ClientSecret: secret, Rate: halo.Unlimited})
	if err != nil {
		t.Fatal(err)
	}
	return tenant, c, srv, secret
}

// deviations lists the findings that deviate as "kind/check".
func deviations(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Verdict == Deviates {
			out = append(out, f.Kind+"/"+f.Check)
		}
	}
	return out
}

func find(r *Report, kind, check string) Finding {
	for _, f := range r.Findings {
		if f.Kind == kind && f.Check == check {
			return f
		}
	}
	return Finding{}
}

func text(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The simulator does what the catalog assumes: a probe finds nothing, and
// says so for every check of every kind, reading only, within its budget.
func TestDefaultSimulatorProbesClean(t *testing.T) {
	r, tenant := probeSim(t, halosim.Options{}, nil)
	if d := deviations(r); len(d) > 0 {
		t.Fatalf("deviations on the default simulator: %v\n%s", d, text(t, r))
	}
	perKind := []string{"list-shape", "page-size", "page-cap", "default-page", "hidden", "summary-detail", "schema-extra", "schema-missing", "schema-types", "ids"}
	for _, k := range catalog.Kinds() {
		for _, check := range perKind {
			if f := find(r, k.Name, check); f.Verdict == "" || f.Found == "" {
				t.Errorf("%s: no %s finding", k.Name, check)
			}
		}
	}
	for _, k := range catalog.PairOnlyKinds() {
		for _, check := range []string{"list-shape", "page-size", "page-cap", "default-page", "hidden", "directory"} {
			if f := find(r, k.Name, check); f.Verdict == "" || f.Found == "" {
				t.Errorf("%s: no %s finding", k.Name, check)
			}
		}
		if f := find(r, k.Name, "directory"); f.Verdict != OK {
			t.Errorf("%s directory: %+v, want ok", k.Name, f)
		}
	}
	if r.Directories != len(catalog.PairOnlyKinds()) {
		t.Errorf("%d directories checked, want %d", r.Directories, len(catalog.PairOnlyKinds()))
	}
	for _, want := range []struct{ kind, check string }{
		{"", "auth"}, {"", "rate-limit"}, {"priority", "priorities"}, {"todogroup", "detail-query"},
		{"workday", "detail-query"}, {"outcome", "inferred-refs"}, {"template", "page-size"},
	} {
		if f := find(r, want.kind, want.check); f.Verdict != OK {
			t.Errorf("%s %s: %+v, want ok", want.kind, want.check, f)
		}
	}
	// What the simulator is known to do, told as the report tells it.
	for _, want := range []struct{ kind, check, found string }{
		{"", "auth", "/api/authinfo named the authorisation server, on the tenant's host; tokens live 1h0m0s, halocfg renews them 1m0s early"},
		{"status", "list-shape", "a bare array"},
		{"workflow", "list-shape", "an object with filters, record_count, workflows, the rows under workflows"},
		{"template", "page-size", "a page of 2 rows as asked, of 10 records"},
		{"status", "hidden", "with showall=true 12 records; without them, with includeinactive, showallcodes, showhidden, showinactive: 11: showall=true shows 1 hidden or inactive records"},
		{"status", "schema-extra", "fields the schema lacks: x_halo_new_setting (number): halocfg carries them as they are"},
		{"agent", "hidden", "with includeenabled=true&includedisabled=true 22 records; without them, with includeinactive, showall, showallcodes, showhidden, showinactive: 21: includeenabled=true&includedisabled=true shows 1 hidden or inactive records"},
		{"language", "list-shape", "a bare array"},
		{"user", "page-size", "a page of 2 rows as asked, of 13 records"},
		{"department", "directory", "12 rows read; kept: department_id, department_name: every row holds them"},
		{"user", "directory", "12 rows read; kept: id, name, emailaddress, client_name: every row holds them"},
		{"priority", "priorities", "8 Policy rows, 8 distinct priorityid; at most 1 rows for one priorityid; the SLA read lists 4 priorities, 4 of them among the Policy rows"},
	} {
		if f := find(r, want.kind, want.check); f.Found != want.found {
			t.Errorf("%s %s found %q, want %q", want.kind, want.check, f.Found, want.found)
		}
	}
	st := tenant.Stats()
	if r.Writes != 0 || len(st.ByMethod) != 1 || st.ByMethod["GET"] != st.Requests {
		t.Errorf("writes %d, requests by method %v: want GETs only", r.Writes, st.ByMethod)
	}
	if int64(st.Requests) != r.Requests || r.Requests > int64(r.Budget) {
		t.Errorf("requests: report %d, tenant %d, budget %d", r.Requests, st.Requests, r.Budget)
	}
	if r.Deviates() || r.Deviations != 0 || r.OK == 0 {
		t.Errorf("report counts: %d deviations, %d ok", r.Deviations, r.OK)
	}
}

// Each switch of the simulator is a deviation a probe reports, with what
// it means and what to do, and nothing else deviates.
func TestDeviations(t *testing.T) {
	tests := []struct {
		deviate []string
		dataset string
		want    []string // kind/check that deviate
		found   string   // in the first one's Found
	}{
		{[]string{"listkey:ticketrule=items"}, "", []string{"ticketrule/list-shape"}, `the rows under items; the catalog expects them under "rules"`},
		// With a side array beside them, halocfg cannot tell where the rows are.
		{[]string{"listkey:workflow=items"}, "", []string{"workflow/list-shape"}, `answered JSON that is not a list halocfg can read: it holds no "workflows", and its fields are filters, items, record_count`},
		{[]string{"listkey:status=items"}, "", []string{"status/list-shape"}, `an object with items, record_count, the rows under items`},
		{[]string{"pagesize:workflow"}, "scale:60", []string{"workflow/page-size"}, "page_size=2 ignored: a page of 50 rows of 60 (record_count)"},
		{[]string{"hiddenflag:ticketrule"}, "", []string{"ticketrule/hidden"}, "without parameters 4 records; with includeinactive, showall, showallcodes, showhidden, showinactive: 5"},
		{[]string{"hiddenflag:outcome"}, "", []string{"outcome/hidden"}, "with showhidden=true 8 records; without them, with includeinactive, showall, showallcodes, showinactive: 13"},
		{[]string{"extrafield:outcome"}, "", []string{"outcome/schema-extra"}, "linked_item_id (number)"},
		{[]string{"missingfield:ticketarea=name"}, "", []string{"ticketarea/schema-missing"}, "1 of the schema's 28 fields never returned; the natural key among them: name"},
		{[]string{"duppriorityid"}, "", []string{"priority/priorities"}, "9 Policy rows, 8 distinct priorityid; at most 2 rows for one priorityid"},
		{[]string{"dangling:outcome"}, "", []string{"outcome/inferred-refs"}, "hold values in the records read: 0 resolve, 6 do not, 0 are empty"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.deviate, ","), func(t *testing.T) {
			r, _ := probeSim(t, halosim.Options{Dataset: tt.dataset, Deviate: tt.deviate}, nil)
			if got := deviations(r); !slices.Equal(got, tt.want) {
				t.Fatalf("deviations %v, want %v\n%s", got, tt.want, text(t, r))
			}
			kind, check, _ := strings.Cut(tt.want[0], "/")
			f := find(r, kind, check)
			if !strings.Contains(f.Found, tt.found) || f.Means == "" || f.Do == "" {
				t.Errorf("finding %+v: want found to hold %q, and a meaning and what to do", f, tt.found)
			}
			if out := text(t, r); !strings.Contains(out, "\ndeviations\n  "+kind+" "+check+": ") || !strings.Contains(out, "    means: "+f.Means) {
				t.Errorf("the text report does not lead with the deviation:\n%s", out)
			}
		})
	}
}

// A probe sends at most Budget requests: three per kind and one more per
// kind whose detail export asks without parameters, plus a few extra for
// lists past 100 rows and for ids references point at.
func TestRequestBudget(t *testing.T) {
	fixed := 0
	for _, k := range catalog.Kinds() {
		fixed += 3
		if k.DetailQuery == "" {
			fixed++
		}
	}
	lists := map[string]bool{} // the pair-only kinds' lists: two requests each
	for _, k := range catalog.PairOnlyKinds() {
		lists[k.Endpoint+"?"+k.ListQuery] = true
	}
	if len(lists) != 35 {
		t.Errorf("%d lists of pair-only kinds, want 35", len(lists))
	}
	fixed += 2 * len(lists)
	if got := Budget(nil); got != fixed+extraRequests || got != Budget(catalog.Kinds()) || got != 135 {
		t.Fatalf("Budget = %d, want %d + %d = 135", got, fixed, extraRequests)
	}
	tests := []struct {
		name string
		o    halosim.Options
		want int // requests
	}{
		// template pages (2 of 10 rows): one page of 100 reads the hidden template a reference points at
		{"demo", halosim.Options{}, fixed + 1},
		{"demo-target", halosim.Options{Dataset: "demo-target"}, fixed},
		{"empty", halosim.Options{Dataset: "empty"}, 2*len(catalog.Kinds()) + 2*len(lists)}, // no record: no detail
		// template pages: a page over the cap, page 2, and page 3 for the ids
		// references point at; the client list, past the cap too, gets the last one
		{"scale:300", halosim.Options{Dataset: "scale:300"}, fixed + extraRequests},
		// Every list ignores page_size: no list is read in full, and the ids
		// references point at are looked up one by one until the budget is spent.
		{"scale:120, no kind honours page_size", halosim.Options{Dataset: "scale:120", Deviate: allKinds("pagesize:")}, fixed + extraRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, tenant := probeSim(t, tt.o, nil)
			if r.Requests != int64(tt.want) || r.Requests > int64(Budget(nil)) || r.Budget != Budget(nil) {
				t.Errorf("%d requests, want %d (budget %d)", r.Requests, tt.want, r.Budget)
			}
			if st := tenant.Stats(); st.ByMethod["GET"] != st.Requests || int64(st.Requests) != r.Requests {
				t.Errorf("the tenant saw %v", st.ByMethod)
			}
		})
	}
}

func allKinds(prefix string) []string {
	var out []string
	for _, k := range catalog.Kinds() {
		out = append(out, prefix+k.Name)
	}
	return out
}

// The report holds field names, types, counts and verdicts: no value and no
// name of a record, whatever the records hold; no secret.
func TestReportHoldsNoRecordValues(t *testing.T) {
	tenant, c, srv, secret := simClient(t)
	ctx := context.Background()
	// Every record's names and texts become sentinels, and it gains fields
	// the schema lacks whose names are a user's text.
	n := 0
	for _, k := range catalog.Kinds() {
		fields, _ := catalog.Schema(k.Schema)
		for _, rec := range tenant.Records(k.Name) {
			upd := map[string]any{"id": rec["id"],
				"x_sentinel_obj":    map[string]any{"SENTINEL-KEY": "SENTINEL-NESTED"},
				"SENTINEL user key": "SENTINEL-VALUE"}
			for _, f := range fields {
				isRef := slices.ContainsFunc(k.Refs, func(r catalog.Ref) bool { return r.Field == f.Name })
				if f.Type == "string" && f.Format == "" && !isRef && f.Name != "guid" {
					n++
					upd[f.Name] = fmt.Sprintf("SENTINEL-%d \x1b[31m", n)
				}
			}
			if _, err := c.Post(ctx, k, upd); err != nil {
				t.Fatalf("%s %v: %v", k.Name, rec["id"], err)
			}
		}
	}
	r, err := Run(ctx, c, Options{Tool: "halocfg test"})
	if err != nil {
		t.Fatal(err)
	}
	var txt, js bytes.Buffer
	if err := r.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": txt.String(), "json": js.String()} {
		for _, leak := range []string{"SENTINEL", secret, srv.URL, "\x1b"} {
			if strings.Contains(out, leak) {
				i := strings.Index(out, leak)
				t.Errorf("the %s report holds %q: …%s…", name, leak, out[max(0, i-200):min(len(out), i+100)])
			}
		}
	}
	// The sentinel fields were read: the report names them by their field name.
	if f := find(r, "status", "schema-extra"); !strings.Contains(f.Found, "x_sentinel_obj (object)") || !strings.Contains(f.Found, "1 more whose names are not identifiers (not shown)") {
		t.Errorf("status schema-extra: %q", f.Found)
	}
}

// A request the tenant refuses is a finding about its kind; the probe goes on.
func TestRefusedRequests(t *testing.T) {
	r, _ := probeSim(t, halosim.Options{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			switch {
			case req.URL.Path == "/api/authinfo":
				http.NotFound(w, req) // discovery fails: halocfg falls back to /auth/token
			case req.URL.Path == "/api/Tabs":
				http.Error(w, `{"message":"SENTINEL tab"}`, http.StatusNotFound)
			case strings.HasPrefix(req.URL.Path, "/api/Status/"):
				http.Error(w, "SENTINEL down", http.StatusBadRequest)
			default:
				h.ServeHTTP(w, req)
			}
		})
	})
	if got, want := deviations(r), []string{"tickettab/list-shape", "status/summary-detail"}; !slices.Equal(got, want) {
		t.Fatalf("deviations %v, want %v\n%s", got, want, text(t, r))
	}
	if f := find(r, "tickettab", "list-shape"); f.Found != "GET /Tabs?pageinate=true&page_size=2&page_no=1 answered 404 Not Found" {
		t.Errorf("tickettab: %q", f.Found)
	}
	if f := find(r, "status", "summary-detail"); f.Found != "GET /Status/{id}?includedetails=true answered 400 Bad Request" {
		t.Errorf("status: %q", f.Found)
	}
	if f := find(r, "", "auth"); f.Verdict != OK || !strings.HasPrefix(f.Found, "/api/authinfo named none; {url}/auth/token issued the token") {
		t.Errorf("auth: %+v", f)
	}
	if strings.Contains(text(t, r), "SENTINEL") {
		t.Error("the report quotes an answer's body")
	}
}

// The JSON report reads back: every finding, the counts, the unverified
// catalog entries with their verdicts.
func TestJSONReport(t *testing.T) {
	r, _ := probeSim(t, halosim.Options{Deviate: []string{"extrafield:status"}}, nil)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Probe      string    `json:"probe"`
		Requests   int64     `json:"requests"`
		Writes     *int64    `json:"writes"`
		Deviations int       `json:"deviations"`
		ElapsedMS  *int64    `json:"elapsed_ms"`
		Findings   []Finding `json:"findings"`
		Unverified []Entry   `json:"unverified"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Probe != "halocfg probe report" || got.Requests != r.Requests || got.Writes == nil || *got.Writes != 0 ||
		got.ElapsedMS == nil || got.Deviations != 1 || len(got.Findings) != len(r.Findings) {
		t.Errorf("report: %+v", got)
	}
	if len(got.Unverified) != len(UnverifiedEntries()) {
		t.Fatalf("%d unverified entries, want %d", len(got.Unverified), len(UnverifiedEntries()))
	}
	verdicts := map[string]Verdict{}
	for _, e := range got.Unverified {
		verdicts[e.Entry] = e.Verdict
		if (e.Check == "") != (e.Verdict == "") {
			t.Errorf("%s: check %q, verdict %q", e.Entry, e.Check, e.Verdict)
		}
	}
	for entry, want := range map[string]Verdict{
		"workday.ListQuery": OK, "cannedtext.ListQuery": Unconfirmed, "customfield.writes": "",
		"outcome.travelrate → lookup": OK, "FieldInfo.lookup": "",
	} {
		if v, ok := verdicts[entry]; !ok || v != want {
			t.Errorf("%s: verdict %q (listed %v), want %q", entry, v, ok, want)
		}
	}
}

// A reference to what halocfg cannot list is counted in the records read,
// with what its Hint siblings and its unknown fieldnames say: type codes,
// whether a name is set, fieldnames that are identifiers. Never a value,
// a name or an id.
func TestExternalRefsCounted(t *testing.T) {
	tenant, c, _, _ := simClient(t)
	ctx := context.Background()
	ak := catalog.MustLookup("approvalprocess")
	// Every process's first step approves by a CAB (type 2, cab_name set),
	// its first rule applies on two fieldnames the catalog's table lacks.
	for _, rec := range tenant.Records("approvalprocess") {
		steps, _ := rec["steps"].([]any)
		if len(steps) == 0 {
			continue
		}
		step := steps[0].(map[string]any)
		step["type"], step["agent_id_or_cab_id"], step["agent_name"], step["cab_name"] = 2, 77, "", "SENTINEL CAB"
		rules, _ := step["rules"].([]any)
		if len(rules) == 0 {
			t.Fatalf("approval process %v: no rule in its first step", rec["id"])
		}
		rule := rules[0].(map[string]any)
		rule["criteria"] = []any{
			map[string]any{"fieldname": "x_custom_list", "value_int": 5},
			map[string]any{"fieldname": "SENTINEL field", "value_int": 6},
		}
		if _, err := c.Post(ctx, ak, map[string]any(rec)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run(ctx, c, Options{Tool: "halocfg test"})
	if err != nil {
		t.Fatal(err)
	}
	f := find(r, "approvalprocess", "external-refs")
	if f.Verdict != Unconfirmed || f.Found != "5 of 6 references to what halocfg cannot list (no directory pairs them) hold 7 values in the 4 records read" {
		t.Fatalf("approvalprocess external-refs: %+v", f)
	}
	for _, want := range []string{
		"approvalprocess.steps[].agent_id_or_cab_id → approver: 1 of 2 hold an id (1 distinct); beside them type=2, agent_name empty, cab_name set (1)",
		"approvalprocess.steps[].rules[].criteria[].value_int → criteriavalue (fieldname not in the catalog's table): 2 of 2 hold an id (2 distinct); fieldname: x_custom_list (1), 1 more that are not identifiers (not shown)",
	} {
		if !slices.Contains(f.Details, want) {
			t.Errorf("no detail %q in\n%s", want, strings.Join(f.Details, "\n"))
		}
	}
	if f := find(r, "template", "external-refs"); !slices.Contains(f.Details, "template.group_id → templategroup: 1 of 1 hold an id (1 distinct)") {
		t.Errorf("template external-refs: %+v", f)
	}
	if out := text(t, r); strings.Contains(out, "SENTINEL") {
		t.Errorf("the report holds a name of the tenant")
	}
}
