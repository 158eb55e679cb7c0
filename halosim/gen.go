package halosim

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// proto is one record a dataset asks for: its display name, literal fields
// and named links. Every other field is generated from the kind's schema.
type proto struct {
	name   string
	hidden bool           // hidden or inactive: listed only with the kind's ListQuery
	set    map[string]any // literal fields; Go ints and floats become json.Number
	// links names the targets of references: a scalar ref field ("newstatus")
	// or an array of references ("outcomes") -> comma-separated display names
	// of the targets; "" means none. Unlinked references are chosen by hash.
	links map[string]string
}

// key is the proto's natural key text, stable across tenants.
func (p proto) key(k *catalog.Kind) string {
	if len(k.NaturalKey) > 1 {
		return fmt.Sprint(p.set[k.NaturalKey[0]]) + "/" + p.name
	}
	return p.name
}

// universe lists the protos of a dataset per kind.
type universe map[string][]proto

// generator turns a universe into records. Field values depend on the seed
// and the record's natural key only, so two tenants generated from the same
// seed agree on the records they share; ids and guids also depend on salt,
// the tenant, so they differ between tenants.
type generator struct {
	seed    int64
	salt    string
	idBase  int64 // first id is idBase+1
	shuffle bool  // ids in a shuffled order instead of the proto order

	protos map[string][]proto
	people map[string][]someone // per pair-only kind, the people references may point at
	recs   map[string][]snapshot.Record
	byName map[string]map[string]snapshot.Record
	pools  map[string][]candidate
	rowID  int64 // ids of nested rows
	keyID  int64 // ids of keyed rows (Kind.RowKeys), other records point at them
}

func generate(u universe, people map[string][]someone, seed int64, salt string, idBase int64, shuffle bool) map[string][]snapshot.Record {
	g := &generator{seed: seed, salt: salt, idBase: idBase, shuffle: shuffle,
		protos: u, people: people, recs: map[string][]snapshot.Record{}, byName: map[string]map[string]snapshot.Record{},
		pools: map[string][]candidate{}, keyID: idBase * 10}
	for _, k := range catalog.Kinds() {
		g.records(k)
	}
	for _, k := range catalog.Kinds() {
		for i, rec := range g.recs[k.Name] {
			g.references(k, rec, g.protos[k.Name][i])
		}
	}
	g.slaPriorities()
	addLosslessCases(g.recs)
	find := indexRecords(g.recs)
	for _, k := range catalog.Kinds() {
		for _, rec := range g.recs[k.Name] {
			fillPartners(rec, k, find)
		}
		snapshot.SortByID(g.recs[k.Name])
	}
	return g.recs
}

// records creates the records of one kind with every schema field filled.
func (g *generator) records(k *catalog.Kind) {
	ps := g.protos[k.Name]
	ids := make([]int64, len(ps))
	for i := range ids {
		ids[i] = g.idBase + int64(i) + 1
	}
	if g.shuffle {
		r := newRand(g.seed, g.salt, "ids", k.Name)
		r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	}
	b := behaviours[k.Name]
	g.byName[k.Name] = map[string]snapshot.Record{}
	for i, p := range ps {
		key := p.key(k)
		rec := snapshot.Record(fillSchema(newRand(g.seed, k.Name, key), k.Schema))
		idr := newRand(g.seed, g.salt, "id", k.Name, key)
		if k.StringID {
			rec["id"] = uuid(idr)
			rec[k.RefField] = num(ids[i])
		} else {
			rec["id"] = num(ids[i])
		}
		if _, ok := rec["guid"]; ok {
			rec["guid"] = uuid(idr)
		}
		if _, ok := rec["sequence"]; ok {
			rec["sequence"] = num(int64(i+1) * 10)
		}
		rec[k.DisplayField()] = p.name
		g.keyedRows(k, rec, key)
		if b.hiddenField != "" {
			b.setHidden(rec, p.hidden)
		}
		for f, v := range p.set {
			rec[f] = jsonValue(v)
		}
		g.recs[k.Name] = append(g.recs[k.Name], rec)
		g.byName[k.Name][p.name] = rec
	}
}

// keyedRows fills the arrays whose rows other records point at
// (Kind.RowKeys: a custom field's values): one to three rows named
// "Option 1" ..., as many and as named in every tenant for a record of the
// same key, with ids of the tenant's own.
func (g *generator) keyedRows(k *catalog.Kind, rec snapshot.Record, key string) {
	for _, array := range slices.Sorted(maps.Keys(k.RowKeys)) {
		f := schemaField(k.Schema, array)
		rows := make([]any, 1+hash(g.seed, k.Name, key, array)%3)
		for i := range rows {
			row := fillNested(f.Ref, i, &g.rowID)
			g.keyID++
			row["id"] = num(g.keyID)
			row[k.RowKeys[array]] = fmt.Sprintf("Option %d", i+1)
			rows[i] = row
		}
		rec[array] = rows
	}
}

// rowRef fills a reference to a keyed row (Ref.Row) in h: a row of the
// record its sibling Ref.In names (without In, of rec itself), chosen by
// hash; none when that names nothing or a record without rows.
func (g *generator) rowRef(rec snapshot.Record, h map[string]any, r catalog.Ref, x uint64) {
	h[catalog.Leaf(r.Field)] = num(0)
	if r.In == "" {
		if rows, _ := rec[r.Row].([]any); len(rows) > 0 {
			h[catalog.Leaf(r.Field)] = rows[x%uint64(len(rows))].(map[string]any)["id"]
		}
		return
	}
	in, none, err := catalog.Ref{Target: r.Target}.IDText(h[r.In])
	if err != nil || none {
		return
	}
	tk := catalog.MustLookup(r.Target)
	for _, t := range g.recs[r.Target] {
		if snapshot.Scalar(t[tk.RefField]) == in {
			if rows, _ := t[r.Row].([]any); len(rows) > 0 {
				h[catalog.Leaf(r.Field)] = rows[x%uint64(len(rows))].(map[string]any)["id"]
			}
			return
		}
	}
}

// references fills every reference of rec: linked ones from the proto,
// the others chosen by hash among the target kind's records.
func (g *generator) references(k *catalog.Kind, rec snapshot.Record, p proto) {
	key := p.key(k)
	groups := map[string][]catalog.Ref{}
	var order []string
	for _, r := range k.Refs {
		if r.Nested() {
			if _, seen := groups[r.Top()]; !seen {
				order = append(order, r.Top())
			}
			groups[r.Top()] = append(groups[r.Top()], r)
			continue
		}
		h := hash(g.seed, k.Name, key, r.Field)
		switch {
		case schemaField(k.Schema, r.Field).Type == "array" && r.External: // an array of ids
			ids := []any{}
			for i := range int(h % 3) {
				ids = append(ids, num(int64(mix(h+uint64(i))%20)+1))
			}
			rec[r.Field] = ids
		case schemaField(k.Schema, r.Field).Type == "array": // of internal ids (fieldidlist)
			ids := []any{}
			for _, t := range g.pick(k, rec, r, h, int(h%3)) {
				ids = append(ids, refValue(r, t, catalog.MustLookup(r.Target)))
			}
			rec[r.Field] = ids
		case r.By != "":
			g.chosen(k, rec, rec, r, h)
		case r.External:
			g.external(rec, r.Field, r, h)
		case r.List:
			g.list(k, rec, rec, r, h)
		default:
			names, linked := p.links[r.Field]
			rec[r.Field] = g.internal(k, rec, r, h, linked, names, 4)
		}
	}
	for _, top := range order {
		if k.Name == "sla" && top == "priorities" {
			continue // derived from the priorities' slaid by slaPriorities
		}
		f := schemaField(k.Schema, top)
		h := hash(g.seed, k.Name, key, top)
		embedded := isEmbedded(groups[top])
		if _, keyed := k.RowKeys[top]; keyed { // rows made by keyedRows: fill in their references
			rows, _ := rec[top].([]any)
			for i, row := range rows {
				g.fillRow(row.(map[string]any), k, rec, key, f.Ref, strconv.Itoa(i), groups[top], nil)
			}
			continue
		}
		switch {
		case f.Type == "object" && !isCopy(groups[top]) && h%2 != 0, embedded && h%4 != 0 && f.Type == "object":
			rec[top] = nil
		case f.Type == "object":
			rec[top] = g.row(k, rec, key, f.Ref, "0", 0, groups[top], nil)
		case embedded && h%4 != 0:
			rec[top] = []any{}
		case embedded:
			rec[top] = []any{g.row(k, rec, key, f.Ref, "0", 0, groups[top], nil)}
		default:
			rec[top] = g.rows(k, rec, p, top, f.Ref, groups[top], h)
		}
	}
}

// isEmbedded reports whether a nested object or array holds copies of
// records halocfg does not export (catalog's embedded refs: its only
// reference is an external id). They are big and rarely filled.
func isEmbedded(refs []catalog.Ref) bool { return isCopy(refs) && refs[0].External }

// isCopy reports whether a nested object or array holds copies of other
// records: its only reference is their id. A copy of a record of an
// exported kind is always filled, so that every dataset remaps one.
func isCopy(refs []catalog.Ref) bool {
	return len(refs) == 1 && catalog.Leaf(refs[0].Field) == "id"
}

// internal is the value of an internal reference: the linked target, or
// one chosen by hash, empty once in every noneEvery.
func (g *generator) internal(k *catalog.Kind, rec snapshot.Record, r catalog.Ref, h uint64, linked bool, names string, noneEvery uint64) any {
	tk := catalog.MustLookup(r.Target)
	empty := any(num(0))
	if r.StringID {
		empty = ""
	}
	if linked {
		if t := g.byNames(r.Target, names); len(t) > 0 {
			return refValue(r, t[0], tk)
		}
		return empty
	}
	if h%noneEvery != 0 {
		if t := g.pick(k, rec, r, h, 1); len(t) > 0 {
			return refValue(r, t[0], tk)
		}
	}
	return empty
}

// optionalRows are arrays whose rows exist for their own sake, each
// reference in them optional; other arrays of references have one row per
// target of their first internal reference.
var optionalRows = map[string]bool{"steps": true, "creation_rules": true}

// rows builds the elements of a nested array that carries references.
func (g *generator) rows(k *catalog.Kind, rec snapshot.Record, p proto, top, schema string, refs []catalog.Ref, h uint64) []any {
	var primary *catalog.Ref
	for i, r := range refs {
		if !r.External && !r.Owner && len(r.Path()) == 2 {
			primary = &refs[i]
			break
		}
	}
	count := int(h % 3)
	if optionalRows[top] {
		count++
	}
	var picks []snapshot.Record
	if primary != nil && !optionalRows[top] {
		if names, ok := p.links[top]; ok {
			picks = g.byNames(primary.Target, names)
		} else {
			picks = g.pick(k, rec, *primary, h, int(h%4))
		}
		count = len(picks)
	}
	out := make([]any, count)
	for i := range out {
		fixed := map[string]snapshot.Record{}
		if picks != nil {
			fixed[primary.Field] = picks[i]
		}
		out[i] = g.row(k, rec, p.key(k), schema, strconv.Itoa(i), i, refs, fixed)
	}
	return out
}

// row builds the i-th element of a nested array (or a nested object):
// neutral values, then its references, fixed ones from fixed. at is the
// position of the element's rows among its parents' ("2", "2.0" for the
// first action of the third step); references nested deeper than the
// element's own fields fill rows of its own arrays and objects, as
// references does for a record.
func (g *generator) row(k *catalog.Kind, rec snapshot.Record, key, schema, at string, i int, refs []catalog.Ref, fixed map[string]snapshot.Record) map[string]any {
	el := fillNested(schema, i, &g.rowID)
	g.fillRow(el, k, rec, key, schema, at, refs, fixed)
	return el
}

// fillRow fills the references of el, an element of a nested array or a
// nested object, and the rows of its own arrays and objects (see row).
func (g *generator) fillRow(el map[string]any, k *catalog.Kind, rec snapshot.Record, key, schema, at string, refs []catalog.Ref, fixed map[string]snapshot.Record) {
	depth := strings.Count(at, ".") + 1 // path steps of the containers above el's fields
	inner := map[string][]catalog.Ref{}
	var order []string
	var rowRefs []catalog.Ref // filled once the siblings they read are
	for _, r := range refs {
		if p := r.Path(); len(p) > depth+1 {
			if _, seen := inner[p[depth]]; !seen {
				order = append(order, p[depth])
			}
			inner[p[depth]] = append(inner[p[depth]], r)
			continue
		}
		leaf := catalog.Leaf(r.Field)
		h := hash(g.seed, k.Name, key, r.Field, at)
		switch t, ok := fixed[r.Field]; {
		case r.Row != "":
			rowRefs = append(rowRefs, r)
		case r.Owner:
			el[leaf] = refValue(r, rec, k)
		case r.By != "":
			g.chosen(k, rec, el, r, h)
		case r.External:
			g.external(el, leaf, r, h)
		case r.List:
			g.list(k, rec, el, r, h)
		case ok:
			el[leaf] = refValue(r, t, catalog.MustLookup(r.Target))
		default:
			el[leaf] = g.internal(k, rec, r, h, false, "", 2)
		}
	}
	for _, r := range rowRefs {
		g.rowRef(rec, el, r, hash(g.seed, k.Name, key, r.Field, at))
	}
	for _, step := range order {
		name := strings.TrimSuffix(step, "[]")
		f := schemaField(schema, name)
		h := hash(g.seed, k.Name, key, step, at)
		embedded := isEmbedded(inner[step])
		switch {
		case f.Type == "object" && !isCopy(inner[step]) && h%2 != 0, embedded && h%4 != 0 && f.Type == "object":
			el[name] = nil
		case f.Type == "object":
			el[name] = g.row(k, rec, key, f.Ref, at+".0", 0, inner[step], nil)
		case embedded && h%4 != 0:
			el[name] = []any{}
		default:
			// one row at least unless the rows are copies, so that every
			// dataset exercises the references nested two levels deep
			n := int(h % 3)
			if !embedded {
				n++
			}
			arr := make([]any, n)
			for j := range arr {
				arr[j] = g.row(k, rec, key, f.Ref, at+"."+strconv.Itoa(j), j, inner[step], nil)
			}
			el[name] = arr
		}
	}
}

// chosen fills in el a reference whose target its sibling r.By names (a
// criterion's value_int by its fieldname): a target chosen by hash among
// r.ByValue's and r.Target, the first field name that names it, and an id
// of that target.
func (g *generator) chosen(k *catalog.Kind, rec snapshot.Record, el map[string]any, r catalog.Ref, h uint64) {
	targets := r.Targets()
	t := targets[h%uint64(len(targets))]
	el[r.By] = "" // r.Target: a field name ByValue does not know
	for _, name := range slices.Sorted(maps.Keys(r.ByValue)) {
		if r.ByValue[name] == t {
			el[r.By] = name
			break
		}
	}
	one := r
	one.Target, one.By, one.ByValue = t, "", nil
	if _, isKind := catalog.Lookup(t); !isKind {
		one.External = true
		g.external(el, catalog.Leaf(r.Field), one, mix(h))
		return
	}
	one.External = false
	el[catalog.Leaf(r.Field)] = g.internal(k, rec, one, mix(h), false, "", 4)
}

// list fills a text list of ids ("12,13"): up to three targets chosen by hash.
func (g *generator) list(k *catalog.Kind, rec snapshot.Record, el map[string]any, r catalog.Ref, h uint64) {
	var ids []string
	for _, t := range g.pick(k, rec, r, h, int(h%4)) {
		ids = append(ids, snapshot.Scalar(t[catalog.MustLookup(r.Target).RefField]))
	}
	el[catalog.Leaf(r.Field)] = strings.Join(ids, ",")
}

// external fills an external reference with a plausible id (1..20, a third
// of them empty) and its partners; a reference to people (an agent, a team
// ...) with one of the tenant's own, chosen alike in every tenant.
func (g *generator) external(h map[string]any, leaf string, r catalog.Ref, x uint64) {
	id := int64(0)
	if x%3 != 0 {
		id = int64(x>>8%20) + 1
	}
	var who string
	if pool := g.people[r.Target]; len(pool) > 0 && id != 0 {
		p := pool[x>>8%uint64(len(pool))]
		id, who = p.id, p.name
	}
	if r.StringID {
		h[leaf] = ""
		if id != 0 {
			h[leaf] = strconv.FormatInt(id, 10)
		}
	} else {
		h[leaf] = num(id)
	}
	if r.GUID != "" {
		h[catalog.Leaf(r.GUID)] = nil
		if id != 0 {
			h[catalog.Leaf(r.GUID)] = uuid(newRand(int64(x), "guid"))
		}
	}
	if r.Name != "" {
		name := who
		if id != 0 && who == "" {
			name = fmt.Sprintf("%s%s %d", strings.ToUpper(r.Target[:1]), r.Target[1:], id)
		}
		h[catalog.Leaf(r.Name)] = name
	}
}

func (g *generator) byNames(kind, names string) []snapshot.Record {
	if names == "" {
		return nil
	}
	var out []snapshot.Record
	for _, n := range strings.Split(names, ",") {
		t, ok := g.byName[kind][n]
		if !ok {
			panic(fmt.Sprintf("halosim: dataset links to unknown %s %q", kind, n))
		}
		out = append(out, t)
	}
	return out
}

// candidate is a possible target of a reference, with the hash of its
// natural key.
type candidate struct {
	rec snapshot.Record
	key uint64
}

// pool returns the possible targets of r: every record of the target kind,
// or for allowed_categoryN the categories of type N.
func (g *generator) pool(r catalog.Ref) []candidate {
	name, typ := r.Target, ""
	if strings.HasPrefix(r.Field, "allowed_category") {
		typ = r.Field[len("allowed_category") : len("allowed_category")+1]
		name += "/" + typ
	}
	if p, ok := g.pools[name]; ok {
		return p
	}
	tk := catalog.MustLookup(r.Target)
	var p []candidate
	for _, t := range g.recs[r.Target] {
		if typ == "" || snapshot.Scalar(t["type_id"]) == typ {
			p = append(p, candidate{t, hash(0, naturalKey(t, tk))})
		}
	}
	g.pools[name] = p
	return p
}

// pick chooses n distinct targets for reference r of rec, never rec itself.
// Among few candidates it uses rendezvous hashing on their natural keys, so
// a tenant holding a subset of another's records makes the same choices
// where it can.
func (g *generator) pick(k *catalog.Kind, rec snapshot.Record, r catalog.Ref, h uint64, n int) []snapshot.Record {
	pool := g.pool(r)
	self := func(t snapshot.Record) bool { return r.Target == k.Name && t.ID() == rec.ID() }
	var out []snapshot.Record
	if len(pool) > 64 {
		seen := map[int]bool{}
		for i := uint64(0); len(out) < n && i < uint64(4*n+8); i++ {
			j := int(mix(h+i) % uint64(len(pool)))
			if !seen[j] && !self(pool[j].rec) {
				seen[j] = true
				out = append(out, pool[j].rec)
			}
		}
		return out
	}
	type scored struct {
		s uint64
		r snapshot.Record
	}
	ss := make([]scored, 0, len(pool))
	for _, c := range pool {
		if !self(c.rec) {
			ss = append(ss, scored{mix(h ^ c.key), c.rec})
		}
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].s > ss[j].s })
	for i := 0; i < n && i < len(ss); i++ {
		out = append(out, ss[i].r)
	}
	return out
}

// slaPriorities fills each SLA's priorities with copies of the priorities
// whose slaid names it, as Halo nests them.
func (g *generator) slaPriorities() {
	for _, sla := range g.recs["sla"] {
		var ps []snapshot.Record
		for _, p := range g.recs["priority"] {
			if snapshot.Same(p["slaid"], sla["id"]) {
				ps = append(ps, p)
			}
		}
		sort.Slice(ps, func(i, j int) bool {
			a, _ := ps[i].Int("priorityid")
			b, _ := ps[j].Int("priorityid")
			return a < b
		})
		arr := make([]any, len(ps))
		for i, p := range ps {
			arr[i] = map[string]any(p.Clone())
		}
		sla["priorities"] = arr
	}
}

// fillSchema gives every field of a schema a plausible value for its type.
func fillSchema(r *rand.Rand, schema string) map[string]any {
	fields, _ := catalog.Schema(schema)
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		m[f.Name] = plausible(r, f)
	}
	return m
}

var (
	smallInts = []int64{0, 0, 0, 1, 1, 2, 3, 5, 10, 24}
	doubles   = []json.Number{"0.0", "0.0", "0.5", "1.0", "2.5", "24.0", "48.0", "0.25"}
	dates     = []any{"1900-01-01T00:00:00", "2024-03-14T09:30:00", "2023-11-02T17:45:12.53Z", nil}
	words     = []string{"Default", "Standard", "See notes", "Internal use", "Reviewed 2024", "Legacy", "Customer facing"}
)

func plausible(r *rand.Rand, f catalog.Field) any {
	switch f.Type {
	case "integer":
		if f.Format == "int64" {
			return num(r.Int64N(1_000_000_000_000))
		}
		return num(smallInts[r.IntN(len(smallInts))])
	case "number":
		return doubles[r.IntN(len(doubles))]
	case "boolean":
		return r.IntN(3) == 0
	case "string":
		switch {
		case f.Format == "uuid":
			return uuid(r)
		case f.Format == "date-time":
			return dates[r.IntN(len(dates))]
		case f.Format == "date-span":
			return []string{"00:00:00", "09:00:00", "17:30:00"}[r.IntN(3)]
		case strings.Contains(f.Name, "colour"):
			return fmt.Sprintf("#%06x", r.IntN(1<<24))
		}
		switch x := r.IntN(8); {
		case x < 5:
			return ""
		case x < 6:
			return nil
		default:
			return words[r.IntN(len(words))]
		}
	case "array":
		if r.IntN(5) == 0 {
			return nil
		}
		return []any{}
	}
	return nil // objects ($ref to Company, Users, Workdays ...) and untyped fields
}

// fillNested builds the i-th element of a nested array: neutral values, a
// row id, a sequence and a label, like a row of a child table.
func fillNested(schema string, i int, rowID *int64) map[string]any {
	fields, _ := catalog.Schema(schema)
	m := make(map[string]any, len(fields))
	for _, f := range fields {
		var v any
		switch f.Type {
		case "integer":
			v = num(0)
		case "number":
			v = json.Number("0.0")
		case "boolean":
			v = false
		case "string":
			if f.Format == "" {
				v = ""
			}
		case "array":
			v = []any{}
		}
		switch f.Name {
		case "id", "fdid":
			if f.Type == "integer" {
				*rowID++
				v = num(*rowID)
			}
		case "sequence", "seq", "step_id", "stage_number":
			v = num(int64(i + 1))
		case "name", "text":
			v = fmt.Sprintf("Step %d", i+1)
		}
		m[f.Name] = v
	}
	return m
}

// schemaField returns a field of a schema (the zero Field when unknown).
func schemaField(schema, name string) catalog.Field {
	fields, _ := catalog.Schema(schema)
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return catalog.Field{}
}

func num(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// jsonValue turns the Go literals of dataset tables into decoded-JSON values.
func jsonValue(v any) any {
	switch v := v.(type) {
	case int:
		return num(int64(v))
	case int64:
		return num(v)
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0" // Halo writes doubles with a fraction, as Newtonsoft does
		}
		return json.Number(s)
	}
	return v
}

// hash mixes a seed and strings into 64 bits.
func hash(seed int64, parts ...string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(seed))
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return mix(h.Sum64())
}

// mix is splitmix64's finaliser: neighbouring inputs give unrelated outputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func newRand(seed int64, parts ...string) *rand.Rand {
	h := hash(seed, parts...)
	return rand.New(rand.NewPCG(h, mix(h)))
}

// uuid draws a version-4 UUID from r.
func uuid(r *rand.Rand) string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], r.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
