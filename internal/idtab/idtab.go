// Package idtab maps record ids to values in flat sorted arrays, for what
// is held of every record of a snapshot (diff, verify): a Go map keyed by
// text costs some 50 bytes an entry beside its value, an entry here 8
// bytes for the canonical integer ids Halo gives, 16 for any other
// (issue 12).
package idtab

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/halocfg/halocfg/snapshot"
)

// Table maps ids to values of type V. Entries are added in any order and
// sorted when first looked up; of entries with one id the last added
// counts. An entry is also known by its position in id order (At), until
// the next Add of an id the table does not hold. Lookups sort: a table is
// not for use by several goroutines at once.
type Table[V any] struct {
	num    []numEntry[V]  // canonical integer ids: "7", not "07" or "+7"
	text   []textEntry[V] // every other id
	sorted bool
}

type numEntry[V any] struct {
	id int64
	v  V
}

type textEntry[V any] struct {
	id string
	v  V
}

// Add maps id to v. A table already sorted that holds id changes its
// value in place.
func (t *Table[V]) Add(id string, v V) {
	if t.sorted {
		if p := t.Find(id); p != nil {
			*p = v
			return
		}
	}
	t.sorted = false
	if n, ok := snapshot.CanonicalInt(id); ok {
		t.num = append(t.num, numEntry[V]{n, v})
	} else {
		t.text = append(t.text, textEntry[V]{id, v})
	}
}

// Grow makes room for n more entries of integer ids, for a table whose
// size is known: appending leaves up to a quarter of its room unused.
func (t *Table[V]) Grow(n int) { t.num = slices.Grow(t.num, n) }

// Sort orders the entries by id, keeping of entries with one id the last
// added, and lets go of the room appending left over.
func (t *Table[V]) Sort() {
	if t.sorted {
		return
	}
	t.num = lastOfEach(t.num, func(a, b numEntry[V]) int { return cmp.Compare(a.id, b.id) })
	t.text = lastOfEach(t.text, func(a, b textEntry[V]) int { return cmp.Compare(a.id, b.id) })
	t.sorted = true
}

// lastOfEach sorts es stably and keeps the last of the entries compare
// finds equal, in an array of their size.
func lastOfEach[E any](es []E, compare func(a, b E) int) []E {
	slices.SortStableFunc(es, compare)
	out := es[:0]
	for i, e := range es {
		if i+1 < len(es) && compare(es[i+1], e) == 0 {
			continue
		}
		out = append(out, e)
	}
	if cap(out)-len(out) > len(out)/8 {
		return slices.Clone(out)
	}
	return out
}

// Find returns the value of id, nil when the table (or a nil one) has
// none; it stays valid until the next Add of an id the table does not hold.
func (t *Table[V]) Find(id string) *V {
	if t == nil {
		return nil
	}
	t.Sort()
	if n, ok := snapshot.CanonicalInt(id); ok {
		if i, found := slices.BinarySearchFunc(t.num, n, func(e numEntry[V], n int64) int { return cmp.Compare(e.id, n) }); found {
			return &t.num[i].v
		}
		return nil
	}
	if i, found := slices.BinarySearchFunc(t.text, id, func(e textEntry[V], id string) int { return cmp.Compare(e.id, id) }); found {
		return &t.text[i].v
	}
	return nil
}

// Len returns the number of entries (of distinct ids, once sorted).
func (t *Table[V]) Len() int { return len(t.num) + len(t.text) }

// At returns the id and value of the entry at a position p < Len, sorted:
// canonical integer ids first, in their order, then the others as text.
func (t *Table[V]) At(p int) (id string, v *V) {
	t.Sort()
	if p < len(t.num) {
		return strconv.FormatInt(t.num[p].id, 10), &t.num[p].v
	}
	e := &t.text[p-len(t.num)]
	return e.id, &e.v
}

// Value returns the value of the entry at a position, as At does, without
// its id.
func (t *Table[V]) Value(p int) *V {
	t.Sort()
	if p < len(t.num) {
		return &t.num[p].v
	}
	return &t.text[p-len(t.num)].v
}
