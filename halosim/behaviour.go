package halosim

import (
	"encoding/json"
	"slices"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// behaviour is how the simulated API presents one kind. Halo is not
// uniform here, and clients must cope with every variant, so the variants
// are spread over the kinds deterministically. A kind's behaviour is
// derived from its catalog entry (derive); variations lists what some kinds
// do differently.
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

	// detailParams must all be "true" on a detail GET, or it leaves out the
	// record's arrays, as Halo leaves out related objects without
	// includedetails=true (and includeconfig=true for ticket types).
	detailParams []string
}

// variations are the kinds whose list shape, list rows or hidden flag
// differ from what derive makes of their catalog entry. Each variant is
// here at least once: bare and wrapped lists, paging, a side array, POSTs
// answered with an array, a hidden flag that is not a boolean.
var variations = map[string]func(*behaviour){
	"status": func(b *behaviour) {
		b.bare, b.summary = true, []string{"id", "guid", "name", "shortname", "type", "sequence", "colour"}
		b.hiddenField, b.hiddenValue, b.shownValue = "type", json.Number("4"), json.Number("1")
	},
	"outcome": func(b *behaviour) {
		b.bare, b.writeArray = true, true
		b.summary = []string{"id", "guid", "outcome", "buttonname", "sequence", "hidden", "colour"}
	},
	"tickettype": func(b *behaviour) {
		b.summary = []string{"id", "guid", "name", "sequence", "visible", "group_id"}
		b.showParams = []string{"showinactive"} // showall=true alone does not show them
	},
	"tickettypegroup": func(b *behaviour) { b.bare, b.writeArray = true, true },
	"template": func(b *behaviour) {
		b.paged, b.writeArray = true, true
		b.summary = []string{"id", "guid", "name", "disabled", "tickettype_id"}
	},
	"category": func(b *behaviour) {
		b.bare, b.summary = true, []string{"id", "guid", "type_id", "value", "category_name"}
	},
	"workflow":      func(b *behaviour) { b.side, b.writeArray = "filters", true },
	"priority":      func(b *behaviour) { b.bare, b.summary = true, []string{"id", "priorityid", "name", "slaid", "colour"} },
	"emailtemplate": func(b *behaviour) { b.writeArray, b.summary = true, []string{"id", "guid", "name", "description"} },
}

// hiddenFlags are the boolean fields that mark a record hidden or inactive,
// with the value that hides it, in the order derive looks for them.
var hiddenFlags = []struct {
	field  string
	hidden bool
}{{"inactive", true}, {"hidden", true}, {"disabled", true}, {"active", false}, {"visible", false}}

// derive makes a kind's behaviour from its catalog entry: a wrapped list
// under ListKey; list rows with the id, guid, RefField, natural key,
// sequence and hidden flag; the kind's first boolean hidden flag (inactive,
// hidden, disabled, active, visible) when its ListQuery asks for hidden
// records, listed only with every "true" parameter of ListQuery; and the
// "true" parameters of DetailQuery needed for a full record.
func derive(k *catalog.Kind) behaviour {
	var b behaviour
	b.showParams = catalog.TrueParams(k.ListQuery)
	b.detailParams = catalog.TrueParams(k.DetailQuery)
	if len(b.showParams) > 0 {
		b.useSchemaFlag(k.Schema)
	}
	for _, f := range append([]string{"id", "guid", k.RefField}, k.NaturalKey...) {
		if !slices.Contains(b.summary, f) && (f == "id" || schemaField(k.Schema, f).Type != "") {
			b.summary = append(b.summary, f)
		}
	}
	for _, f := range []string{"sequence", "seq", b.hiddenField} {
		if f != "" && !slices.Contains(b.summary, f) && schemaField(k.Schema, f).Type != "" {
			b.summary = append(b.summary, f)
		}
	}
	if v := variations[k.Name]; v != nil {
		v(&b)
	}
	return b
}

// useSchemaFlag makes the first boolean hidden flag of schema (hiddenFlags)
// the kind's hidden field, when it has none.
func (b *behaviour) useSchemaFlag(schema string) {
	for _, h := range hiddenFlags {
		if b.hiddenField == "" && schemaField(schema, h.field).Type == "boolean" {
			b.hiddenField, b.hiddenValue, b.shownValue = h.field, h.hidden, !h.hidden
		}
	}
}

// behaviours holds every kind's behaviour, derived once.
var behaviours = func() map[string]behaviour {
	m := map[string]behaviour{}
	for _, k := range catalog.Kinds() {
		m[k.Name] = derive(k)
	}
	return m
}()

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
