package probe

import (
	"fmt"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// listFindings are the verdicts on what k's list answers: its shape, its
// paging, and what the show flags change.
func (ks *kindState) listFindings() []Finding {
	out := []Finding{ks.shape()}
	if ks.paged.err != nil {
		return out // the shape finding says why; nothing else can be told
	}
	return append(out, ks.pageSize(), ks.pageCap(), ks.defaultPage(), ks.hidden())
}

func (ks *kindState) finding(check string, v Verdict, found string) Finding {
	return Finding{Kind: ks.k.Name, Check: check, Verdict: v, Found: found}
}

// shape: a bare array, or an object holding the rows under ListKey.
func (ks *kindState) shape() Finding {
	k := ks.k
	for _, a := range []listAnswer{ks.paged, ks.other} {
		if a.err == nil {
			continue
		}
		f := ks.finding("list-shape", Deviates, fmt.Sprintf("GET %s?%s %s", k.Endpoint, a.query, failure(a.err)))
		if len(a.list.Keys) > 0 {
			f.Found += fmt.Sprintf(": it holds no %q, and its fields are %s", k.ListKey, names(a.list.Keys))
		}
		f.Means = "export (and import, which reads the target's list) of " + k.Name + " fails"
		f.Do = "report it with this report; leave " + k.Name + " out (--skip " + k.Name + ") until halocfg reads this answer"
		return f
	}
	describe := func(a listAnswer) string {
		if a.list.Bare {
			return "a bare array"
		}
		s := "an object with " + names(a.list.Keys) + ", the rows under " + shown(a.list.Under)
		if a.list.Total < 0 {
			s += ", no record_count"
		}
		return s
	}
	found := describe(ks.paged)
	if o := describe(ks.other); o != found {
		found += fmt.Sprintf(" (without pageinate: %s)", o)
	}
	for _, a := range []listAnswer{ks.paged, ks.other} {
		if !a.list.Bare && a.list.Under != k.ListKey {
			f := ks.finding("list-shape", Deviates, found+fmt.Sprintf("; the catalog expects them under %q", k.ListKey))
			f.Means = "export finds the rows under the answer's only array; were there a second array (as /Workflow's filters), the list would be ambiguous and export of " + k.Name + " would fail"
			f.Do = "report it: the catalog's ListKey of " + k.Name + " is " + shown(a.list.Under) + " on this tenant"
			return f
		}
	}
	return ks.finding("list-shape", OK, found)
}

// pageSize: pageinate=true&page_size=2 gives two rows, or the list does not
// page and gives every record at once.
func (ks *kindState) pageSize() Finding {
	a := ks.paged
	n := len(a.list.Rows)
	total, known := a.total()
	switch {
	case ks.pagesHonoured():
		return ks.finding("page-size", OK, fmt.Sprintf("a page of %d rows as asked, of %s", n, count(total, known)))
	case n <= a.asked:
		return ks.finding("page-size", Unconfirmed, fmt.Sprintf("%d rows: no more records than a page of %d", n, a.asked))
	case a.whole():
		return ks.finding("page-size", OK, fmt.Sprintf("the list does not page: %d rows at once, every record", n))
	case a.list.Total >= 0:
		f := ks.finding("page-size", Deviates, fmt.Sprintf("page_size=%d ignored: a page of %d rows of %d (record_count)", a.asked, n, a.list.Total))
		f.Means = fmt.Sprintf("export asks for %d rows a page and goes on while record_count says more are left: it reads every record, in pages of %d; without record_count it would stop after the first page", haloCap, n)
		f.Do = "nothing for export while the answer has record_count; report it"
		return f
	}
	return ks.finding("page-size", Unconfirmed, fmt.Sprintf("%d rows and no record_count: a page of Halo's own size, or every record", n))
}

// pageCap: a page over the cap holds haloCap rows, and page_no moves on.
func (ks *kindState) pageCap() Finding {
	total, known := ks.paged.total()
	switch {
	case !ks.pagesHonoured():
		return ks.finding("page-cap", Unconfirmed, "the list does not page here: no cap to see")
	case known && total <= haloCap:
		return ks.finding("page-cap", Unconfirmed, fmt.Sprintf("%d records: not more than a page of %d", total, haloCap))
	case !ks.cap.done:
		return ks.finding("page-cap", Unconfirmed, "not asked: the probe's request budget was spent")
	case ks.cap.err != nil:
		f := ks.finding("page-cap", Deviates, fmt.Sprintf("GET %s?%s %s", ks.k.Endpoint, ks.cap.query, failure(ks.cap.err)))
		f.Means = "export, which asks for pages of 100, may fail on this list"
		f.Do = "report it with this report"
		return f
	}
	m := len(ks.cap.list.Rows)
	found := fmt.Sprintf("page_size=%d gave %d rows", capPage, m)
	var f Finding
	switch {
	case m == haloCap:
		f = ks.finding("page-cap", OK, found+fmt.Sprintf(": pages are capped at %d", haloCap))
	case m > haloCap:
		f = ks.finding("page-cap", OK, found+fmt.Sprintf(": no cap at %d (export asks for %d: no effect)", haloCap, haloCap))
	case known && m >= total:
		return ks.finding("page-cap", Unconfirmed, found+": every record")
	default:
		f = ks.finding("page-cap", Deviates, found+": pages are capped below 100")
		f.Means = fmt.Sprintf("export asks for %d rows a page: it goes on while record_count says more are left, else it stops after %d rows and misses the rest", haloCap, m)
		f.Do = "report it; compare the record count of an export with the tenant's"
		return f
	}
	if !ks.page2.done {
		if known && total <= m {
			return f
		}
		f.Found += "; page 2 not asked: the probe's request budget was spent"
		return f
	}
	fresh := 0
	for _, row := range ks.page2.list.Rows {
		if !hasID(ks.cap.list.Rows, row.ID()) {
			fresh++
		}
	}
	if ks.page2.err != nil || fresh == 0 {
		g := ks.finding("page-cap", Deviates, found+fmt.Sprintf("; page_no=2 brought no new record (%d rows)", len(ks.page2.list.Rows)))
		g.Means = fmt.Sprintf("export stops at a page without a new record: it reads the first %d records of %s only", m, ks.k.Name)
		g.Do = "report it; until fixed, an export of " + ks.k.Name + " is incomplete"
		return g
	}
	f.Found += fmt.Sprintf("; page_no=2 brought %d more", fresh)
	return f
}

func hasID(rows []snapshot.Record, id string) bool {
	for _, r := range rows {
		if r.ID() == id {
			return true
		}
	}
	return false
}

// defaultPage: without pageinate a paged list gives its first 50 rows.
// halocfg always pages, so this never deviates; it says what Halo does.
func (ks *kindState) defaultPage() Finding {
	a := ks.other
	if a.err != nil {
		return ks.finding("default-page", Unconfirmed, "the list without pageinate failed (see list-shape)")
	}
	m := len(a.list.Rows)
	if !ks.pagesHonoured() && ks.paged.whole() && len(ks.paged.list.Rows) > ks.paged.asked {
		return ks.finding("default-page", OK, fmt.Sprintf("the list does not page: without pageinate every record too (%d rows)", m))
	}
	switch total := a.list.Total; {
	case total > defaultPage && m == defaultPage:
		return ks.finding("default-page", OK, fmt.Sprintf("without pageinate the first %d rows of %d", m, total))
	case total > defaultPage:
		return ks.finding("default-page", OK, fmt.Sprintf("without pageinate %d rows of %d (halocfg always pages: no effect)", m, total))
	case total >= 0:
		return ks.finding("default-page", Unconfirmed, fmt.Sprintf("%d records: not more than %d", total, defaultPage))
	case m == defaultPage:
		return ks.finding("default-page", Unconfirmed, fmt.Sprintf("exactly %d rows and no record_count: Halo's default page, or every record", m))
	case m > defaultPage:
		return ks.finding("default-page", OK, fmt.Sprintf("without pageinate every record: %d rows", m))
	}
	return ks.finding("default-page", Unconfirmed, fmt.Sprintf("%d records: fewer than %d", m, defaultPage))
}

// hidden: the list as export asks for it (ListQuery) holds every record:
// no other known show flag lists more.
func (ks *kindState) hidden() Finding {
	k := ks.k
	with, known := ks.paged.total()
	others, oknown := ks.other.total()
	flags := strings.Join(otherFlags(k), ", ")
	if !known || !oknown {
		return ks.finding("hidden", Unconfirmed, "a count is unknown (no record_count, and a page of Halo's own size): cannot compare")
	}
	own := "without parameters"
	if k.ListQuery != "" {
		own = "with " + k.ListQuery
	}
	found := fmt.Sprintf("%s %d records; without them, with %s: %d", own, with, flags, others)
	if k.ListQuery == "" {
		found = fmt.Sprintf("without parameters %d records; with %s: %d", with, flags, others)
	}
	switch {
	case others > with:
		f := ks.finding("hidden", Deviates, found)
		f.Means = fmt.Sprintf("export and backup of %s leave out %d records that the list shows only with another flag (hidden or inactive ones); import does not see them in the target either", k.Name, others-with)
		f.Do = "report it with this report: the catalog's ListQuery of " + k.Name + " must send the flag that shows them"
		return f
	case k.ListQuery == "":
		return ks.finding("hidden", OK, found+": no known flag shows more")
	case with > others:
		return ks.finding("hidden", OK, found+fmt.Sprintf(": %s shows %d hidden or inactive records", k.ListQuery, with-others))
	}
	return ks.finding("hidden", Unconfirmed, found+": no record is hidden on this tenant, so it cannot show that "+k.ListQuery+" works")
}

// count reads "N records" or "an unknown number of records".
func count(n int, known bool) string {
	if !known {
		return "an unknown number of records"
	}
	return fmt.Sprintf("%d records", n)
}

// kept: every row of a pair-only kind's list holds its id and the fields
// its directory keeps (catalog Keep) to pair it by.
func (ks *kindState) kept() Finding {
	k := ks.k
	if ks.paged.err != nil {
		return ks.finding("directory", Unconfirmed, "the list failed (see list-shape)")
	}
	if len(ks.rows) == 0 {
		return ks.finding("directory", Unconfirmed, "the tenant has no "+k.Name+": no row to read")
	}
	var fields []string
	for _, a := range k.Unverified {
		if a.On == catalog.OnKeep {
			fields = a.Fields
		}
	}
	missing := map[string]int{}
	for _, row := range ks.rows {
		for _, f := range fields {
			if _, ok := row[f]; !ok {
				missing[f]++
			}
		}
	}
	found := fmt.Sprintf("%d rows read; kept: %s", len(ks.rows), strings.Join(fields, ", "))
	if len(missing) == 0 {
		return ks.finding("directory", OK, found+": every row holds them")
	}
	var lacks []string
	for _, f := range fields {
		if n := missing[f]; n > 0 {
			lacks = append(lacks, fmt.Sprintf("%s (%d rows)", f, n))
		}
	}
	f := ks.finding("directory", Deviates, found+"; missing: "+strings.Join(lacks, ", "))
	f.Means = "the directory of " + k.Name + " lacks what pairing keys it by: its references pair with no one, and go to --map and --external"
	f.Do = "report it with this report; map the references with --map meanwhile"
	return f
}
