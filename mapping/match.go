package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

func problemAt(k *catalog.Kind, rec snapshot.Record, field, format string, a ...any) snapshot.Problem {
	key, _ := Key(k, rec)
	return snapshot.Problem{Kind: k.Name, ID: rec.ID(), Key: key, Field: field, Msg: fmt.Sprintf(format, a...)}
}

// SortProblems orders problems by kind (catalog order), record id and field.
func SortProblems(ps []snapshot.Problem) {
	rank := map[string]int{}
	for i, n := range catalog.Names() {
		rank[n] = i + 1
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Kind != b.Kind {
			return rank[a.Kind] < rank[b.Kind]
		}
		if a.ID != b.ID {
			return snapshot.LessID(a.ID, b.ID)
		}
		return a.Field < b.Field
	})
}

// Overrides is the --map file: per kind, a source record (by id or natural
// key) -> the target id it must become; and per external target ("agent",
// "team" ...), a source id -> the target tenant's id. Keys and values are text.
//
//	{"status": {"12": 31, "Awaiting Customer": 44}, "category": {"1/Hardware": 8}, "agent": {"4": 9}}
type Overrides map[string]map[string]string

// ParseOverrides decodes a --map file, refusing unknown sections, values
// that are not ids, and a section or key given twice (JSON would keep the
// last silently; the user meant one of them).
//
// Two things a map --write-map wrote holds are accepted: a null value is an
// entry still to be filled in, which counts as absent (the reference falls
// back to --external, and fail lists it), and a section whose name starts
// with "_" (_about, _hints) is a note for people, not read.
func ParseOverrides(data []byte) (Overrides, error) {
	const want = "want a JSON object of sections (a kind or an external target) mapping ids to ids"
	known := map[string]bool{}
	for _, n := range append(catalog.Names(), catalog.ExternalTargets()...) {
		known[n] = true
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimSpace(data)))
	dec.UseNumber()
	o := Overrides{}
	notes := map[string]bool{}
	err := eachMember(dec, func(section string) error {
		if strings.HasPrefix(section, "_") {
			if notes[section] {
				return fmt.Errorf("the section %q appears twice: merge them into one", section)
			}
			notes[section] = true
			var skip json.RawMessage
			return dec.Decode(&skip)
		}
		if !known[section] {
			return fmt.Errorf("unknown section %q (kinds: %s; external targets: %s)", section,
				strings.Join(catalog.Names(), ", "), strings.Join(catalog.ExternalTargets(), ", "))
		}
		if _, dup := o[section]; dup {
			return fmt.Errorf("the section %q appears twice: merge them into one", section)
		}
		m := map[string]string{}
		o[section] = m
		seen := map[string]string{} // key -> its value as written, null included
		err := eachMember(dec, func(from string) error {
			var v any
			if err := dec.Decode(&v); err != nil {
				return fmt.Errorf("%s: %q: %w", section, from, err)
			}
			var to string
			switch v := v.(type) {
			case nil:
				to = "null"
			case json.Number:
				to = v.String()
			case string:
				to = v
			}
			if to == "" || strings.TrimSpace(from) == "" {
				return fmt.Errorf("%s: %q -> %v: want a non-empty source id or key and a target id (a number or a string)", section, from, v)
			}
			if old, dup := seen[from]; dup {
				return fmt.Errorf("%s: the key %q appears twice (-> %s and -> %s): keep one", section, from, old, to)
			}
			seen[from] = to
			if v != nil {
				m[from] = to
			}
			return nil
		})
		if errors.Is(err, errNotObject) {
			return fmt.Errorf("%s: %w", section, err)
		}
		return err
	})
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = errors.New("unexpected data after the JSON object")
		}
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errNotObject) {
			return nil, fmt.Errorf("%s: %w", want, err)
		}
		return nil, err
	}
	return o, nil
}

var errNotObject = errors.New("not a JSON object")

// eachMember reads a JSON object from dec, calling member with each key
// while dec stands before its value, which member must read.
func eachMember(dec *json.Decoder, member func(key string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("%w (got %v)", errNotObject, tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if err := member(tok.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // the closing brace
	return err
}

// IDs maps, per kind, source record ids to target record ids: what a ledger holds.
type IDs map[string]map[string]string

// Match pairs the source records of every kind the source holds with target
// records, trying in order: the --map overrides, the ledger of an earlier
// run, an equal guid, an equal natural key — where several records share
// the key, the closest match of their other fields, when it is strictly the
// best (closest). A target record pairs with at most one source record.
// What cannot be decided is reported, never guessed: an override naming no
// record, two target records with one guid, records sharing a key that
// their other fields do not tell apart. Those source records stay unpaired,
// with a Reason.
//
// The directories of pair-only kinds (people: agents, teams ...) the source
// holds are paired by natural key alone: --map entries for them map single
// references (Mapper), and the ledger keeps no people. Where several
// records share a key nothing is guessed, not even the closest match.
func Match(src, dst *Tenant, over Overrides, ledger IDs) (*Matching, []snapshot.Problem) {
	m := newMatching()
	var probs []snapshot.Problem
	for _, k := range catalog.Stored() {
		switch {
		case !src.Has(k.Name):
		case k.PairOnly:
			probs = append(probs, matchKind(m, k, src, dst, nil, nil)...)
		default:
			probs = append(probs, matchKind(m, k, src, dst, over[k.Name], ledger[k.Name])...)
		}
	}
	return m, probs
}

// idLike is an id a --map entry may name although no source record has it:
// a reference to a record outside the snapshot.
var idLike = regexp.MustCompile(`^(-?[0-9]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)

func matchKind(m *Matching, k *catalog.Kind, src, dst *Tenant, over, ledger map[string]string) []snapshot.Problem {
	var probs []snapshot.Problem
	// The kind's records are read one at a time, by id: a tenant of
	// skeletons (diff's) reads them from its file, and holding a kind of
	// 50,000 would hold them all (issue 12).
	ids := src.IDs(k.Name)
	claim := func(rec snapshot.Record, tgt snapshot.Record, by string) {
		m.Set(k.Name, rec.ID(), Pair{TargetID: tgt.ID(), By: by})
	}
	taken := func(tgt snapshot.Record) bool {
		_, ok := m.Source(k.Name, tgt.ID())
		return ok
	}

	// 1. --map: by source id, RefField or natural key.
	mapped := map[string]string{} // source id -> map entry
	for _, from := range slices.Sorted(maps.Keys(over)) {
		to := over[from]
		sources := sourcesFor(src, k, from)
		if len(sources) == 0 {
			if !idLike.MatchString(from) {
				probs = append(probs, snapshot.Problem{Kind: "map", Field: k.Name + "." + from, Msg: fmt.Sprintf("no source %s has the id or natural key %q", k.Name, from)})
			}
			continue // an id outside the snapshot: used when a reference names it
		}
		if len(sources) > 1 {
			probs = append(probs, snapshot.Problem{Kind: "map", Field: k.Name + "." + from, Msg: fmt.Sprintf("%q names several source records (%s): use their ids", from, idList(sources))})
			continue
		}
		rec := sources[0]
		tgt := targetFor(dst, k, to)
		var msg string
		switch {
		case tgt == nil:
			msg = fmt.Sprintf("the target has no %s %s", k.Name, to)
		case mapped[rec.ID()] != "":
			if p, _ := m.Get(k.Name, rec.ID()); p.TargetID != tgt.ID() {
				msg = fmt.Sprintf("source %s %s is also mapped by %q to another record", k.Name, rec.ID(), mapped[rec.ID()])
			}
		case taken(tgt):
			other, _ := m.Source(k.Name, tgt.ID())
			msg = fmt.Sprintf("target %s %s is already mapped from source %s %s", k.Name, to, k.Name, other)
		default:
			mapped[rec.ID()] = from
			claim(rec, tgt, "map")
		}
		if msg != "" {
			probs = append(probs, snapshot.Problem{Kind: "map", Field: k.Name + "." + from, Msg: msg})
			if _, ok := m.Get(k.Name, rec.ID()); !ok {
				m.setReason(k.Name, rec.ID(), "its --map entry is wrong") // never fall back to a guess
			}
		}
	}

	// 2. The ledger of an earlier run; a target record deleted since is
	// simply found (or created) again.
	settled := func(id string) bool {
		_, ok := m.Get(k.Name, id)
		return ok || m.Reason(k.Name, id) != ""
	}
	for _, id := range ids {
		if settled(id) {
			continue
		}
		if tid, ok := ledger[id]; ok {
			if tgt := dst.ByID(k.Name, tid); tgt != nil && !taken(tgt) {
				claim(src.ByID(k.Name, id), tgt, "ledger")
			}
		}
	}

	// 3. An equal guid.
	for _, id := range ids {
		if settled(id) {
			continue
		}
		rec := src.ByID(k.Name, id)
		var free []snapshot.Record
		for _, t := range dst.ByGUID(k.Name, snapshot.Scalar(rec["guid"])) {
			if !taken(t) {
				free = append(free, t)
			}
		}
		switch len(free) {
		case 1:
			claim(rec, free[0], "guid")
		case 0:
		default:
			msg := fmt.Sprintf("target %s records %s share its guid", k.Name, idList(free))
			m.setReason(k.Name, rec.ID(), msg)
			probs = append(probs, problemAt(k, rec, "guid", "%s", msg))
		}
	}

	// 4. An equal natural key. Where several records have one (on either
	// side), the closest match of their other fields decides; what it
	// cannot decide, while both sides hold records with the key, is reported.
	// Source records left with no target record of their key are created:
	// later runs pair them through the ledger or their guid.
	unpaired := map[string][]string{} // key -> ids
	for _, id := range ids {
		if settled(id) {
			continue
		}
		rec := src.ByID(k.Name, id)
		key, ok := Key(k, rec)
		if !ok {
			msg := fmt.Sprintf("no natural key (%s empty): it could not be found again after a create", strings.Join(k.NaturalKey, ", "))
			if k.PairOnly {
				msg = fmt.Sprintf("no natural key (%s empty): it cannot be paired", keyFields(k))
			}
			m.setReason(k.Name, rec.ID(), msg)
			probs = append(probs, problemAt(k, rec, "", "%s", msg))
			continue
		}
		unpaired[key] = append(unpaired[key], id)
	}
	for _, key := range slices.Sorted(maps.Keys(unpaired)) {
		group := make([]snapshot.Record, len(unpaired[key]))
		for i, id := range unpaired[key] {
			group[i] = src.ByID(k.Name, id)
		}
		var free []snapshot.Record
		for _, t := range dst.ByKey(k.Name, key) {
			if !taken(t) {
				free = append(free, t)
			}
		}
		if len(group) == 1 && len(free) == 1 {
			claim(group[0], free[0], "key")
			continue
		}
		if k.PairOnly { // people: a shared key is never settled by likeness
			if len(free) > 0 {
				msg := sharedKey(k, group, free, key)
				for _, rec := range group {
					m.setReason(k.Name, rec.ID(), msg)
					probs = append(probs, problemAt(k, rec, "", "%s", msg))
				}
			}
			continue
		}
		pairs, restS, restT := closest(k, src, dst, group, free)
		for _, pr := range pairs {
			claim(pr[0], pr[1], "closest")
		}
		if len(restS) == 0 || len(restT) == 0 {
			continue // the rest of the source's records are created
		}
		who := fmt.Sprintf("target %s records %s", k.Name, idList(restT))
		if len(restS) > 1 {
			who = fmt.Sprintf("source %s records %s and target %s %s %s", k.Name, idList(restS), k.Name, plural(len(restT), "record", "records"), idList(restT))
		}
		msg := fmt.Sprintf("%s share the natural key %q, and nothing tells which is which (no --map entry, ledger entry or guid, and their other fields match equally well): map %s with --map",
			who, key, plural(len(restS), "it", "each"))
		for _, rec := range restS {
			m.setReason(k.Name, rec.ID(), msg)
			probs = append(probs, problemAt(k, rec, "", "%s", msg))
		}
	}
	return probs
}

// sharedKey says why records of a pair-only kind that share a key stay
// unpaired, naming every candidate on both sides.
func sharedKey(k *catalog.Kind, S, T []snapshot.Record, key string) string {
	if len(S) == 1 {
		return fmt.Sprintf("target %s records %s share the key %q, and nothing tells which is which", k.Name, idList(T), key)
	}
	as := fmt.Sprintf("as does target %s record %s", k.Name, idList(T))
	if len(T) > 1 {
		as = fmt.Sprintf("as do target %s records %s", k.Name, idList(T))
	}
	return fmt.Sprintf("source %s records %s share the key %q, %s, and nothing tells which is which", k.Name, idList(S), key, as)
}

// keyFields names the fields of a kind's natural keys: "email, name".
func keyFields(k *catalog.Kind) string {
	var out []string
	for _, fs := range k.KeyAlternatives() {
		out = append(out, strings.Join(fs, "/"))
	}
	return strings.Join(out, ", ")
}

// closest pairs records that share a natural key by their other fields: a
// source record with a target record when each is the other's strictly
// best match, again and again until no such pair is left. A match counts
// the fields of their Neutral forms that both hold with equal values (only
// the fields a list row shows, for a target record not read in full).
// Ties are never broken: what is left is returned.
func closest(k *catalog.Kind, src, dst *Tenant, S, T []snapshot.Record) (pairs [][2]snapshot.Record, restS, restT []snapshot.Record) {
	score := make([][]int, len(S))
	nt := make([]snapshot.Record, len(T))
	for j, t := range T {
		nt[j] = dst.Neutral(k, t)
	}
	for i, s := range S {
		ns := src.Neutral(k, s)
		score[i] = make([]int, len(T))
		for j := range T {
			for f, v := range ns {
				if w, ok := nt[j][f]; ok && snapshot.Equal(v, w) {
					score[i][j]++
				}
			}
		}
	}
	doneS, doneT := make([]bool, len(S)), make([]bool, len(T))
	// best returns the index whose score is strictly the highest, or -1.
	best := func(n int, alive func(int) bool, at func(int) int) int {
		top, second, arg := -1, -1, -1
		for x := range n {
			if !alive(x) {
				continue
			}
			switch v := at(x); {
			case v > top:
				top, second, arg = v, top, x
			case v > second:
				second = v
			}
		}
		if top == second {
			return -1
		}
		return arg
	}
	for found := true; found; {
		found = false
		for i := range S {
			if doneS[i] {
				continue
			}
			j := best(len(T), func(j int) bool { return !doneT[j] }, func(j int) int { return score[i][j] })
			if j < 0 || best(len(S), func(i int) bool { return !doneS[i] }, func(i int) int { return score[i][j] }) != i {
				continue
			}
			pairs = append(pairs, [2]snapshot.Record{S[i], T[j]})
			doneS[i], doneT[j], found = true, true, true
		}
	}
	for i, s := range S {
		if !doneS[i] {
			restS = append(restS, s)
		}
	}
	for j, t := range T {
		if !doneT[j] {
			restT = append(restT, t)
		}
	}
	return pairs, restS, restT
}

// Contested returns the records of a kind in dst whose natural key the
// source holds too, while one side holds it more than once: matching tells
// those apart by their other fields, so it needs them in full, not as list rows.
func Contested(src, dst *Tenant, kind string) []snapshot.Record {
	ix, sx := dst.kinds[kind], src.kinds[kind]
	if ix == nil || sx == nil {
		return nil
	}
	keys := map[string]bool{}
	for _, key := range ix.sharedKeys() {
		if len(sx.withKey(key)) > 0 {
			keys[key] = true
		}
	}
	for _, key := range sx.sharedKeys() {
		if len(ix.withKey(key)) > 0 {
			keys[key] = true
		}
	}
	var out []snapshot.Record
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		out = append(out, ix.withKey(key)...)
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sourcesFor finds the source records a --map key names: by id, by RefField
// (priority's priorityid) or by natural key.
func sourcesFor(src *Tenant, k *catalog.Kind, from string) []snapshot.Record {
	seen := map[string]bool{}
	var out []snapshot.Record
	for _, r := range append([]snapshot.Record{src.ByID(k.Name, from), src.ByRef(k.Name, from)}, src.ByKey(k.Name, from)...) {
		if r != nil && !seen[r.ID()] {
			seen[r.ID()] = true
			out = append(out, r)
		}
	}
	return out
}

// targetFor finds the target record a --map value names: by id or RefField.
func targetFor(dst *Tenant, k *catalog.Kind, to string) snapshot.Record {
	if t := dst.ByID(k.Name, to); t != nil {
		return t
	}
	return dst.ByRef(k.Name, to)
}

func idList(recs []snapshot.Record) string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID()
	}
	return strings.Join(ids, ", ")
}
