package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/termsafe"
)

// Verdict is what a check concluded.
type Verdict string

const (
	OK          Verdict = "ok"          // the tenant does what halocfg assumes (or what it does has no effect)
	Deviates    Verdict = "deviates"    // it does not: the finding says what that means and what to do
	Unconfirmed Verdict = "unconfirmed" // this tenant cannot show it either way (too few records ...)
)

// Check is one assumption a probe checks.
type Check struct {
	Name    string `json:"check"`
	Assumes string `json:"assumes"`
}

// Checks lists every assumption a probe checks, in report order.
var Checks = []Check{
	{"auth", "/api/authinfo names the authorisation server, and the token answer gives expires_in"},
	{"rate-limit", "Halo sends no rate-limit headers: halocfg keeps its own budget (--rate) and waits out a 429"},
	{"list-shape", "a list answers a bare array or an object holding its rows under the catalog's ListKey"},
	{"page-size", "pageinate=true&page_size=N gives pages of N rows, or the list does not page and gives every record"},
	{"page-cap", "pages hold at most 100 rows whatever page_size says, and page_no moves on"},
	{"default-page", "without pageinate a paged list gives only its first 50 rows"},
	{"hidden", "the list with the catalog's ListQuery holds every record: no other known show flag lists more"},
	{"summary-detail", "list rows are summaries: the detail with the catalog's DetailQuery holds every field they hold"},
	{"detail-query", "the catalog's DetailQuery brings every field: the fields it promises, nothing more with includedetails where it sends none"},
	{"schema-extra", "no field Halo's schema lacks is named like a reference and holds a number"},
	{"schema-missing", "the fields halocfg relies on (natural keys, reference fields) are returned"},
	{"schema-types", "every field has the JSON type Halo's schema gives it, as import checks"},
	{"ids", "ids are integers (priority: a uuid, referred to by its integer priorityid), unique in a list; records carry a guid where the schema has one"},
	{"priorities", "a priorityid names one Policy row: it is unique across SLAs"},
	{"inferred-refs", "a reference the catalog infers from a field's name holds ids of records of the inferred kind"},
	{"external-refs", "a reference to what halocfg cannot list (a template group, an asset status, a ticket ...) is for the user to map: the records read that fill it, how many distinct values, and what the fields beside it say (codes and field names, never values)"},
	{"directory", "the list of a pair-only kind (agents, languages, suppliers ...) holds, in every row, the id and the fields export keeps to pair it by"},
}

// Finding is one check's verdict on one kind, or on the tenant (Kind "").
// Found, Details, Means and Do hold field names, JSON types, counts and the
// catalog's own words: never a record's values, names or ids.
type Finding struct {
	Kind    string   `json:"kind,omitempty"`
	Check   string   `json:"check"`
	Verdict Verdict  `json:"verdict"`
	Found   string   `json:"found"`
	Details []string `json:"details,omitempty"`
	Means   string   `json:"means,omitempty"` // a deviation: what it means for export or import
	Do      string   `json:"do,omitempty"`    // a deviation: what to do
}

// Entry is a catalog entry that no tenant has confirmed, with the check
// that covers it and, after a probe, that check's verdict.
type Entry struct {
	Entry   string  `json:"entry"`           // "workday.ListQuery", "outcome.chargerate → lookup", "FieldInfo.lookup"
	Assumes string  `json:"assumes"`         // the catalog's words
	Check   string  `json:"check,omitempty"` // "": no read-only request can confirm it
	Verdict Verdict `json:"verdict,omitempty"`
}

// reportTitle opens every report; --out replaces only a file that has it.
const reportTitle = "halocfg probe report"

// Report is what a probe found.
type Report struct {
	Probe         string        `json:"probe"`
	Format        int           `json:"format"`
	Tool          string        `json:"tool"`
	StartedAt     time.Time     `json:"started_at"`
	Elapsed       time.Duration `json:"-"`
	Kinds         int           `json:"kinds"`
	Directories   int           `json:"directories"` // pair-only kinds whose lists were checked
	Requests      int64         `json:"requests"`    // API requests sent, retries included: GETs only
	Budget        int           `json:"budget"`      // the most a probe of these kinds sends, retries aside
	Writes        int64         `json:"writes"`
	TokenRequests int64         `json:"token_requests"`
	Deviations    int           `json:"deviations"`
	Unconfirmed   int           `json:"unconfirmed"`
	OK            int           `json:"ok"`
	Findings      []Finding     `json:"findings"`
	Unverified    []Entry       `json:"unverified"`
}

// Deviates reports whether any finding deviates.
func (r *Report) Deviates() bool { return r.Deviations > 0 }

func (r *Report) add(fs ...Finding) {
	for _, f := range fs {
		switch f.Verdict {
		case "":
			continue // a check with nothing to say about this kind
		case Deviates:
			r.Deviations++
		case Unconfirmed:
			r.Unconfirmed++
		case OK:
			r.OK++
		}
		r.Findings = append(r.Findings, f)
	}
}

// auth: where the token endpoint came from, the token's lifetime, and the
// rate-limit headers of every answer.
func (p *prober) auth() []Finding {
	ai := p.c.AuthInfo()
	where := "on the tenant's host"
	if !ai.SameHost {
		where = "on another host"
	}
	var found string
	v := OK
	switch ai.Source {
	case "authinfo":
		found = "/api/authinfo named the authorisation server, " + where
	case "fallback":
		found = "/api/authinfo named none; {url}/auth/token issued the token (halocfg's fallback)"
	case "configured":
		found, v = "--auth-url was given: discovery not tried", Unconfirmed
	default:
		found, v = "no token was fetched", Unconfirmed
	}
	a := Finding{Check: "auth", Verdict: v, Found: found}
	if ai.Lifetime > 0 {
		a.Found += fmt.Sprintf("; tokens live %s, halocfg renews them %s early", ai.Lifetime, ai.RenewBefore)
	} else if ai.Source != "" {
		a.Verdict = Deviates
		a.Found += "; the token answer has no expires_in"
		a.Means = fmt.Sprintf("halocfg assumes an hour and renews a token %s before that; a token that expires sooner costs one request a 401 and a new token, nothing more", ai.RenewBefore)
		a.Do = "nothing; report it if requests fail with 401 twice in a row"
	}
	p.mu.Lock()
	headers := append([]string(nil), p.rateHeaders...)
	p.mu.Unlock()
	rl := Finding{Check: "rate-limit", Verdict: OK, Found: "no rate-limit headers"}
	if len(headers) > 0 {
		rl.Found = "rate-limit headers: " + names(headers) + " (halocfg does not read them: its own --rate budget applies, and Retry-After on a 429)"
	}
	if n := p.c.Stats().RateLimited; n > 0 {
		rl.Found += fmt.Sprintf("; %d answers were 429 (another client may share the window), waited out", n)
	}
	return []Finding{a, rl}
}

// checkOf is the check that covers an assumption about a kind's entry;
// "" when no read-only request can.
var checkOf = map[catalog.Aspect]string{
	catalog.OnListKey:     "list-shape",
	catalog.OnListQuery:   "hidden",
	catalog.OnDetailQuery: "detail-query",
	catalog.OnIDs:         "ids",
	catalog.OnKeep:        "directory",
}

// UnverifiedEntries lists the catalog entries that no tenant has confirmed:
// the assumptions about kinds added from Halo's API description, the
// references inferred from a field's name, and the fields classified as no
// reference from their name. It is generated from the catalog.
func UnverifiedEntries() []Entry { return unverified(nil, nil) }

// unverified is UnverifiedEntries with the verdicts of a probe's findings
// and reference counts.
func unverified(findings []Finding, refs refResults) []Entry {
	verdict := map[string]Verdict{}
	for _, f := range findings {
		verdict[f.Kind+"/"+f.Check] = f.Verdict
	}
	var out []Entry
	for _, k := range catalog.Stored() {
		for _, a := range k.Unverified {
			e := Entry{Entry: k.Name + "." + string(a.On), Assumes: a.Text, Check: checkOf[a.On]}
			if e.Check != "" && findings != nil {
				e.Verdict = verdict[k.Name+"/"+e.Check]
			}
			out = append(out, e)
		}
	}
	for _, k := range catalog.Kinds() {
		for i, r := range inferredRefs(k) {
			c := &refCount{kind: k.Name, ref: r}
			if cs := refs[k.Name]; i < len(cs) {
				c = cs[i]
			}
			e := Entry{Entry: c.entry(), Assumes: refAssumes(r), Check: "inferred-refs"}
			_, paired := catalog.LookupPairOnly(r.Target)
			switch {
			case r.By == "" && r.External && paired:
				e.Check = "" // its ids are paired, not told apart from others
			case r.By == "" && r.External:
				// an external target is not read: its ids cannot be told,
				// only counted beside what the fields around them say
				e.Check = "external-refs"
				if findings != nil {
					e.Verdict = verdict[k.Name+"/"+e.Check]
				}
			case refs != nil:
				e.Verdict = c.verdict()
			}
			out = append(out, e)
		}
	}
	for _, nr := range catalog.UnverifiedNotRefs() {
		out = append(out, Entry{Entry: nr.Key, Assumes: "no reference: " + nr.Reason})
	}
	return out
}

// inferredRefs are k's references the catalog infers from a name, in the
// order resolve counts them.
func inferredRefs(k *catalog.Kind) []catalog.Ref {
	var out []catalog.Ref
	for _, r := range k.Refs {
		if r.Inferred {
			out = append(out, r)
		}
	}
	return out
}

func refAssumes(r catalog.Ref) string {
	switch {
	case r.By != "":
		return "holds what its " + r.By + " names (a status, a ticket type ... by the catalog's table; other fieldnames make it external)"
	case r.OwnerRow != "":
		return "holds the id of the " + r.Target + "'s " + strings.TrimSuffix(catalog.Leaf(r.OwnerRow), "[]") + " row that contains it"
	case r.Owner:
		return "holds the id of the " + r.Target + " that contains it"
	case r.External:
		if _, paired := catalog.LookupPairOnly(r.Target); paired {
			return "holds the id of " + article(r.Target) + " (outside the export; paired by its directory, not checked)"
		}
		return "holds the id of " + article(r.Target) + " (outside the export, not read: the records that fill it are counted)"
	case r.Row != "":
		return "holds the id of a row of " + article(r.Target) + "'s " + r.Row
	}
	return "holds the id of " + article(r.Target)
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// WriteJSON writes the report as indented JSON; the text of the tenant (field
// names) is escaped for a terminal.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(termsafe.JSONWriter(w))
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	out := struct {
		*Report
		ElapsedMS int64 `json:"elapsed_ms"`
	}{r, r.Elapsed.Milliseconds()}
	return enc.Encode(out)
}

// WriteText writes the report for a person: the deviations with what they
// mean and what to do, every finding by kind, the unverified catalog entries.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("%s: %s, %s\n", reportTitle, r.Tool, r.StartedAt.Format(time.RFC3339))
	ew.printf("%d kinds, %d directories; API requests: %d, GET only (budget %d); writes: %d; token requests: %d; %s\n",
		r.Kinds, r.Directories, r.Requests, r.Budget, r.Writes, r.TokenRequests, r.Elapsed.Round(time.Millisecond))
	ew.printf("result: %d deviations, %d unconfirmed, %d ok\n", r.Deviations, r.Unconfirmed, r.OK)
	if r.Deviations > 0 {
		ew.printf("\ndeviations\n")
		for _, f := range r.Findings {
			if f.Verdict != Deviates {
				continue
			}
			ew.printf("  %s %s: %s\n", orTenant(f.Kind), f.Check, termsafe.Escape(f.Found))
			for _, d := range f.Details {
				ew.printf("      %s\n", termsafe.Escape(d))
			}
			ew.printf("    means: %s\n    do: %s\n", termsafe.Escape(f.Means), termsafe.Escape(f.Do))
		}
	}
	ew.printf("\nchecks\n")
	last := "\x00"
	for _, f := range r.Findings {
		if f.Kind != last {
			ew.printf("  %s\n", orTenant(f.Kind))
			last = f.Kind
		}
		ew.printf("    %-15s %-12s %s\n", f.Check, f.Verdict, termsafe.Escape(f.Found))
		for _, d := range f.Details {
			ew.printf("    %-15s %-12s   %s\n", "", "", termsafe.Escape(d))
		}
	}
	ew.printf("\nunverified catalog entries (the check that covers each, and its verdict here)\n")
	for _, e := range r.Unverified {
		check := e.Check
		if check == "" {
			check = "(not checked)"
		}
		ew.printf("  %-15s %-12s %s: %s\n", check, e.Verdict, e.Entry, e.Assumes)
	}
	return ew.err
}

func orTenant(kind string) string {
	if kind == "" {
		return "tenant"
	}
	return kind
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// AssumptionLines are the checks, one line each: "list-shape: a list answers ...".
func AssumptionLines() []string {
	out := make([]string, len(Checks))
	for i, c := range Checks {
		out[i] = c.Name + ": " + c.Assumes
	}
	return out
}

// EntryLines are the unverified catalog entries, one line each.
func EntryLines() []string {
	var out []string
	for _, e := range UnverifiedEntries() {
		check := e.Check
		if check == "" {
			check = "not checked"
		}
		out = append(out, fmt.Sprintf("%s (%s): %s", e.Entry, check, strings.TrimSpace(e.Assumes)))
	}
	return out
}
