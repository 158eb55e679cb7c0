package snapshot

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
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
// exact (json.Number), objects map[string]any, arrays []any; invalid UTF-8,
// escaped lone surrogates, repeated keys and data after the value refused,
// naming the field below the value ("[0].name"); nesting bounded as Go's
// decoder bounds it.
//
// It reads the text once, building the values as it goes: every conversion
// and export reads each record through here.
func DecodeValue(data []byte) (any, error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	v, err := d.decode(data, false)
	if err != nil {
		// The quick pass finds a repeated key only when its object ends,
		// perhaps after another problem: the careful pass names the first
		// in the order of the text, as a reader would find it.
		quick := err
		if v, err = d.decode(data, true); err == nil {
			v, err = nil, quick // cannot be: the careful pass checks more
		}
		var se *syntaxError
		if errors.As(err, &se) {
			// Say it as Go's decoder says it; keep ours only if it does not see it.
			if jerr := json.Unmarshal(data, new(any)); jerr != nil {
				err = jerr
			}
		}
	}
	return v, err
}

// maxDepth bounds nesting as encoding/json's scanner does: deeper input is
// refused, and the recursion stays within a small stack.
const maxDepth = 10000

var errTooDeep = fmt.Errorf("nested deeper than %d levels", maxDepth)

var decoders = sync.Pool{New: func() any { return &decoder{keys: map[string]string{}} }}

// A decoder reads one JSON value from data; its scratch space is reused from
// value to value.
type decoder struct {
	data    []byte
	i       int
	careful bool // check each key against the object's earlier keys at once

	pairs []pair // the members of the objects being read, innermost last
	elems []any  // the elements of the arrays being read, innermost last
	buf   []byte // a string's text with its escapes undone

	// keys interns object keys: records of a kind repeat the same few
	// hundred, and sharing them saves an allocation per field.
	keys map[string]string
}

type pair struct {
	k string
	v any
}

// Interning stops at these bounds, so that hostile keys cannot grow it.
const (
	maxInterned   = 8192
	maxInternSize = 64
)

// syntaxError is text that is not JSON.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (at byte %d)", e.msg, e.off) }

// fieldError is a problem in a string or an object, named by the path of
// the field it is found in (as the decoder unwinds, innermost step first).
type fieldError struct {
	steps []step
	msg   string
	text  bool // a string value's text: "field" is said even at the top
}

type step struct {
	key   string
	index int // -1 for a key
}

func (e *fieldError) Error() string {
	path := ""
	for i := len(e.steps) - 1; i >= 0; i-- {
		switch s := e.steps[i]; {
		case s.index >= 0:
			path += "[" + strconv.Itoa(s.index) + "]"
		case path == "":
			path = s.key
		default:
			path += "." + s.key
		}
	}
	if path == "" && !e.text {
		return e.msg
	}
	return fmt.Sprintf("field %q: %s", path, e.msg)
}

// under adds the step to err's path when it is a fieldError.
func under(err error, s step) error {
	if fe, ok := err.(*fieldError); ok {
		fe.steps = append(fe.steps, s)
	}
	return err
}

func (d *decoder) decode(data []byte, careful bool) (v any, err error) {
	d.data, d.i, d.careful = data, 0, careful
	defer func() {
		// Drop what the scratch space refers to, so that the pool holds
		// no record alive (an object or array read whole clears its own).
		clear(d.pairs)
		clear(d.elems)
		d.pairs, d.elems, d.data = d.pairs[:0], d.elems[:0], nil
		if cap(d.buf) > 64<<10 {
			d.buf = nil
		}
	}()
	d.space()
	if v, err = d.value(0); err != nil {
		return nil, err
	}
	d.space()
	if d.i < len(d.data) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

func (d *decoder) syntax(msg string) error { return &syntaxError{off: d.i, msg: msg} }

func (d *decoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	if d.i >= len(d.data) {
		return nil, d.syntax("unexpected end of JSON input")
	}
	switch c := d.data[d.i]; c {
	case '{', '[':
		if depth >= maxDepth {
			return nil, errTooDeep
		}
		if c == '{' {
			return d.object(depth + 1)
		}
		return d.array(depth + 1)
	case '"':
		b, bad, err := d.str()
		if err != nil {
			return nil, err
		}
		if bad != "" {
			return nil, &fieldError{msg: "text " + bad, text: true}
		}
		return string(b), nil
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	return d.number()
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		return d.syntax("invalid literal")
	}
	d.i += len(lit)
	return nil
}

// smallNumbers are 0 to 99 as values, made once: ids, counts and flags are
// mostly small.
var smallNumbers = func() (a [100]any) {
	for i := range a {
		a[i] = json.Number(strconv.Itoa(i))
	}
	return a
}()

// number reads a number as JSON writes it, keeping its text.
func (d *decoder) number() (any, error) {
	start := d.i
	end, ok := numberEnd(d.data, start)
	d.i = end
	if !ok {
		return nil, d.syntax("invalid number")
	}
	text := d.data[start:end]
	switch {
	case len(text) == 1:
		return smallNumbers[text[0]-'0'], nil
	case len(text) == 2 && text[0] != '-':
		return smallNumbers[int(text[0]-'0')*10+int(text[1]-'0')], nil
	}
	return json.Number(text), nil
}

// numberEnd reads the JSON number at data[i:]: where it ends, or where it
// stops being one (ok false).
func numberEnd(data []byte, i int) (end int, ok bool) {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !isDigit(data, i):
		return i, false
	default:
		i = skipDigits(data, i)
	}
	if i < len(data) && data[i] == '.' {
		if i++; !isDigit(data, i) {
			return i, false
		}
		i = skipDigits(data, i)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !isDigit(data, i) {
			return i, false
		}
		i = skipDigits(data, i)
	}
	return i, true
}

func isDigit(b []byte, i int) bool { return i < len(b) && b[i] >= '0' && b[i] <= '9' }

func skipDigits(b []byte, i int) int {
	for isDigit(b, i) {
		i++
	}
	return i
}

func (d *decoder) object(depth int) (any, error) {
	d.i++ // {
	start := len(d.pairs)
	d.space()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return map[string]any{}, nil
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return nil, d.syntax("want a key")
		}
		kb, bad, err := d.str()
		if err != nil {
			return nil, err
		}
		if bad != "" {
			return nil, &fieldError{msg: "a key " + bad}
		}
		key := d.key(kb)
		if d.careful {
			for _, p := range d.pairs[start:] {
				if p.k == key {
					return nil, &fieldError{msg: fmt.Sprintf("key %q appears twice", key)}
				}
			}
		}
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return nil, d.syntax("want a colon after an object key")
		}
		d.i++
		d.space()
		v, err := d.value(depth)
		if err != nil {
			return nil, under(err, step{key: key, index: -1})
		}
		d.pairs = append(d.pairs, pair{key, v})
		if more, err := d.more('}'); err != nil || !more {
			if err != nil {
				return nil, err
			}
			break
		}
	}
	// Sized once: a ticket type has hundreds of fields.
	ps := d.pairs[start:]
	m := make(map[string]any, len(ps))
	for _, p := range ps {
		m[p.k] = p.v
	}
	n := len(ps)
	clear(ps)
	d.pairs = d.pairs[:start]
	if len(m) != n {
		return nil, &fieldError{msg: "a key appears twice"} // named by the careful pass
	}
	return m, nil
}

// more reads what follows a member of an object or an element of an array:
// a comma (true), or the end of the object or array (false).
func (d *decoder) more(end byte) (bool, error) {
	d.space()
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case ',':
			d.i++
			d.space()
			return true, nil
		case end:
			d.i++
			return false, nil
		}
	}
	return false, d.syntax("want a comma or " + string(end))
}

func (d *decoder) key(b []byte) string {
	if k, ok := d.keys[string(b)]; ok {
		return k
	}
	k := string(b)
	if len(d.keys) < maxInterned && len(k) <= maxInternSize {
		d.keys[k] = k
	}
	return k
}

func (d *decoder) array(depth int) (any, error) {
	d.i++ // [
	start := len(d.elems)
	d.space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		return []any{}, nil
	}
	for n := 0; ; n++ {
		v, err := d.value(depth)
		if err != nil {
			return nil, under(err, step{index: n})
		}
		d.elems = append(d.elems, v)
		if more, err := d.more(']'); err != nil || !more {
			if err != nil {
				return nil, err
			}
			break
		}
	}
	a := slices.Clone(d.elems[start:])
	clear(d.elems[start:])
	d.elems = d.elems[:start]
	return a, nil
}

// str reads the string at d.i: its text (in data, or in d.buf when it has
// escapes, valid until the next call), and what is wrong with it as
// Unicode, or "". A syntax error anywhere in the string comes first, as the
// old token decoder found it; then invalid UTF-8, then a lone surrogate.
func (d *decoder) str() (text []byte, bad string, err error) {
	data := d.data
	start := d.i + 1
	i := start
	for i < len(data) {
		c := data[i]
		if c == '"' {
			d.i = i + 1
			return data[start:i], "", nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	buf := append(d.buf[:0], data[start:i]...)
	invalid, lone := -1, false
	for {
		if i >= len(data) {
			d.i = i
			return nil, "", d.syntax("unexpected end of JSON input")
		}
		c := data[i]
		switch {
		case c == '"':
			d.i, d.buf = i+1, buf
			switch {
			case invalid >= 0:
				bad = fmt.Sprintf("is not valid UTF-8 (byte 0x%02x)", data[invalid])
			case lone:
				bad = `holds a lone surrogate escape (\ud800 to \udfff), not valid Unicode`
			}
			return buf, bad, nil
		case c < 0x20:
			d.i = i
			return nil, "", d.syntax("invalid character in string literal")
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 && invalid < 0 {
				invalid = i
			}
			buf = append(buf, data[i:i+n]...)
			i += n
		case c != '\\':
			buf = append(buf, c)
			i++
		default:
			if i+1 >= len(data) {
				d.i = i + 1
				return nil, "", d.syntax("unexpected end of JSON input")
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(data[i+2:])
				if !ok {
					d.i = i + 2
					return nil, "", d.syntax("invalid character in \\u hexadecimal character escape")
				}
				i += 6
				if r >= 0xD800 && r < 0xDC00 && i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					if r2, ok := hex4(data[i+2:]); ok && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
					}
				}
				if r >= 0xD800 && r < 0xE000 {
					lone, r = true, utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
				continue
			default:
				d.i = i + 1
				return nil, "", d.syntax("invalid character in string escape code")
			}
			i += 2
		}
	}
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
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
