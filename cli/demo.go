package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/diff"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/importer"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/urfave/cli/v2"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "demo",
		Usage:     "run the main job against two built-in simulated tenants",
		ArgsUsage: " ",
		Description: "Starts two simulated Halo tenants on loopback (a source MSP and a target with a different,\n" +
			"partly overlapping configuration and different ids) and exports the source into DIR/snapshot.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: "halocfg-demo", Usage: "directory for the demo's files"},
		},
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			return runDemo(c.Context, e, c.String("dir"))
		},
	}
}

// demoExternal is the demo's --external: the two simulated tenants share
// their agents, teams, mailboxes ... under the same ids, so the source's ids
// are right in the target. A real migration maps them (--write-map, --map).
const demoExternal = "keep"

func runDemo(ctx context.Context, e *env, dir string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the simulated tenants
	source, sourceURL, err := startSim(ctx, halosim.Options{Dataset: "demo", Seed: 1})
	if err != nil {
		return err
	}
	// The same seed: records the two tenants share start out alike, as
	// after a copy; the target's dataset then changes a few on purpose.
	target, targetURL, err := startSim(ctx, halosim.Options{Dataset: "demo-target", Seed: 1})
	if err != nil {
		return err
	}
	out := e.stdout
	fmt.Fprintf(out, "Started two simulated Halo tenants:\n  source  %s  (a small MSP)\n  target  %s  (another tenant: different ids, partly overlapping configuration)\n\n", sourceURL, targetURL)

	snapDir := filepath.Join(dir, "snapshot")
	if err := snapshot.MayReplaceDir(snapDir, true); err != nil {
		return err // before the export, not after
	}
	ledger := filepath.Join(dir, "ledger.json")
	if err := importer.RemoveLedger(ledger); err != nil {
		return err // the previous demo's ledger names tenants that no longer run; anything else stays
	}
	id, secret, _ := source.Credentials()
	// The two tenants are in-process simulators without a rate limit: the
	// demo keeps no budget. Its import alone sends 266 requests: past
	// 250/5m, it would wait minutes for the rate window.
	cfg := halo.Config{URL: sourceURL, ClientID: id, ClientSecret: secret, Concurrency: 4, Logger: e.log, Rate: halo.Unlimited}
	s, st, err := exportTenant(ctx, e, cfg, catalog.Kinds(), catalog.PairOnlyKinds())
	if err != nil {
		return fmt.Errorf("exporting the source tenant: %w", err)
	}
	fs := formats.All()
	d, err := snapshot.NewDir(snapDir, true)
	if err != nil {
		return err
	}
	defer d.Abort()
	if err := save(d, s, fs); err != nil {
		return err
	}
	fmt.Fprintf(out, "== Step 1: export of the source tenant ==\n\n")
	fmt.Fprintf(out, "Exported the source tenant: %d kinds, %d records and directories of %d people and organisations, %d requests (%d retries) in %s.\n",
		st.kinds, st.records, st.people, st.client.Requests, st.client.Retries, st.elapsed.Round(1e6))
	var names, people []string
	for k := range s.Records {
		if _, ok := catalog.LookupPairOnly(k); ok {
			people = append(people, k)
		} else {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(out, "  %-16s %4d records\n", k, len(s.Records[k]))
	}
	sort.Strings(people)
	fmt.Fprintf(out, "The directories of people and named lists (id and key: name, an agent's email ...), to pair them with the target's:\n")
	for _, k := range people {
		fmt.Fprintf(out, "  %-16s %4d\n", k, len(s.Records[k]))
	}
	fmt.Fprintf(out, "\nThe snapshot is in %s:\n", snapDir)
	m, err := snapshot.ReadManifest(snapDir)
	if err != nil {
		return err
	}
	for _, f := range m.Files {
		fmt.Fprintf(out, "  %-32s %9d bytes\n", f.Path, f.Bytes)
	}
	fmt.Fprintf(out, "  %-32s (source, time, counts, sha256 of every file)\n", snapshot.ManifestName)

	// The import half: plan, apply, and apply again to show nothing is left to do.
	id, secret, _ = target.Credentials()
	tcfg := halo.Config{URL: targetURL, ClientID: id, ClientSecret: secret, Concurrency: 4, Logger: e.log, Rate: halo.Unlimited}
	o := importOptions{ledger: ledger, yes: true}
	if o.opt.External, err = importer.ParseExternal(demoExternal); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe import runs with --external %s: agents, teams, mailboxes ... pair by key with the target's own; the\n"+
		"two simulated tenants share their other external records (tickets, releases ...) under the same ids,\n"+
		"so the source's ids are right in the target. Between real tenants, map them instead:\n"+
		"halocfg import --dry-run --write-map map.json writes every external id to fill in; then import with --map map.json.\n", demoExternal)
	steps := []struct {
		title  string
		dryRun bool
	}{
		{"Step 2: dry run of the import into the target (nothing is written)", true},
		{"Step 3: the import", false},
		{"Step 4: the same import again (a second run finds nothing to change)", false},
	}
	for _, step := range steps {
		fmt.Fprintf(out, "\n== %s ==\n\n", step.title)
		o.dryRun = step.dryRun
		if err := importSnapshot(ctx, e, s, tcfg, o); err != nil {
			return fmt.Errorf("%s: %w", step.title, err)
		}
	}
	fmt.Fprintf(out, "\nThe ledger (source id -> target id per kind) is %s.\n", ledger)

	// What is left between the two tenants: only the target's own extra
	// records, since the import does not delete without --prune.
	fmt.Fprintf(out, "\n== Step 5: diff of the source snapshot against the target, by natural key ==\n\n")
	after, _, err := exportTenant(ctx, e, tcfg, catalog.Kinds(), catalog.PairOnlyKinds())
	if err != nil {
		return fmt.Errorf("exporting the target tenant: %w", err)
	}
	dr, err := diff.Compare(s.Records, after.Records)
	if err != nil {
		return err
	}
	dr.A, dr.B = snapDir+" (source)", "live target "+targetURL
	if err := dr.WriteText(out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nOpen %s in a spreadsheet, or query %s with DuckDB.\n",
		filepath.Join(snapDir, "snapshot.xlsx"), filepath.Join(snapDir, "parquet", "*.parquet"))
	return nil
}

// startSim serves a simulated tenant on a free loopback port until ctx ends.
func startSim(ctx context.Context, o halosim.Options) (*halosim.Tenant, string, error) {
	t, err := halosim.New(o)
	if err != nil {
		return nil, "", err
	}
	url, _, err := serve(ctx, "127.0.0.1:0", t)
	return t, url, err
}
