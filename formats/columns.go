package formats

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// The typed formats (XLSX, Parquet) lay a kind's records out as columns, one
// per field. A column's type comes from the values it holds; a value a typed
// cell cannot carry exactly is noted beside it, so that nothing is lost.

// colType is the type of a column, from the values it holds.
type colType int

const (
	colNull   colType = iota // only nulls (or nothing) seen
	colInt                   // integers that fit int64, written as JSON writes them
	colFloat                 // numbers a float64 holds; exact text noted where it differs
	colBool                  //
	colString                //
	colJSON                  // nested values, or values of more than one type, as JSON text
)

var colTypeNames = [...]string{"null", "int", "float", "bool", "string", "json"}

func (t colType) String() string { return colTypeNames[t] }

func parseColType(s string) (colType, bool) {
	i := slices.Index(colTypeNames[:], s)
	return colType(i), i >= 0
}

// valueType is the narrowest column type that holds v.
func valueType(v any) colType {
	switch v := v.(type) {
	case nil:
		return colNull
	case bool:
		return colBool
	case string:
		return colString
	case json.Number:
		if _, ok := snapshot.CanonicalInt(string(v)); ok {
			return colInt
		}
		if _, ok := finiteFloat(v); ok {
			return colFloat
		}
	}
	return colJSON
}

// merge widens a column type to hold another value's type.
func (t colType) merge(u colType) colType {
	switch {
	case t == u || u == colNull:
		return t
	case t == colNull:
		return u
	case (t == colInt && u == colFloat) || (t == colFloat && u == colInt):
		return colFloat
	}
	return colJSON
}

func finiteFloat(n json.Number) (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// formatFloat writes f as encoding/json does. A number whose text differs
// (2.0, 1E-07, 9007199254740993) keeps its text in a note.
func formatFloat(f float64) string {
	abs, fmtc := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	b := strconv.AppendFloat(nil, f, fmtc, -1, 64)
	if fmtc == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b)
}

// A float column writes its numbers in one of two styles: as encoding/json
// does (24, 0.5), or dotted, as Halo (.NET) writes doubles: a whole number
// with ".0" (24.0, 0.5). A typed format picks the style most of a column's
// numbers have, so that only the others need a note of their exact text.

// numberText writes f in a column's style.
func numberText(f float64, dotted bool) string {
	s := formatFloat(f)
	if dotted && !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

const (
	styleEither  = iota // 0.5 reads the same in both styles
	stylePlain          // 24
	styleDotted         // 24.0
	styleNeither        // 1E-07: noted in either
)

// wholeStyle tells which style writes n as it is.
func wholeStyle(n json.Number) int {
	f, _ := finiteFloat(n)
	plain, dotted := numberText(f, false), numberText(f, true)
	switch string(n) {
	case plain:
		if plain == dotted {
			return styleEither
		}
		return stylePlain
	case dotted:
		return styleDotted
	}
	return styleNeither
}

// floatNumber turns a float read back from a typed cell into a JSON number:
// the noted exact text when it still denotes the same number (the cell was
// not edited), otherwise the float in its column's style.
func floatNumber(f float64, exact string, dotted bool) json.Number {
	if exact != "" {
		if g, err := strconv.ParseFloat(exact, 64); err == nil && g == f {
			return json.Number(exact)
		}
	}
	return json.Number(numberText(f, dotted))
}

// exactText is the text to note for a number in a float column, "" when
// the column's style reproduces it. -0 is always noted: spreadsheets drop its sign.
func exactText(n json.Number, dotted bool) string {
	f, _ := finiteFloat(n)
	if numberText(f, dotted) == string(n) && !(f == 0 && math.Signbit(f)) {
		return ""
	}
	return string(n)
}

// column is one field of a kind laid out as a column.
type column struct {
	Name string
	Type colType
}

// orderFields lists the fields seen: id and the natural key first, then in
// the order of the kind's OpenAPI schema, then fields the schema does not
// know, sorted. It empties seen.
func orderFields(kind string, seen map[string]bool) []string {
	var out []string
	take := func(name string) {
		if seen[name] {
			out = append(out, name)
			delete(seen, name)
		}
	}
	take("id")
	if k, ok := catalog.LookupStored(kind); ok {
		for _, f := range k.NaturalKey {
			take(f)
		}
	}
	if k, ok := catalog.Lookup(kind); ok {
		fields, _ := catalog.Schema(k.Schema)
		for _, f := range fields {
			take(f.Name)
		}
	}
	rest := make([]string, 0, len(seen))
	for f := range seen {
		rest = append(rest, f)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// kindScan learns a kind's columns one record at a time, so that a writer
// can lay out a kind it reads twice (once to learn, once to write) without
// holding its records.
type kindScan struct {
	kind   string
	n      int            // records seen
	ids    map[string]int // id -> record index, for checkID
	fields map[string]*fieldScan
	head   []snapshot.Record // the first scanHead records, to size columns by
}

// scanHead is how many records a scan keeps (columnWidth looks at them).
const scanHead = 50

// fieldScan is what the values of one field seen so far say.
type fieldScan struct {
	t             colType
	present, null int  // records holding the field, and holding it null
	empty         int  // records holding it ""
	plain, dotted int  // numbers written 24, and 24.0 (wholeStyle)
	long          bool // a string longer than parquetStatBytes
}

func newKindScan(kind string) *kindScan {
	return &kindScan{kind: kind, ids: map[string]int{}, fields: map[string]*fieldScan{}}
}

// scanKind runs recs once, checking ids, to learn the kind's columns: a
// writer's first pass.
func scanKind(kind string, recs Records) (*kindScan, error) {
	sc := newKindScan(kind)
	err := recs(func(r snapshot.Record) error {
		if err := sc.checkID(sc.n+1, r); err != nil {
			return err
		}
		sc.add(r)
		return nil
	})
	return sc, err
}

// add takes in the next record's values.
func (sc *kindScan) add(r snapshot.Record) {
	sc.n++
	if len(sc.head) < scanHead {
		sc.head = append(sc.head, r)
	}
	for name, v := range r {
		f := sc.fields[name]
		if f == nil {
			f = &fieldScan{}
			sc.fields[name] = f
		}
		f.present++
		t := valueType(v)
		f.t = f.t.merge(t)
		switch v := v.(type) {
		case nil:
			f.null++
		case string:
			f.long = f.long || len(v) > parquetStatBytes
			if v == "" {
				f.empty++
			}
		case json.Number:
			style := stylePlain // every canonical int a float64 holds exactly is written 24
			if i, _ := snapshot.CanonicalInt(string(v)); t == colFloat || i > 1<<53 || i < -(1<<53) {
				style = wholeStyle(v)
			}
			if t == colInt || t == colFloat {
				switch style {
				case stylePlain:
					f.plain++
				case styleDotted:
					f.dotted++
				}
			}
		}
	}
}

// checkID refuses the next record (the n-th, from 1) when it has no
// scalar id or one an earlier record has: the typed formats key their
// notes by id, and a restore needs it.
func (sc *kindScan) checkID(n int, r snapshot.Record) error {
	id := r.ID()
	if id == "" {
		return fmt.Errorf("%s record %d: no id", sc.kind, n)
	}
	if j, dup := sc.ids[id]; dup {
		return fmt.Errorf("%s records %d and %d: both have id %s", sc.kind, j, n, id)
	}
	sc.ids[id] = n
	return nil
}

// columns lays out the fields seen, in orderFields' order, typed from their values.
func (sc *kindScan) columns() []column {
	seen := make(map[string]bool, len(sc.fields))
	for name := range sc.fields {
		seen[name] = true
	}
	names := orderFields(sc.kind, seen)
	cols := make([]column, len(names))
	for i, name := range names {
		cols[i] = column{Name: name, Type: sc.fields[name].t}
	}
	return cols
}

// schemaType is the column type the OpenAPI schema promises for a field; it
// types columns that hold only nulls, so that engines see a stable schema.
func schemaType(kind, field string) colType {
	k, ok := catalog.Lookup(kind)
	if !ok {
		return colNull
	}
	fields, _ := catalog.Schema(k.Schema)
	for _, f := range fields {
		if f.Name != field {
			continue
		}
		switch f.Type {
		case "integer":
			return colInt
		case "number":
			return colFloat
		case "boolean":
			return colBool
		case "string":
			return colString
		case "array", "object":
			return colJSON
		}
	}
	return colNull
}

// checkIDs makes sure every record has a scalar id and no id repeats
// (kindScan.checkID).
func checkIDs(kind string, recs []snapshot.Record) error {
	sc := newKindScan(kind)
	for i, r := range recs {
		if err := sc.checkID(i+1, r); err != nil {
			return err
		}
	}
	return nil
}

// decodeJSONValue decodes one JSON value with exact numbers, refusing
// invalid UTF-8 and repeated keys as the JSON format does.
func decodeJSONValue(s string) (any, error) { return snapshot.DecodeValue([]byte(s)) }
