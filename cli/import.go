package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/importer"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/halocfg/halocfg/termsafe"
	"github.com/urfave/cli/v2"
)

func importCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import a snapshot into a tenant, remapping every id",
		ArgsUsage: " ",
		Description: "Reads the snapshot (a snapshot directory or a snapshot.xlsx workbook) and the target tenant,\n" +
			"pairs every record with a target record (--map, the ledger, an equal guid, an equal natural key),\n" +
			"and prints the plan: records to create, to update (each field that changes: now -> then), unchanged,\n" +
			"and with --prune to delete. Any problem (a reference that cannot be resolved, an ambiguous key, a\n" +
			"wrong type, an unmapped external reference) is reported, all of them, and nothing is written;\n" +
			"unmapped external references are summed up per external kind (--verbose lists each), and\n" +
			"--write-map FILE writes a --map file of them to fill in.\n\n" +
			"Then, after confirmation (--yes off a terminal), it writes in dependency order: records that\n" +
			"close a reference cycle are created without the closing fields and patched once all exist.\n" +
			"The ledger (source id -> target id) is saved after every create: a run that fails or is killed\n" +
			"can simply be run again, and finishes the job without duplicates.",
		Flags: append(importFlags(), tenantFlags("")...),
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			o, err := readImportFlags(c)
			if err != nil {
				return err
			}
			if c.String("from") == "" {
				return usageError{errors.New("--from is required: a snapshot directory or a snapshot.xlsx workbook")}
			}
			cfg, err := tenantConfig(c, e, "")
			if err != nil {
				return err
			}
			snap, err := formats.Open(c.String("from"))
			if err != nil {
				return err
			}
			return importSnapshot(c.Context, e, snap, cfg, o)
		},
	}
}

// importFlags are the flags import and migrate share (import adds --from).
func importFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "the snapshot to import: a snapshot directory or a snapshot.xlsx workbook"},
		&cli.BoolFlag{Name: "dry-run", Usage: "print the plan and write nothing"},
		&cli.StringSliceFlag{Name: "only", Usage: "write only these kinds (comma-separated); the others are matched for references, not written"},
		&cli.StringFlag{Name: "map", Usage: "JSON file of explicit pairs: {KIND: {SOURCE_ID_OR_KEY: TARGET_ID}, EXTERNAL: {SOURCE_ID: TARGET_ID}}"},
		&cli.StringFlag{Name: "ledger", Usage: "the ledger file of this target (default: one per target in $XDG_STATE_HOME/halocfg/, else ~/.local/state/halocfg/)"},
		&cli.StringFlag{Name: "external", Value: "fail", Usage: "unmapped references to agents, teams, mailboxes ...: fail (list them), clear, or keep the source's ids"},
		&cli.BoolFlag{Name: "prune", Usage: "also delete target records of the written kinds that no source record pairs with (after every other write succeeded)"},
		&cli.BoolFlag{Name: "yes", Usage: "write without asking for confirmation"},
		&cli.StringFlag{Name: "plan-out", Usage: "write the plan as JSON to this file: every action with the values it changes, every problem"},
		&cli.StringFlag{Name: "write-map", Usage: "write a --map file to fill in: every external id no --map entry maps, as null, with what the snapshot says of it (also on a dry run)"},
		&cli.BoolFlag{Name: "verbose", Usage: "list every unmapped external reference, not one line per external kind"},
		&cli.BoolFlag{Name: "allow-same-tenant", Usage: "allow importing into the tenant the snapshot was exported from"},
	}
}

// importOptions are the parsed import flags.
type importOptions struct {
	opt                       importer.Options
	ledger, planOut, writeMap string
	dryRun, yes, verbose      bool
}

func readImportFlags(c *cli.Context) (importOptions, error) {
	o := importOptions{ledger: c.String("ledger"), planOut: c.String("plan-out"), writeMap: c.String("write-map"),
		dryRun: c.Bool("dry-run"), yes: c.Bool("yes"), verbose: c.Bool("verbose")}
	var err error
	if o.opt.External, err = importer.ParseExternal(c.String("external")); err != nil {
		return o, usageError{fmt.Errorf("--external %w", err)}
	}
	if f := c.String("map"); f != "" {
		if o.opt.Overrides, err = importer.ReadOverrides(f); err != nil {
			return o, usageError{fmt.Errorf("--map: %w", err)}
		}
		o.opt.MapFile = f
	}
	o.opt.Kinds = splitList(c.StringSlice("only"))
	o.opt.Prune = c.Bool("prune")
	o.opt.AllowSameTenant = c.Bool("allow-same-tenant")
	return o, nil
}

// importSnapshot plans the import of snap into the tenant cfg reaches,
// prints the plan and, unless it is a dry run, has problems or changes
// nothing, confirms and applies it.
func importSnapshot(ctx context.Context, e *env, snap *snapshot.Snapshot, cfg halo.Config, o importOptions) error {
	start := time.Now()
	client, err := connect(ctx, cfg)
	if err != nil {
		return err
	}
	target := client.BaseURL()
	if o.ledger == "" {
		if o.ledger, err = importer.DefaultLedgerPath(target); err != nil {
			return err
		}
		warnOldLedger(e, target, o.ledger)
	}
	ledger, err := importer.OpenLedger(o.ledger, target)
	if err != nil {
		return err
	}
	opt := o.opt
	opt.TargetURL = target
	opt.Ledger = ledger.IDs()
	opt.Concurrency = 2 * cfg.Concurrency
	plan, err := importer.NewPlan(ctx, snap, client, opt)
	if errors.Is(err, importer.ErrSameTenant) {
		return usageError{err}
	}
	if err != nil {
		return err
	}

	out := e.stdout
	fmt.Fprintf(out, "Import plan: %s -> %s (kinds: %s)\nLedger: %s\n\n", termsafe.Escape(snap.Manifest.Source), target, strings.Join(plan.Kinds, " "), ledger.Path())
	if err := plan.WriteTable(out); err != nil {
		return err
	}
	if o.planOut != "" {
		if err := writePlan(o.planOut, plan); err != nil {
			return err
		}
	}
	mapNote := ""
	if o.writeMap != "" {
		if err := snapshot.ReplaceFile(o.writeMap, importer.MapOutput, plan.WriteMap); err != nil {
			return fmt.Errorf("--write-map: %w", err)
		}
		mapNote = fmt.Sprintf("\nThe map %s holds every --map entry of this import and, as null, the %d external id(s) left to map:\n"+
			"fill in each null with the target's id and pass it back with --map %s.\n", o.writeMap, len(plan.Unmapped), o.writeMap)
		if len(plan.Unmapped) == 0 {
			mapNote = fmt.Sprintf("\nThe map %s holds every --map entry of this import; no external id is left to map.\n", o.writeMap)
		}
	}
	if len(plan.Problems) > 0 {
		fmt.Fprintf(e.stderr, "\n%d problem(s); nothing was written:\n", len(plan.Problems))
		plan.WriteProblems(e.stderr, o.verbose)
		fmt.Fprint(e.stderr, mapNote)
		return exitError{exitFailure, fmt.Errorf("the import cannot go ahead: %d problem(s) above", len(plan.Problems))}
	}
	fmt.Fprint(out, mapNote)
	if o.dryRun {
		fmt.Fprintln(out, "\nDry run: nothing was written.")
		return nil
	}
	if plan.Summary.Writes() == 0 {
		fmt.Fprintln(out, "\nNothing to write.")
		return plan.SavePairs(ledger) // the pairs hold when a record is renamed before the next run
	}
	if plan.Summary.Delete > 0 {
		fmt.Fprintf(out, "\n--prune will delete %d target record(s), listed above as \"delete\", once every other write has succeeded.\n", plan.Summary.Delete)
	}
	if !o.yes {
		ok, err := confirm(e, fmt.Sprintf("Write %d change(s) to %s?", plan.Summary.Writes(), target))
		if err != nil || !ok {
			return err
		}
	}

	progress, finish := e.progress("import")
	done, err := plan.Apply(ctx, client, importer.ApplyOptions{Ledger: ledger, Log: e.log, Progress: progress})
	finish()
	st := client.Stats()
	msg := "import complete"
	if err != nil {
		msg = "import stopped"
	}
	e.log.Info(msg, "target", target, "writes", done.Writes(), "creates", done.Create, "updates", done.Update,
		"patches", done.Patch, "deletes", done.Delete, "lost_answers", done.Lost, "resent", done.Resent, "requests", st.Requests, "retries", st.Retries,
		"ledger", ledger.Path(), "elapsed", time.Since(start).Round(time.Millisecond).String())
	if err != nil {
		if errors.Is(err, halo.ErrMaybeApplied) || ctx.Err() != nil {
			return fmt.Errorf("%w\nThe ledger %s records every write that was answered; run the same import again to finish: it finds what was applied and writes only what is missing", err, ledger.Path())
		}
		return fmt.Errorf("%w\nRun the same import again once the cause is fixed: what was written is found again, not duplicated", err)
	}
	printCreated(e, plan)
	return nil
}

// printCreated lists the ids the created records got.
func printCreated(e *env, p *importer.Plan) {
	ids := p.IDs()
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	n := 0
	for _, a := range p.Actions {
		if a.Op != importer.Create {
			continue
		}
		if n == 0 {
			fmt.Fprintln(tw, "\nCREATED\tKEY\tSOURCE ID\tTARGET ID")
		}
		n++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Kind, termsafe.Escape(a.Key), termsafe.Escape(a.SourceID), ids[a.Kind][a.SourceID])
	}
	tw.Flush()
}

// confirm asks on the terminal; off a terminal it refuses, as a
// non-interactive run must say --yes.
func confirm(e *env, question string) (bool, error) {
	if !e.isTerminal || !isTerminal(e.stdin) {
		return false, usageError{errors.New("not a terminal: pass --yes to write without confirmation")}
	}
	fmt.Fprintf(e.stderr, "\n%s [y/N] ", question)
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, exitError{exitFailure, errors.New("no answer: nothing was written")}
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, exitError{exitFailure, errors.New("not confirmed: nothing was written")}
}

// warnOldLedger points at a ledger an earlier halocfg kept for the target
// in the current directory, where it is no longer read.
func warnOldLedger(e *env, target, path string) {
	host := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		host = u.Host
	}
	old := "halocfg-ledger-" + regexp.MustCompile(`[^A-Za-z0-9._-]`).ReplaceAllString(host, "_") + ".json"
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		return
	}
	if _, err := os.Lstat(old); err == nil {
		e.log.Warn("an earlier halocfg kept this target's ledger in the current directory; ledgers now live in the state directory: move it there to keep its pairs", "old", old, "new", path)
	}
}

// planOutput tells a plan halocfg wrote, which --plan-out may replace.
var planOutput = snapshot.JSONOutput("an import plan", "summary", "actions", "problems")

func writePlan(path string, p *importer.Plan) error {
	if err := snapshot.ReplaceFile(path, planOutput, p.WriteJSON); err != nil {
		return fmt.Errorf("--plan-out: %w", err)
	}
	return nil
}
