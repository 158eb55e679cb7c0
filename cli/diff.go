package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/diff"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/urfave/cli/v2"
)

func diffCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "compare two snapshots, or a snapshot and the live tenant, without regard to ids",
		ArgsUsage: "A B",
		Description: "A and B are each a snapshot directory, a snapshot.xlsx workbook, or \"live\" for the tenant\n" +
			"the connection flags reach (only the kinds the other side holds are read from it).\n\n" +
			"Records are paired by guid, then by natural key, so two tenants can be compared; references\n" +
			"are compared by the natural key of the record they point at. Not compared: " +
			diff.Ignored() + ".\n\n" +
			"Exit status, as diff(1): 0 equal, 1 different, 2 trouble.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Value: "text", Usage: "text, json or xlsx"},
			&cli.StringFlag{Name: "out", Usage: "write the output to this file instead of stdout (required for xlsx)"},
		}, tenantFlags("")...),
		Action: func(c *cli.Context) error {
			differ, err := runDiff(c, e)
			switch {
			case err != nil && !errors.Is(err, context.Canceled):
				var x exitError
				if !errors.As(err, &x) {
					err = exitError{exitUsage, err} // trouble is 2, as diff(1)
				}
				return err
			case err != nil:
				return err
			case differ:
				return exitError{exitFailure, nil}
			}
			return nil
		},
	}
}

// runDiff compares the two sides and writes the result; differ reports
// whether they differ.
func runDiff(c *cli.Context, e *env) (differ bool, err error) {
	args, err := positional(c, 2, "A", "B")
	if err != nil {
		return false, err
	}
	output, out := c.String("output"), c.String("out")
	switch output {
	case "text", "json":
	case "xlsx":
		if out == "" {
			return false, usageError{fmt.Errorf("--output xlsx needs --out FILE")}
		}
	default:
		return false, usageError{fmt.Errorf("--output %q: want text, json or xlsx", output)}
	}

	// Each side is read one record at a time (diff.CompareSources).
	sides := make([]*formats.Source, 2)
	labels := make([]string, 2)
	for i, arg := range args {
		if arg == "live" {
			continue
		}
		src, err := formats.OpenSource(arg)
		if err != nil {
			return false, err
		}
		m := src.Manifest
		sides[i] = &src
		labels[i] = fmt.Sprintf("%s (%s, %s)", arg, m.Source, m.CreatedAt.Format("2006-01-02 15:04:05Z"))
	}
	for i, arg := range args {
		if arg != "live" {
			continue
		}
		// Only what the other side holds: its kinds, and the directories
		// of people by which references to them compare.
		kinds, people := catalog.Kinds(), []*catalog.Kind(nil)
		if other := sides[1-i]; other != nil {
			var names []string
			for _, n := range slices.Sorted(maps.Keys(other.Manifest.Kinds)) {
				if k, ok := catalog.LookupPairOnly(n); ok {
					people = append(people, k)
				} else {
					names = append(names, n)
				}
			}
			if kinds, err = catalog.Select(names, nil); err != nil {
				kinds = catalog.Kinds() // the other side holds no kind at all
			}
		}
		cfg, err := tenantConfig(c, e, "")
		if err != nil {
			return false, err
		}
		s, _, err := exportTenant(c.Context, e, cfg, kinds, people)
		if err != nil {
			return false, err
		}
		src := formats.FromSnapshot(s)
		sides[i], labels[i] = &src, "live ("+s.Manifest.Source+")"
	}

	res, err := diff.CompareSources(*sides[0], *sides[1])
	if err != nil {
		return false, err
	}
	res.A, res.B = labels[0], labels[1]
	write := res.WriteText
	switch output {
	case "json":
		write = res.WriteJSON
	case "xlsx":
		write = res.WriteXLSX
	}
	if out == "" {
		err = write(e.stdout)
	} else {
		err = snapshot.ReplaceFile(out, diffOutputs[output], write) // whole or not at all
	}
	return !res.Equal(), err
}

// diffOutputs tell the reports halocfg wrote, which --out may replace.
var diffOutputs = map[string]snapshot.Output{
	"text": snapshot.TextOutput("a diff report", "A: ", "B: "),
	"json": snapshot.JSONOutput("a diff report", "a", "b", "equal", "changes"),
	"xlsx": snapshot.WorkbookOutput("a diff workbook", "summary", "changes"),
}
