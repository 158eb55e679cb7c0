package cli

import (
	"fmt"
	"os"

	"github.com/halocfg/halocfg/formats"
	"github.com/urfave/cli/v2"
)

func convertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "write a snapshot in other formats, offline",
		ArgsUsage: "SNAPSHOT",
		Description: "Reads SNAPSHOT (a snapshot directory, checked against its manifest, or a snapshot.xlsx\n" +
			"workbook, edited or not) and writes a new snapshot directory in the formats given.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "formats to write, comma-separated: " + formats.Names()},
			&cli.StringFlag{Name: "out", Usage: "snapshot directory to create (must not exist, or be empty)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing halocfg snapshot; anything else is refused"},
		},
		Action: func(c *cli.Context) error {
			args, err := positional(c, 1, "SNAPSHOT")
			if err != nil {
				return err
			}
			to, err := required(c, "to")
			if err != nil {
				return err
			}
			out, err := required(c, "out")
			if err != nil {
				return err
			}
			fs, err := formats.Parse(to)
			if err != nil {
				return usageError{fmt.Errorf("--to: %w", err)}
			}
			if _, err := os.Stat(args[0]); err != nil {
				return usageError{fmt.Errorf("SNAPSHOT: %w", err)}
			}
			// One kind at a time: a large snapshot is never held whole.
			src, err := formats.OpenSource(args[0])
			if err != nil {
				return err
			}
			d, err := outDir("out", out, c.Bool("force"))
			if err != nil {
				return err
			}
			defer d.Abort()
			if err := formats.WriteSource(src, d, fs); err != nil {
				return err
			}
			if err := d.Commit(src.Manifest); err != nil {
				return err
			}
			records := 0
			for _, k := range src.Manifest.Kinds {
				records += k.Records
			}
			e.log.Info("convert complete", "from", args[0], "dir", d.Final(), "formats", to, "kinds", len(src.Manifest.Kinds), "records", records)
			return nil
		},
	}
}
