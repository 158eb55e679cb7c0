package importer

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// SameTenant reports whether two base URLs name one tenant: scheme and host
// compared without case, a trailing "/" or "/api" ignored.
func SameTenant(a, b string) bool { return tenantURL(a) == tenantURL(b) }

func tenantURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return strings.ToLower(strings.TrimRight(s, "/"))
	}
	p := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api")
	return strings.ToLower(u.Scheme+"://"+u.Host) + p
}

// checkRecords checks the records of a kind before anything is written:
// every record has an id, no id (nor priority's priorityid) repeats, and
// when typed is set every field the schema knows has its JSON type, at
// every depth, as a strict API would demand.
func checkRecords(k *catalog.Kind, recs []snapshot.Record, typed bool) []mapping.Problem {
	var probs []mapping.Problem
	bad := func(rec snapshot.Record, field, format string, a ...any) {
		key, _ := mapping.Key(k, rec)
		probs = append(probs, mapping.Problem{Kind: k.Name, ID: rec.ID(), Key: key, Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	ids := map[string]bool{}
	refs := map[string]bool{}
	for i, rec := range recs {
		id := rec.ID()
		if id == "" {
			bad(rec, "id", "record %d has no id", i+1)
			continue
		}
		if ids[id] {
			bad(rec, "id", "the id appears twice")
		}
		ids[id] = true
		if k.RefField != "id" {
			ref := snapshot.Scalar(rec[k.RefField])
			switch {
			case ref == "":
				bad(rec, k.RefField, "missing: references to a %s use it", k.Name)
			case refs[ref]:
				bad(rec, k.RefField, "%s appears twice", ref)
			}
			refs[ref] = true
		}
		if typed {
			for _, msg := range checkFields(rec, k.Schema, "") {
				bad(rec, "", "%s", msg)
			}
		}
	}
	return probs
}

var integerText = regexp.MustCompile(`^-?[0-9]+$`)

// checkFields returns one message per field of m whose JSON type is not the
// schema's, recursing into nested objects and arrays. null is accepted
// everywhere; fields the schema does not know are not checked.
func checkFields(m map[string]any, schema, where string) []string {
	fields, ok := catalog.Schema(schema)
	if !ok {
		return nil
	}
	var out []string
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
				out = append(out, fmt.Sprintf("%s: want an array, got %s", at, describe(v)))
				continue
			}
			for i, e := range arr {
				eat := fmt.Sprintf("%s[%d]", at, i)
				switch em, isObj := e.(map[string]any); {
				case e == nil:
				case f.Ref != "" && !isObj:
					out = append(out, fmt.Sprintf("%s: want an object, got %s", eat, describe(e)))
				case f.Ref != "":
					out = append(out, checkFields(em, f.Ref, eat+".")...)
				default:
					if msg := checkScalar(e, f.Items, "", eat); msg != "" {
						out = append(out, msg)
					}
				}
			}
		case "object":
			om, ok := v.(map[string]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: want an object, got %s", at, describe(v)))
				continue
			}
			out = append(out, checkFields(om, f.Ref, at+".")...)
		default:
			if msg := checkScalar(v, f.Type, f.Format, at); msg != "" {
				out = append(out, msg)
			}
		}
	}
	return out
}

func checkScalar(v any, typ, format, at string) string {
	bad := func(want string) string { return fmt.Sprintf("%s: want %s, got %s", at, want, describe(v)) }
	switch typ {
	case "integer":
		n, ok := v.(json.Number)
		if !ok || !integerText.MatchString(n.String()) {
			return bad("an integer")
		}
		bits := 32
		if format == "int64" {
			bits = 64
		}
		if _, err := strconv.ParseInt(n.String(), 10, bits); err != nil {
			return fmt.Sprintf("%s: %s does not fit %s", at, n, format)
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			return bad("a number")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return bad("a string")
		}
		switch {
		case s == "":
		case format == "uuid" && !uuidText.MatchString(s):
			return bad("a uuid")
		case format == "date-time" && !isDateTime(s):
			return bad("a date-time")
		}
	}
	return ""
}

var uuidText = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// describe names a value's JSON type, with the value when it is short.
func describe(v any) string {
	switch v := v.(type) {
	case json.Number:
		return "the number " + v.String()
	case string:
		if len(v) <= 40 {
			return fmt.Sprintf("the string %q", v)
		}
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}
