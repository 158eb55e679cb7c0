package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// canonicals are the scratch space of Canonical, reused from value to value.
var canonicals = sync.Pool{New: func() any { return new(canonical) }}

type canonical struct {
	b    []byte
	keys []string // the keys of the objects being written, innermost last

	// Indenting as encoding/json's SetIndent: each element on a line of
	// its own, starting with prefix and indent once per level.
	pretty         bool
	prefix, indent string
}

// encode writes v into c.b, itself when it can, else with encoding/json.
func (c *canonical) encode(v any) error {
	c.b = c.b[:0]
	if c.append(v, 0) {
		return nil
	}
	clear(c.keys)
	c.keys = c.keys[:0]
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(c.prefix, c.indent)
	err := enc.Encode(v)
	c.b = append(c.b[:0], bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	return err
}

// mustEncode is encode for the values a decoder makes, which always encode.
func (c *canonical) mustEncode(v any) {
	if err := c.encode(v); err != nil {
		panic(fmt.Sprintf("snapshot: canonical encoding: %v", err))
	}
}

// done returns c to the pool, without a buffer grown huge.
func (c *canonical) done() {
	if cap(c.b) > 1<<20 {
		c.b = nil
	}
	c.pretty, c.prefix, c.indent = false, "", ""
	canonicals.Put(c)
}

// newline starts a line at the given depth, when indenting.
func (c *canonical) newline(depth int) {
	if !c.pretty {
		return
	}
	c.b = append(c.b, '\n')
	c.b = append(c.b, c.prefix...)
	for range depth {
		c.b = append(c.b, c.indent...)
	}
}

// appendCanonical writes v as Canonical does, byte for byte as
// encoding/json with sorted keys and no HTML escaping, for the values a
// decoder makes (maps, Records, slices, strings, json.Number, bools, nil);
// ok is false on anything else, and on values nested deeper than a decoder
// makes them (a cycle), for encoding/json to say what is wrong.
func (c *canonical) append(v any, depth int) (ok bool) {
	if depth > maxDepth {
		return false
	}
	switch v := v.(type) {
	case nil:
		c.b = append(c.b, "null"...)
	case string:
		c.b = appendJSONString(c.b, v)
	case json.Number:
		s := string(v)
		if s == "" {
			s = "0" // as encoding/json writes the zero Number
		}
		if end, ok := numberEnd([]byte(s), 0); !ok || end != len(s) {
			return false
		}
		c.b = append(c.b, s...)
	case bool:
		c.b = strconv.AppendBool(c.b, v)
	case []any:
		if v == nil {
			c.b = append(c.b, "null"...)
			return true
		}
		c.b = append(c.b, '[')
		for i, x := range v {
			if i > 0 {
				c.b = append(c.b, ',')
			}
			c.newline(depth + 1)
			if !c.append(x, depth+1) {
				return false
			}
		}
		if len(v) > 0 {
			c.newline(depth)
		}
		c.b = append(c.b, ']')
	case Record:
		return c.object(v, depth)
	case map[string]any:
		return c.object(v, depth)
	default:
		return false
	}
	return true
}

func (c *canonical) object(m map[string]any, depth int) bool {
	if m == nil {
		c.b = append(c.b, "null"...)
		return true
	}
	start := len(c.keys)
	for k := range m {
		c.keys = append(c.keys, k)
	}
	keys := c.keys[start:]
	slices.Sort(keys)
	c.b = append(c.b, '{')
	for i, k := range keys {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		c.newline(depth + 1)
		c.b = appendJSONString(c.b, k)
		c.b = append(c.b, ':')
		if c.pretty {
			c.b = append(c.b, ' ')
		}
		if !c.append(m[k], depth+1) {
			return false
		}
	}
	if len(keys) > 0 {
		c.newline(depth)
	}
	c.b = append(c.b, '}')
	clear(keys)
	c.keys = c.keys[:start]
	return true
}

// appendJSONString quotes s as encoding/json does without HTML escaping:
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
