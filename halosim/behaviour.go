package halosim

import (
	"encoding/json"

	"github.com/halocfg/halocfg/snapshot"
)

// behaviour is how the simulated API presents one kind. Halo is not
// uniform here, and clients must cope with every variant, so the variants
// are spread over the kinds deterministically.
type behaviour struct {
	bare       bool     // the list answers a bare JSON array, not {"record_count", ListKey}
	paged      bool     // the list pages, and without pageinate=true returns its first 50 rows
	side       string   // an extra side array in the wrapped list, before the records
	summary    []string // the fields of a list row
	writeArray bool     // POST answers an array of the saved objects, not the first one

	// hiddenField holds hiddenValue on records listed only when every
	// showParams parameter is "true"; shownValue replaces hiddenValue on
	// records generated visible.
	hiddenField             string
	hiddenValue, shownValue any
	showParams              []string

	// Without includedetails=true (and includeconfig=true for ticket types)
	// a detail GET leaves out the arrays, as Halo leaves out related objects.
	needConfig bool
}

var behaviours = map[string]behaviour{
	"status": {bare: true, summary: []string{"id", "guid", "name", "shortname", "type", "sequence", "colour"},
		hiddenField: "type", hiddenValue: json.Number("4"), shownValue: json.Number("1"), showParams: []string{"showall"}},
	"outcome": {bare: true, writeArray: true, summary: []string{"id", "guid", "outcome", "buttonname", "sequence", "hidden", "colour"},
		hiddenField: "hidden", hiddenValue: true, shownValue: false, showParams: []string{"showhidden"}},
	"tickettype": {summary: []string{"id", "guid", "name", "sequence", "visible", "group_id"},
		hiddenField: "visible", hiddenValue: false, shownValue: true, showParams: []string{"showinactive"}, needConfig: true},
	"tickettypegroup": {bare: true, writeArray: true, summary: []string{"id", "name"}},
	"ticketarea":      {summary: []string{"id", "name", "sequence"}},
	"template": {paged: true, writeArray: true, summary: []string{"id", "guid", "name", "disabled", "tickettype_id"},
		hiddenField: "disabled", hiddenValue: true, shownValue: false, showParams: []string{"showall"}},
	"category": {bare: true, summary: []string{"id", "guid", "type_id", "value", "category_name"}},
	"workflow": {side: "filters", writeArray: true, summary: []string{"id", "guid", "name", "active"},
		hiddenField: "active", hiddenValue: false, shownValue: true, showParams: []string{"includeinactive"}},
	"sla":           {summary: []string{"id", "guid", "name"}},
	"priority":      {bare: true, summary: []string{"id", "priorityid", "name", "slaid", "colour"}},
	"emailtemplate": {writeArray: true, summary: []string{"id", "guid", "name", "description"}},
}

func (b behaviour) isHidden(r snapshot.Record) bool {
	return b.hiddenField != "" && snapshot.Same(r[b.hiddenField], b.hiddenValue)
}

// setHidden makes r hidden, or visible when a random value made it hidden.
func (b behaviour) setHidden(r snapshot.Record, hidden bool) {
	switch {
	case hidden:
		r[b.hiddenField] = b.hiddenValue
	case b.isHidden(r):
		r[b.hiddenField] = b.shownValue
	}
}

// addLosslessCases plants the values that break careless encoders in the
// first records of each kind, whatever the dataset: integers above 2^53 in
// fields the schema does not know (Halo adds fields over time), emoji, CJK
// and right-to-left text, formula-like and number-like strings, awkward
// doubles, null next to "", text over Excel's 32,767-character cell limit,
// and a nested element lacking a field.
func addLosslessCases(recs map[string][]snapshot.Record) {
	at := func(kind string, i int) snapshot.Record {
		if i < len(recs[kind]) {
			return recs[kind][i]
		}
		return snapshot.Record{} // a dataset too small for this case
	}
	big := json.Number("9007199254740993") // 2^53 + 1: a float64 would make it ...992
	at("status", 0)["x_halo_new_setting"] = big
	at("status", 0)["timeuntilloffhold"] = json.Number("0.1")
	at("status", 0)["statuschangetofreq"] = json.Number("1E-07")
	at("status", 1)["shortname"] = "処理中 🔧"
	at("status", 2)["shortname"] = "007"
	at("status", 1)["_warning"] = nil
	at("status", 2)["_warning"] = ""
	at("outcome", 0)["labellong"] = "تم حل المشكلة — resolved ✅"
	at("outcome", 0)["x_extra_settings"] = map[string]any{"limit": json.Number("18446744073709551615"), "tags": []any{"a", json.Number("-0.0"), nil}}
	at("outcome", 1)["default_note"] = "=HYPERLINK(\"https://example.com\",\"click\")"
	at("template", 0)["summary"] = "=SUM(A1:A9)"
	at("template", 0)["details"] = "Line 1\r\nLine 2\t\"quoted\" <b>&amp;</b>\n"
	at("template", 1)["summary"] = "+44 20 7946 0000"
	at("template", 1)["x_halo_new_setting"] = big
	at("priority", 0)["fixtime"] = json.Number("0.1")
	at("priority", 0)["x_halo_new_setting"] = json.Number("-9007199254740993")
	at("emailtemplate", 0)["body_html"] = longHTML(40000)
	at("emailtemplate", 0)["description"] = "Ticket resolved 🎉 — 已解决 — נפתר"
	at("tickettype", 0)["x_halo_new_setting"] = big
	at("category", 0)["note"] = "1.50"
	// A KeyPair2 element without isnew: absent is not null.
	for _, s := range recs["status"] {
		if tts, ok := s["tickettypes"].([]any); ok && len(tts) > 0 {
			delete(tts[0].(map[string]any), "isnew")
			break
		}
	}
}

// longHTML is an email body longer than an Excel cell can hold.
func longHTML(n int) string {
	const para = "<p>Dear {{user}}, your ticket {{id}} has been updated. Ünïcödé ✓</p>\n"
	b := make([]byte, 0, n+len(para))
	for len(b) < n {
		b = append(b, para...)
	}
	return string(b)
}
