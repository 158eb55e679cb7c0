// Package export reads the configuration of a live tenant into a snapshot:
// every kind listed, every record fetched in full, concurrently within the
// client's budget.
package export

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/snapshot"
	"golang.org/x/sync/errgroup"
)

// Source is what export needs of a tenant; *halo.Client is one.
type Source interface {
	List(ctx context.Context, k *catalog.Kind) ([]snapshot.Record, error)
	Get(ctx context.Context, k *catalog.Kind, id string) (snapshot.Record, error)
}

// Options tune an export.
type Options struct {
	Kinds []*catalog.Kind // default: every kind
	// Concurrency bounds the detail requests started at once; the client
	// bounds what is in flight, this bounds goroutines. Default 8.
	Concurrency int
	// Progress, when set, is called after each record is fetched with the
	// number done and the number known so far. It must be cheap.
	Progress func(done, total int)
	// Gone, when set, is told of each record that was listed but deleted
	// before its details were fetched; it is left out of the snapshot.
	Gone func(kind, id string)
}

// Fetch lists every selected kind and fetches every record's details. The
// records are exactly what the detail requests returned.
func Fetch(ctx context.Context, src Source, opt Options) (map[string][]snapshot.Record, error) {
	kinds := opt.Kinds
	if len(kinds) == 0 {
		kinds = catalog.Kinds()
	}
	limit := opt.Concurrency
	if limit < 1 {
		limit = 8
	}

	// Lists first, all kinds at once: they are few, and the detail phase
	// can then keep the budget busy across kinds.
	ids := make([][]string, len(kinds))
	g, gctx := errgroup.WithContext(ctx)
	for i, k := range kinds {
		g.Go(func() error {
			rows, err := src.List(gctx, k)
			if err != nil {
				return fmt.Errorf("listing %s: %w", k.Name, err)
			}
			ids[i], err = rowIDs(k, rows)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	total := 0
	out := make(map[string][]snapshot.Record, len(kinds))
	for i, k := range kinds {
		total += len(ids[i])
		out[k.Name] = make([]snapshot.Record, len(ids[i]))
	}
	var done atomic.Int64
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, k := range kinds {
		recs := out[k.Name]
		for j, id := range ids[i] {
			g.Go(func() error {
				rec, err := src.Get(gctx, k, id)
				if halo.IsNotFound(err) {
					// Deleted while we worked: the snapshot shows the tenant
					// as it was after, which is as consistent as it can be.
					if opt.Gone != nil {
						opt.Gone(k.Name, id)
					}
					return nil
				}
				if err != nil {
					return fmt.Errorf("%s %s: %w", k.Name, id, err)
				}
				if got := rec.ID(); got != id {
					return fmt.Errorf("%s %s: the detail request returned id %q", k.Name, id, got)
				}
				recs[j] = rec
				if opt.Progress != nil {
					opt.Progress(int(done.Add(1)), total)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, k := range kinds {
		recs := out[k.Name][:0]
		for _, r := range out[k.Name] {
			if r != nil {
				recs = append(recs, r)
			}
		}
		snapshot.SortByID(recs)
		out[k.Name] = recs
	}
	return out, nil
}

// rowIDs returns the ids of a list, refusing rows without one and repeats:
// either would make the snapshot silently wrong.
func rowIDs(k *catalog.Kind, rows []snapshot.Record) ([]string, error) {
	ids := make([]string, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	for i, r := range rows {
		id := r.ID()
		if id == "" {
			return nil, fmt.Errorf("listing %s: row %d has no id", k.Name, i+1)
		}
		if seen[id] {
			return nil, fmt.Errorf("listing %s: id %s appears twice", k.Name, id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids, nil
}

// Lister lists the records of a kind; *halo.Client is one.
type Lister interface {
	List(ctx context.Context, k *catalog.Kind) ([]snapshot.Record, error)
}

// People reads the directories of pair-only kinds (agents, teams ...):
// each kind's list, reduced to the fields its directory keeps (Kind.Keep),
// sorted by id, each id once. Kinds read from one list (teams and their
// departments) share one listing. Nothing else of a person is kept.
//
// A list the API refuses (halo.IsRefused: an API application without the
// permission to read agents, say) fails the call unless refused is given:
// then each kind of that list is reported to it and left out of the result,
// since pairing does without a directory (references go to --map and
// --external), while a nightly backup must not fail for want of one.
func People(ctx context.Context, src Lister, kinds []*catalog.Kind, refused func(k *catalog.Kind, err error)) (map[string][]snapshot.Record, error) {
	type list struct{ endpoint, query string }
	rows := map[list][]snapshot.Record{}
	var lists []list
	for _, k := range kinds {
		l := list{k.Endpoint, k.ListQuery}
		if _, ok := rows[l]; !ok {
			rows[l] = nil
			lists = append(lists, l)
		}
	}
	got := make([][]snapshot.Record, len(lists))
	failed := make([]error, len(lists)) // refused lists
	g, gctx := errgroup.WithContext(ctx)
	for i, l := range lists {
		g.Go(func() error {
			for _, k := range kinds { // the first kind read from this list
				if k.Endpoint == l.endpoint && k.ListQuery == l.query {
					var err error
					if got[i], err = src.List(gctx, k); err != nil {
						if refused != nil && halo.IsRefused(err) {
							got[i] = nil
							failed[i] = err
							return nil
						}
						return fmt.Errorf("listing %s: %w", k.Name, err)
					}
					return nil
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, l := range lists {
		rows[l] = got[i]
	}
	out := make(map[string][]snapshot.Record, len(kinds))
	for _, k := range kinds {
		if i := slices.Index(lists, list{k.Endpoint, k.ListQuery}); failed[i] != nil {
			refused(k, failed[i])
			continue
		}
		seen := map[string]bool{}
		recs := []snapshot.Record{}
		for _, row := range rows[list{k.Endpoint, k.ListQuery}] {
			e, ok := k.Project(row)
			if !ok {
				continue
			}
			rec := snapshot.Record(e)
			if id := rec.ID(); !seen[id] { // a department named by several teams
				seen[id] = true
				recs = append(recs, rec)
			}
		}
		snapshot.SortByID(recs)
		out[k.Name] = recs
	}
	return out, nil
}
