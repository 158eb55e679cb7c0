package cli

import (
	"fmt"
	"path/filepath"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/urfave/cli/v2"
)

func migrateCommand(e *env) *cli.Command {
	var flags []cli.Flag
	for _, f := range importFlags() {
		if f.Names()[0] != "from" {
			flags = append(flags, f)
		}
	}
	flags = append(flags, &cli.StringFlag{Name: "keep-snapshot", Usage: "directory for the snapshot of the source this run imports (default ./halocfg-migrate-<UTC time>)"})
	flags = append(flags, tenantFlags("source")...)
	flags = append(flags, tenantFlags("target")...)
	return &cli.Command{
		Name:      "migrate",
		Usage:     "export the source tenant and import it into the target tenant, keeping the snapshot it used",
		ArgsUsage: " ",
		Description: "Exports every kind of the source tenant into a snapshot directory (kept: it is the record of\n" +
			"what was migrated, and `halocfg import --from` can replay it), then imports it into the target\n" +
			"exactly as `halocfg import` does; --only limits what is written, not what is exported, so that\n" +
			"references to the other kinds can still be matched. Connection flags: --source-url ... and\n" +
			"--target-url ..., or HALO_SOURCE_* and HALO_TARGET_* in the environment.",
		Flags: flags,
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			o, err := readImportFlags(c)
			if err != nil {
				return err
			}
			srcCfg, err := tenantConfig(c, e, "source")
			if err != nil {
				return err
			}
			dstCfg, err := tenantConfig(c, e, "target")
			if err != nil {
				return err
			}
			dir := c.String("keep-snapshot")
			if dir == "" {
				dir = "halocfg-migrate-" + clock().UTC().Format("20060102T150405Z")
			}
			d, err := outDir("keep-snapshot", dir, false)
			if err != nil {
				return err
			}
			defer d.Abort()
			s, st, err := exportTenant(c.Context, e, srcCfg, catalog.Kinds(), catalog.PairOnlyKinds())
			if err != nil {
				return fmt.Errorf("exporting the source tenant: %w", err)
			}
			fs, _ := formats.Parse("json")
			if err := save(d, s, fs); err != nil {
				return err
			}
			st.log(e, "source exported", d.Final())
			fmt.Fprintf(e.stdout, "Snapshot of the source kept in %s\n\n", filepath.Clean(d.Final()))
			return importSnapshot(c.Context, e, s, dstCfg, o)
		},
	}
}
