package diff

import (
	"bufio"
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/halocfg/halocfg/snapshot"
	"github.com/halocfg/halocfg/termsafe"
	"github.com/xuri/excelize/v2"
)

// textWidth bounds a value shown in the text output; JSON and XLSX carry it whole.
const textWidth = 160

// WriteText writes the result for people:
//
//	status: 1 added, 1 removed, 2 changed
//	  + Awaiting Parts
//	  - Scheduled
//	  ~ In Progress
//	      colour: "#f39c12" -> "#d35400"
func (r *Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "A: %s\nB: %s\n", termsafe.Escape(r.A), termsafe.Escape(r.B))
	for _, k := range r.OnlyA {
		fmt.Fprintf(bw, "%s: only in A (B was exported without it)\n", termsafe.Escape(k))
	}
	for _, k := range r.OnlyB {
		fmt.Fprintf(bw, "%s: only in B (A was exported without it)\n", termsafe.Escape(k))
	}
	i := 0
	for _, ks := range r.Kinds {
		if ks.Added+ks.Removed+ks.Changed == 0 {
			continue
		}
		fmt.Fprintf(bw, "\n%s: %d added, %d removed, %d changed\n", termsafe.Escape(ks.Kind), ks.Added, ks.Removed, ks.Changed)
		for ; i < len(r.Changes) && r.Changes[i].Kind == ks.Kind; i++ {
			c := r.Changes[i]
			sign := map[Op]string{Added: "+", Removed: "-", Changed: "~"}[c.Op]
			if c.Note != "" {
				fmt.Fprintf(bw, "  %s %s (id %s: %s)\n", sign, termsafe.Escape(c.Key), termsafe.Escape(c.IDA+c.IDB), termsafe.Escape(c.Note))
			} else {
				fmt.Fprintf(bw, "  %s %s\n", sign, termsafe.Escape(c.Key))
			}
			for _, f := range c.Fields {
				fmt.Fprintf(bw, "      %s\n", termsafe.Escape(f.text()))
			}
		}
	}
	a, rm, ch := r.Totals()
	if r.Equal() {
		n := 0
		for _, k := range r.Kinds {
			n += k.A
		}
		fmt.Fprintf(bw, "no differences (%d records in %d kinds)\n", n, len(r.Kinds))
	} else {
		fmt.Fprintf(bw, "\n%d added, %d removed, %d changed", a, rm, ch)
		if n := len(r.OnlyA) + len(r.OnlyB); n > 0 {
			fmt.Fprintf(bw, "; %d kinds on one side only", n)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// text renders a field difference: "colour: "#f39c12" -> "#d35400"", or for
// an element of a set only one side holds "allowed_status + status:Closed"
// (the whole element when it is not named by a reference).
func (f Field) text() string {
	if f.Member {
		top, name := splitMember(f.Path)
		sign, v := "+", f.After
		if f.NoAfter {
			sign, v = "-", f.Before
		}
		if name == "" {
			name = short(v, false)
		}
		return top + " " + sign + " " + name
	}
	return fmt.Sprintf("%s: %s -> %s", f.Path, short(f.Before, f.NoBefore), short(f.After, f.NoAfter))
}

// splitMember splits "a[k].b[name]" into "a[k].b" and "name", matching the
// last bracket pair (names may hold brackets of their own).
func splitMember(path string) (array, name string) {
	depth := 0
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case ']':
			depth++
		case '[':
			if depth--; depth == 0 {
				return path[:i], path[i+1 : len(path)-1]
			}
		}
	}
	return path, ""
}

// short renders a value as compact JSON, cut to textWidth characters (termsafe.Short).
func short(v any, absent bool) string {
	if absent {
		return termsafe.Absent
	}
	return termsafe.Short(v, textWidth)
}

// jsonResult is the --output json document.
type jsonResult struct {
	A       string       `json:"a"`
	B       string       `json:"b"`
	Equal   bool         `json:"equal"`
	Added   int          `json:"added"`
	Removed int          `json:"removed"`
	Changed int          `json:"changed"`
	OnlyA   []string     `json:"kinds_only_in_a"`
	OnlyB   []string     `json:"kinds_only_in_b"`
	Kinds   []jsonKind   `json:"kinds"`
	Changes []jsonChange `json:"changes"`
}

type jsonKind struct {
	Kind    string `json:"kind"`
	A       int    `json:"records_a"`
	B       int    `json:"records_b"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Changed int    `json:"changed"`
}

type jsonChange struct {
	Kind   string           `json:"kind"`
	Key    string           `json:"key"`
	Op     Op               `json:"change"`
	IDA    string           `json:"id_a,omitempty"`
	IDB    string           `json:"id_b,omitempty"`
	Note   string           `json:"note,omitempty"`
	Fields []map[string]any `json:"fields,omitempty"`
}

// WriteJSON writes the result as one JSON document. In "fields", an absent
// value has no "before" or "after" key; null is null.
func (r *Result) WriteJSON(w io.Writer) error {
	a, rm, ch := r.Totals()
	doc := jsonResult{A: r.A, B: r.B, Equal: r.Equal(), Added: a, Removed: rm, Changed: ch,
		OnlyA: nonNil(r.OnlyA), OnlyB: nonNil(r.OnlyB), Kinds: []jsonKind{}, Changes: []jsonChange{}}
	for _, k := range r.Kinds {
		doc.Kinds = append(doc.Kinds, jsonKind(k))
	}
	for _, c := range r.Changes {
		jc := jsonChange{Kind: c.Kind, Key: c.Key, Op: c.Op, IDA: c.IDA, IDB: c.IDB, Note: c.Note}
		for _, f := range c.Fields {
			m := map[string]any{"field": f.Path}
			if !f.NoBefore {
				m["before"] = f.Before
			}
			if !f.NoAfter {
				m["after"] = f.After
			}
			jc.Fields = append(jc.Fields, m)
		}
		doc.Changes = append(doc.Changes, jc)
	}
	b, err := snapshot.MarshalIndent(doc)
	if err != nil {
		return err
	}
	_, err = w.Write(termsafe.JSON(b)) // it may go to a terminal too
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// maxCell is the most an Excel cell holds, in UTF-16 units; longer values are
// cut with a visible note instead of excelize's silent truncation.
const maxCell = 32767

func cell(s string) string {
	u := utf16.Encode([]rune(s))
	if len(u) <= maxCell {
		return s
	}
	note := fmt.Sprintf("… [cut: %d characters in all; see --output json]", len([]rune(s)))
	keep := maxCell - len(utf16.Encode([]rune(note)))
	if keep > 0 && utf16.IsSurrogate(rune(u[keep-1])) {
		keep-- // do not split a surrogate pair
	}
	return string(utf16.Decode(u[:keep])) + note
}

// xlsxValue is a field value as a cell: text as it is, other values as JSON.
func xlsxValue(v any, absent bool) string {
	if absent {
		return termsafe.Absent
	}
	if s, ok := v.(string); ok {
		return cell(s)
	}
	return cell(string(snapshot.Canonical(v)))
}

// WriteXLSX writes a workbook for analysts: a "summary" sheet (one row per
// kind) and a "changes" sheet (one row per changed field, added or removed
// record), streamed row by row.
func (r *Result) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "summary"); err != nil {
		return err
	}
	if _, err := f.NewSheet("changes"); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	header := func(cols ...string) []any {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = excelize.Cell{StyleID: bold, Value: c}
		}
		return row
	}
	freeze := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}

	sum, err := f.NewStreamWriter("summary")
	if err != nil {
		return err
	}
	sum.SetColWidth(1, 1, 18)
	sum.SetPanes(freeze)
	rows := [][]any{header("kind", "records in A", "records in B", "added", "removed", "changed")}
	for _, k := range r.Kinds {
		rows = append(rows, []any{k.Kind, k.A, k.B, k.Added, k.Removed, k.Changed})
	}
	for _, k := range r.OnlyA {
		rows = append(rows, []any{k, "only in A"})
	}
	for _, k := range r.OnlyB {
		rows = append(rows, []any{k, "", "only in B"})
	}
	rows = append(rows, []any{}, []any{"A", r.A}, []any{"B", r.B})
	if err := setRows(sum, rows); err != nil {
		return err
	}

	ch, err := f.NewStreamWriter("changes")
	if err != nil {
		return err
	}
	for col, width := range []float64{16, 28, 10, 30, 40, 40, 10, 10, 40} {
		ch.SetColWidth(col+1, col+1, width)
	}
	ch.SetPanes(freeze)
	n := 1
	add := func(row ...any) error {
		name, _ := excelize.CoordinatesToCellName(1, n)
		n++
		return ch.SetRow(name, row)
	}
	if err := add(header("kind", "key", "change", "field", "before (A)", "after (B)", "id in A", "id in B", "note")...); err != nil {
		return err
	}
	for _, c := range r.Changes {
		if len(c.Fields) == 0 {
			if err := add(c.Kind, cell(c.Key), string(c.Op), "", "", "", c.IDA, c.IDB, cell(c.Note)); err != nil {
				return err
			}
			continue
		}
		for _, fl := range c.Fields {
			if err := add(c.Kind, cell(c.Key), string(c.Op), fl.Path,
				xlsxValue(fl.Before, fl.NoBefore), xlsxValue(fl.After, fl.NoAfter), c.IDA, c.IDB); err != nil {
				return err
			}
		}
	}
	if err := ch.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

func setRows(sw *excelize.StreamWriter, rows [][]any) error {
	for i, row := range rows {
		name, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(name, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}
