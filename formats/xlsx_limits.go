package formats

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	kflate "github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// Reading a workbook costs what its XML inflates to, not what the file
// weighs: a megabyte of deflated XML can hold a gigabyte-long cell, and one
// shared string of 32,767 characters can be referenced millions of times.
// So before excelize reads anything, the reader checks:
//
//   - the zip, from its central directory (archive/zip holds each entry to
//     its declared size while inflating): at most parts entries, no name
//     twice, and everything together inflating to at most the budget,
//     floor + ratio × the file's size;
//   - each part excelize parses whole (all but worksheets and the shared
//     strings): at most otherPart, and otherParts together;
//
// and, once excelize has opened it but before it reads a sheet, streams the
// shared strings and every other part once (check): no XML token (a tag and
// its text, a comment) longer than token, no element nested deeper than
// depth, at most one shared string per 32 bytes of budget, rows and columns
// in ascending order within a spreadsheet's 1,048,576 × 16,384, no cell over
// 32,767 characters, and the cells within the budget again, each charged
// its text (a shared string at each reference) and cellCost.
//
// Worksheets and shared strings over spill bytes go to temporary files in a
// directory of the reader's own, removed however reading ends.
//
// What halocfg writes stays within these limits at any size: its cells hold
// at most 32,767 characters, inline, and its zip writer pads a workbook that
// would inflate, or whose cells would cost, beyond the budget (ratioZip).
type xlsxLimits struct {
	floor, ratio          int64 // budget: floor + ratio × file size
	cellCost              int64 // charged for a cell with a value, besides its text
	parts                 int
	otherPart, otherParts int64
	spill                 int64
	token                 int64
	depth                 int
}

// xlsxLimit are the limits halocfg reads and writes workbooks with.
var xlsxLimit = xlsxLimits{
	floor:      32 << 20,
	ratio:      32, // halocfg's own sheets deflate 5 to 15 times
	cellCost:   64, // a value read costs some 150 to 300 bytes; its XML at least 15
	parts:      10_000,
	otherPart:  1 << 20, // excelize holds a parsed part in up to 30 times its size
	otherParts: 4 << 20,
	spill:      1 << 20,
	token:      1 << 20, // a full cell is at most 32,767 × 5 bytes of XML
	depth:      64,      // a cell's text sits 7 deep
}

// budget is how many bytes a workbook of size bytes may inflate to, and how
// much cell text its sheets may hold.
func (l xlsxLimits) budget(size int64) int64 {
	if size > (math.MaxInt64-l.floor)/l.ratio {
		return math.MaxInt64
	}
	return l.floor + l.ratio*size
}

// chargeText is what the reader charges for a cell holding text v, as
// halocfg's writer writes it: its text and cellCost.
func (l xlsxLimits) chargeText(v string) int64 {
	if v == "" {
		return 0
	}
	return l.cellCost + int64(len(v))
}

// chargeNumber is what the reader charges for a cell holding a number or a
// boolean of the given text, counted as at least 32 bytes.
func (l xlsxLimits) chargeNumber(text string) int64 {
	return l.cellCost + int64(max(len(text), 32))
}

func (l xlsxLimits) budgetText(size int64) string {
	return fmt.Sprintf("%s + %d × the file's %s = %s", byteSize(l.floor), l.ratio, byteSize(size), byteSize(l.budget(size)))
}

// byteSize is n bytes for people.
func byteSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		switch {
		case n >= u.size && n%u.size == 0:
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		case n >= u.size:
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// xlsxPackage is a workbook's zip, checked, and what its sheets may still cost.
type xlsxPackage struct {
	l      xlsxLimits
	size   int64
	budget int64
	text   int64                // cell text the sheets may still hold
	parts  map[string]*zip.File // by the name excelize stores the part under
	order  []string             // part names in zip order
	names  map[string]string    // part -> the sheet it holds, for messages
	sheets map[string]string    // sheet -> its part
	list   []string             // sheet names in the workbook's order
	sst    []uint32             // bytes of each shared string
	// notPlain: the parts plainXML gave up on, read with encoding/xml
	notPlain map[string]bool
}

// openPackage checks a workbook's zip, of size bytes, before anything of it
// is read; it reads the zip's parts from r when they are read, never the
// file whole.
func openPackage(r io.ReaderAt, size int64, l xlsxLimits) (*xlsxPackage, error) {
	if size == 0 {
		return nil, errors.New("empty file, not an XLSX workbook")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	zr.RegisterDecompressor(zip.Deflate, kflate.NewReader) // twice as fast as compress/flate
	p := &xlsxPackage{l: l, size: size, parts: map[string]*zip.File{}, notPlain: map[string]bool{}}
	p.budget = l.budget(p.size)
	p.text = p.budget
	if len(zr.File) > l.parts {
		return nil, fmt.Errorf("the zip holds %d parts, more than the %d halocfg reads", len(zr.File), l.parts)
	}
	for _, f := range zr.File {
		name := partName(f.Name)
		if _, dup := p.parts[name]; dup {
			return nil, fmt.Errorf("the zip holds part %q twice", name)
		}
		p.parts[name] = f
		p.order = append(p.order, name)
	}
	p.nameSheets()
	var total, other int64
	for _, name := range p.order {
		size := int64(min(p.parts[name].UncompressedSize64, math.MaxInt64))
		if total += min(size, math.MaxInt64-total); total > p.budget {
			return nil, fmt.Errorf("%s inflates to %s, bringing the workbook to %s, more than the %s halocfg reads from a file of its size (%s)",
				p.describe(name), byteSize(size), byteSize(total), byteSize(p.budget), l.budgetText(p.size))
		}
		if spilled(name) {
			continue
		}
		if size > l.otherPart {
			return nil, fmt.Errorf("%s inflates to %s, more than the %s halocfg reads from a part other than a worksheet or the shared strings",
				p.describe(name), byteSize(size), byteSize(l.otherPart))
		}
		if other += size; other > l.otherParts {
			return nil, fmt.Errorf("the parts other than worksheets and the shared strings inflate to more than %s (%s brings them to %s)",
				byteSize(l.otherParts), p.describe(name), byteSize(other))
		}
	}
	return p, nil
}

// describe names a part in a message: by its sheet where it holds one.
func (p *xlsxPackage) describe(part string) string {
	if sheet, ok := p.names[part]; ok {
		return fmt.Sprintf("sheet %q", sheet)
	}
	if part == sstName {
		return "the shared-string table (" + sstName + ")"
	}
	return fmt.Sprintf("part %q", part)
}

// partName is the name excelize stores a zip entry under.
func partName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	switch strings.ToLower(name) {
	case "[content_types].xml":
		return "[Content_Types].xml"
	case "xl/sharedstrings.xml":
		return sstName
	}
	return name
}

const sstName = "xl/sharedStrings.xml"

// spilled reports whether excelize reads the part from a temporary file
// when it is large, rather than parsing it whole: worksheets and the shared strings.
func spilled(name string) bool {
	return name == sstName || strings.HasPrefix(strings.ToLower(name), "xl/worksheets/sheet")
}

// check streams the shared strings, then every other part as a sheet,
// before any is read: a workbook's relationships may name any part as a
// sheet, so every part is checked, not only those named. A part that is
// not XML ends its scan where reading it as a sheet would end too.
func (p *xlsxPackage) check() error {
	if err := p.scanSST(); err != nil {
		return err
	}
	for _, part := range p.order {
		if part == sstName {
			continue
		}
		if err := p.checkSheet(part); err != nil {
			return err
		}
	}
	return nil
}

// nameSheets finds the part of each sheet the way excelize does (root
// relationships -> workbook -> its relationships), for messages and for
// cellTypes. Safety does not rest on it: check scans every part.
func (p *xlsxPackage) nameSheets() {
	p.names, p.sheets = map[string]string{}, map[string]string{}
	wbPath := ""
	for _, rel := range p.rels("_rels/.rels") {
		if rel.Type == excelize.SourceRelationshipOfficeDocument || rel.Type == excelize.StrictSourceRelationshipOfficeDocument {
			wbPath = strings.TrimPrefix(rel.Target, "/")
			break
		}
	}
	relsPath := "_rels/" + filepath.Base(wbPath) + ".rels"
	if dir := filepath.Dir(wbPath); dir != "." {
		relsPath = strings.TrimPrefix(dir+"/_rels/"+filepath.Base(wbPath)+".rels", "/")
	}
	targets := map[string]string{}
	for _, rel := range p.rels(relsPath) {
		target := filepath.Dir(wbPath) + "/" + rel.Target
		if strings.HasPrefix(rel.Target, "/") {
			target = rel.Target
		}
		targets[rel.ID] = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(target)), "/")
	}
	var wb struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	p.decodeSmall(wbPath, &wb)
	for _, sh := range wb.Sheets {
		p.list = append(p.list, sh.Name)
		for _, a := range sh.Attr {
			part := targets[a.Value]
			if a.Name.Local != "id" || a.Name.Space == "" || part == "" {
				continue
			}
			if _, ok := p.names[part]; !ok {
				p.names[part] = sh.Name
			}
			if _, ok := p.sheets[sh.Name]; !ok {
				p.sheets[sh.Name] = part
			}
		}
	}
}

// sheetPart is the part of a sheet, or "".
func (p *xlsxPackage) sheetPart(sheet string) string {
	if part, ok := p.sheets[sheet]; ok {
		return part
	}
	for name, part := range p.sheets {
		if strings.EqualFold(name, sheet) {
			return part
		}
	}
	return ""
}

type xlsxRel struct {
	ID     string `xml:"Id,attr"`
	Target string `xml:"Target,attr"`
	Type   string `xml:"Type,attr"`
}

func (p *xlsxPackage) rels(part string) []xlsxRel {
	var rels struct {
		Rel []xlsxRel `xml:"Relationship"`
	}
	p.decodeSmall(part, &rels)
	return rels.Rel
}

// decodeSmall decodes a part no larger than otherPart into v, as far as it
// is well formed.
func (p *xlsxPackage) decodeSmall(part string, v any) {
	f, ok := p.parts[part]
	if !ok || f.UncompressedSize64 > uint64(p.l.otherPart) {
		return
	}
	rc, err := f.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	xml.NewDecoder(io.LimitReader(rc, p.l.otherPart)).Decode(v)
}

// ratioZip is the zip writer of halocfg's workbooks. It keeps what it writes
// within the budget the reader allows: should the workbook so far inflate
// beyond floor + ratio × its deflated size (text that repeats and repeats),
// or its cells, once all is written, cost more, it pads the part just
// written with empty deflate blocks, which inflate to nothing.
type ratioZip struct {
	*zip.Writer
	l             xlsxLimits
	cost          int64 // what the reader will charge for the cells
	plain, packed int64 // bytes written in, and out of the deflater, so far
	closing       bool  // the part being closed is the last
}

func newRatioZip(w io.Writer, l xlsxLimits, cost int64) *ratioZip {
	z := &ratioZip{Writer: zip.NewWriter(w), l: l, cost: cost}
	z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		out := &countWriter{w: w}
		fw, err := kflate.NewWriter(out, 5) // archive/zip's level; klauspost's deflater is twice as fast
		return &ratioDeflater{z: z, fw: fw, out: out}, err
	})
	return z
}

func (z *ratioZip) Close() error {
	z.closing = true
	return z.Writer.Close()
}

type ratioDeflater struct {
	z   *ratioZip
	fw  *kflate.Writer
	out *countWriter
	in  int64
}

func (d *ratioDeflater) Write(p []byte) (int, error) {
	n, err := d.fw.Write(p)
	d.in += int64(n)
	return n, err
}

func (d *ratioDeflater) Close() error {
	z := d.z
	need := z.plain + d.in
	if z.closing {
		need = max(need, z.cost)
	}
	for need > z.l.budget(z.packed+d.out.n) {
		was := d.out.n
		if err := d.fw.Flush(); err != nil {
			return err
		}
		if d.out.n == was {
			return errors.New("deflate: a flush wrote nothing")
		}
	}
	err := d.fw.Close()
	z.plain, z.packed = z.plain+d.in, z.packed+d.out.n
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// inTempDir runs fn with a new directory for excelize's temporary files,
// removed when fn returns, fails or panics: excelize leaves behind what it
// spilled when opening fails, and whatever a panic interrupts.
func inTempDir(fn func(dir string) error) error {
	dir, err := os.MkdirTemp("", "halocfg-xlsx-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return fn(dir)
}
