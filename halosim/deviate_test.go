package halosim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

func TestDeviateRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"nosuch:status", "unknown deviation"},
		{"pagesize:nokind", `unknown kind "nokind"`},
		{"listkey:status", "wrong argument"},
		{"listkey:status=", "wrong argument"},
		{"pagesize:status=x", "wrong argument"},
		{"duppriorityid:priority", "takes no kind"},
	} {
		_, err := New(Options{Deviate: []string{tc.spec}})
		if err == nil || !strings.Contains(err.Error(), `deviation "`+tc.spec+`": `+tc.want) || !strings.Contains(err.Error(), "dangling:KIND") {
			t.Errorf("%s: %v", tc.spec, err)
		}
	}
	if _, err := New(Options{Deviate: []string{"listkey:status=items", "duppriorityid", "dangling:outcome"}}); err != nil {
		t.Errorf("valid deviations refused: %v", err)
	}
}

// A deviation changes one tenant, not the others: behaviours are shared.
func TestDeviationsStayWithTheirTenant(t *testing.T) {
	odd := newSim(t, Options{Deviate: []string{"listkey:status=items", "hiddenflag:ticketrule", "extrafield:status", "missingfield:status=name"}})
	plain := newSim(t, Options{})
	rows := listed(plain, "status", "showall=true")
	if len(rows) == 0 || rows[0]["name"] == nil || rows[0][ExtraField] != nil {
		t.Errorf("the plain tenant's status rows changed: %v", rows[0])
	}
	if got := len(listed(plain, "ticketrule", "")); got != len(plain.tenant.Records("ticketrule")) {
		t.Errorf("the plain tenant hides ticket rules: %d listed", got)
	}
	// A third hidden, whatever the seed made of the flag.
	for _, seed := range []int64{0, 1, 2} {
		s := newSim(t, Options{Seed: seed, Deviate: []string{"hiddenflag:ticketrule"}})
		if got, all := len(listed(s, "ticketrule", "")), len(s.tenant.Records("ticketrule")); got != all-all/3 {
			t.Errorf("hiddenflag:ticketrule, seed %d: %d of %d listed without a flag, want %d", seed, got, all, all-all/3)
		}
	}
	if rows := listed(odd, "status", "showall=true"); len(rows) == 0 || rows[0]["name"] != nil || rows[0][ExtraField] == nil {
		t.Errorf("the odd tenant's status rows: %v", rows[0])
	}
}

// listed GETs a list and returns its rows, from a bare array or the
// answer's only array.
func listed(s *sim, kind, query string) []snapshot.Record {
	s.t.Helper()
	k := catalog.MustLookup(kind)
	code, body := s.get("/api" + k.Endpoint + "?" + query)
	var v any
	if err := snapshot.Unmarshal(body, &v); code != http.StatusOK || err != nil {
		s.t.Fatalf("%s: %d %v", kind, code, err)
	}
	if m, ok := v.(map[string]any); ok {
		for key, x := range m {
			if arr, ok := x.([]any); ok && key != "filters" {
				v = arr
			}
		}
	}
	var rows []snapshot.Record
	for _, e := range v.([]any) {
		rows = append(rows, e.(map[string]any))
	}
	return rows
}
