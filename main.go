// Command halocfg backs up, reviews and migrates the ticket configuration of a HaloPSA tenant.
package main

import (
	"os"

	"github.com/halocfg/halocfg/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdout, os.Stderr))
}
