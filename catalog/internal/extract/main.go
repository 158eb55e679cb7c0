// Command extract writes catalog/schemas.json from Halo's OpenAPI
// description (see package schemas). `go generate ./catalog` runs it:
//
//	go run ./internal/extract -o schemas.json ../../shared/halo-api/openapi.json
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/halocfg/halocfg/catalog/internal/schemas"
)

func main() {
	out := flag.String("o", "", "the file to write (default: stdout)")
	flag.Parse()
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	if in == "" {
		return fmt.Errorf("usage: extract [-o FILE] OPENAPI.json")
	}
	doc, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	b, err := schemas.Extract(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if out == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	// Written beside the old file and renamed over it: an error leaves the
	// old one whole.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".schemas-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
