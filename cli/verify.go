package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/termsafe"
	"github.com/halocfg/halocfg/verify"
	"github.com/urfave/cli/v2"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check that a snapshot directory is complete and consistent",
		ArgsUsage: "SNAPSHOT",
		Description: "Checks every file the manifest lists (size and sha256), files the manifest does not list,\n" +
			"that every format present parses and holds the records the manifest counts, that the formats agree,\n" +
			"which formats are complete (import and convert need one: every file there, parsed, every record),\n" +
			"and that every reference between records resolves inside the snapshot. References to kinds the\n" +
			"snapshot does not hold (export --only) are reported as unverifiable; references to agents, teams\n" +
			"and other things halocfg does not export are external and not checked.\n\n" +
			"Lists every problem on stdout and exits 1 when there is any.",
		Action: func(c *cli.Context) error {
			args, err := positional(c, 1, "SNAPSHOT")
			if err != nil {
				return err
			}
			rep, err := verify.Dir(args[0])
			if err != nil {
				return err
			}
			printReport(e.stdout, rep)
			switch {
			case rep.OK():
			case rep.Restore == "":
				return exitError{exitFailure, fmt.Errorf("%s: %d problem(s); do not restore from it", args[0], len(rep.Problems))}
			default:
				return exitError{exitFailure, fmt.Errorf("%s: %d problem(s); %s is complete: import and convert read it alone", args[0], len(rep.Problems), rep.Restore)}
			}
			return nil
		},
	}
}

// printReport lists a verification's problems and ends with a one-line verdict.
func printReport(w io.Writer, r *verify.Report) {
	for _, p := range r.Problems {
		fmt.Fprintf(w, "problem: %s\n", termsafe.Escape(p.String()))
	}
	for _, u := range r.Unverifiable {
		fmt.Fprintf(w, "unverifiable: %d reference(s) from %s.%s to %s, which this snapshot does not hold\n", u.Count, u.Kind, termsafe.Escape(u.Field), u.Target)
	}
	verdict := "ok"
	if !r.OK() {
		verdict = fmt.Sprintf("%d problem(s)", len(r.Problems))
	}
	complete := ""
	if !slices.Equal(r.Complete, r.Formats) {
		complete = " (complete: none)"
		if len(r.Complete) > 0 {
			complete = " (complete: " + strings.Join(r.Complete, ",") + ")"
		}
	}
	fmt.Fprintf(w, "%s: %s: %d files, formats %s%s, %d records, %d references resolved, %d external\n",
		termsafe.Escape(r.Dir), verdict, r.Files, strings.Join(r.Formats, ","), complete, r.Records, r.Refs, r.External)
}
