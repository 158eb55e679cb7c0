package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"time"
)

// CheckTypes returns one message per field of m whose JSON type is not the
// one schema gives it, each starting with the field's path
// ("allowed_status[0].status_id: want an integer, got the string \"x\""),
// recursing into nested objects and arrays. null is accepted everywhere;
// fields the schema does not know are not checked. Values are as decoded
// with UseNumber (json.Number).
func CheckTypes(schema string, m map[string]any) []string {
	var out []string
	for _, e := range TypeErrors(schema, m) {
		out = append(out, e.Error())
	}
	return out
}

// TypeError is a field whose value does not have the type its schema gives
// it. Its fields name types only; its message (Error) quotes short values.
type TypeError struct {
	Path string // "allowed_status[0].status_id"
	Want string // the schema's type: "integer", "number", "boolean", "string", "array", "object"
	// Format is the schema's format the value breaks ("int32": an integer
	// that does not fit; "uuid", "date-time"); "" when the JSON type is wrong.
	Format string
	Got    string // the value's JSON type (JSONType)
	value  any
}

func (e TypeError) Error() string {
	if e.Format != "" && e.Want == "integer" {
		return fmt.Sprintf("%s: %s does not fit %s", e.Path, e.value, e.Format)
	}
	want := map[string]string{"integer": "an integer", "number": "a number", "boolean": "a boolean",
		"string": "a string", "array": "an array", "object": "an object"}[e.Want]
	if e.Format != "" {
		want = map[string]string{"uuid": "a uuid", "date-time": "a date-time"}[e.Format]
	}
	return fmt.Sprintf("%s: want %s, got %s", e.Path, want, describe(e.value))
}

// TypeErrors is CheckTypes' findings as values, for callers that must not
// print what the fields hold.
func TypeErrors(schema string, m map[string]any) []TypeError {
	return checkFields(m, schema, "")
}

func checkFields(m map[string]any, schema, where string) []TypeError {
	fields, ok := Schema(schema)
	if !ok {
		return nil
	}
	var out []TypeError
	for _, f := range fields {
		v, present := m[f.Name]
		if !present || v == nil {
			continue
		}
		at := where + f.Name
		switch f.Type {
		case "array":
			arr, ok := v.([]any)
			if !ok {
				out = append(out, mismatch(at, "array", "", v))
				continue
			}
			for i, e := range arr {
				eat := fmt.Sprintf("%s[%d]", at, i)
				switch em, isObj := asObject(e); {
				case e == nil:
				case f.Ref != "" && !isObj:
					out = append(out, mismatch(eat, "object", "", e))
				case f.Ref != "":
					out = append(out, checkFields(em, f.Ref, eat+".")...)
				default:
					if bad, ok := checkScalar(e, f.Items, "", eat); !ok {
						out = append(out, bad)
					}
				}
			}
		case "object":
			om, ok := asObject(v)
			if !ok {
				out = append(out, mismatch(at, "object", "", v))
				continue
			}
			out = append(out, checkFields(om, f.Ref, at+".")...)
		default:
			if bad, ok := checkScalar(v, f.Type, f.Format, at); !ok {
				out = append(out, bad)
			}
		}
	}
	return out
}

func mismatch(at, want, format string, v any) TypeError {
	return TypeError{Path: at, Want: want, Format: format, Got: JSONType(v), value: v}
}

var (
	integerText = regexp.MustCompile(`^-?[0-9]+$`)
	uuidText    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func checkScalar(v any, typ, format, at string) (TypeError, bool) {
	switch typ {
	case "integer":
		n, ok := v.(json.Number)
		if !ok || !integerText.MatchString(n.String()) {
			return mismatch(at, typ, "", v), false
		}
		bits := 32
		if format == "int64" {
			bits = 64
		}
		if _, err := strconv.ParseInt(n.String(), 10, bits); err != nil {
			return mismatch(at, typ, format, v), false
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return mismatch(at, typ, "", v), false
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return mismatch(at, typ, "", v), false
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return mismatch(at, typ, "", v), false
		}
		switch {
		case s == "":
		case format == "uuid" && !uuidText.MatchString(s):
			return mismatch(at, typ, format, v), false
		case format == "date-time" && !isDateTime(s):
			return mismatch(at, typ, format, v), false
		}
	}
	return TypeError{}, true
}

func isDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// JSONType names the JSON type of a decoded value: null, boolean, number,
// string, array or object.
func JSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	if _, ok := asObject(v); ok {
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// describe names a value for a message: numbers and short strings with
// their text ("the number 1.5", "the string \"x\""), others by type ("an array").
func describe(v any) string {
	switch v := v.(type) {
	case json.Number:
		return "the number " + v.String()
	case string:
		if len(v) <= 40 {
			return fmt.Sprintf("the string %q", v)
		}
	}
	switch t := JSONType(v); t {
	case "null":
		return t
	case "array", "object":
		return "an " + t
	default:
		return "a " + t
	}
}

var objectType = reflect.TypeFor[map[string]any]()

// asObject returns v as a map[string]any when it is a JSON object, also when
// its type is a named map type such as snapshot.Record (catalog imports none
// of ours).
func asObject(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map && rv.Type().ConvertibleTo(objectType) {
		return rv.Convert(objectType).Interface().(map[string]any), true
	}
	return nil, false
}
