package formats

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// plainXML tokenizes the XML spreadsheet programs write, several times
// faster than encoding/xml: elements, attributes in double or single quotes,
// text with the five named entities and character references, processing
// instructions. On anything else (a comment, CDATA, a DOCTYPE, an unknown
// entity, a '<' in an attribute, an encoding other than UTF-8) it gives up
// with errNotPlain, and the part is scanned again with encoding/xml. It
// yields what encoding/xml's RawToken yields for such XML, except that a
// text may come in several CharData, that StartElement carries attributes
// only for the elements attrsOf names, and that it does not stop at
// characters XML forbids (so it reads on where encoding/xml, and excelize,
// would stop: it checks more, never less).
type plainXML struct {
	src     io.Reader
	buf     []byte
	pos     int
	eof     bool
	max     int
	depth   int
	maxDeep int
	attrsOf func(local string) bool
	ended   bool   // a <x/> was just returned: its end comes next
	text    []byte // decoded text
	attrs   []xml.Attr
	// the token returned, as a pointer: a value in an xml.Token would
	// take an allocation each
	st xml.StartElement
	et xml.EndElement
	cd xml.CharData
}

var errNotPlain = errors.New("not plain XML")

func newPlainXML(r io.Reader, max, maxDepth int, attrsOf func(string) bool) *plainXML {
	return &plainXML{src: r, buf: make([]byte, 0, min(max+1, 64<<10)), max: max, maxDeep: maxDepth, attrsOf: attrsOf}
}

// more reads more input, keeping what is left from pos.
func (x *plainXML) more() error {
	if x.eof {
		return io.EOF
	}
	if x.pos > 0 {
		x.buf = x.buf[:copy(x.buf, x.buf[x.pos:])]
		x.pos = 0
	}
	if len(x.buf) == cap(x.buf) { // a token longer than the buffer
		if len(x.buf) > x.max {
			return &limitError{fmt.Sprintf("an XML token (a tag and its text, or a comment) longer than %s", byteSize(int64(x.max)))}
		}
		x.buf = append(x.buf, make([]byte, min(len(x.buf), x.max+1-len(x.buf)))...)[:len(x.buf)]
	}
	n, err := x.src.Read(x.buf[len(x.buf):cap(x.buf)])
	x.buf = x.buf[:len(x.buf)+n]
	if err == io.EOF {
		x.eof = true
		return nil
	}
	return err
}

func (x *plainXML) level() int { return x.depth }

func (x *plainXML) next() (xml.Token, error) {
	if x.ended {
		x.ended = false
		x.depth--
		x.et = xml.EndElement{Name: x.st.Name}
		return &x.et, nil
	}
	for {
		// text up to the next '<', as much as is read
		if x.pos == len(x.buf) {
			err := x.more()
			if err == nil && x.pos == len(x.buf) {
				err = io.EOF
			}
			if err == io.EOF && x.depth > 0 {
				return nil, errNotPlain // cut short: encoding/xml says so
			}
			if err != nil {
				return nil, err
			}
		}
		rest := x.buf[x.pos:]
		if rest[0] != '<' {
			i := bytes.IndexByte(rest, '<')
			if i < 0 && !x.eof && len(rest) <= x.max {
				if err := x.more(); err != nil {
					return nil, err
				}
				continue
			}
			if i < 0 {
				i = len(rest)
			}
			if i > x.max {
				return nil, &limitError{fmt.Sprintf("an XML token (a tag and its text, or a comment) longer than %s", byteSize(int64(x.max)))}
			}
			x.pos += i
			return x.charData(rest[:i])
		}
		// a tag: up to '>' outside quotes
		end, quote := -1, byte(0)
		for i := 1; i < len(rest); i++ {
			switch c := rest[i]; {
			case quote != 0:
				if c == quote {
					quote = 0
				} else if c == '<' {
					return nil, errNotPlain
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				end = i
			}
			if end >= 0 {
				break
			}
		}
		if end < 0 {
			if x.eof {
				return nil, errNotPlain // a tag cut short: encoding/xml says so
			}
			if err := x.more(); err != nil {
				return nil, err
			}
			continue
		}
		tag := rest[1:end]
		x.pos += end + 1
		if len(tag) == 0 {
			return nil, errNotPlain
		}
		switch tag[0] {
		case '?':
			if err := x.procInst(tag); err != nil {
				return nil, err
			}
			continue
		case '!':
			return nil, errNotPlain
		case '/':
			x.depth--
			x.et = xml.EndElement{Name: xmlName(bytes.TrimRight(tag[1:], " \t\r\n"))}
			return &x.et, nil
		}
		return x.startElement(tag)
	}
}

// procInst accepts the XML declaration of a UTF-8 document.
func (x *plainXML) procInst(tag []byte) error {
	if len(tag) < 2 || tag[len(tag)-1] != '?' {
		return errNotPlain
	}
	i := bytes.Index(tag, []byte("encoding"))
	if i < 0 {
		return nil
	}
	enc := bytes.Fields(bytes.TrimPrefix(tag[i:], []byte("encoding=")))
	if len(enc) == 0 || !bytes.EqualFold(bytes.Trim(enc[0], `"'?`), []byte("utf-8")) {
		return errNotPlain
	}
	return nil
}

// cellNames are the names of every cell, named without allocating.
var cellNames = map[string]xml.Name{"c": {Local: "c"}, "v": {Local: "v"}, "row": {Local: "row"}, "is": {Local: "is"}, "t": {Local: "t"}, "si": {Local: "si"}}

func xmlName(b []byte) xml.Name {
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		return xml.Name{Space: string(b[:i]), Local: string(b[i+1:])}
	}
	if n, ok := cellNames[string(b)]; ok {
		return n
	}
	return xml.Name{Local: string(b)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func (x *plainXML) startElement(tag []byte) (xml.Token, error) {
	if !utf8.Valid(tag) {
		return nil, errNotPlain // encoding/xml says where
	}
	selfClosing := tag[len(tag)-1] == '/'
	if selfClosing {
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && !isSpace(tag[n]) {
		n++
	}
	e := xml.StartElement{Name: xmlName(tag[:n])}
	if x.attrsOf(e.Name.Local) {
		x.attrs = x.attrs[:0]
		for rest := tag[n:]; ; {
			rest = bytes.TrimLeft(rest, " \t\r\n")
			if len(rest) == 0 {
				break
			}
			eq := bytes.IndexByte(rest, '=')
			if eq < 0 {
				return nil, errNotPlain
			}
			name := bytes.TrimRight(rest[:eq], " \t\r\n")
			rest = bytes.TrimLeft(rest[eq+1:], " \t\r\n")
			if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
				return nil, errNotPlain
			}
			q := bytes.IndexByte(rest[1:], rest[0])
			if q < 0 {
				return nil, errNotPlain
			}
			value, err := x.decode(rest[1 : 1+q])
			if err != nil {
				return nil, err
			}
			x.attrs = append(x.attrs, xml.Attr{Name: xmlName(name), Value: string(value)})
			rest = rest[2+q:]
		}
		e.Attr = x.attrs
	}
	if x.depth++; x.depth > x.maxDeep {
		return nil, &limitError{fmt.Sprintf("elements nested more than %d deep", x.maxDeep)}
	}
	x.ended = selfClosing
	x.st = e
	return &x.st, nil
}

func (x *plainXML) charData(raw []byte) (xml.Token, error) {
	if !utf8.Valid(raw) {
		return nil, errNotPlain // encoding/xml says where
	}
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		x.cd = raw
		return &x.cd, nil
	}
	text, err := x.decode(raw)
	x.cd = text
	return &x.cd, err
}

var xmlEntities = map[string]byte{"lt": '<', "gt": '>', "amp": '&', "apos": '\'', "quot": '"'}

// decode resolves entities and character references, and turns \r\n and \r
// into \n, as encoding/xml does.
func (x *plainXML) decode(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return raw, nil
	}
	out := x.text[:0]
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			out = append(out, raw...)
			break
		}
		out, raw = append(out, raw[:i]...), raw[i:]
		if raw[0] == '\r' {
			out = append(out, '\n')
			raw = bytes.TrimPrefix(raw[1:], []byte{'\n'})
			continue
		}
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return nil, errNotPlain
		}
		ent := raw[1:semi]
		raw = raw[semi+1:]
		if b, ok := xmlEntities[string(ent)]; ok {
			out = append(out, b)
			continue
		}
		if len(ent) < 2 || ent[0] != '#' {
			return nil, errNotPlain
		}
		base, digits := 10, ent[1:]
		if digits[0] == 'x' {
			base, digits = 16, digits[1:]
		}
		n, err := strconv.ParseUint(string(digits), base, 32)
		if err != nil || n > utf8.MaxRune {
			return nil, errNotPlain
		}
		out = utf8.AppendRune(out, rune(n))
	}
	x.text = out
	return out, nil
}
