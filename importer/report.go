package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/termsafe"
)

// WriteTable writes the plan for people: one line per record that changes
// (unchanged ones are counted, not listed), then the counts per kind and
// the writes in all.
func (p *Plan) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	changes := 0
	for _, a := range p.Actions {
		if a.Op == Unchanged {
			continue
		}
		if changes == 0 {
			fmt.Fprintln(tw, "KIND\tACTION\tKEY\tSOURCE ID\tTARGET ID\tDETAIL")
		}
		changes++
		detail := ""
		switch {
		case a.Op == Update:
			detail = strings.Join(a.Fields, ", ")
		case a.Op == Create && len(a.Deferred) > 0:
			detail = "then patch " + strings.Join(a.Deferred, ", ") + " (reference cycle)"
		case a.Op == Delete:
			detail = "not in the snapshot (--prune)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Kind, a.Op, termsafe.Escape(a.Key), dash(a.SourceID), dash(a.TargetID), termsafe.Escape(detail))
	}
	if changes == 0 {
		fmt.Fprintln(tw, "No changes: the target already holds the snapshot.")
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "KIND\tCREATE\tUPDATE\tUNCHANGED\tDELETE\t")
	per := map[string]*Summary{}
	for _, a := range p.Actions {
		if per[a.Kind] == nil {
			per[a.Kind] = &Summary{}
		}
		*per[a.Kind] = add(*per[a.Kind], a)
	}
	for _, k := range catalog.Kinds() {
		if s := per[k.Name]; s != nil {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", k.Name, s.Create, s.Update, s.Unchanged, s.Delete)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := p.Summary
	if _, err := fmt.Fprintf(w, "\n%d write(s): %d create(s), %d update(s), %d patch(es) of %d cycle-closing field(s), %d delete(s); %d unchanged.\n",
		s.Writes(), s.Create, s.Update, s.Patch, s.DeferredFields, s.Delete, s.Unchanged); err != nil {
		return err
	}
	return p.writePeople(w)
}

func add(s Summary, a Action) Summary {
	switch a.Op {
	case Create:
		s.Create++
	case Update:
		s.Update++
	case Unchanged:
		s.Unchanged++
	case Delete:
		s.Delete++
	}
	return s
}

// dash shows an id, "-" for none.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return termsafe.Escape(s)
}

// WriteJSON writes the whole plan, unchanged records and problems included,
// as indented JSON (--plan-out).
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteProblems lists every problem, one a line.
func (p *Plan) WriteProblems(w io.Writer) error {
	for _, pr := range p.Problems {
		if _, err := fmt.Fprintf(w, "  %s\n", termsafe.Escape(pr.Error())); err != nil {
			return err
		}
	}
	return nil
}
