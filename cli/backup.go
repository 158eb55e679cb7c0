package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/halocfg/halocfg/backup"
	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/diff"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/verify"
	"github.com/urfave/cli/v2"
)

// clock is the time backups are named and aged by; tests set it.
var clock = time.Now

func backupCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "backup",
		Usage:     "export the tenant into a new timestamped snapshot under --root, verify it and prune old ones",
		ArgsUsage: " ",
		Description: "Writes ROOT/<UTC time, e.g. 20261127T031500Z>/ atomically, verifies it, then removes the\n" +
			"snapshots the retention rules do not keep. A snapshot is kept when ANY given rule keeps it\n" +
			"(--keep N: the newest N; --keep-days D: those younger than D days); the newest is always kept;\n" +
			"without a rule nothing is removed. Only complete snapshots halocfg made are ever removed:\n" +
			"directories named by a time that hold a halocfg manifest. Anything else in ROOT is left alone.\n\n" +
			"One backup runs at a time per ROOT (a lock on ROOT/.halocfg.lock); an overlapping run exits 3.\n" +
			"A snapshot that fails verification is kept as ROOT/<time>.invalid and no snapshot is pruned;\n" +
			"of those, the newest " + strconv.Itoa(backup.KeepInvalid) + " are kept (older ones are removed, by every run).\n\n" +
			"Exit status: 0 done, 1 failed, 2 bad usage, 3 another backup holds the lock, 130 interrupted.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "root", Usage: "directory that holds the snapshots (required)"},
			&cli.StringFlag{Name: "keep", Usage: "keep the newest N snapshots (N >= 1; without it: no count rule)"},
			&cli.StringFlag{Name: "keep-days", Usage: "keep snapshots younger than D days (D >= 1; without it: no age rule)"},
			&cli.StringFlag{Name: "format", Value: "json", Usage: "formats to write, comma-separated: " + formats.Names()},
			&cli.BoolFlag{Name: "diff-previous", Usage: "print what changed since the previous snapshot"},
		}, tenantFlags("")...),
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			root, err := required(c, "root")
			if err != nil {
				return err
			}
			var policy backup.Policy
			if policy.Keep, err = retention(c, "keep", "count"); err != nil {
				return err
			}
			if policy.KeepDays, err = retention(c, "keep-days", "age"); err != nil {
				return err
			}
			fs, err := formats.Parse(c.String("format"))
			if err != nil {
				return usageError{fmt.Errorf("--format: %w", err)}
			}
			cfg, err := tenantConfig(c, e, "")
			if err != nil {
				return err
			}
			return runBackup(c, e, root, policy, fs, c.Bool("diff-previous"), cfg)
		},
	}
}

// retention reads --keep or --keep-days: 0 when not given, else a whole
// number of at least 1. A number past what an int holds means "keep"
// however many there are, and becomes the largest int.
func retention(c *cli.Context, flag, rule string) (int, error) {
	if !c.IsSet(flag) {
		return 0, nil
	}
	text := c.String(flag)
	n, err := strconv.ParseInt(text, 10, 0)
	if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(text, "-") {
		n, err = math.MaxInt, nil
	}
	if err != nil || n < 1 {
		return 0, usageError{fmt.Errorf("--%s %q: want a whole number of at least 1 (leave the flag out for no %s rule)", flag, text, rule)}
	}
	return int(n), nil
}

func runBackup(c *cli.Context, e *env, root string, policy backup.Policy, fs []formats.Format, diffPrevious bool, cfg halo.Config) error {
	start := time.Now()
	run, err := backup.Start(root, clock())
	if errors.Is(err, backup.ErrLocked) {
		return exitError{exitLocked, err}
	}
	if err != nil {
		return err
	}
	defer run.Close()

	m, st, err := exportInto(c.Context, e, cfg, catalog.Kinds(), catalog.PairOnlyKinds(), run.Dir(), fs)
	if err != nil {
		return err
	}
	if err := run.Commit(m); err != nil {
		return err
	}

	rep, err := verify.Dir(run.Path())
	if err == nil && !rep.OK() {
		printReport(e.stderr, rep)
		err = fmt.Errorf("%d problem(s)", len(rep.Problems))
	}
	if err != nil {
		kept, rerr := run.Reject()
		if rerr != nil {
			return fmt.Errorf("the new snapshot failed verification (%v), and %w", err, rerr)
		}
		// Rejected snapshots are bounded even when every night fails.
		removed, invalid, perr := run.PruneInvalid()
		e.log.Error("backup failed verification", "dir", kept, "invalid_kept", len(invalid), "invalid_pruned", len(removed))
		if perr != nil {
			return fmt.Errorf("the new snapshot failed verification (%v), kept as %s, and %w", err, kept, perr)
		}
		return fmt.Errorf("the new snapshot failed verification: %v; kept as %s (the newest %d rejected snapshots are kept); no snapshot pruned",
			err, kept, backup.KeepInvalid)
	}

	changes := -1 // not compared
	if diffPrevious {
		prev, ok, err := run.Previous()
		switch {
		case err != nil:
			return err
		case !ok:
			fmt.Fprintf(e.stdout, "no previous snapshot in %s to compare with\n", root)
		default:
			// Both snapshots are read one record at a time (diff.CompareSources);
			// the export held none: the new one is read back, as verified.
			old, err := formats.OpenSource(prev.Path)
			var res *diff.Result
			if err == nil {
				var cur formats.Source
				if cur, err = formats.OpenSource(run.Path()); err != nil {
					return err // the new snapshot was verified: reading it again must not fail
				}
				res, err = diff.CompareSources(old, cur)
			}
			if err != nil {
				// The new snapshot is good; an unreadable old one must not fail tonight's backup.
				e.log.Warn("cannot compare with the previous snapshot", "dir", prev.Path, "err", err)
				break
			}
			res.A, res.B = prev.Path, run.Path()
			if err := res.WriteText(e.stdout); err != nil {
				return err
			}
			a, r, ch := res.Totals()
			changes = a + r + ch
		}
	}

	removed, kept, err := run.Prune(policy, clock())
	if err != nil {
		return err
	}
	invalidRemoved, invalid, err := run.PruneInvalid()
	if err != nil {
		return err
	}
	attrs := []any{"dir", run.Path(), "kinds", st.kinds, "records", st.records, "people", st.people, "verified", true,
		"kept", len(kept), "pruned", len(removed), "invalid_kept", len(invalid), "invalid_pruned", len(invalidRemoved)}
	if len(removed) > 0 {
		names := make([]string, len(removed))
		for i, r := range removed {
			names[i] = r.Name
		}
		attrs = append(attrs, "pruned_snapshots", strings.Join(names, ","))
	}
	if changes >= 0 {
		attrs = append(attrs, "changes", changes)
	}
	attrs = append(attrs, "requests", st.client.Requests, "retries", st.client.Retries,
		"elapsed", time.Since(start).Round(time.Millisecond).String())
	e.log.Info("backup complete", attrs...)
	return nil
}
