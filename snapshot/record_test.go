package snapshot

import (
	"slices"
	"strings"
	"testing"
)

func TestLessID(t *testing.T) {
	// Integers numerically (negative, beyond int32), then text as text.
	want := []string{"-1", "2", "10", "3000000000", "0f8fad5b-d9cb", "A", "a", "abc"}
	for i, a := range want {
		for j, b := range want {
			if got := LessID(a, b); got != (i < j) {
				t.Errorf("LessID(%q, %q) = %v, want %v", a, b, got, i < j)
			}
		}
	}
	recs := []Record{{"id": "b"}, {"id": "10"}, {"id": "2"}}
	SortByID(recs)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID())
	}
	if !slices.Equal(ids, []string{"2", "10", "b"}) {
		t.Errorf("SortByID: %v", ids)
	}
}

func TestCompareID(t *testing.T) {
	ids := []string{"b", "10", "9", "07", "7", "a", "-1"}
	slices.SortFunc(ids, CompareID)
	if got := strings.Join(ids, " "); got != "-1 07 7 9 10 a b" {
		t.Errorf("sorted: %s", got)
	}
}
