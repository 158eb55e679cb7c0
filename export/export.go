// Package export reads the configuration of a live tenant into a snapshot:
// every kind listed, every record fetched in full, concurrently within the
// client's budget.
package export

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/snapshot"
	"golang.org/x/sync/errgroup"
)

// Source is what export needs of a tenant; *halo.Client is one.
type Source interface {
	// ListIDs returns the ids of every record of k, each once, in the
	// order the list gave them.
	ListIDs(ctx context.Context, k *catalog.Kind) ([]string, error)
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

// RecordWriter takes the records of one kind, sorted by id;
// *formats.JSONKind is one.
type RecordWriter interface {
	Write(rec snapshot.Record) error
	// Close ends the kind. Stream calls it on failure too, and ignores
	// its error then.
	Close() error
}

// Fetch lists every selected kind and fetches every record's details. The
// records are exactly what the detail requests returned, sorted by id.
func Fetch(ctx context.Context, src Source, opt Options) (map[string][]snapshot.Record, error) {
	out := map[string][]snapshot.Record{}
	_, err := Stream(ctx, src, opt, func(k *catalog.Kind) (RecordWriter, error) {
		out[k.Name] = []snapshot.Record{}
		return &held{out: out, kind: k.Name}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// held keeps a kind's records in memory, for Fetch.
type held struct {
	out  map[string][]snapshot.Record
	kind string
}

func (h *held) Write(r snapshot.Record) error {
	h.out[h.kind] = append(h.out[h.kind], r)
	return nil
}

func (h *held) Close() error { return nil }

// window is how many records Stream holds at most, per goroutine allowed
// to fetch: those fetched ahead of the one the writer waits for. It lets
// a slow request not stall the others, and bounds memory whatever the
// number of records.
const window = 4

// Stream lists every selected kind and fetches every record's details, and
// writes each kind's records, sorted by id, to the writer open returns for
// it, kind after kind in the order of the kinds. It never holds a kind: only
// its ids, and a window of records fetched but not yet written, so that its
// memory does not grow with the tenant. Every list starts at once, and the
// details of a kind are fetched as soon as its list is in, while the lists
// of the kinds after it are still paging: the budget is kept busy across
// kinds. It returns how many records each kind had.
func Stream(ctx context.Context, src Source, opt Options, open func(k *catalog.Kind) (RecordWriter, error)) (map[string]int, error) {
	kinds := opt.Kinds
	if len(kinds) == 0 {
		kinds = catalog.Kinds()
	}
	limit := opt.Concurrency
	if limit < 1 {
		limit = 8
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait() // nothing runs on after Stream returns
	var failed atomic.Pointer[error]
	fail := func(err error) { // the first error is the cause; the others follow from cancel
		failed.CompareAndSwap(nil, &err)
		cancel()
	}
	cause := func(err error) error {
		if p := failed.Load(); p != nil {
			return *p
		}
		return err
	}

	type list struct {
		ids  []string
		err  error
		done chan struct{}
	}
	lists := make([]list, len(kinds))
	var total, done atomic.Int64
	for i, k := range kinds {
		lists[i].done = make(chan struct{})
		wg.Go(func() {
			defer close(lists[i].done)
			ids, err := src.ListIDs(ctx, k)
			if err == nil {
				ids, err = sortIDs(k, ids)
			}
			if err != nil {
				lists[i].err = fmt.Errorf("listing %s: %w", k.Name, err)
				fail(lists[i].err)
				return
			}
			lists[i].ids = ids
			total.Add(int64(len(ids)))
		})
	}

	// The dispatcher starts the detail requests in the order the records
	// are written, no further ahead than the window; the writer (this
	// goroutine) takes them in that order.
	type job struct {
		kind int // index in kinds
		id   string
		rec  snapshot.Record
		err  error
		gone bool
		done chan struct{}
	}
	ahead := make(chan struct{}, window*limit) // records started and not yet written
	fetching := make(chan struct{}, limit)
	jobs := make(chan *job, window*limit)
	wg.Go(func() {
		defer close(jobs)
		for i, k := range kinds {
			select {
			case <-lists[i].done:
			case <-ctx.Done():
				return
			}
			if lists[i].err != nil {
				return
			}
			jobs <- &job{kind: i} // the kind begins (id ""): its writer opens
			for _, id := range lists[i].ids {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				fetching <- struct{}{}
				j := &job{kind: i, id: id, done: make(chan struct{})}
				jobs <- j
				wg.Go(func() {
					defer func() { <-fetching; close(j.done) }()
					rec, err := src.Get(ctx, k, id)
					switch {
					case halo.IsNotFound(err):
						// Deleted while we worked: the snapshot shows the tenant
						// as it was after, which is as consistent as it can be.
						j.gone = true
						return
					case err != nil:
						j.err = fmt.Errorf("%s %s: %w", k.Name, id, err)
					case rec.ID() != id:
						j.err = fmt.Errorf("%s %s: the detail request returned id %q", k.Name, id, rec.ID())
					default:
						j.rec = rec
						if opt.Progress != nil {
							opt.Progress(int(done.Add(1)), int(total.Load()))
						}
						return
					}
					fail(j.err)
				})
			}
		}
	})

	counts := make(map[string]int, len(kinds))
	var w RecordWriter
	var kind *catalog.Kind
	abandon := func(err error) (map[string]int, error) {
		cancel()
		if w != nil {
			w.Close()
		}
		for range jobs { // let the dispatcher end
		}
		return nil, cause(err)
	}
	for j := range jobs {
		if j.done == nil { // a new kind
			if w != nil {
				if err := w.Close(); err != nil {
					w = nil
					return abandon(err)
				}
			}
			kind = kinds[j.kind]
			var err error
			if w, err = open(kind); err != nil {
				w = nil
				return abandon(err)
			}
			counts[kind.Name] = 0
			continue
		}
		<-j.done
		<-ahead
		switch {
		case j.err != nil:
			return abandon(j.err)
		case j.gone:
			if opt.Gone != nil {
				opt.Gone(kind.Name, j.id)
			}
			continue
		}
		if err := w.Write(j.rec); err != nil {
			return abandon(err)
		}
		counts[kind.Name]++
	}
	if p := failed.Load(); p != nil || ctx.Err() != nil {
		return abandon(ctx.Err())
	}
	if w != nil {
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// sortIDs refuses empty and repeated ids, either of which would make the
// snapshot silently wrong, and sorts them as snapshot.SortByID sorts
// records (ties, such as "7" and "07", in the list's order).
func sortIDs(k *catalog.Kind, ids []string) ([]string, error) {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if id == "" {
			return nil, fmt.Errorf("row %d has no id", i+1)
		}
		if seen[id] {
			return nil, fmt.Errorf("id %s appears twice", id)
		}
		seen[id] = true
	}
	ids = slices.Clone(ids)
	slices.SortStableFunc(ids, func(a, b string) int {
		switch {
		case snapshot.LessID(a, b):
			return -1
		case snapshot.LessID(b, a):
			return 1
		}
		return 0
	})
	return ids, nil
}

// Lister lists the records of a kind; *halo.Client is one. One that can
// also hand the rows over as they come (ListEach, as *halo.Client does) is
// never made to hold a whole list.
type Lister interface {
	List(ctx context.Context, k *catalog.Kind) ([]snapshot.Record, error)
}

type rowLister interface {
	ListEach(ctx context.Context, k *catalog.Kind, keep func(snapshot.Record)) error
}

// listEach calls keep with each row of k's list.
func listEach(ctx context.Context, src Lister, k *catalog.Kind, keep func(snapshot.Record)) error {
	if rl, ok := src.(rowLister); ok {
		return rl.ListEach(ctx, k, keep)
	}
	rows, err := src.List(ctx, k)
	for _, r := range rows {
		keep(r)
	}
	return err
}

// People reads the directories of pair-only kinds (agents, teams ...):
// each kind's list, reduced to the fields its directory keeps (Kind.Keep),
// sorted by id, each id once. Kinds read from one list (teams and their
// departments) share one listing. Nothing else of a person is kept, and
// each row is reduced as it comes.
//
// A list the API refuses (halo.IsRefused: an API application without the
// permission to read agents, say) fails the call unless refused is given:
// then each kind of that list is reported to it and left out of the result,
// since pairing does without a directory (references go to --map and
// --external), while a nightly backup must not fail for want of one.
func People(ctx context.Context, src Lister, kinds []*catalog.Kind, refused func(k *catalog.Kind, err error)) (map[string][]snapshot.Record, error) {
	type list struct{ endpoint, query string }
	var lists []list
	of := map[list][]*catalog.Kind{} // the kinds read from each list
	for _, k := range kinds {
		l := list{k.Endpoint, k.ListQuery}
		if _, ok := of[l]; !ok {
			lists = append(lists, l)
		}
		of[l] = append(of[l], k)
	}
	got := make([]map[string][]snapshot.Record, len(lists))
	failed := make([]error, len(lists)) // refused lists
	g, gctx := errgroup.WithContext(ctx)
	for i, l := range lists {
		g.Go(func() error {
			ks := of[l]
			dirs := make(map[string][]snapshot.Record, len(ks))
			seen := make(map[string]map[string]bool, len(ks))
			for _, k := range ks {
				dirs[k.Name], seen[k.Name] = []snapshot.Record{}, map[string]bool{}
			}
			err := listEach(gctx, src, ks[0], func(row snapshot.Record) {
				for _, k := range ks {
					e, ok := k.Project(row)
					if !ok {
						continue
					}
					rec := snapshot.Record(e)
					if id := rec.ID(); !seen[k.Name][id] { // a department named by several teams
						seen[k.Name][id] = true
						dirs[k.Name] = append(dirs[k.Name], rec)
					}
				}
			})
			if err != nil {
				if refused != nil && halo.IsRefused(err) {
					failed[i] = err
					return nil
				}
				return fmt.Errorf("listing %s: %w", ks[0].Name, err)
			}
			got[i] = dirs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make(map[string][]snapshot.Record, len(kinds))
	for _, k := range kinds {
		i := slices.Index(lists, list{k.Endpoint, k.ListQuery})
		if failed[i] != nil {
			refused(k, failed[i])
			continue
		}
		recs := got[i][k.Name]
		snapshot.SortByID(recs)
		out[k.Name] = recs
	}
	return out, nil
}
