// Package snapshot holds the model every command shares: a Record exactly as
// Halo returned it, a Snapshot of records per kind, its manifest, and the
// atomic directory writer that makes a snapshot appear whole or not at all.
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Record is one configuration record, decoded losslessly: numbers stay
// json.Number (their exact text, so ints above 2^53 survive), null is a key
// with a nil value, an absent field is an absent key, and fields halocfg does
// not know are kept like any other. Nested values are []any and map[string]any.
type Record map[string]any

// Unmarshal decodes JSON keeping numbers as json.Number, and refuses trailing data.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

// ID returns the record's id as text: "12", or a uuid for kinds whose id is a
// string. It is "" when the record has no id.
func (r Record) ID() string { return Scalar(r["id"]) }

// Scalar renders a JSON scalar as text: numbers exactly, strings as they are,
// booleans as true/false; "" for null, absent and composite values.
func Scalar(v any) string {
	switch v := v.(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// Int returns the field as an int64 when it holds an integer.
func (r Record) Int(field string) (int64, bool) {
	n, ok := r[field].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// Clone returns a deep copy of the record.
func (r Record) Clone() Record {
	return cloneValue(map[string]any(r)).(map[string]any)
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneValue(x)
		}
		return m
	case Record:
		return Record(cloneValue(map[string]any(v)).(map[string]any))
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = cloneValue(x)
		}
		return s
	}
	return v
}

// MarshalIndent renders records as the snapshot contract wants them: keys
// sorted, two-space indent, numbers exact, no HTML escaping, newline at the end.
func MarshalIndent(v any) ([]byte, error) {
	b, err := AppendIndent(nil, v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// AppendIndent appends v to b as encoding/json's Encoder writes it with
// SetIndent(prefix, indent) and SetEscapeHTML(false), without the newline
// at the end: keys sorted, numbers exact.
func AppendIndent(b []byte, v any, prefix, indent string) ([]byte, error) {
	c := canonicals.Get().(*canonical)
	defer c.done()
	c.pretty, c.prefix, c.indent = prefix != "" || indent != "", prefix, indent
	if err := c.encode(v); err != nil {
		return b, err
	}
	return append(b, c.b...), nil
}

// Canonical renders a value as compact JSON with sorted keys; two values are
// equal exactly when their canonical forms are. It is encoding/json's text
// (keys sorted, no HTML escaping), written without reflection for the values
// a decoder makes: conversions and verify write every nested value through
// here.
func Canonical(v any) []byte { return AppendCanonical(nil, v) }

// AppendCanonical appends v's canonical JSON (Canonical) to b: the workbook
// writer renders every nested value with it, into a buffer it reuses.
func AppendCanonical(b []byte, v any) []byte {
	c := canonicals.Get().(*canonical)
	defer c.done()
	c.mustEncode(v)
	return append(b, c.b...)
}

// Equal reports whether two values are the same JSON: same keys, null vs
// absent kept apart, numbers compared by their exact text.
func Equal(a, b any) bool { return bytes.Equal(Canonical(a), Canonical(b)) }

// SortByID sorts records by id: numerically when both ids are integers,
// otherwise as text, so that the order is the same on every machine.
func SortByID(recs []Record) {
	sort.SliceStable(recs, func(i, j int) bool { return LessID(recs[i].ID(), recs[j].ID()) })
}

// CompareID orders ids as LessID does, for slices.SortFunc; ids LessID
// finds equal ("7", "07") are ordered as text, so that the order is total.
func CompareID(a, b string) int {
	switch {
	case LessID(a, b):
		return -1
	case LessID(b, a):
		return 1
	}
	return strings.Compare(a, b)
}

// CanonicalInt returns the integer text is exactly the writing of
// (strconv.FormatInt's): "07", "+7", "-0", " 7" and numbers beyond int64
// are not, so that no two texts meet in one number. Ids and numbers held
// as integers (idtab, mapping's pairs, the Parquet and workbook columns)
// ask it.
func CanonicalInt(text string) (int64, bool) {
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || digits[0] == '0' && len(text) > 1 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(text, 10, 64) // fails only out of range
	if err != nil {
		return 0, false
	}
	return n, true
}

// LessID orders ids as SortByID does: integers numerically, before text.
func LessID(a, b string) bool {
	ai, aerr := strconv.ParseInt(a, 10, 64)
	bi, berr := strconv.ParseInt(b, 10, 64)
	switch {
	case aerr == nil && berr == nil:
		return ai < bi
	case aerr == nil:
		return true // integers before text
	case berr == nil:
		return false
	}
	return a < b
}
