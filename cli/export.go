package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/export"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"
)

func exportCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "export the ticket configuration of a tenant into a snapshot directory",
		ArgsUsage: " ",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "snapshot directory to create (must not exist, or be empty)"},
			&cli.StringFlag{Name: "format", Value: "json", Usage: "formats to write, comma-separated: " + formats.Names()},
			&cli.StringSliceFlag{Name: "only", Usage: "export only these kinds (comma-separated)"},
			&cli.StringSliceFlag{Name: "skip", Usage: "do not export these kinds (comma-separated); a pair-only kind (agent, team ...) leaves its directory out"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing halocfg snapshot (atomically, once the new one is complete); anything else is refused"},
		}, tenantFlags("")...),
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			out, err := required(c, "out")
			if err != nil {
				return err
			}
			kinds, people, err := selectExport(splitList(c.StringSlice("only")), splitList(c.StringSlice("skip")))
			if err != nil {
				return usageError{err}
			}
			fs, err := formats.Parse(c.String("format"))
			if err != nil {
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			cfg, err := tenantConfig(c, e, "")
			if err != nil {
				return err
			}
			d, err := outDir("out", out, c.Bool("force"))
			if err != nil {
				return err
			}
			defer d.Abort()
			m, st, err := exportInto(c.Context, e, cfg, kinds, people, d, fs)
			if err != nil {
				return err
			}
			if err := d.Commit(m); err != nil {
				return err
			}
			st.log(e, "export complete", d.Final())
			return nil
		},
	}
}

// outDir prepares the snapshot directory a flag names. It refuses (exit 2,
// naming what is in the way) anything but a new path, an empty directory or,
// with force, a halocfg snapshot: snapshot.MayReplaceDir decides.
func outDir(flag, path string, force bool) (*snapshot.Dir, error) {
	d, err := snapshot.NewDir(path, force)
	if errors.Is(err, snapshot.ErrInTheWay) {
		return nil, fmt.Errorf("--%s %w", flag, err)
	}
	return d, err
}

// save writes s in the formats fs into d and commits it: the snapshot
// appears whole, with its manifest, or not at all.
func save(d *snapshot.Dir, s *snapshot.Snapshot, fs []formats.Format) error {
	if err := formats.Write(s, d, fs); err != nil {
		return err
	}
	return d.Commit(s.Manifest)
}

// selectExport returns the kinds an export reads (--only, --skip) and
// the pair-only kinds whose directories it keeps: those the kinds point
// at, less those --skip names.
func selectExport(only, skip []string) (kinds, people []*catalog.Kind, err error) {
	var skipKinds, skipPeople []string
	for _, n := range skip {
		if _, ok := catalog.LookupPairOnly(n); ok {
			skipPeople = append(skipPeople, n)
		} else {
			skipKinds = append(skipKinds, n)
		}
	}
	if kinds, err = catalog.Select(only, skipKinds); err != nil {
		return nil, nil, err
	}
	people, err = catalog.PairOnlyFor(kinds, skipPeople)
	return kinds, people, err
}

// exportStats is what the one-line summary reports.
type exportStats struct {
	kinds, records int
	people         int // entries of the directories of pair-only kinds
	client         halo.Stats
	elapsed        time.Duration
}

func (st exportStats) log(e *env, msg, dir string) {
	e.log.Info(msg, "dir", dir, "kinds", st.kinds, "records", st.records, "people", st.people,
		"requests", st.client.Requests, "retries", st.client.Retries,
		"rate_limited", st.client.RateLimited, "elapsed", st.elapsed.Round(time.Millisecond).String())
}

// exportTenant connects to a tenant and reads the selected kinds, and the
// directories of the pair-only kinds people, into a snapshot.
func exportTenant(ctx context.Context, e *env, cfg halo.Config, kinds, people []*catalog.Kind) (*snapshot.Snapshot, exportStats, error) {
	start := time.Now()
	client, err := connect(ctx, cfg)
	if err != nil {
		return nil, exportStats{}, err
	}
	var recs map[string][]snapshot.Record
	dirs, err := fetchTenant(ctx, e, client, cfg, kinds, people, func(ctx context.Context, opt export.Options) error {
		var err error
		recs, err = export.Fetch(ctx, client, opt)
		return err
	})
	if err != nil {
		return nil, exportStats{}, err
	}
	s := &snapshot.Snapshot{Manifest: newManifest(client, cfg, start), Records: map[string][]snapshot.Record{}}
	st := exportStats{kinds: len(kinds), client: client.Stats()}
	for _, k := range kinds {
		s.Put(k.Name, recs[k.Name])
		st.records += len(recs[k.Name])
	}
	for _, k := range people {
		if recs, ok := dirs[k.Name]; ok { // not when refused
			s.Put(k.Name, recs)
			st.people += len(recs)
		}
	}
	st.elapsed = time.Since(start)
	return s, st, nil
}

// fetchTenant runs fetch, which reads the kinds with the options given, and
// returns the directories of the pair-only kinds people. The directories
// are few requests, listed beside the kinds so that they use the budget
// while it is fresh rather than wait for a window at the end.
func fetchTenant(ctx context.Context, e *env, client *halo.Client, cfg halo.Config, kinds, people []*catalog.Kind, fetch func(context.Context, export.Options) error) (map[string][]snapshot.Record, error) {
	var dirs map[string][]snapshot.Record
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		dirs, err = export.People(gctx, client, people, func(k *catalog.Kind, err error) {
			e.log.Warn("directory left out: the API refused its list; an import pairs no "+k.Name+" of this snapshot (references to them go to --map and --external)",
				"kind", k.Name, "error", err.Error())
		})
		return err
	})
	progress, finish := e.progress("export")
	g.Go(func() error {
		return fetch(gctx, export.Options{Kinds: kinds, Concurrency: 2 * cfg.Concurrency, Progress: progress, Gone: gone(e)})
	})
	err := g.Wait()
	finish()
	return dirs, err
}

// exportInto exports the tenant into the snapshot directory d (not yet
// committed) in the formats fs, and returns the manifest to commit it with.
// It never holds the snapshot: each kind's records go to json/<kind>.json
// as they are fetched (export.Stream), and the other formats are written
// from those files, read back one kind at a time. Without json among fs the
// files are spooled in a private directory inside d's temporary one and
// removed before the commit; on failure d.Abort removes everything.
func exportInto(ctx context.Context, e *env, cfg halo.Config, kinds, people []*catalog.Kind, d *snapshot.Dir, fs []formats.Format) (snapshot.Manifest, exportStats, error) {
	start := time.Now()
	client, err := connect(ctx, cfg)
	if err != nil {
		return snapshot.Manifest{}, exportStats{}, err
	}
	var others []formats.Format
	keepJSON := false
	for _, f := range fs {
		if _, ok := f.(formats.JSON); ok {
			keepJSON = true
		} else {
			others = append(others, f)
		}
	}
	var dst formats.Creator = d
	root := d.Path()
	if !keepJSON {
		sp, err := newSpool(d.Path())
		if err != nil {
			return snapshot.Manifest{}, exportStats{}, err
		}
		defer sp.remove()
		dst, root = sp, sp.dir
	}

	var counts map[string]int
	dirs, err := fetchTenant(ctx, e, client, cfg, kinds, people, func(ctx context.Context, opt export.Options) error {
		var err error
		counts, err = export.Stream(ctx, client, opt, func(k *catalog.Kind) (export.RecordWriter, error) {
			return formats.CreateJSON(dst, k.Name)
		})
		return err
	})
	if err != nil {
		return snapshot.Manifest{}, exportStats{}, err
	}

	m := newManifest(client, cfg, start)
	st := exportStats{kinds: len(kinds)}
	for _, k := range kinds {
		m.Kinds[k.Name] = snapshot.KindInfo{Records: counts[k.Name]}
		st.records += counts[k.Name]
	}
	for _, k := range people {
		recs, ok := dirs[k.Name]
		if !ok { // refused
			continue
		}
		one := formats.Source{Each: func(fn func(string, []snapshot.Record) error) error { return fn(k.Name, recs) }}
		if err := (formats.JSON{}).Write(one, dst); err != nil {
			return snapshot.Manifest{}, exportStats{}, err
		}
		m.Kinds[k.Name] = snapshot.KindInfo{Records: len(recs)}
		st.people += len(recs)
	}
	st.client = client.Stats()
	st.elapsed = time.Since(start)
	if len(others) > 0 {
		if err := formats.WriteSource(formats.JSONSource(root, m), d, others); err != nil {
			return snapshot.Manifest{}, exportStats{}, err
		}
	}
	return m, st, nil
}

// spool holds the JSON files of an export that does not keep them, in a
// private directory inside the snapshot's temporary one: whatever happens,
// they go with it.
type spool struct{ dir string }

func newSpool(parent string) (*spool, error) {
	dir, err := os.MkdirTemp(parent, ".spool-")
	if err != nil {
		return nil, err
	}
	return &spool{dir}, nil
}

func (s *spool) Create(rel string) (io.WriteCloser, error) {
	path := filepath.Join(s.dir, filepath.FromSlash(rel))
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return nil, fmt.Errorf("spool file %q: not allowed", rel)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
}

func (s *spool) remove() { os.RemoveAll(s.dir) }

// gone logs a record deleted between its list and its detail request.
func gone(e *env) func(kind, id string) {
	return func(kind, id string) {
		e.log.Warn("record deleted during the export; left out", "kind", kind, "id", id)
	}
}

// newManifest starts the manifest of a snapshot of client's tenant.
func newManifest(client *halo.Client, cfg halo.Config, start time.Time) snapshot.Manifest {
	m := snapshot.New(client.BaseURL(), start).Manifest
	m.Tool = "halocfg " + Version
	m.Tenant = cfg.Tenant
	return m
}

// progress returns a callback that draws "label: done/total records" on a
// terminal's stderr at most ten times a second, and a function that clears
// the line. Off a terminal both do nothing, so logs stay clean.
func (e *env) progress(label string) (func(done, total int), func()) {
	if !e.isTerminal {
		return nil, func() {}
	}
	var mu sync.Mutex
	var last time.Time
	drawn := false
	return func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || done == total {
				last = now
				drawn = true
				fmt.Fprintf(e.stderr, "\r%s: %d/%d records", label, done, total)
			}
		}, func() {
			mu.Lock()
			defer mu.Unlock()
			if drawn {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
		}
}
