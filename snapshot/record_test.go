package snapshot

import (
	"slices"
	"strconv"
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

func TestCanonicalInt(t *testing.T) {
	tests := []struct {
		id   string
		want int64
		ok   bool
	}{
		{"7", 7, true},
		{"0", 0, true},
		{"-3", -3, true},
		{"2147483648", 1 << 31, true},
		{"9223372036854775807", 1<<63 - 1, true},
		{"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, // out of range: text
		{"-9223372036854775809", 0, false},
		{"07", 0, false},
		{"00", 0, false},
		{"-0", 0, false},
		{"-07", 0, false},
		{"+7", 0, false},
		{" 7", 0, false},
		{"7 ", 0, false},
		{"7.0", 0, false},
		{"1e3", 0, false},
		{"1_000", 0, false},
		{"-", 0, false},
		{"--7", 0, false},
		{"", 0, false},
		{"abc", 0, false},
		{"٣", 0, false}, // an Arabic-Indic digit
	}
	for _, tt := range tests {
		if n, ok := CanonicalInt(tt.id); n != tt.want || ok != tt.ok {
			t.Errorf("CanonicalInt(%q) = %d, %v; want %d, %v", tt.id, n, ok, tt.want, tt.ok)
		}
	}
}

// An id is held as a number exactly when the number gives it back.
func FuzzCanonicalInt(f *testing.F) {
	for _, s := range []string{"7", "-3", "07", "-0", "+7", " 7", "9223372036854775808", "1_0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := CanonicalInt(s)
		p, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && strconv.FormatInt(p, 10) == s
		if ok != want || ok && n != p {
			t.Errorf("CanonicalInt(%q) = %d, %v; want %d, %v", s, n, ok, p, want)
		}
	})
}
