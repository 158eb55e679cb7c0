package probe

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// recordFindings are the verdicts on what k's records hold: the list rows
// against the detail, the detail parameters, the fields against Halo's
// schema, and how records are identified.
func (ks *kindState) recordFindings() []Finding {
	d := ks.detail
	if !d.done {
		return []Finding{ks.finding("summary-detail", Unconfirmed, "the tenant has no "+ks.k.Name+": no record to read")}
	}
	if d.err != nil {
		f := ks.finding("summary-detail", Deviates, fmt.Sprintf("GET %s/{id}?%s %s", ks.k.Endpoint, d.query, failure(d.err)))
		f.Means = "export reads every record of " + ks.k.Name + " this way: it fails"
		f.Do = "report it with this report; leave " + ks.k.Name + " out (--skip " + ks.k.Name + ") until halocfg reads this answer"
		return []Finding{f}
	}
	out := []Finding{ks.summaryDetail()}
	if f, ok := ks.detailQuery(); ok {
		out = append(out, f)
	}
	return append(out, ks.schemaExtra(), ks.schemaMissing(), ks.schemaTypes(), ks.ids())
}

// summaryDetail: list rows are summaries; the detail holds every field
// they do, and more.
func (ks *kindState) summaryDetail() Finding {
	rowFields := map[string]bool{}
	for _, r := range ks.rows {
		for f := range r {
			rowFields[f] = true
		}
	}
	var onlyRows []string
	for f := range rowFields {
		if _, ok := ks.detail.rec[f]; !ok {
			onlyRows = append(onlyRows, f)
		}
	}
	found := fmt.Sprintf("list rows hold %d fields, the detail (%s) %d", len(rowFields), orNone(ks.detail.query), len(ks.detail.rec))
	if got := snapshot.Record(ks.detail.rec).ID(); got != ks.detail.id {
		f := ks.finding("summary-detail", Deviates, found+"; the detail's id is not the id asked for")
		f.Means = "export keeps what the detail answers: records would be saved under the wrong id"
		f.Do = "report it with this report"
		return f
	}
	if len(onlyRows) > 0 {
		f := ks.finding("summary-detail", Deviates, found+"; only in the list rows: "+names(onlyRows))
		f.Means = "export keeps the detail: these fields of every " + ks.k.Name + " are lost in a backup and a migration"
		f.Do = "report it with this report"
		return f
	}
	if len(rowFields) == len(ks.detail.rec) {
		return ks.finding("summary-detail", OK, found+": the list rows are whole records")
	}
	return ks.finding("summary-detail", OK, found+fmt.Sprintf(": %d only in the detail", len(ks.detail.rec)-len(rowFields)))
}

func orNone(query string) string {
	if query == "" {
		return "no parameters"
	}
	return query
}

// detailQuery: export's detail parameters give every field: those a
// catalog assumption promises come with them, and a kind export asks
// without parameters gains nothing from them. ok is false for kinds with
// nothing to check.
func (ks *kindState) detailQuery() (Finding, bool) {
	k := ks.k
	if k.DetailQuery == "" && ks.plus.done {
		if ks.plus.err != nil {
			return ks.finding("detail-query", Unconfirmed, fmt.Sprintf("the detail with %s %s", ks.plus.query, failure(ks.plus.err))), true
		}
		var more []string
		for f, v := range ks.plus.rec {
			if w, ok := ks.detail.rec[f]; !ok || (empty(w) && !empty(v)) {
				more = append(more, f)
			}
		}
		if len(more) > 0 {
			f := ks.finding("detail-query", Deviates, fmt.Sprintf("with %s the detail holds more: %s", ks.plus.query, names(more)))
			f.Means = "export asks for the detail without parameters: these fields of every " + k.Name + " are missing from backups and migrations"
			f.Do = "report it with this report: the catalog's DetailQuery of " + k.Name + " must ask for them"
			return f, true
		}
		return ks.finding("detail-query", OK, fmt.Sprintf("with %s the detail holds nothing more", ks.plus.query)), true
	}
	var promised []string
	for _, a := range k.Unverified {
		if a.On == catalog.OnDetailQuery {
			promised = append(promised, a.Fields...)
		}
	}
	if len(promised) == 0 {
		return Finding{}, false
	}
	var missing, unseen []string
	for _, path := range promised {
		switch holds(ks.detail.rec, path) {
		case absent:
			missing = append(missing, path)
		case noRows:
			unseen = append(unseen, path)
		}
	}
	found := fmt.Sprintf("with %s the detail holds %s", k.DetailQuery, strings.Join(promised, ", "))
	switch {
	case len(missing) > 0:
		f := ks.finding("detail-query", Deviates, fmt.Sprintf("with %s the detail lacks %s", k.DetailQuery, strings.Join(missing, ", ")))
		f.Means = "export misses these fields of every " + k.Name + " (or the record read has none and Halo leaves them out)"
		f.Do = "report it with this report"
		return f, true
	case len(unseen) > 0:
		return ks.finding("detail-query", Unconfirmed, found+"; the record read has no rows to hold "+strings.Join(unseen, ", ")), true
	}
	return ks.finding("detail-query", OK, found), true
}

type holding int

const (
	present holding = iota
	absent
	noRows // the path runs through an array with no rows
)

// holds tells whether rec holds path ("steps[].rules": every row of steps
// holds rules).
func holds(rec map[string]any, path string) holding {
	steps := strings.Split(path, ".")
	hs := []map[string]any{rec}
	for i, step := range steps {
		name := strings.TrimSuffix(step, "[]")
		var next []map[string]any
		for _, h := range hs {
			v, ok := h[name]
			if !ok {
				return absent
			}
			if i < len(steps)-1 {
				arr, _ := v.([]any)
				for _, e := range arr {
					if m, ok := e.(map[string]any); ok {
						next = append(next, m)
					}
				}
			}
		}
		if i < len(steps)-1 && len(next) == 0 {
			return noRows
		}
		hs = next
	}
	return present
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// schemaExtra: the fields a record holds that Halo's schema lacks. halocfg
// carries them as they are; one named like a reference and holding a
// number may be an id that import would carry unchanged into another tenant.
func (ks *kindState) schemaExtra() Finding {
	extra := map[string]string{} // path -> JSON type
	var refLike []string
	hiddenNames := 0
	var walk func(m map[string]any, schema, prefix string, depth int)
	walk = func(m map[string]any, schema, prefix string, depth int) {
		fields, ok := catalog.Schema(schema)
		if !ok {
			return
		}
		for name, v := range m {
			f, known := field(fields, name)
			if !known {
				if !identifier(name) {
					hiddenNames++
					continue
				}
				path := prefix + name
				extra[path] = catalog.JSONType(v)
				if catalog.NamedLikeRef(name) && holdsNumbers(v) && !slices.Contains(refLike, path) {
					refLike = append(refLike, path)
				}
				continue
			}
			if f.Ref == "" || depth >= catalog.SchemaDepth {
				continue
			}
			switch x := v.(type) {
			case map[string]any:
				walk(x, f.Ref, prefix+name+".", depth+1)
			case []any:
				for _, e := range x {
					if row, ok := e.(map[string]any); ok {
						walk(row, f.Ref, prefix+name+"[].", depth+1)
					}
				}
			}
		}
	}
	walk(ks.detail.rec, ks.k.Schema, "", 0)
	for _, r := range ks.rows {
		walk(r, ks.k.Schema, "", 0)
	}
	var list []string
	for _, path := range sortedKeys(extra) {
		list = append(list, path+" ("+extra[path]+")")
	}
	found := "none"
	if len(list) > 0 {
		found = strings.Join(list, ", ")
	}
	if hiddenNames > 0 {
		found += fmt.Sprintf("; %d more whose names are not identifiers (not shown)", hiddenNames)
	}
	found = "fields the schema lacks: " + found
	if len(refLike) > 0 {
		sort.Strings(refLike)
		f := ks.finding("schema-extra", Deviates, found)
		f.Means = "named like a reference and holding a number: " + strings.Join(refLike, ", ") + ". If it holds the id of another record, import carries the source tenant's id unchanged into the target, where it points at another record or none"
		f.Do = "report it with this report, so that the catalog classifies it; check these fields by hand after an import"
		return f
	}
	return ks.finding("schema-extra", OK, found+": halocfg carries them as they are")
}

func field(fields []catalog.Field, name string) (catalog.Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return catalog.Field{}, false
}

// holdsNumbers reports whether v is an integer or an array of them: what
// an id field holds.
func holdsNumbers(v any) bool {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, e := range x {
			if catalog.JSONType(e) != "number" {
				return false
			}
		}
		return true
	}
	return catalog.JSONType(v) == "number"
}

// schemaMissing: the schema's fields the tenant never returned. Those
// halocfg relies on matter: a natural key pairs records across tenants, a
// reference field is remapped.
func (ks *kindState) schemaMissing() Finding {
	k := ks.k
	fields, _ := catalog.Schema(k.Schema)
	seen := func(name string) bool {
		if _, ok := ks.detail.rec[name]; ok {
			return true
		}
		for _, r := range ks.rows {
			if _, ok := r[name]; ok {
				return true
			}
		}
		return false
	}
	var missing, keys, refs []string
	for _, f := range fields {
		if seen(f.Name) {
			continue
		}
		missing = append(missing, f.Name)
		switch {
		case slices.Contains(k.NaturalKey, f.Name):
			keys = append(keys, f.Name)
		case slices.ContainsFunc(k.Refs, func(r catalog.Ref) bool { return !r.Nested() && r.Field == f.Name }):
			refs = append(refs, f.Name)
		}
	}
	found := fmt.Sprintf("%d of the schema's %d fields never returned", len(missing), len(fields))
	var details []string
	if len(missing) > 0 {
		details = []string{"never returned: " + names(missing)}
	}
	switch {
	case len(keys) > 0:
		f := ks.finding("schema-missing", Deviates, found+"; the natural key among them: "+names(keys))
		f.Details = details
		f.Means = "the natural key (" + strings.Join(keys, ", ") + ") pairs records across tenants: import and diff cannot pair " + k.Name + " by it and create records again instead"
		f.Do = "report it with this report; pair records with --map until fixed"
		return f
	case len(refs) > 0:
		f := ks.finding("schema-missing", Unconfirmed, found+"; reference fields among them ("+names(refs)+"): renamed (their references would not be remapped) or only empty on the record read")
		f.Details = details
		return f
	}
	f := ks.finding("schema-missing", OK, found)
	f.Details = details
	return f
}

var index = regexp.MustCompile(`\[[0-9]+\]`)

// schemaTypes: every field has the JSON type the schema gives it, as
// import checks before its first write.
func (ks *kindState) schemaTypes() Finding {
	counts := map[string]int{}
	for _, e := range catalog.TypeErrors(ks.k.Schema, ks.detail.rec) {
		want := e.Want
		if e.Format != "" {
			want += " (" + e.Format + ")"
		}
		counts[index.ReplaceAllString(e.Path, "[]")+": want "+want+", got "+e.Got]++
	}
	if len(counts) == 0 {
		return ks.finding("schema-types", OK, "every field has its schema's type")
	}
	var list []string
	for _, what := range sortedKeys(counts) {
		list = append(list, fmt.Sprintf("%s (%d)", what, counts[what]))
	}
	f := ks.finding("schema-types", Deviates, strings.Join(list, "; "))
	f.Means = "import checks every field against the schema before its first write: a snapshot of this tenant's " + ks.k.Name + " is refused (\"a field of the wrong JSON type\")"
	f.Do = "report it with this report; import other kinds meanwhile (--only)"
	return f
}

// ids: ids are integers (a uuid string for a kind with StringID, which is
// referred to by an integer RefField), unique in a list; every record has
// a guid where the schema has one.
func (ks *kindState) ids() Finding {
	k := ks.k
	recs := []snapshot.Record{snapshot.Record(ks.detail.rec)}
	for id, r := range ks.rows {
		if id != ks.detail.id {
			recs = append(recs, r)
		}
	}
	want := "number"
	if k.StringID {
		want = "string"
	}
	var badID, badRef, noGUID int
	_, _, hasGUID := catalog.FieldAt(k.Schema, "guid")
	for _, r := range recs {
		if catalog.JSONType(r["id"]) != want || r.ID() == "" {
			badID++
		}
		if k.RefField != "id" && catalog.JSONType(r[k.RefField]) != "number" {
			badRef++
		}
	}
	if g, _ := ks.detail.rec["guid"].(string); hasGUID && g == "" {
		noGUID++
	}
	repeated := 0
	for _, a := range []listAnswer{ks.paged, ks.other, ks.cap, ks.page2} {
		seen := map[string]bool{}
		for _, row := range a.list.Rows {
			if id := row.ID(); seen[id] {
				repeated++
			} else {
				seen[id] = true
			}
		}
	}
	found := fmt.Sprintf("%d records read: ids %ss", len(recs), want)
	if k.RefField != "id" {
		found += ", " + k.RefField + " numbers"
	}
	if hasGUID {
		found += ", a guid in the detail"
	}
	if shared := sharedKeys(k, recs); shared > 0 {
		found += fmt.Sprintf("; %d natural keys (%s) held by more than one record: import pairs those by their other fields, or asks for --map", shared, strings.Join(k.NaturalKey, "+"))
	}
	var problems []string
	if badID > 0 {
		problems = append(problems, fmt.Sprintf("%d records whose id is not a %s", badID, want))
	}
	if badRef > 0 {
		problems = append(problems, fmt.Sprintf("%d records whose %s is not a number", badRef, k.RefField))
	}
	if repeated > 0 {
		problems = append(problems, fmt.Sprintf("%d ids repeated within one list answer", repeated))
	}
	if noGUID > 0 {
		problems = append(problems, "the detail has no guid")
	}
	if len(problems) == 0 {
		return ks.finding("ids", OK, found)
	}
	f := ks.finding("ids", Deviates, strings.Join(problems, "; ")+fmt.Sprintf(" (%d records read)", len(recs)))
	f.Means = "halocfg keys records by id, points references at " + k.RefField + " and pairs records across tenants by guid first: "
	switch {
	case noGUID > 0 && badID == 0 && badRef == 0 && repeated == 0:
		f.Means += "without guids import pairs " + k.Name + " by natural key only"
	case repeated > 0 && badID == 0 && badRef == 0:
		f.Means += "a repeated id makes export refuse the list"
	default:
		f.Means += "ids of another type break export and the remapping of references to " + k.Name
	}
	f.Do = "report it with this report"
	return f
}

// sharedKeys counts the natural keys held by more than one of recs (those
// whose rows show the whole key).
func sharedKeys(k *catalog.Kind, recs []snapshot.Record) int {
	n := map[string]int{}
	for _, r := range recs {
		parts := make([]string, len(k.NaturalKey))
		whole := true
		for i, f := range k.NaturalKey {
			v, ok := r[f]
			whole = whole && ok
			parts[i] = snapshot.Scalar(v)
		}
		if whole {
			n[strings.Join(parts, "\x00")]++
		}
	}
	shared := 0
	for _, c := range n {
		if c > 1 {
			shared++
		}
	}
	return shared
}

// priorities: references point at a priority by its integer priorityid,
// which must name one Policy row.
func (p *prober) priorities(ks *kindState) Finding {
	k := ks.k
	rows := map[string]int{}
	for _, r := range ks.rows {
		if ref := snapshot.Scalar(r[k.RefField]); ref != "" {
			rows[ref]++
		}
	}
	most, shared := 0, 0
	for _, n := range rows {
		most = max(most, n)
		if n > 1 {
			shared++
		}
	}
	found := fmt.Sprintf("%d Policy rows, %d distinct %s; at most %d rows for one %s", len(ks.rows), len(rows), k.RefField, most, k.RefField)
	if sla := p.kinds["sla"]; sla != nil && sla.detail.rec != nil {
		nested, resolved := 0, 0
		pr, _ := sla.detail.rec["priorities"].([]any)
		for _, e := range pr {
			if m, ok := e.(map[string]any); ok {
				nested++
				if rows[snapshot.Scalar(m[k.RefField])] > 0 {
					resolved++
				}
			}
		}
		found += fmt.Sprintf("; the SLA read lists %d priorities, %d of them among the Policy rows", nested, resolved)
	}
	switch {
	case len(ks.rows) == 0:
		return Finding{Kind: k.Name, Check: "priorities", Verdict: Unconfirmed, Found: "no priorities listed"}
	case shared > 0:
		return Finding{Kind: k.Name, Check: "priorities", Verdict: Deviates,
			Found: found + fmt.Sprintf(": %d %s values shared by several rows", shared, k.RefField),
			Means: "references carry the integer " + k.RefField + ": where several Policy rows (one per SLA) share one, halocfg cannot tell which a reference means; import pairs and remaps priorities by it and may point at another SLA's row",
			Do:    "report it with this report; leave priority out of imports (--only without priority) and check the priorities of SLAs by hand"}
	}
	return Finding{Kind: k.Name, Check: "priorities", Verdict: OK, Found: found}
}

// identifier reports whether a field name may be shown: a name, not text a
// tenant's user could have typed.
func identifier(name string) bool { return identRE.MatchString(name) }

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// shown is a field name, or a placeholder for one that may not be shown.
func shown(name string) string {
	if identifier(name) {
		return name
	}
	return "(a name not shown)"
}

// names lists field names, sorted, leaving out those that may not be shown.
func names(list []string) string {
	var out []string
	hidden := 0
	for _, n := range list {
		if identifier(n) {
			out = append(out, n)
		} else {
			hidden++
		}
	}
	sort.Strings(out)
	s := strings.Join(out, ", ")
	if hidden > 0 {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%d names not shown", hidden)
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
