package mapping

import (
	"cmp"
	"hash/maphash"
	"slices"

	"github.com/halocfg/halocfg/internal/idtab"
	"github.com/halocfg/halocfg/internal/spill"
	"github.com/halocfg/halocfg/snapshot"
)

// skeletons holds where the skeletons of a kind's records lie in the
// tenant's spill file, by id, in flat arrays rather than maps (idtab): diff
// and verify hold one of every record of a snapshot, and at 50,000 records
// maps keyed by text cost a hundred bytes and more a record (issue 12). An
// index by guid, key or RefField takes 8 bytes an entry, its text not
// held: a lookup reads the records its hash names again and keeps those
// that have the text.
type skeletons struct {
	tab  idtab.Table[span]
	live int // entries not gone; -1 until counted
	// ref, guid and key index the positions in tab by RefField (when it is
	// not the id), lower-case guid and natural key; made when first asked
	// for, and dropped by every change.
	ref, guid, key hashIndex
}

// set makes at the entry of id.
func (s *skeletons) set(id string, at span) {
	s.ref, s.guid, s.key = nil, nil, nil
	if s.live >= 0 {
		if p := s.tab.Find(id); p != nil {
			s.live += isLive(at) - isLive(*p)
			*p = at
			return
		}
		if at == gone {
			return
		}
	}
	s.tab.Add(id, at)
	s.live = -1
}

func isLive(at span) int {
	if at == gone {
		return 0
	}
	return 1
}

// count returns how many records the kind holds.
func (s *skeletons) count() int {
	if s.live < 0 {
		s.tab.Sort() // before Len: sorting drops the entries of an id put twice
		s.live = 0
		for p := range s.tab.Len() {
			s.live += isLive(*s.tab.Value(p))
		}
	}
	return s.live
}

// span is where a skeleton lies in the tenant's spill file; two spans no
// text has say where a record is instead.
type span = spill.Span

var (
	gone  = spill.Mark(0) // deleted
	whole = spill.Mark(1) // held whole, in index.full
)

// hashIndex lists positions by the hash of a text their records have
// (hashText), sorted by hash.
type hashIndex []hashEntry

type hashEntry struct{ h, pos uint32 }

// seed is random per process: texts in a hostile snapshot cannot be
// chosen to share a hash.
var seed = maphash.MakeSeed()

// hashText is a variable for tests, which make texts share hashes.
var hashText = func(text string) uint32 { return uint32(maphash.String(seed, text)) }

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
