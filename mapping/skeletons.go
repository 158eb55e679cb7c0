package mapping

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strconv"

	"github.com/halocfg/halocfg/snapshot"
)

// skeletons holds where the skeletons of a kind's records lie in the
// tenant's spill file, by id, in flat arrays rather than maps: diff and
// verify hold one of every record of a snapshot, and at 50,000 records
// maps keyed by text cost a hundred bytes and more a record (issue 12).
// An entry takes 24 bytes, and an index by guid, key or RefField 8 bytes
// an entry, its text not held: a lookup reads the records its hash names
// again and keeps those that have the text.
//
// Entries are appended as records come, in any order, and sorted when
// first looked up; of entries with one id the last counts. Each is known
// by its position in that order until the next change.
type skeletons struct {
	num    []numEntry  // canonical integer ids ("7", not "07")
	text   []textEntry // every other id
	sorted bool
	live   int // entries not gone, once sorted
	// ref, guid and key index the entries by RefField (when it is not the
	// id), lower-case guid and natural key; made when first asked for, and
	// dropped by every change.
	ref, guid, key hashIndex
}

type numEntry struct {
	id int64
	at span
}

type textEntry struct {
	id string
	at span
}

// An entry's span.n below zero says where its record is instead.
const (
	gone  = -1 // deleted
	whole = -2 // held whole, in index.full
)

// canonicalInt returns the integer an id is the canonical text of.
func canonicalInt(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	var b [24]byte
	return n, err == nil && string(strconv.AppendInt(b[:0], n, 10)) == id
}

// set makes at the entry of id.
func (s *skeletons) set(id string, at span) {
	s.ref, s.guid, s.key = nil, nil, nil
	if s.sorted {
		if p := s.find(id); p != nil {
			if p.n == gone && at.n != gone {
				s.live++
			} else if p.n != gone && at.n == gone {
				s.live--
			}
			*p = at
			return
		}
		if at.n == gone {
			return
		}
	}
	s.sorted = false
	if n, ok := canonicalInt(id); ok {
		s.num = append(s.num, numEntry{n, at})
	} else {
		s.text = append(s.text, textEntry{id, at})
	}
}

// sort orders the entries by id, keeping of entries with one id the last.
func (s *skeletons) sort() {
	if s.sorted {
		return
	}
	s.num = lastOfEach(s.num, func(a, b numEntry) int { return cmp.Compare(a.id, b.id) })
	s.text = lastOfEach(s.text, func(a, b textEntry) int { return cmp.Compare(a.id, b.id) })
	s.live = 0
	for p := range s.len() {
		if s.span(p).n != gone {
			s.live++
		}
	}
	s.sorted = true
}

// lastOfEach sorts es stably and keeps the last of the entries compare
// finds equal.
func lastOfEach[E any](es []E, compare func(a, b E) int) []E {
	slices.SortStableFunc(es, compare)
	out := es[:0]
	for i, e := range es {
		if i+1 < len(es) && compare(es[i+1], e) == 0 {
			continue
		}
		out = append(out, e)
	}
	return slices.Clip(out)
}

// find returns the span of the entry of id, nil when it has none.
func (s *skeletons) find(id string) *span {
	s.sort()
	if n, ok := canonicalInt(id); ok {
		if i, found := slices.BinarySearchFunc(s.num, n, func(e numEntry, n int64) int { return cmp.Compare(e.id, n) }); found {
			return &s.num[i].at
		}
		return nil
	}
	if i, found := slices.BinarySearchFunc(s.text, id, func(e textEntry, id string) int { return cmp.Compare(e.id, id) }); found {
		return &s.text[i].at
	}
	return nil
}

// len returns how many positions there are, gone ones included.
func (s *skeletons) len() int { return len(s.num) + len(s.text) }

// id returns the id of the entry at a position, sorted.
func (s *skeletons) id(p int) string {
	if p < len(s.num) {
		return strconv.FormatInt(s.num[p].id, 10)
	}
	return s.text[p-len(s.num)].id
}

func (s *skeletons) span(p int) span {
	if p < len(s.num) {
		return s.num[p].at
	}
	return s.text[p-len(s.num)].at
}

// hashIndex lists positions by the hash of a text their records have
// (hashText), sorted by hash.
type hashIndex []hashEntry

type hashEntry struct{ h, pos uint32 }

// seed is random per process: texts in a hostile snapshot cannot be
// chosen to share a hash.
var seed = maphash.MakeSeed()

func hashText(text string) uint32 { return uint32(maphash.String(seed, text)) }

// newHashIndex indexes the positions 0..n-1 by the texts of each (texts
// returns them).
func newHashIndex(n int, texts func(p int) []string) hashIndex {
	x := hashIndex{}
	for p := range n {
		for _, t := range texts(p) {
			x = append(x, hashEntry{hashText(t), uint32(p)})
		}
	}
	slices.SortFunc(x, func(a, b hashEntry) int { return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.pos, b.pos)) })
	return slices.Clip(slices.CompactFunc(x, func(a, b hashEntry) bool { return a == b }))
}

// at returns the positions whose records may have text: all that have it,
// and perhaps others of the same hash.
func (x hashIndex) at(text string) []hashEntry {
	h := hashText(text)
	i, _ := slices.BinarySearchFunc(x, h, func(e hashEntry, h uint32) int { return cmp.Compare(e.h, h) })
	j := i
	for j < len(x) && x[j].h == h {
		j++
	}
	return x[i:j]
}

// shared returns the runs of entries with one hash, of two or more.
func (x hashIndex) shared(yield func([]hashEntry) bool) {
	for i := 0; i < len(x); {
		j := i + 1
		for j < len(x) && x[j].h == x[i].h {
			j++
		}
		if j-i > 1 && !yield(x[i:j]) {
			return
		}
		i = j
	}
}

// sortRecords sorts records by id.
func sortRecords(recs []snapshot.Record) {
	slices.SortFunc(recs, func(a, b snapshot.Record) int { return snapshot.CompareID(a.ID(), b.ID()) })
}
