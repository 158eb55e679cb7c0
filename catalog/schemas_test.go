package catalog_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/halocfg/halocfg/catalog/internal/schemas"
)

// openAPIPath is Halo's OpenAPI description: $HALO_OPENAPI, or the shared
// folder beside the repository. CI's clean checkout has neither.
func openAPIPath() string {
	if p := os.Getenv("HALO_OPENAPI"); p != "" {
		return p
	}
	return "../../shared/halo-api/openapi.json"
}

// schemas.json is what `go generate ./catalog` makes of the description and
// the catalog as they are: a kind added, or a Ref that makes a container a
// copy, changes it.
func TestSchemasJSONIsCurrent(t *testing.T) {
	doc, err := os.ReadFile(openAPIPath())
	if os.IsNotExist(err) {
		t.Skipf("%s is absent: schemas.json is not checked", openAPIPath())
	}
	if err != nil {
		t.Fatal(err)
	}
	want, err := schemas.Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("catalog/schemas.json is stale: run go generate ./catalog")
	}
}
