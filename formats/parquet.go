package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/halocfg/halocfg/snapshot"
)

// Parquet writes parquet/<kind>.parquet for engines (DuckDB, pandas, Spark):
// one flat column per field, typed from the data (INT64, DOUBLE, BOOLEAN,
// STRING; nested values and mixed-type fields as STRING with the JSON logical
// type), every column optional so that null is null, zstd, bounded row groups.
//
// The columns keep the fields' order (the kind's schema order), and the last
// one, _halocfg, says what a typed cell cannot: a JSON object that is null
// on every row that needs no note. Each column has a default for the rest:
// what its null cells mean (null, or a field absent from the record, when
// most records lack it) and, for a DOUBLE column, how its numbers are
// written (24 or, as Halo writes doubles, 24.0). A row notes only where it
// differs: {"absent": [fields absent although the column's null means null],
// "null": [fields null although the column's null means absent], "exact":
// {field: number text the column's style does not reproduce, e.g. "1E-07"}}.
// The key-value metadata carries the kind, source, snapshot time, the field
// order, the columns whose null means absent (halocfg.absent), the dotted
// DOUBLE columns (halocfg.dotted) and the format version.
type Parquet struct{}

func (Parquet) Name() string { return "parquet" }

func (Parquet) Owns(rel string) bool { return strings.HasPrefix(rel, "parquet/") }

// The sizes the writer keeps to. The reader's bounds (pqcheck.go) are
// derived from them, so that every file the writer can write is one the
// reader accepts, whatever the size of the text in it.
const (
	// A row group ends at parquetGroupRows rows or once its values add up to
	// parquetGroupBytes, whichever comes first: the writer holds a whole row
	// group in memory, and a Halo ticket type has 300 fields.
	parquetGroupRows  = 10000
	parquetGroupBytes = 8 << 20
	// parquetPageBytes is the page buffer: parquet-go ends a column's page
	// once the values buffered for it reach this (a page holds at least one value).
	parquetPageBytes = 256 << 10
	// parquetMaxCellBytes bounds one cell: a string, the JSON text of a nested
	// value, a row's notes. halo reads answers of at most 256 MiB, so no
	// field of a record it fetched is longer.
	parquetMaxCellBytes = 256 << 20
	// parquetStatBytes: a text column has min/max statistics only when none
	// of its values is longer. parquet-go copies min and max whole into the
	// footer (per row group) and into every page header (twice), and cannot
	// truncate them; the Parquet spec lets a writer leave them out, and no
	// query filters on the range of an email body.
	parquetStatBytes = 1 << 10
	// parquetMaxFooterBytes bounds the footer: the writer checks the footer
	// it wrote, the reader refuses a longer one before reading it.
	parquetMaxFooterBytes = 64 << 20
)

const (
	notesColumn  = "_halocfg"
	pqKeyVersion = "halocfg.format_version"
	pqKeyKind    = "halocfg.kind"
	pqKeySource  = "halocfg.source"
	pqKeyCreated = "halocfg.created_at"
	pqKeyFields  = "halocfg.fields"
	pqKeyTool    = "halocfg.tool"
	pqKeyAbsent  = "halocfg.absent"
	pqKeyDotted  = "halocfg.dotted"
	// pqFormatVersion 2 added the columns' defaults (halocfg.absent,
	// halocfg.dotted): a reader of version 1 would take an absent field
	// for null and 24.0 for 24, so it must refuse version 2.
	pqFormatVersion = "2"
	// parquetBatchRows is how many rows the writer hands parquet-go at a
	// time, and the reader takes from it (not yet decoded: their cells
	// point into the pages the reader holds anyway).
	parquetBatchRows = 64
)

func parquetPath(kind string) string { return path.Join("parquet", kind+".parquet") }

// rowNotes is what a typed row cannot carry in its cells.
type rowNotes struct {
	Absent []string          `json:"absent,omitempty"`
	Null   []string          `json:"null,omitempty"`
	Exact  map[string]string `json:"exact,omitempty"`
}

func (n *rowNotes) empty() bool { return n.Absent == nil && n.Null == nil && n.Exact == nil }

// pqColumns is how a kind's fields lie in the columns of its file.
type pqColumns struct {
	cols   []column
	absent map[string]bool // columns whose null cell is a field absent from the record
	dotted map[string]bool // DOUBLE columns whose whole numbers are written 24.0
}

// pqDefaults picks each column's defaults from what the scan saw: a null
// cell means absent when more records lack the field than hold null, and a
// DOUBLE column is dotted when more of its numbers are written 24.0 than 24.
func pqDefaults(cols []column, sc *kindScan) pqColumns {
	l := pqColumns{cols: cols, absent: map[string]bool{}, dotted: map[string]bool{}}
	for _, c := range cols {
		f := sc.fields[c.Name]
		if sc.n-f.present > f.null {
			l.absent[c.Name] = true
		}
		if c.Type == colFloat && f.dotted > f.plain {
			l.dotted[c.Name] = true
		}
	}
	return l
}

// names lists the columns set in m, in column order, as JSON.
func (l pqColumns) names(m map[string]bool) string {
	out := []string{}
	for _, c := range l.cols {
		if m[c.Name] {
			out = append(out, c.Name)
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// orderedGroup is a parquet.Group that keeps its columns in the order
// given; parquet.Group sorts them by name, which put _halocfg first.
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func newOrderedGroup(names []string, nodes []parquet.Node) orderedGroup {
	g := parquet.Group{}
	for i, name := range names {
		g[name] = nodes[i]
	}
	byName := map[string]parquet.Field{}
	for _, f := range g.Fields() {
		byName[f.Name()] = f
	}
	fields := make([]parquet.Field, len(names))
	for i, name := range names {
		fields[i] = byName[name]
	}
	return orderedGroup{Group: g, fields: fields}
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

func (Parquet) Write(src Source, dst Creator) error {
	return src.Kinds(func(kind string, recs Records) error {
		rel := parquetPath(kind)
		if err := writeParquetFile(src.Manifest, kind, recs, dst, rel); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		return nil
	})
}

// writeParquetFile runs recs twice: once to learn the columns (types,
// defaults, which take statistics), once to write the rows, a row group
// at a time. It holds one record and one row group, not the kind.
func writeParquetFile(m snapshot.Manifest, kind string, recs Records, dst Creator, rel string) error {
	sc, err := scanKind(kind, recs)
	if err != nil {
		return err
	}
	sc.ids, sc.head = nil, nil
	cols := sc.columns()
	fields := make([]string, len(cols), len(cols)+1)
	nodes := make([]parquet.Node, len(cols), len(cols)+1)
	for i, c := range cols {
		if c.Name == notesColumn || c.Name == "" {
			return fmt.Errorf("field name %q cannot be a Parquet column here", c.Name)
		}
		if c.Type == colNull {
			cols[i].Type = schemaType(kind, c.Name)
		}
		fields[i], nodes[i] = c.Name, parquet.Optional(parquetNode(cols[i].Type))
	}
	order, _ := json.Marshal(fields)
	schema := parquet.NewSchema(kind, newOrderedGroup(append(fields, notesColumn), append(nodes, parquet.Optional(parquet.JSON()))))
	l := pqDefaults(cols, sc)

	opts := []parquet.WriterOption{
		parquet.Compression(pqCodec),
		parquet.MaxRowsPerRowGroup(parquetGroupRows),
		parquet.PageBufferSize(parquetPageBytes),
		parquet.CreatedBy("halocfg", m.Tool, ""),
		parquet.KeyValueMetadata(pqKeyVersion, pqFormatVersion),
		parquet.KeyValueMetadata(pqKeyKind, kind),
		parquet.KeyValueMetadata(pqKeySource, m.Source),
		parquet.KeyValueMetadata(pqKeyCreated, m.CreatedAt.UTC().Format(time.RFC3339Nano)),
		parquet.KeyValueMetadata(pqKeyTool, m.Tool),
		parquet.KeyValueMetadata(pqKeyFields, string(order)),
		parquet.KeyValueMetadata(pqKeyAbsent, l.names(l.absent)),
		parquet.KeyValueMetadata(pqKeyDotted, l.names(l.dotted)),
	}
	unbounded := unboundedColumns(cols, sc)
	for name := range unbounded {
		opts = append(opts, parquet.SkipPageStatistics(name), parquet.SkipPageBounds(name))
	}
	pages, err := newPQPages()
	if err != nil {
		return err
	}
	defer pages.close()
	opts = append(opts, parquet.ColumnPageBuffers(pages))
	f, err := dst.Create(rel)
	if err != nil {
		return err
	}
	out := &tailWriter{w: f}
	w := parquet.NewWriter(out, append(opts, schema)...)
	batch := make([]parquet.Row, 0, parquetBatchRows)
	flush := func() error {
		_, err := w.WriteRows(batch)
		batch = batch[:0]
		return err
	}
	groupBytes, n := 0, 0
	err = recs(func(r snapshot.Record) error {
		n++
		row, size, err := l.row(r)
		if err != nil {
			return fmt.Errorf("%s record %d (id %s), %w", kind, n, r.ID(), err)
		}
		groupBytes += size
		if batch = append(batch, row); len(batch) == cap(batch) || groupBytes >= parquetGroupBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		if groupBytes >= parquetGroupBytes {
			if err := w.Flush(); err != nil {
				return err
			}
			groupBytes = 0
		}
		return nil
	})
	if err == nil && n != sc.n {
		err = fmt.Errorf("%s: %d records on the second read, %d on the first", kind, n, sc.n)
	}
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		// All rows are out; what comes now is the page index and the footer.
		out.hold = true
		err = w.Close()
	}
	if err == nil {
		err = out.finish(unbounded)
	}
	if err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// row lays a record out as a row (a column per field in order, the notes
// last), with the bytes its values take.
func (l pqColumns) row(r snapshot.Record) (parquet.Row, int, error) {
	row := make(parquet.Row, len(l.cols)+1)
	var notes rowNotes
	size, held := 0, 0
	for i, c := range l.cols {
		v, present := r[c.Name]
		if present {
			held++
		}
		switch {
		case !present && !l.absent[c.Name]:
			notes.Absent = append(notes.Absent, c.Name)
		case present && v == nil && l.absent[c.Name]:
			notes.Null = append(notes.Null, c.Name)
		}
		if s, ok := v.(string); ok && len(s) > parquetMaxCellBytes { // refused before it is copied
			return nil, 0, cellTooLong(c.Name, len(s))
		}
		pv, ok := parquetValue(c.Type, v, &notes, c.Name, l.dotted[c.Name])
		if !ok {
			return nil, 0, fmt.Errorf("field %q: a %s value no longer fits its %s column (the file changed while it was read)", c.Name, valueType(v), c.Type)
		}
		row[i] = pv.Level(0, defLevel(v), i)
		n := cellBytes(row[i])
		if n > parquetMaxCellBytes {
			return nil, 0, cellTooLong(c.Name, n)
		}
		size += 8 + n
	}
	if held != len(r) {
		return nil, 0, fmt.Errorf("%d of its fields have no column (the file changed while it was read)", len(r)-held)
	}
	i, nv, def := len(l.cols), parquet.NullValue(), 0
	if !notes.empty() {
		b, _ := json.Marshal(notes)
		if len(b) > parquetMaxCellBytes {
			return nil, 0, cellTooLong(notesColumn, len(b))
		}
		nv, def = parquet.ByteArrayValue(b), 1
	}
	row[i] = nv.Level(0, def, i)
	return row, size + 8 + cellBytes(row[i]), nil
}

// cellBytes is the length of a text cell, 0 for others.
func cellBytes(v parquet.Value) int {
	if v.IsNull() || v.Kind() != parquet.ByteArray {
		return 0
	}
	return len(v.ByteArray())
}

func cellTooLong(field string, n int) error {
	return fmt.Errorf("field %q: %d bytes; a Parquet cell holds at most %d MiB", field, n, parquetMaxCellBytes>>20)
}

// unboundedColumns are the columns written without min/max statistics: JSON
// text and the notes (a range of JSON helps no query), and text columns
// holding a value longer than parquetStatBytes.
func unboundedColumns(cols []column, sc *kindScan) map[string]bool {
	out := map[string]bool{notesColumn: true}
	for _, c := range cols {
		switch c.Type {
		case colJSON, colNull:
			out[c.Name] = true
		case colString:
			if sc.fields[c.Name].long {
				out[c.Name] = true
			}
		}
	}
	return out
}

// defLevel is the definition level of an optional column: 0 for null.
func defLevel(v any) int {
	if v == nil {
		return 0
	}
	return 1
}

func parquetNode(t colType) parquet.Node {
	switch t {
	case colInt:
		return parquet.Leaf(parquet.Int64Type)
	case colFloat:
		return parquet.Leaf(parquet.DoubleType)
	case colBool:
		return parquet.Leaf(parquet.BooleanType)
	case colString:
		return parquet.String()
	}
	return parquet.JSON()
}

// parquetValue converts a record value to its cell; nil is null. It
// reports false for a value the column's type cannot hold: a file read
// twice that changed between the reads.
func parquetValue(t colType, v any, notes *rowNotes, field string, dotted bool) (parquet.Value, bool) {
	if v == nil {
		return parquet.NullValue(), true
	}
	switch t {
	case colInt:
		n, _ := v.(json.Number)
		i, ok := snapshot.CanonicalInt(string(n))
		return parquet.Int64Value(i), ok
	case colFloat:
		n, _ := v.(json.Number)
		f, ok := finiteFloat(n)
		if !ok {
			return parquet.Value{}, false
		}
		if ex := exactText(n, dotted); ex != "" {
			if notes.Exact == nil {
				notes.Exact = map[string]string{}
			}
			notes.Exact[field] = ex
		}
		return parquet.DoubleValue(f), true
	case colBool:
		b, ok := v.(bool)
		return parquet.BooleanValue(b), ok
	case colString:
		s, ok := v.(string)
		return parquet.ByteArrayValue([]byte(s)), ok
	}
	return parquet.ByteArrayValue(snapshot.Canonical(v)), true
}

func (x Parquet) Each(dir string, fn func(kind string, recs []snapshot.Record) error) error {
	return eachOf(x, dir, fn)
}

func (Parquet) Stream(dir string, fn func(kind string, recs Records) error) error {
	return streamFiles(dir, fn, parquetPath, func(rel, kind string) Records { return parquetRecords(dir, rel, kind) })
}

// parquetRecords streams a kind's file a batch of rows at a time, opening
// it anew on each run: it holds the footer and one batch, not the file.
func parquetRecords(dir, rel, kind string) Records {
	return func(yield func(snapshot.Record) error) error {
		f, size, err := openSized(dir, rel)
		if err != nil {
			return err
		}
		defer f.Close()
		name := filepath.Join(dir, filepath.FromSlash(rel))
		err = eachParquet(f, size, kind, yield)
		var fe *pqFileError
		if errors.As(err, &fe) {
			return fmt.Errorf("%s: %w", name, fe.err)
		}
		return err
	}
}

// pqFileError is an error of the file, as opposed to one of yield.
type pqFileError struct{ err error }

func (e *pqFileError) Error() string { return e.err.Error() }

// readParquet decodes one kind's file whole.
func readParquet(r io.ReaderAt, size int64, kind string) ([]snapshot.Record, error) {
	recs := []snapshot.Record{}
	err := eachParquet(r, size, kind, func(rec snapshot.Record) error { recs = append(recs, rec); return nil })
	var fe *pqFileError
	if errors.As(err, &fe) {
		return nil, fe.err
	}
	return recs, err
}

// eachParquet decodes one kind's file, handing yield its records in the
// file's order, one at a time; the file's errors come as *pqFileError.
func eachParquet(r io.ReaderAt, size int64, kind string, yield func(snapshot.Record) error) error {
	p, err := openParquet(r, size, kind)
	if err != nil {
		return &pqFileError{err}
	}
	defer p.close()
	for {
		rec, err := p.next()
		if err != nil {
			return &pqFileError{err}
		}
		if rec == nil {
			return nil
		}
		if err := yield(rec); err != nil {
			return err
		}
	}
}

// pqColumn is how a Parquet leaf column turns back into field values.
type pqColumn struct {
	name   string
	kind   parquet.Kind
	json   bool // BYTE_ARRAY with the JSON logical type
	absent bool // a null cell is a field absent from the record
	dotted bool // whole numbers are written 24.0
}

// pqReader reads a kind's file row group by row group, parquetBatchRows
// rows at a time, and decodes a row into a record only when asked for it:
// a decoded record takes ten times its cells (maps, strings, JSON values),
// so a batch of decoded records was most of what reading a wide kind held.
// parquet-go panics on some malformed files: its calls recover, and the
// panic becomes an error.
type pqReader struct {
	pf      *parquet.File
	cols    []pqColumn
	notesAt int
	group   int          // the next row group
	rows    parquet.Rows // of the row group being read, or nil
	buf     []parquet.Row
	at, end int   // buf[at:end] are the rows read but not decoded
	n       int64 // rows decoded
}

func notReadable(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("not a readable Parquet file (%v)", r)
	}
}

func openParquet(r io.ReaderAt, size int64, kind string) (_ *pqReader, err error) {
	defer notReadable(&err)
	if size == 0 {
		return nil, errors.New("empty file, not a Parquet file")
	}
	// A full scan needs no page index or bloom filter; skipping them also
	// skips allocations sized by fields of a possibly corrupt footer.
	if err := checkFooter(r, size); err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	if err := checkChunks(pf, r, size); err != nil {
		return nil, err
	}
	meta := func(key string) string { v, _ := pf.Lookup(key); return v }
	if v := meta(pqKeyVersion); v != "1" && v != pqFormatVersion {
		if v == "" {
			return nil, fmt.Errorf("not written by halocfg (no %s metadata)", pqKeyVersion)
		}
		return nil, fmt.Errorf("%s %q is not supported (this halocfg reads 1 to %s)", pqKeyVersion, v, pqFormatVersion)
	}
	if k := meta(pqKeyKind); k != kind {
		return nil, fmt.Errorf("holds kind %q, want %q", k, kind)
	}
	var fields []string
	if err := json.Unmarshal([]byte(meta(pqKeyFields)), &fields); err != nil {
		return nil, fmt.Errorf("metadata %s: %w", pqKeyFields, err)
	}

	cols, err := parquetColumns(pf.Schema())
	if err != nil {
		return nil, err
	}
	byName := map[string]int{}
	for i, c := range cols {
		byName[c.name] = i
	}
	notesAt, ok := byName[notesColumn]
	if !ok || !cols[notesAt].json {
		return nil, fmt.Errorf("wrong schema: no JSON column %s", notesColumn)
	}
	for _, name := range fields {
		if _, ok := byName[name]; !ok || name == notesColumn {
			return nil, fmt.Errorf("wrong schema: field %q of the metadata has no column", name)
		}
	}
	if len(fields)+1 != len(cols) {
		return nil, fmt.Errorf("wrong schema: %d columns for %d fields", len(cols), len(fields))
	}
	for _, d := range []struct {
		key string
		set func(c *pqColumn)
	}{
		{pqKeyAbsent, func(c *pqColumn) { c.absent = true }},
		{pqKeyDotted, func(c *pqColumn) { c.dotted = true }},
	} {
		v := meta(d.key)
		if v == "" {
			continue // version 1: no defaults
		}
		var names []string
		if err := json.Unmarshal([]byte(v), &names); err != nil {
			return nil, fmt.Errorf("metadata %s: %w", d.key, err)
		}
		for _, name := range names {
			i, ok := byName[name]
			if !ok || i == notesAt {
				return nil, fmt.Errorf("metadata %s: field %q has no column", d.key, name)
			}
			d.set(&cols[i])
		}
	}
	return &pqReader{pf: pf, cols: cols, notesAt: notesAt, buf: make([]parquet.Row, parquetBatchRows)}, nil
}

// next decodes the next row; nil after the last.
func (p *pqReader) next() (_ snapshot.Record, err error) {
	defer notReadable(&err)
	if p.at == p.end {
		if err := p.read(); err != nil || p.at == p.end {
			return nil, err
		}
	}
	row := p.buf[p.at]
	p.at++
	p.n++
	return parquetRecord(row, p.cols, p.notesAt, int(p.n))
}

// read reads the next batch of rows into buf, from the next row group
// when this one is done; none after the last.
func (p *pqReader) read() error {
	groups := p.pf.RowGroups()
	for {
		if p.rows == nil {
			if p.group == len(groups) {
				p.at, p.end = 0, 0
				return nil
			}
			p.rows = groups[p.group].Rows()
			p.group++
		}
		n, err := p.rows.ReadRows(p.buf)
		if p.n+int64(n) > p.pf.NumRows() {
			return fmt.Errorf("more rows than the %d the footer states", p.pf.NumRows())
		}
		p.at, p.end = 0, n
		if err == io.EOF {
			rows := p.rows
			p.rows = nil
			if err := rows.Close(); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

func (p *pqReader) close() {
	defer func() { recover() }() // closing a broken file may panic too; it is read
	if p.rows != nil {
		p.rows.Close()
	}
}

func parquetColumns(schema *parquet.Schema) ([]pqColumn, error) {
	var cols []pqColumn
	for _, fld := range schema.Fields() {
		if !fld.Leaf() || fld.Repeated() {
			return nil, fmt.Errorf("wrong schema: column %q is not a flat optional column", fld.Name())
		}
		t := fld.Type()
		c := pqColumn{name: fld.Name(), kind: t.Kind()}
		lt := t.LogicalType()
		switch c.kind {
		case parquet.Int32, parquet.Int64, parquet.Double, parquet.Float, parquet.Boolean:
		case parquet.ByteArray:
			if lt != nil {
				_, c.json = lt.Value.(*format.JsonType)
			}
		default:
			return nil, fmt.Errorf("wrong schema: column %q has type %s", fld.Name(), t)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func parquetRecord(row parquet.Row, cols []pqColumn, notesAt, n int) (snapshot.Record, error) {
	rec := make(snapshot.Record, len(cols))
	var notes rowNotes
	for _, v := range row {
		i := v.Column()
		if i < 0 || i >= len(cols) {
			return nil, fmt.Errorf("row %d: value of unknown column %d", n, i)
		}
		c := cols[i]
		if i == notesAt {
			if !v.IsNull() {
				if err := json.Unmarshal(v.ByteArray(), &notes); err != nil {
					return nil, fmt.Errorf("row %d, column %s: %w", n, notesColumn, err)
				}
			}
			continue
		}
		if v.IsNull() {
			if !c.absent {
				rec[c.name] = nil
			}
			continue
		}
		val, err := parquetField(c, v)
		if err != nil {
			return nil, fmt.Errorf("row %d, column %q: %w", n, c.name, err)
		}
		rec[c.name] = val
	}
	for _, field := range notes.Absent {
		delete(rec, field)
	}
	for _, field := range notes.Null {
		if !slices.ContainsFunc(cols, func(c pqColumn) bool { return c.name == field }) || field == notesColumn {
			return nil, fmt.Errorf("row %d, column %s: field %q has no column", n, notesColumn, field)
		}
		rec[field] = nil
	}
	for _, c := range cols {
		if f, ok := rec[c.name].(float64); ok {
			rec[c.name] = floatNumber(f, notes.Exact[c.name], c.dotted)
		}
	}
	return rec, nil
}

// parquetField decodes a non-null cell. Floats stay float64 until the row's
// notes are known.
func parquetField(c pqColumn, v parquet.Value) (any, error) {
	switch c.kind {
	case parquet.Int32:
		return json.Number(strconv.FormatInt(int64(v.Int32()), 10)), nil
	case parquet.Int64:
		return json.Number(strconv.FormatInt(v.Int64(), 10)), nil
	case parquet.Float:
		return float64(v.Float()), nil
	case parquet.Double:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%v is not a JSON number", f)
		}
		return f, nil
	case parquet.Boolean:
		return v.Boolean(), nil
	}
	if c.json {
		val, err := decodeJSONValue(string(v.ByteArray()))
		if err != nil {
			return nil, fmt.Errorf("not valid JSON: %w", err)
		}
		return val, nil
	}
	return string(v.ByteArray()), nil
}
