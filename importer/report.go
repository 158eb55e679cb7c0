package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
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
		detail := []string{""}
		switch {
		case a.Op == Update:
			detail = changeLines(a)
		case a.Op == Create && len(a.Deferred) > 0:
			detail[0] = termsafe.Escape("then patch " + strings.Join(a.Deferred, ", ") + " (reference cycle)")
		case a.Op == Delete:
			detail[0] = "not in the snapshot (--prune)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Kind, a.Op, termsafe.Escape(a.Key), dash(a.SourceID), dash(a.TargetID), detail[0])
		for _, d := range detail[1:] {
			fmt.Fprintf(tw, "\t\t\t\t\t%s\n", d)
		}
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
	_, err := fmt.Fprintf(w, "\n%d write(s): %d create(s), %d update(s), %d patch(es) of %d cycle-closing field(s), %d delete(s); %d unchanged.\n",
		s.Writes(), s.Create, s.Update, s.Patch, s.DeferredFields, s.Delete, s.Unchanged)
	if err != nil {
		return err
	}
	if len(p.Unmapped) > 0 && p.External != mapping.ExternalFail.String() { // fail lists them as problems
		done := "kept: the target gets the source's ids"
		if p.External == mapping.ExternalClear.String() {
			done = "cleared"
		}
		if _, err := fmt.Fprintf(w, "%d external id(s) of %d kind(s) (tickets, releases ...) that no --map entry maps: %s (--external %s).\n",
			len(p.Unmapped), len(p.externalTargets()), done, p.External); err != nil {
			return err
		}
	}
	return p.writePeople(w)
}

// valueWidth bounds each value the table shows; --plan-out has them whole.
const valueWidth = 60

// changeLines renders an update's changes, one a line: "colour: "#1b4f72"
// -> "#2e86de"", values shortened (termsafe.Short).
func changeLines(a Action) []string {
	out := make([]string, 0, len(a.Changes))
	for _, c := range a.Changes {
		before, after := termsafe.ShortPair(c.Before, c.After, valueWidth)
		if c.NoBefore {
			before = termsafe.Absent
		}
		line := fmt.Sprintf("%s: %s -> %s", termsafe.Escape(c.Field), before, after)
		if c.Pending {
			line += " (with the ids of records created first)"
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = append(out, termsafe.Escape(strings.Join(a.Fields, ", ")))
	}
	return out
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

// WriteProblems lists the problems, one a line, except that references to
// external ids no --map entry maps are summed up, one line per external
// target (how many ids, how many records hold them): a real tenant has
// thousands. verbose lists those one by one too, as --plan-out does.
func (p *Plan) WriteProblems(w io.Writer, verbose bool) error {
	refs := 0
	for _, pr := range p.Problems {
		if pr.External != "" && !verbose {
			refs++
			continue
		}
		if _, err := fmt.Fprintf(w, "  %s\n", termsafe.Escape(pr.Error())); err != nil {
			return err
		}
	}
	if refs == 0 {
		return nil
	}
	fmt.Fprintf(w, "  %d reference(s) to %d external ids (tickets, releases ...; pair-only records unpaired) that no --map entry maps (--external %s):\n",
		refs, len(p.Unmapped), p.External)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    EXTERNAL\tIDS\tRECORDS")
	for _, t := range p.externalTargets() {
		fmt.Fprintf(tw, "    %s\t%d\t%d\n", termsafe.Escape(t.target), t.ids, t.records)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "  Map them in a --map file (--write-map FILE writes one to fill in), or choose --external clear or keep.\n"+
		"  Every reference, one a line: --verbose, or --plan-out FILE.")
	return err
}

// externalTarget sums up the unmapped ids of one external target.
type externalTarget struct {
	target       string
	ids, records int
}

// externalTargets sums up p.Unmapped per target, in the order of targets.
func (p *Plan) externalTargets() []externalTarget {
	var out []externalTarget
	var records map[string]bool
	for _, u := range p.Unmapped {
		if len(out) == 0 || out[len(out)-1].target != u.Target {
			out = append(out, externalTarget{target: u.Target})
			records = map[string]bool{}
		}
		t := &out[len(out)-1]
		t.ids++
		for _, r := range u.Records {
			if !records[r] {
				records[r] = true
				t.records++
			}
		}
	}
	return out
}
