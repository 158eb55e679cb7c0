package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// oldDecodeValue is the decoder DecodeValue replaced, kept as the oracle of
// the tests: Go's decoder, then a second scan for what it hides, then on
// suspicion a third, token by token.
func oldDecodeValue(data []byte) (any, error) {
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
