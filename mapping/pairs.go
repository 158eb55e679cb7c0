package mapping

import (
	"math"
	"strconv"

	"github.com/halocfg/halocfg/snapshot"
)

// Pair is the target record a source record corresponds to, and how it was found.
type Pair struct {
	TargetID string
	By       string // "map", "ledger", "guid", "key", "closest" (one of several with the key), or "created"
}

// Matching holds, per kind, the target record each source record corresponds
// to. A source record without a pair is to be created (or, when its kind is
// not imported, is missing from the target); Reason says why when matching
// could not decide.
//
// diff and import pair every record of two tenants, so a pair is held in a
// few bytes (issue 12): Halo's ids are integers, and a pair of two integer
// ids is held as two numbers and a code for how it was found. A pair with an
// id that is not an integer's canonical text ("07", "+7", "abc") keeps its
// strings: an id is only ever given back as it was given.
type Matching struct {
	kinds   map[string]*kindPairs
	reasons map[string]map[string]string
	bys     []string         // how pairs were found, by code
	byCode  map[string]uint8 // the code of each of bys
}

// kindPairs holds the pairs of one kind. A source id's pair is in exactly
// one of its tiers, the narrowest that holds both ids; a target id is
// claimed in at most one, that of the source that claimed it last.
type kindPairs struct {
	small    numPairs[int32] // both ids fit in 32 bits, as Halo's mostly do
	large    numPairs[int64]
	text     map[string]Pair   // either id is not an integer, or bys is full
	textBack map[string]string // target id -> source id
}

// numPairs holds pairs whose ids are both integers of type N.
type numPairs[N int32 | int64] struct {
	fwd  map[N]numTarget[N] // source id -> target
	back map[N]N            // target id -> source id
}

type numTarget[N int32 | int64] struct {
	id N
	by uint8 // the code in Matching.bys
}

func newMatching() *Matching {
	return &Matching{kinds: map[string]*kindPairs{}, reasons: map[string]map[string]string{}, byCode: map[string]uint8{}}
}

// Get returns the pair of a source record.
func (m *Matching) Get(kind, srcID string) (Pair, bool) {
	k := m.kinds[kind]
	if k == nil {
		return Pair{}, false
	}
	if n, ok := snapshot.CanonicalInt(srcID); ok {
		if t, ok := k.small.get(n); ok {
			return Pair{TargetID: strconv.FormatInt(int64(t.id), 10), By: m.bys[t.by]}, true
		}
		if t, ok := k.large.get(n); ok {
			return Pair{TargetID: strconv.FormatInt(t.id, 10), By: m.bys[t.by]}, true
		}
	}
	p, ok := k.text[srcID]
	return p, ok
}

// Source returns the source record id paired with a target record.
func (m *Matching) Source(kind, tgtID string) (string, bool) {
	k := m.kinds[kind]
	if k == nil {
		return "", false
	}
	if n, ok := snapshot.CanonicalInt(tgtID); ok {
		if s, ok := k.small.source(n); ok {
			return strconv.FormatInt(s, 10), true
		}
		if s, ok := k.large.source(n); ok {
			return strconv.FormatInt(s, 10), true
		}
	}
	s, ok := k.textBack[tgtID]
	return s, ok
}

// Reason says why a source record could not be matched ("" when it simply
// has no counterpart in the target).
func (m *Matching) Reason(kind, srcID string) string { return m.reasons[kind][srcID] }

// Set pairs a source record with a target record (the importer does so for
// every record it creates).
func (m *Matching) Set(kind, srcID string, p Pair) {
	k := m.kinds[kind]
	if k == nil {
		k = &kindPairs{}
		m.kinds[kind] = k
	}
	if old, ok := m.Get(kind, srcID); ok {
		k.forget(srcID)
		k.release(old.TargetID)
	}
	k.release(p.TargetID) // its claim moves to the tier of this pair
	s, sok := snapshot.CanonicalInt(srcID)
	t, tok := snapshot.CanonicalInt(p.TargetID)
	if sok && tok {
		if by, ok := m.code(p.By); ok && (k.small.put(s, t, by) || k.large.put(s, t, by)) {
			delete(m.reasons[kind], srcID)
			return
		}
	}
	if k.text == nil {
		k.text, k.textBack = map[string]Pair{}, map[string]string{}
	}
	k.text[srcID] = p
	k.textBack[p.TargetID] = srcID
	delete(m.reasons[kind], srcID)
}

// code returns the code of how a pair was found; false once there are more
// ways than codes (callers may pass any text).
func (m *Matching) code(by string) (uint8, bool) {
	if c, ok := m.byCode[by]; ok {
		return c, true
	}
	if len(m.bys) > math.MaxUint8 {
		return 0, false
	}
	c := uint8(len(m.bys))
	m.bys = append(m.bys, by)
	m.byCode[by] = c
	return c, true
}

func (m *Matching) setReason(kind, srcID, reason string) {
	if m.reasons[kind] == nil {
		m.reasons[kind] = map[string]string{}
	}
	m.reasons[kind][srcID] = reason
}

// IDs returns every pair as source id -> target id per kind.
func (m *Matching) IDs() IDs {
	out := IDs{}
	for kind, k := range m.kinds {
		ids := make(map[string]string, len(k.small.fwd)+len(k.large.fwd)+len(k.text))
		k.small.addTo(ids)
		k.large.addTo(ids)
		for src, p := range k.text {
			ids[src] = p.TargetID
		}
		out[kind] = ids
	}
	return out
}

// forget drops the pair of source id s, wherever it is.
func (k *kindPairs) forget(s string) {
	if n, ok := snapshot.CanonicalInt(s); ok {
		k.small.forget(n)
		k.large.forget(n)
	}
	delete(k.text, s)
}

// release drops the claim on target id t, wherever it is.
func (k *kindPairs) release(t string) {
	if n, ok := snapshot.CanonicalInt(t); ok {
		k.small.release(n)
		k.large.release(n)
	}
	delete(k.textBack, t)
}

// narrow returns n as an N, false when it does not fit.
func narrow[N int32 | int64](n int64) (N, bool) { return N(n), int64(N(n)) == n }

func (p *numPairs[N]) get(src int64) (numTarget[N], bool) {
	s, ok := narrow[N](src)
	if !ok {
		return numTarget[N]{}, false
	}
	t, ok := p.fwd[s]
	return t, ok
}

func (p *numPairs[N]) source(tgt int64) (int64, bool) {
	t, ok := narrow[N](tgt)
	if !ok {
		return 0, false
	}
	s, ok := p.back[t]
	return int64(s), ok
}

// put pairs src with tgt, false when either does not fit in N.
func (p *numPairs[N]) put(src, tgt int64, by uint8) bool {
	s, sok := narrow[N](src)
	t, tok := narrow[N](tgt)
	if !sok || !tok {
		return false
	}
	if p.fwd == nil {
		p.fwd, p.back = map[N]numTarget[N]{}, map[N]N{}
	}
	p.fwd[s] = numTarget[N]{id: t, by: by}
	p.back[t] = s
	return true
}

func (p *numPairs[N]) forget(src int64) {
	if s, ok := narrow[N](src); ok {
		delete(p.fwd, s)
	}
}

func (p *numPairs[N]) release(tgt int64) {
	if t, ok := narrow[N](tgt); ok {
		delete(p.back, t)
	}
}

// addTo adds every pair to ids, as text.
func (p *numPairs[N]) addTo(ids map[string]string) {
	for s, t := range p.fwd {
		ids[strconv.FormatInt(int64(s), 10)] = strconv.FormatInt(int64(t.id), 10)
	}
}
