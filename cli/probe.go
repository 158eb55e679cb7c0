package cli

import (
	"fmt"
	"time"

	"github.com/halocfg/halocfg/probe"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/urfave/cli/v2"
)

func probeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "check, read-only, whether a tenant behaves as halocfg assumes",
		ArgsUsage: " ",
		Description: fmt.Sprintf("Sends at most %d GET requests (retries aside, within --rate) and never writes. The report holds field\n"+
			"names, types, counts and verdicts: never a record's values or names, and no secret; attach it to a\n"+
			"bug report. Each deviation says what it means for export or import and what to do.\n\n"+
			"Exit status: 0 the tenant does what halocfg assumes, 1 something deviates (or the probe failed),\n"+
			"2 a usage error.", probe.Budget(nil)),
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Value: "text", Usage: "text or json"},
			&cli.StringFlag{Name: "out", Usage: "write the report to this file instead of stdout (replaces only a probe report halocfg wrote)"},
		}, tenantFlags("")...),
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			output, out := c.String("output"), c.String("out")
			kind, ok := probeOutputs[output]
			if !ok {
				return usageError{fmt.Errorf("--output %q: want text or json", output)}
			}
			cfg, err := tenantConfig(c, e, "")
			if err != nil {
				return err
			}
			if out != "" { // refused before the first request, not after the last
				if err := snapshot.MayReplaceFile(out, kind); err != nil {
					return fmt.Errorf("--out %w", err)
				}
			}
			client, err := connect(c.Context, cfg)
			if err != nil {
				return err
			}
			r, err := probe.Run(c.Context, client, probe.Options{Tool: "halocfg " + Version})
			if err != nil {
				return err
			}
			write := r.WriteText
			if output == "json" {
				write = r.WriteJSON
			}
			if out == "" {
				err = write(e.stdout)
			} else {
				err = snapshot.ReplaceFile(out, kind, write) // whole or not at all
			}
			if err != nil {
				return err
			}
			e.log.Info("probe complete", "requests", r.Requests, "deviations", r.Deviations, "unconfirmed", r.Unconfirmed,
				"ok", r.OK, "elapsed", r.Elapsed.Round(time.Millisecond).String())
			if r.Deviates() {
				return exitError{exitFailure, fmt.Errorf("the tenant deviates from %d of halocfg's assumptions: the report says what each means and what to do", r.Deviations)}
			}
			return nil
		},
	}
}

// probeOutputs tell the reports halocfg wrote, which --out may replace.
var probeOutputs = map[string]snapshot.Output{
	"text": snapshot.TextOutput("a probe report", "halocfg probe report: "),
	"json": snapshot.JSONOutput("a probe report", "probe", "findings", "unverified"),
}
