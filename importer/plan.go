// Package importer imports a snapshot into a tenant: Plan reads the target,
// pairs and rewrites every record (package mapping) and says what would
// change; Apply writes exactly that, in dependency order, creating records
// that close a cycle without the closing field and patching it afterwards,
// and keeps a ledger so that a run killed at any point can simply be run again.
package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/export"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
	"golang.org/x/sync/errgroup"
)

// Target is the tenant an import reads and writes; *halo.Client is one.
type Target interface {
	List(ctx context.Context, k *catalog.Kind) ([]snapshot.Record, error)
	Get(ctx context.Context, k *catalog.Kind, id string) (snapshot.Record, error)
	Post(ctx context.Context, k *catalog.Kind, rec snapshot.Record) (snapshot.Record, error)
	Delete(ctx context.Context, k *catalog.Kind, id string) error
}

// ErrSameTenant refuses an import into the tenant the snapshot came from.
var ErrSameTenant = errors.New("the target is the tenant the snapshot was exported from")

// Op is what an import does to one record.
type Op string

const (
	Create    Op = "create"
	Update    Op = "update"
	Unchanged Op = "unchanged"
	Delete    Op = "delete"
)

// Action is the plan for one record.
type Action struct {
	Op        Op     `json:"op"`
	Kind      string `json:"kind"`
	Key       string `json:"key"`                  // natural key
	SourceID  string `json:"source_id,omitempty"`  // "" for a delete
	TargetID  string `json:"target_id,omitempty"`  // "" for a create
	MatchedBy string `json:"matched_by,omitempty"` // map, ledger, guid, key or closest (one of several with the key)
	// Fields are the top-level fields an update changes; Changes says, for
	// each, what it is now and what it becomes.
	Fields  []string `json:"fields,omitempty"`
	Changes []Change `json:"changes,omitempty"`
	// Deferred are the fields a create leaves out because they close a
	// reference cycle; one patch per record sets them once every record exists.
	Deferred []string `json:"deferred,omitempty"`
}

// Summary counts a plan's actions, or the writes Apply sent.
type Summary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Unchanged int `json:"unchanged"`
	Delete    int `json:"delete"`
	// Patch counts the records created without some fields and patched
	// afterwards (one write each); DeferredFields counts those fields.
	Patch          int `json:"patch"`
	DeferredFields int `json:"deferred_fields"`
	// Lost counts the writes whose answer was lost (Apply only): each was
	// found applied by reading the target, or sent again (Resent) when it
	// certainly was not.
	Lost   int `json:"lost_answers,omitempty"`
	Resent int `json:"resent,omitempty"`
}

// Writes is the number of write requests: creates, updates, patches and deletes.
func (s Summary) Writes() int { return s.Create + s.Update + s.Patch + s.Delete }

// Plan is what an import would do. It holds what Apply needs; a plan with
// Problems cannot be applied.
type Plan struct {
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Kinds   []string `json:"kinds"`
	Summary Summary  `json:"summary"`
	// OnCycles counts the records to create that lie on a reference cycle;
	// Summary.Patch of them are patched.
	OnCycles int                `json:"records_on_cycles"`
	Actions  []Action           `json:"actions"` // in the order Apply writes them; unchanged last
	Problems []snapshot.Problem `json:"problems"`
	// External is the --external mode; Unmapped lists every external id the
	// written records hold that the --map file does not map: what that mode
	// decides (fail lists each reference as a problem).
	External string             `json:"external"`
	Unmapped []mapping.Unmapped `json:"unmapped_external"`
	People   []People           `json:"people"` // how agents, teams ... paired by key
	refused  map[string]string  // pair-only kinds whose list the target refused: why

	over     mapping.Overrides // the --map file's entries
	kinds    []*catalog.Kind
	src, dst *mapping.Tenant
	matching *mapping.Matching
	mapper   *mapping.Mapper
	full     map[mapping.Node]bool // target records read in full
}

// NewPlan reads the target and plans the import of snap into it. Problems
// with the snapshot, the --map file or the references land in Plan.Problems,
// every one of them; an error means the plan could not be made at all.
func NewPlan(ctx context.Context, snap *snapshot.Snapshot, dst Target, opt Options) (*Plan, error) {
	if SameTenant(snap.Manifest.Source, opt.TargetURL) && !opt.AllowSameTenant {
		return nil, fmt.Errorf("%w (%s): pass --allow-same-tenant to import into it anyway", ErrSameTenant, opt.TargetURL)
	}
	kinds, err := importedKinds(snap, opt.Kinds)
	if err != nil {
		return nil, err
	}
	p := &Plan{Source: snap.Manifest.Source, Target: opt.TargetURL, kinds: kinds, Actions: []Action{}, Problems: []snapshot.Problem{},
		External: opt.External.String(), over: opt.Overrides}
	imported := map[string]bool{}
	for _, k := range kinds {
		p.Kinds = append(p.Kinds, k.Name)
		imported[k.Name] = true
	}
	for _, k := range catalog.Stored() {
		if recs, ok := snap.Records[k.Name]; ok {
			p.Problems = append(p.Problems, checkRecords(k, recs, imported[k.Name])...)
		}
	}
	rows, refused, err := listTarget(ctx, dst, snap, opt.Overrides)
	if err != nil {
		return nil, err
	}
	// A directory the target refuses to list pairs no one: the snapshot's
	// is set aside, so references to those people go to --map and --external.
	src := snap.Records
	if len(refused) > 0 {
		src = maps.Clone(src)
		for kind := range refused {
			delete(src, kind)
		}
	}
	p.src = mapping.NewTenant(src)
	p.refused = refused
	p.dst = mapping.NewTenant(rows)
	// Records that share a natural key are told apart by their other
	// fields: matching needs them in full.
	var contested []mapping.Node
	for _, k := range catalog.Kinds() {
		for _, t := range mapping.Contested(p.src, p.dst, k.Name) {
			contested = append(contested, mapping.Node{Kind: k.Name, ID: t.ID()})
		}
	}
	if err := p.fetch(ctx, dst, contested, opt.Concurrency); err != nil {
		return nil, err
	}
	var probs []snapshot.Problem
	p.matching, probs = mapping.Match(p.src, p.dst, opt.Overrides, opt.Ledger)
	probs = append(probs, opt.Overrides.CheckTypes(p.src, kinds)...)
	for _, pr := range probs {
		if pr.Kind == "map" {
			pr.ID = opt.MapFile
		}
		if pr.Kind == "map" || imported[pr.Kind] {
			p.Problems = append(p.Problems, pr)
		}
	}
	var paired []mapping.Node
	for _, k := range kinds {
		for _, rec := range p.src.Records(k.Name) {
			if pair, ok := p.matching.Get(k.Name, rec.ID()); ok {
				paired = append(paired, mapping.Node{Kind: k.Name, ID: pair.TargetID})
			}
		}
	}
	if err := p.fetch(ctx, dst, paired, opt.Concurrency); err != nil {
		return nil, err
	}
	p.mapper = &mapping.Mapper{Source: p.src, Target: p.dst, Matching: p.matching, Overrides: opt.Overrides,
		External: opt.External, Imported: func(kind string) bool { return imported[kind] }}

	var nodes []mapping.Node
	deps := map[mapping.Node][]mapping.Pending{}
	var updates, unchanged []Action
	for _, k := range kinds {
		for _, rec := range p.src.Records(k.Name) {
			if p.matching.Reason(k.Name, rec.ID()) != "" {
				continue // reported by Match
			}
			key, _ := mapping.Key(k, rec)
			pair, paired := p.matching.Get(k.Name, rec.ID())
			out, pending, probs := p.mapper.Rewrite(k, rec, pair.TargetID)
			p.Problems = append(p.Problems, probs...)
			if !paired {
				n := mapping.Node{Kind: k.Name, ID: rec.ID()}
				nodes = append(nodes, n)
				deps[n] = pending
				continue
			}
			a := Action{Op: Unchanged, Kind: k.Name, Key: key, SourceID: rec.ID(), TargetID: pair.TargetID, MatchedBy: pair.By}
			if out != nil {
				a.Changes = changes(k, out, p.dst.ByID(k.Name, pair.TargetID), pending)
				a.Fields = fieldsOf(a.Changes)
			}
			if len(a.Fields) > 0 {
				a.Op = Update
				updates = append(updates, a)
			} else {
				unchanged = append(unchanged, a)
			}
		}
	}
	p.Unmapped = p.mapper.Unmapped()
	order, deferred := mapping.Schedule(nodes, deps)
	p.OnCycles = mapping.OnCycles(nodes, deps)
	for _, n := range order {
		key, _ := mapping.Key(catalog.MustLookup(n.Kind), p.src.ByID(n.Kind, n.ID))
		p.Actions = append(p.Actions, Action{Op: Create, Kind: n.Kind, Key: key, SourceID: n.ID, Deferred: deferred[n]})
	}
	p.Actions = append(p.Actions, updates...)
	if opt.Prune {
		for i := len(kinds) - 1; i >= 0; i-- { // referrers before what they refer to
			k := kinds[i]
			for _, t := range p.dst.Records(k.Name) {
				if _, ok := p.matching.Source(k.Name, t.ID()); !ok {
					key, _ := mapping.Key(k, t)
					p.Actions = append(p.Actions, Action{Op: Delete, Kind: k.Name, Key: key, TargetID: t.ID()})
				}
			}
		}
	}
	p.Actions = append(p.Actions, unchanged...)
	p.People = p.people(snap, opt.Overrides)
	mapping.SortProblems(p.Problems)
	p.Summary = summarize(p.Actions)
	return p, nil
}

// importedKinds returns the kinds to write, in catalog order: those named
// (each must be in the snapshot), or every kind the snapshot holds.
func importedKinds(snap *snapshot.Snapshot, names []string) ([]*catalog.Kind, error) {
	if len(names) == 0 {
		var out []*catalog.Kind
		for _, k := range catalog.Kinds() {
			if _, ok := snap.Records[k.Name]; ok {
				out = append(out, k)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("the snapshot holds no kind halocfg knows")
		}
		return out, nil
	}
	kinds, err := catalog.Select(names, nil)
	if err != nil {
		return nil, err
	}
	for _, k := range kinds {
		if _, ok := snap.Records[k.Name]; !ok {
			return nil, fmt.Errorf("--only %s: the snapshot holds no %s records", k.Name, k.Name)
		}
	}
	return kinds, nil
}

// listTarget lists, on the target, every kind the snapshot holds or the
// --map file names: the rows carry what matching and references need (id,
// guid, natural key); full records are fetched only where an update may be
// due. Of the pair-only kinds whose directories the snapshot holds it reads
// the target's directories (lists only), to pair people by key; a directory
// the target refuses to list (halo.IsRefused) is left out and its refusal
// returned in refused.
func listTarget(ctx context.Context, dst Target, snap *snapshot.Snapshot, over mapping.Overrides) (recs map[string][]snapshot.Record, refused map[string]string, err error) {
	var kinds, people []*catalog.Kind
	for _, k := range catalog.Kinds() {
		_, inSnap := snap.Records[k.Name]
		_, inMap := over[k.Name]
		if inSnap || inMap {
			kinds = append(kinds, k)
		}
	}
	for _, k := range catalog.PairOnlyKinds() {
		if _, ok := snap.Records[k.Name]; ok {
			people = append(people, k)
		}
	}
	var dirs map[string][]snapshot.Record
	rows := make([][]snapshot.Record, len(kinds))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		var mu sync.Mutex
		refused = map[string]string{}
		dirs, err = export.People(gctx, dst, people, func(k *catalog.Kind, err error) {
			mu.Lock()
			defer mu.Unlock()
			refused[k.Name] = err.Error()
		})
		if err != nil {
			return fmt.Errorf("reading the target: %w", err)
		}
		return nil
	})
	for i, k := range kinds {
		g.Go(func() error {
			var err error
			if rows[i], err = dst.List(gctx, k); err != nil {
				return fmt.Errorf("reading the target: listing %s: %w", k.Name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	out := dirs
	for i, k := range kinds {
		out[k.Name] = rows[i]
	}
	return out, refused, nil
}

// fetch replaces the list rows of target records by their full records
// (updates are computed against those), each once.
func (p *Plan) fetch(ctx context.Context, dst Target, nodes []mapping.Node, limit int) error {
	if limit < 1 {
		limit = 8
	}
	if p.full == nil {
		p.full = map[mapping.Node]bool{}
	}
	var jobs []mapping.Node
	for _, n := range nodes {
		if !p.full[n] {
			p.full[n] = true
			jobs = append(jobs, n)
		}
	}
	full := make([]snapshot.Record, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, j := range jobs {
		g.Go(func() error {
			rec, err := dst.Get(gctx, catalog.MustLookup(j.Kind), j.ID)
			if err != nil {
				return fmt.Errorf("reading the target: %s %s: %w", j.Kind, j.ID, err)
			}
			if rec.ID() != j.ID {
				return fmt.Errorf("reading the target: %s %s: the detail request returned id %q", j.Kind, j.ID, rec.ID())
			}
			full[i] = rec
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, j := range jobs {
		p.dst.Put(j.Kind, full[i])
	}
	return nil
}

// Change is what an update does to one top-level field: its value in the
// target now and the value it gets, as the plan compared them (without what
// Halo derives, mapping.Comparable: no *_name or *_guid partners, no row
// ids). Before is absent when the target's record lacks the field.
type Change struct {
	Field    string
	Before   any
	NoBefore bool
	After    any
	// Pending: the new value points at records this import creates first;
	// After shows the snapshot's ids there, which become the new records'.
	Pending bool
}

// MarshalJSON writes {"field", "before", "after"} in that order, leaving
// "before" out when the target lacks the field (null is null), and
// "pending" when set. Values are written as Canonical writes them: HTML as
// it is (email templates hold it), numbers exact.
func (c Change) MarshalJSON() ([]byte, error) {
	b := append([]byte(`{"field":`), snapshot.Canonical(c.Field)...)
	if !c.NoBefore {
		b = append(append(b, `,"before":`...), snapshot.Canonical(c.Before)...)
	}
	b = append(append(b, `,"after":`...), snapshot.Canonical(c.After)...)
	if c.Pending {
		b = append(b, `,"pending":true`...)
	}
	return append(b, '}'), nil
}

// changes lists the top-level fields of want (a source record rewritten
// for the target) that an update must send for have to hold them: those
// that differ once what Halo derives is set aside (mapping.Comparable), and
// those holding a reference to a record still to be created; by name.
func changes(k *catalog.Kind, want, have snapshot.Record, pending []mapping.Pending) []Change {
	cw, ch := mapping.Comparable(k, want), mapping.Comparable(k, have)
	set := map[string]*Change{}
	add := func(f string) *Change {
		if set[f] == nil {
			hv, ok := ch[f]
			set[f] = &Change{Field: f, Before: hv, NoBefore: !ok, After: cw[f]}
		}
		return set[f]
	}
	for f, v := range cw {
		if f == "id" || f == "guid" || f == k.RefField {
			continue
		}
		if hv, ok := ch[f]; !ok || !snapshot.Equal(v, hv) {
			add(f)
		}
	}
	for _, pd := range pending {
		add(pd.Top()).Pending = true
	}
	out := make([]Change, 0, len(set))
	for _, f := range slices.Sorted(maps.Keys(set)) {
		out = append(out, *set[f])
	}
	return out
}

// changedFields names the fields changes finds.
func changedFields(k *catalog.Kind, want, have snapshot.Record, pending []mapping.Pending) []string {
	return fieldsOf(changes(k, want, have, pending))
}

func fieldsOf(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Field
	}
	return out
}

// withPartners adds to fields the top-level *_guid and *_name partners of
// the scalar references among them, which travel with their reference.
func withPartners(k *catalog.Kind, fields []string) []string {
	out := slices.Clone(fields)
	for _, r := range k.Refs {
		if r.Nested() || !slices.Contains(fields, r.Field) {
			continue
		}
		for _, f := range []string{r.GUID, r.Name} {
			if f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func summarize(actions []Action) Summary {
	var s Summary
	for _, a := range actions {
		s = add(s, a)
		if a.Op == Create && len(a.Deferred) > 0 {
			s.Patch++
			s.DeferredFields += len(a.Deferred)
		}
	}
	return s
}

// IDs returns source id -> target id per kind for every paired record
// (after Apply: every created one too).
func (p *Plan) IDs() mapping.IDs { return p.matching.IDs() }
