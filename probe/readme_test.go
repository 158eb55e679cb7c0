package probe

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's lists of what probe checks and of the unverified catalog
// entries are generated from Checks and the catalog: this test fails when
// they are out of date, and UPDATE_README=1 rewrites them.
func TestREADME(t *testing.T) {
	const path = "../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, block := range []struct {
		name  string
		lines []string
	}{
		{"probe:assumptions", AssumptionLines()},
		{"probe:unverified", EntryLines()},
	} {
		re := regexp.MustCompile(`(?s)(<!-- ` + block.name + `[^>]*-->\n).*?(<!-- /` + block.name + ` -->)`)
		if !re.MatchString(readme) {
			t.Fatalf("README.md has no <!-- %s --> block", block.name)
		}
		var want strings.Builder
		for _, l := range block.lines {
			want.WriteString("- `" + strings.Replace(l, ": ", "`: ", 1) + "\n")
		}
		readme = re.ReplaceAllStringFunc(readme, func(m string) string {
			parts := re.FindStringSubmatch(m)
			return parts[1] + want.String() + parts[2]
		})
	}
	if readme == string(b) {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Error("README.md's generated lists are out of date: UPDATE_README=1 go test ./probe -run README")
}
