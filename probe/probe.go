// Package probe checks, read-only, whether a tenant behaves as halocfg
// assumes: for every kind what its list answers, how it pages and hides
// records, what a record holds against Halo's schema, how records are
// identified and whether the references the catalog infers from a field's
// name resolve. It reads what it checks from the catalog (ListKey,
// ListQuery, DetailQuery, RefField, Refs, Unverified), so that each
// assumption has one owner.
//
// Its report holds field names, JSON types, counts and verdicts: never a
// record's values, names or ids, and no secret.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/snapshot"
	"golang.org/x/sync/errgroup"
)

// Client is what a probe needs of a tenant; *halo.Client is one.
type Client interface {
	Fetch(ctx context.Context, k *catalog.Kind, id, query string) (halo.Answer, error)
	AuthInfo() halo.AuthInfo
	Stats() halo.Stats
}

// Options tune a probe.
type Options struct {
	Kinds []*catalog.Kind  // default: every kind
	Tool  string           // written into the report: "halocfg 0.1.0"
	Now   func() time.Time // default time.Now
}

const (
	// smallPage is the page size probe asks for, to see whether a list pages.
	smallPage = 2
	// haloCap is the most rows Halo is known to put on a page, whatever
	// page_size says; capPage asks for one more.
	haloCap = 100
	capPage = haloCap + 1
	// defaultPage is what a paged list returns without pageinate.
	defaultPage = 50
	// extraRequests may be spent beyond the fixed requests of each kind:
	// on the cap and page_no of lists past haloCap rows, then on pages of
	// ids that references point at.
	extraRequests = 4
)

// Budget is the most API requests a probe of kinds (none: every kind)
// sends, retries aside: three for each kind (a small page of the list as
// export asks for it, the list without pageinate and with the other show
// flags, one record's detail), one more for each kind whose detail export
// asks without parameters (the detail with them), two for each list of the
// pair-only kinds they point at (the same two lists; no detail: export
// reads none), and extraRequests.
func Budget(kinds []*catalog.Kind) int {
	if len(kinds) == 0 {
		kinds = catalog.Kinds()
	}
	n := extraRequests
	for _, k := range kinds {
		n += 3
		if k.DetailQuery == "" {
			n++
		}
	}
	for _, d := range directories(kinds) {
		if d.reads {
			n += 2
		}
	}
	return n
}

// directory is a pair-only kind a probe checks; reads is false for one
// whose list an earlier one reads (departments: /Team, read for teams).
type directory struct {
	k     *catalog.Kind
	reads bool
}

// directories are the pair-only kinds that the references of kinds point
// at, as export reads them: one list request for those that share a list.
func directories(kinds []*catalog.Kind) []directory {
	pk, _ := catalog.PairOnlyFor(kinds, nil)
	var out []directory
	for _, k := range pk {
		out = append(out, directory{k, !slices.ContainsFunc(out, func(d directory) bool {
			return d.k.Endpoint == k.Endpoint && d.k.ListQuery == k.ListQuery
		})})
	}
	return out
}

// Run probes the tenant c reaches and returns the report. It fails only
// when the tenant cannot be probed at all (authentication, the network, a
// cancelled ctx); what a kind's requests answer is a finding.
func Run(ctx context.Context, c Client, o Options) (*Report, error) {
	kinds := o.Kinds
	if len(kinds) == 0 {
		kinds = catalog.Kinds()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	before := c.Stats()
	p := &prober{c: c, extra: extraRequests, kinds: map[string]*kindState{}}
	dirs := directories(kinds)
	read := slices.Clone(kinds) // the kinds whose lists the probe reads
	for _, d := range dirs {
		if d.reads {
			read = append(read, d.k)
		}
	}
	for _, k := range append(slices.Clone(kinds), pairOnly(dirs)...) {
		p.kinds[k.Name] = &kindState{k: k, rows: map[string]snapshot.Record{}, looked: map[string]bool{}}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, k := range read {
		g.Go(func() error { return p.gather(gctx, p.kinds[k.Name]) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, k := range kinds {
		if err := p.pageOn(ctx, p.kinds[k.Name]); err != nil {
			return nil, err
		}
	}
	refs, err := p.references(ctx, kinds)
	if err != nil {
		return nil, err
	}
	// The directories' long lists get what the configuration left of the
	// extra budget.
	for _, d := range dirs {
		if d.reads {
			if err := p.pageOn(ctx, p.kinds[d.k.Name]); err != nil {
				return nil, err
			}
		}
	}
	for _, d := range dirs { // a list read for an earlier kind answers for this one
		if !d.reads {
			p.kinds[d.k.Name].shareLists(p.kinds, dirs)
		}
	}

	r := &Report{Probe: reportTitle, Format: 1, Tool: o.Tool, StartedAt: start.UTC(), Kinds: len(kinds), Budget: Budget(kinds)}
	r.add(p.auth()...)
	for _, k := range kinds {
		ks := p.kinds[k.Name]
		r.add(ks.listFindings()...)
		r.add(ks.recordFindings()...)
		r.add(refs.finding(k))
		r.add(ks.externalFinding())
		if k.Name == "priority" {
			r.add(p.priorities(ks))
		}
	}
	for _, d := range dirs {
		ks := p.kinds[d.k.Name]
		r.add(ks.listFindings()...)
		r.add(ks.kept())
	}
	r.Directories = len(dirs)
	r.Unverified = unverified(r.Findings, refs)
	after := c.Stats()
	r.Requests = after.Requests - before.Requests
	r.Writes = after.Writes - before.Writes
	r.TokenRequests = after.TokenFetches // the probe's own authentication included
	r.Elapsed = now().Sub(start)
	return r, nil
}

// prober holds what the requests of one probe found.
type prober struct {
	c     Client
	kinds map[string]*kindState
	extra int // extraRequests left; used by one goroutine at a time

	mu          sync.Mutex
	rateHeaders []string // rate-limit header names seen
}

// kindState is what the requests for one kind answered.
type kindState struct {
	k      *catalog.Kind
	paged  listAnswer // export's flags, pageinate, a small page
	other  listAnswer // no pageinate, every other known show flag
	cap    listAnswer // export's flags, a page over the cap (asked only past haloCap rows)
	page2  listAnswer // export's flags, page 2 of haloCap rows
	pages  int        // pages of haloCap rows read so far (cap counts as the first)
	detail answer     // one record, as export asks for it
	plus   answer     // the same record with every detail parameter (kinds export asks without)
	// rows holds every list row seen, by id: what references resolve against.
	rows map[string]snapshot.Record
	// looked holds the ids looked up one by one, and whether a record has it.
	looked map[string]bool
}

// listAnswer is one list request's answer.
type listAnswer struct {
	query string
	asked int // page size asked; 0: without pageinate
	list  halo.List
	err   error // the request, or the answer's shape, failed
	done  bool  // the request was made
}

// answer is one detail request's answer.
type answer struct {
	query string
	id    string
	rec   snapshot.Record
	err   error
	done  bool
}

// exportQuery is k's list query as export sends it, with a page.
func exportQuery(k *catalog.Kind, size, page int) string {
	q := fmt.Sprintf("pageinate=true&page_size=%d&page_no=%d", size, page)
	if k.ListQuery != "" {
		q += "&" + k.ListQuery
	}
	return q
}

// otherFlags are the catalog's show parameters that k's ListQuery does not
// send: the list with them and without k's own shows what k's flags change,
// and whether another flag shows records export misses.
func otherFlags(k *catalog.Kind) []string {
	own := catalog.TrueParams(k.ListQuery)
	var out []string
	for _, p := range catalog.ShowParams() {
		if !contains(own, p) {
			out = append(out, p)
		}
	}
	return out
}

// detailParams are every parameter some kind's DetailQuery sets to true.
func detailParams() []string {
	var out []string
	for _, k := range catalog.Kinds() {
		for _, p := range catalog.TrueParams(k.DetailQuery) {
			if !contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func trueQuery(params []string) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p + "=true"
	}
	return strings.Join(parts, "&")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// gather makes the fixed requests of one kind: of a pair-only kind, its
// two lists alone (export reads no detail of them).
func (p *prober) gather(ctx context.Context, ks *kindState) error {
	k := ks.k
	var err error
	if ks.paged, err = p.list(ctx, k, exportQuery(k, smallPage, 1), smallPage); err != nil {
		return err
	}
	if ks.other, err = p.list(ctx, k, trueQuery(otherFlags(k)), 0); err != nil {
		return err
	}
	ks.keep(ks.paged, ks.other)
	id := firstID(ks.paged, ks.other)
	if id == "" || k.PairOnly {
		return nil // nothing to read a detail of
	}
	if ks.detail, err = p.get(ctx, k, id, k.DetailQuery); err != nil {
		return err
	}
	if k.DetailQuery == "" {
		ks.plus, err = p.get(ctx, k, id, trueQuery(detailParams()))
	}
	return err
}

// pairOnly are the kinds of dirs.
func pairOnly(dirs []directory) []*catalog.Kind {
	out := make([]*catalog.Kind, len(dirs))
	for i, d := range dirs {
		out[i] = d.k
	}
	return out
}

// shareLists takes the list answers of the directory that reads the same
// list as ks (a department: its team's /Team).
func (ks *kindState) shareLists(states map[string]*kindState, dirs []directory) {
	for _, d := range dirs {
		if d.reads && d.k.Endpoint == ks.k.Endpoint && d.k.ListQuery == ks.k.ListQuery {
			from := states[d.k.Name]
			ks.paged, ks.other, ks.cap, ks.page2, ks.pages = from.paged, from.other, from.cap, from.page2, from.pages
			ks.keep(ks.paged, ks.other, ks.cap, ks.page2)
			return
		}
	}
}

// pageOn reads, from the extra budget, a page over the cap and page 2 of a
// list that pages and may hold more than haloCap records.
func (p *prober) pageOn(ctx context.Context, ks *kindState) error {
	if !ks.pagesHonoured() {
		return nil
	}
	if total, known := ks.paged.total(); known && total <= haloCap {
		return nil
	}
	var err error
	if !p.spend() {
		return nil
	}
	if ks.cap, err = p.list(ctx, ks.k, exportQuery(ks.k, capPage, 1), capPage); err != nil {
		return err
	}
	ks.pages = 1
	ks.keep(ks.cap)
	if total, known := ks.paged.total(); ks.cap.err != nil || (known && total <= len(ks.cap.list.Rows)) || !p.spend() {
		return nil
	}
	ks.page2, err = p.list(ctx, ks.k, exportQuery(ks.k, haloCap, 2), haloCap)
	ks.pages = 2
	ks.keep(ks.page2)
	return err
}

// keep adds the rows of answers to the rows seen.
func (ks *kindState) keep(answers ...listAnswer) {
	for _, a := range answers {
		for _, row := range a.list.Rows {
			if id := row.ID(); id != "" && ks.rows[id] == nil {
				ks.rows[id] = row
			}
		}
	}
}

// total is the number of records under the answer's flags, when it tells:
// its record_count, or the rows of an answer that holds them all.
func (a listAnswer) total() (int, bool) {
	switch {
	case a.err != nil || !a.done:
		return 0, false
	case a.list.Total >= 0:
		return a.list.Total, true
	case a.whole():
		return len(a.list.Rows), true
	}
	return 0, false
}

// whole reports whether the answer holds every record under its flags:
// record_count says so, or it holds fewer rows than a page, or more than
// the page asked for (paging ignored) without being a page of Halo's own
// sizes. Without pageinate, 50 rows may be Halo's default first page.
func (a listAnswer) whole() bool {
	n := len(a.list.Rows)
	switch {
	case a.err != nil || !a.done:
		return false
	case a.list.Total >= 0:
		return n >= a.list.Total
	case a.asked > 0:
		return n < a.asked || (n > a.asked && n != defaultPage && n != haloCap)
	}
	return n != defaultPage
}

// pagesHonoured reports whether the small page came back as asked, from a
// list longer than it: the list pages.
func (ks *kindState) pagesHonoured() bool {
	a := ks.paged
	if a.err != nil || len(a.list.Rows) > a.asked {
		return false
	}
	if total, known := a.total(); known {
		return total > len(a.list.Rows)
	}
	// A bare page of exactly smallPage rows: the unpaged list tells.
	other, known := ks.other.total()
	return len(a.list.Rows) == a.asked && (!known || other > a.asked)
}

// spend takes one request from the extra budget.
func (p *prober) spend() bool {
	if p.extra <= 0 {
		return false
	}
	p.extra--
	return true
}

// list asks for k's list with query. A failure of the tenant's answer is
// kept in the listAnswer; one that ends the probe is returned.
func (p *prober) list(ctx context.Context, k *catalog.Kind, query string, asked int) (listAnswer, error) {
	la := listAnswer{query: query, asked: asked, done: true}
	a, err := p.fetch(ctx, k, "", query)
	if err != nil {
		la.err = err
		return la, fatal(ctx, err)
	}
	if la.list, err = halo.ParseList(a.Body, k.ListKey); err != nil {
		la.err = shapeError{err}
	}
	return la, nil
}

// get asks for the record of k with id.
func (p *prober) get(ctx context.Context, k *catalog.Kind, id, query string) (answer, error) {
	an := answer{query: query, id: id, done: true}
	a, err := p.fetch(ctx, k, id, query)
	if err != nil {
		an.err = err
		return an, fatal(ctx, err)
	}
	rec, ok := a.Body.(map[string]any)
	if !ok {
		an.err = fmt.Errorf("the answer is a JSON %s, want one record", catalog.JSONType(a.Body))
		return an, nil
	}
	an.rec = rec
	return an, nil
}

// fetch makes one request and notes the rate-limit headers of its answer.
func (p *prober) fetch(ctx context.Context, k *catalog.Kind, id, query string) (halo.Answer, error) {
	a, err := p.c.Fetch(ctx, k, id, query)
	if err == nil {
		p.mu.Lock()
		for name := range a.Header {
			if isRateHeader(name) && !contains(p.rateHeaders, http.CanonicalHeaderKey(name)) {
				p.rateHeaders = append(p.rateHeaders, http.CanonicalHeaderKey(name))
			}
		}
		p.mu.Unlock()
	}
	return a, err
}

func isRateHeader(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "ratelimit") || strings.Contains(n, "rate-limit") || strings.HasPrefix(n, "x-rate") || n == "retry-after"
}

// fatal returns err when it ends the probe: the caller gave up, or the
// tenant refused the credentials. An answer of the tenant (an HTTP status, a
// body that is not JSON) is a finding about one kind instead.
func fatal(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, halo.ErrAuth) {
		return err
	}
	return nil
}

// firstID is the id of the first row of the first answer that has one.
func firstID(answers ...listAnswer) string {
	for _, a := range answers {
		for _, row := range a.list.Rows {
			if id := row.ID(); id != "" {
				return id
			}
		}
	}
	return ""
}

// shapeError is an answer that is JSON but not a list halocfg can read.
type shapeError struct{ err error }

func (e shapeError) Error() string { return e.err.Error() }

// failure says how a request failed, without the answer's text (it may
// quote the tenant's data): the HTTP status, or what was wrong with it.
func failure(err error) string {
	var se *halo.StatusError
	if errors.As(err, &se) {
		return fmt.Sprintf("answered %d %s", se.Code, http.StatusText(se.Code))
	}
	if errors.As(err, new(shapeError)) {
		return "answered JSON that is not a list halocfg can read"
	}
	return "failed: the answer could not be read (not JSON, or the connection failed)"
}
