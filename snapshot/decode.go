package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodeRecord decodes one JSON object, losslessly (see Record) and
// strictly: text that is not valid UTF-8 (or an escaped lone surrogate) and a
// key that appears twice in one object are errors naming the record's id and
// the field, at any depth. Go's decoder would put U+FFFD in place of the bad
// bytes, and keep the last of two keys: a snapshot would then restore
// something other than what it holds, without a word.
func DecodeRecord(data []byte) (Record, error) {
	v, err := DecodeValue(data)
	if err != nil {
		// Name the record: its id may come after the bad field, so ask a
		// lenient decoder for it.
		var lenient struct {
			ID any `json:"id"`
		}
		if json.Unmarshal(data, &lenient) == nil && Scalar(lenient.ID) != "" {
			err = fmt.Errorf("id %s: %w", Scalar(lenient.ID), err)
		}
		return nil, err
	}
	switch v := v.(type) {
	case map[string]any:
		return Record(v), nil
	case nil:
		return nil, errors.New("record is null, want a JSON object")
	case []any:
		return nil, errors.New("record is an array, want a JSON object")
	default:
		return nil, fmt.Errorf("record is a JSON %T, want a JSON object", v)
	}
}

// DecodeValue decodes one JSON value as DecodeRecord does a record: numbers
// exact, invalid UTF-8 and repeated keys refused, naming the field below the
// value ("[0].name").
func DecodeValue(data []byte) (any, error) {
	// The standard decoder is twice as fast as the strict one: use it when
	// the input cannot hold what it hides (see strictNeeded).
	var v any
	err := Unmarshal(data, &v)
	if err != nil || strictNeeded(data, v) {
		v, err = decodeStrict(data)
	}
	return v, err
}

// decodeStrict decodes one JSON value with the standard decoder's tokens,
// checking each string's bytes in the input as it goes.
func decodeStrict(data []byte) (any, error) {
	d := &strict{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	v, err := d.value("")
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// strictNeeded reports whether v, decoded from data by the standard
// decoder, may differ from what data says: data is not valid UTF-8, escapes
// a surrogate (a lone one becomes U+FFFD; a pair is fine, and costs only
// time), or names more keys than v holds (a repeated key).
func strictNeeded(data []byte, v any) bool {
	return !utf8.Valid(data) || bytes.Contains(data, []byte(`\ud`)) || bytes.Contains(data, []byte(`\uD`)) || keysIn(data) != keysOf(v)
}

// keysIn counts the object keys written in data, which is valid JSON: the
// strings followed by a colon.
func keysIn(data []byte) int {
	n := 0
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		for i++; i < len(data) && data[i] != '"'; i++ {
			if data[i] == '\\' {
				i++
			}
		}
		j := i + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && data[j] == ':' {
			n++
		}
	}
	return n
}

// keysOf counts the keys of every object in v.
func keysOf(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		n += len(v)
		for _, x := range v {
			n += keysOf(x)
		}
	case []any:
		for _, x := range v {
			n += keysOf(x)
		}
	}
	return n
}

type strict struct {
	data []byte
	dec  *json.Decoder
}

// token returns the next token and the input it was read from (with the
// separators and blanks before it, all ASCII).
func (d *strict) token() (json.Token, []byte, error) {
	start := d.dec.InputOffset()
	t, err := d.dec.Token()
	return t, d.data[start:d.dec.InputOffset()], err
}

// value decodes the value at path ("" for the top, "steps[1].name" below).
func (d *strict) value(path string) (any, error) {
	t, raw, err := d.token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case string:
		if msg := badText(t, raw); msg != "" {
			return nil, fmt.Errorf("field %q: text %s", path, msg)
		}
		return t, nil
	case json.Delim:
		if t == '[' {
			return d.array(path)
		}
		return d.object(path)
	}
	return t, nil // json.Number, bool or nil
}

func (d *strict) object(path string) (any, error) {
	m := map[string]any{}
	for d.dec.More() {
		t, raw, err := d.token()
		if err != nil {
			return nil, err
		}
		key := t.(string) // the decoder allows nothing else here
		where := ""
		if path != "" {
			where = fmt.Sprintf("field %q: ", path)
		}
		if msg := badText(key, raw); msg != "" {
			return nil, fmt.Errorf("%sa key %s", where, msg)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("%skey %q appears twice", where, key)
		}
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		if m[key], err = d.value(sub); err != nil {
			return nil, err
		}
	}
	_, _, err := d.token() // '}'
	return m, err
}

func (d *strict) array(path string) (any, error) {
	a := []any{}
	for i := 0; d.dec.More(); i++ {
		v, err := d.value(path + "[" + strconv.Itoa(i) + "]")
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
	_, _, err := d.token() // ']'
	return a, err
}

// badText says what is wrong with a decoded string s read from raw, or "".
// The decoder turns invalid UTF-8 and escaped lone surrogates into U+FFFD:
// s may hold U+FFFD only where raw wrote one.
func badText(s string, raw []byte) string {
	if !strings.ContainsRune(s, utf8.RuneError) {
		return ""
	}
	if i := invalidUTF8(raw); i >= 0 {
		return fmt.Sprintf("is not valid UTF-8 (byte 0x%02x)", raw[i])
	}
	written := bytes.Count(raw, []byte("\uFFFD")) + bytes.Count(bytes.ToLower(raw), []byte(`\ufffd`))
	if strings.Count(s, "\uFFFD") > written {
		return `holds a lone surrogate escape (\ud800 to \udfff), not valid Unicode`
	}
	return ""
}

// invalidUTF8 is the index of the first byte of b that is not valid UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// BadText finds text in r that is not valid UTF-8, in a key or a string
// value at any depth, for records that were not decoded from JSON text
// (Parquet, XLSX): the field as DecodeRecord names it ("" for a top-level
// key) and what is wrong. ok is false when every string is valid.
func BadText(r Record) (field, msg string, ok bool) {
	return badTextIn("", map[string]any(r))
}

func badTextIn(path string, v any) (field, msg string, ok bool) {
	switch v := v.(type) {
	case string:
		if i := invalidUTF8([]byte(v)); i >= 0 {
			return path, fmt.Sprintf("text is not valid UTF-8 (byte 0x%02x)", v[i]), true
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if i := invalidUTF8([]byte(k)); i >= 0 {
				return path, fmt.Sprintf("a key is not valid UTF-8 (byte 0x%02x)", k[i]), true
			}
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			if field, msg, ok := badTextIn(sub, v[k]); ok {
				return field, msg, true
			}
		}
	case Record:
		return badTextIn(path, map[string]any(v))
	case []any:
		for i, x := range v {
			if field, msg, ok := badTextIn(path+"["+strconv.Itoa(i)+"]", x); ok {
				return field, msg, true
			}
		}
	}
	return "", "", false
}
