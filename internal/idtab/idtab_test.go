package idtab

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/halocfg/halocfg/internal/heaptest"

	"github.com/halocfg/halocfg/snapshot"
)

// Ids that are not the canonical text of an integer are ids of their own:
// "07" is not "7", and an integer past int64 is text.
func TestTableKeepsIDsApart(t *testing.T) {
	ids := []string{"7", "07", "+7", " 7", "-3", "-0", "0", "abc", "9223372036854775807", "9223372036854775808", "-9223372036854775808", ""}
	var tab Table[int]
	for i, id := range ids {
		tab.Add(id, i)
	}
	if tab.Len() != len(ids) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(ids))
	}
	for i, id := range ids {
		if v := tab.Find(id); v == nil || *v != i {
			t.Errorf("Find(%q) = %v, want %d", id, v, i)
		}
	}
	for _, id := range []string{"8", "7 ", "x", "00"} {
		if v := tab.Find(id); v != nil {
			t.Errorf("Find(%q) = %d, want none", id, *v)
		}
	}
	// In order: canonical integers by value, then the rest as text.
	want := []string{"-9223372036854775808", "-3", "0", "7", "9223372036854775807", "", " 7", "+7", "-0", "07", "9223372036854775808", "abc"}
	for p, id := range want {
		if got, _ := tab.At(p); got != id {
			t.Errorf("At(%d) = %q, want %q", p, got, id)
		}
	}
	var none *Table[int]
	if none.Find("7") != nil {
		t.Error("a nil table finds an id")
	}
}

// The last value added under an id counts, sorted or not; positions follow
// the ids, whatever order they came in.
func TestTableLastAddCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string]int{}
	var tab Table[int]
	for i := range 5000 {
		id := strconv.Itoa(rng.IntN(1500))
		if rng.IntN(10) == 0 {
			id = fmt.Sprintf("g-%d", rng.IntN(100))
		}
		tab.Add(id, i)
		model[id] = i
		if rng.IntN(500) == 0 { // look up in between: the table sorts, then grows again
			if v := tab.Find(id); v == nil || *v != i {
				t.Fatalf("Find(%q) = %v after adding %d", id, v, i)
			}
		}
	}
	tab.Sort()
	if tab.Len() != len(model) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(model))
	}
	want := slices.SortedFunc(maps.Keys(model), func(a, b string) int {
		na, ia := snapshot.CanonicalInt(a)
		nb, ib := snapshot.CanonicalInt(b)
		switch {
		case ia && ib:
			return cmp.Compare(na, nb)
		case ia != ib:
			return cmp.Compare(b2i(ib), b2i(ia)) // integers first
		}
		return cmp.Compare(a, b)
	})
	for p, wid := range want {
		id, v := tab.At(p)
		if id != wid || *v != model[id] || *tab.Value(p) != model[id] {
			t.Errorf("At(%d) = %q %d, want %q %d", p, id, *v, wid, model[wid])
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A table of 100,000 integer ids to 32-byte digests (diff's) takes 40
// bytes an entry, and no more once sorted: a map[string][32]byte took
// over 100.
func TestTableIsCompact(t *testing.T) {
	const n = 100_000
	var tab *Table[[32]byte]
	held := heaptest.Held(func() *Table[[32]byte] {
		tab = &Table[[32]byte]{}
		for i := range n {
			tab.Add(strconv.Itoa(n-i), [32]byte{byte(i % 256)})
		}
		tab.Sort()
		return tab
	})
	per := held / n
	t.Logf("%d bytes an entry", per)
	if per > 48 {
		t.Errorf("%d bytes an entry, want 40", per)
	}
	if v := tab.Find("1"); v == nil || v[0] != byte((n-1)%256) {
		t.Errorf("Find(1) = %v", v)
	}
}
