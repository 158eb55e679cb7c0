package formats

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// xmlEvents are the tokens a scan sees, text merged: start and end elements
// by local name (row and c with their r and t), and text.
func xmlEvents(toks xmlTokens) (events []string, err error) {
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			events = append(events, "text "+text.String())
			text.Reset()
		}
	}
	for {
		t, err := toks.next()
		if err != nil {
			flush()
			return events, err
		}
		switch t := t.(type) {
		case *xml.StartElement:
			flush()
			e := "<" + t.Name.Local
			if cellAttrs(t.Name.Local) {
				r, _ := lastAttr(t, "r")
				typ, _ := lastAttr(t, "t")
				e += fmt.Sprintf(" r=%q t=%q", r, typ)
			}
			events = append(events, fmt.Sprintf("%s depth %d", e, toks.level()))
		case *xml.EndElement:
			flush()
			events = append(events, fmt.Sprintf("</%s depth %d", t.Name.Local, toks.level()))
		case *xml.CharData:
			text.Write(*t)
		}
	}
}

func stdEvents(data []byte) ([]string, error) {
	dec := xml.NewDecoder(&tokenLimiter{r: bytes.NewReader(data), max: xlsxLimit.token, head: make([]byte, 0, 9)})
	return xmlEvents(&stdXML{dec: dec, max: xlsxLimit.depth})
}

func plainEvents(data []byte) ([]string, error) {
	return xmlEvents(newPlainXML(bytes.NewReader(data), int(xlsxLimit.token), xlsxLimit.depth, cellAttrs))
}

// comparePlain holds plainXML to encoding/xml on data: the same tokens,
// or, where encoding/xml stops at XML that is not well formed, the same
// tokens up to there and more (it reads on). plainXML may give up.
func comparePlain(t *testing.T, name string, data []byte) {
	std, stdErr := stdEvents(data)
	plain, plainErr := plainEvents(data)
	if errors.Is(plainErr, errNotPlain) {
		return
	}
	var limit *limitError
	if errors.As(stdErr, &limit) || errors.As(plainErr, &limit) {
		return // the limits differ by where a token starts; both refuse
	}
	if stdErr != io.EOF || plainErr != io.EOF {
		t.Fatalf("%s: encoding/xml ends with %v, plainXML with %v", name, stdErr, plainErr)
	}
	n := min(len(std), len(plain))
	for i := range n {
		if std[i] != plain[i] {
			t.Fatalf("%s: token %d: encoding/xml %.80q, plainXML %.80q", name, i, std[i], plain[i])
		}
	}
	if len(plain) < len(std) {
		t.Fatalf("%s: plainXML stops after %d tokens, encoding/xml reads %d (next %.80q)", name, len(plain), len(std), std[len(plain)])
	}
}

// On the parts of workbooks halocfg and LibreOffice write, plainXML sees
// what encoding/xml sees, and does not give up.
func TestPlainXMLAsEncodingXML(t *testing.T) {
	books := map[string][]byte{
		"golden":      golden(t, xlsxName),
		"libreoffice": readTestdata(t, "testdata", "libreoffice-resaved.xlsx"),
	}
	for name, book := range books {
		p, err := openPackage(bytes.NewReader(book), int64(len(book)), xlsxLimit)
		if err != nil {
			t.Fatal(err)
		}
		plainParts := 0
		for _, part := range p.order {
			if !strings.HasSuffix(part, ".xml") && !strings.HasSuffix(part, ".rels") {
				continue
			}
			data := zipPart(t, book, part)
			comparePlain(t, name+" "+part, data)
			if _, err := plainEvents(data); err == io.EOF {
				plainParts++
			} else if _, sheet := p.names[part]; sheet || part == sstName {
				t.Errorf("%s %s: plainXML gives up: %v", name, part, err)
			}
		}
		if plainParts < len(p.names) {
			t.Errorf("%s: plainXML read %d parts, want at least the %d sheets", name, plainParts, len(p.names))
		}
	}
}

func FuzzPlainXML(f *testing.F) {
	for _, part := range []string{"xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml", "xl/workbook.xml"} {
		f.Add(zipPart(f, seedFile(f, xlsxName), part))
	}
	f.Add(zipPart(f, readTestdata(f, "testdata", "libreoffice-resaved.xlsx"), "xl/sharedStrings.xml"))
	f.Add([]byte(`<a x='1>2' y="&lt;&#65;&#x42;"><c r="B2" t="s"><v>1</v></c>a&amp;b&#13;&#10;c` + "\r\n\r" + `</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		comparePlain(t, "input", data)
	})
}

// The plain scan and the encoding/xml scan of a sheet agree on its rows and
// cells and on what they charge to the budget.
func TestPlainAndStdSheetScansAgree(t *testing.T) {
	book := readTestdata(t, "testdata", "libreoffice-resaved.xlsx")
	for part := range mustPackage(t, book).names {
		var got [2]string
		for i, plain := range []bool{true, false} {
			p := mustPackage(t, book)
			if err := p.scanSST(); err != nil {
				t.Fatal(err)
			}
			ps, err := p.partScan(part, plain, cellAttrs)
			if err != nil {
				t.Fatal(err)
			}
			s := newSheetScan(p, part, ps, true)
			var b strings.Builder
			for {
				row, err := s.next()
				if err != nil {
					t.Fatal(err)
				}
				if row == nil {
					break
				}
				fmt.Fprintln(&b, row.n, row.cells)
			}
			ps.close()
			fmt.Fprintln(&b, "text", p.budget-p.text)
			got[i] = b.String()
		}
		if got[0] != got[1] {
			t.Errorf("%s: plain scan\n%s\nencoding/xml scan\n%s", part, got[0], got[1])
		}
	}
}

func mustPackage(t *testing.T, book []byte) *xlsxPackage {
	t.Helper()
	p, err := openPackage(bytes.NewReader(book), int64(len(book)), xlsxLimit)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
