package mapping

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/halocfg/halocfg/internal/heaptest"
)

func TestMatchingPairs(t *testing.T) {
	type set struct {
		src string
		p   Pair
	}
	tests := []struct {
		name   string
		sets   []set
		get    map[string]Pair   // source id -> its pair; Pair{} for none
		source map[string]string // target id -> its source id; "" for none
	}{
		{
			name:   "numeric",
			sets:   []set{{"7", Pair{"12", "key"}}, {"-3", Pair{"0", "guid"}}},
			get:    map[string]Pair{"7": {"12", "key"}, "-3": {"0", "guid"}, "07": {}, "12": {}},
			source: map[string]string{"12": "7", "0": "-3", "7": "", "012": ""},
		},
		{
			name: "ids that are not an integer's own text are ids of their own",
			sets: []set{
				{"7", Pair{"1", "key"}}, {"07", Pair{"2", "guid"}}, {"+7", Pair{"3", "map"}}, {" 7", Pair{"4", "map"}},
				{"0", Pair{"5", "key"}}, {"-0", Pair{"6", "key"}},
				{"8", Pair{"08", "key"}}, {"9", Pair{"8", "key"}},
			},
			get: map[string]Pair{
				"7": {"1", "key"}, "07": {"2", "guid"}, "+7": {"3", "map"}, " 7": {"4", "map"},
				"0": {"5", "key"}, "-0": {"6", "key"}, "8": {"08", "key"}, "9": {"8", "key"}, "007": {},
			},
			source: map[string]string{"1": "7", "2": "07", "3": "+7", "4": " 7", "5": "0", "6": "-0", "08": "8", "8": "9", "+8": ""},
		},
		{
			name: "beyond 32 and 64 bits",
			sets: []set{
				{"2147483647", Pair{"2147483648", "key"}},
				{"-2147483648", Pair{"-2147483649", "key"}},
				{"9223372036854775807", Pair{"1", "guid"}},
				{"9223372036854775808", Pair{"2", "guid"}},
				{"3", Pair{"-9223372036854775809", "map"}},
				{"4", Pair{"-9223372036854775808", "map"}},
			},
			get: map[string]Pair{
				"2147483647": {"2147483648", "key"}, "-2147483648": {"-2147483649", "key"},
				"9223372036854775807": {"1", "guid"}, "9223372036854775808": {"2", "guid"},
				"3": {"-9223372036854775809", "map"}, "4": {"-9223372036854775808", "map"},
				"-2147483647": {}, "-9223372036854775808": {},
			},
			source: map[string]string{
				"2147483648": "2147483647", "-2147483649": "-2147483648", "1": "9223372036854775807", "2": "9223372036854775808",
				"-9223372036854775809": "3", "-9223372036854775808": "4", "2147483647": "",
			},
		},
		{
			name:   "integer source, text target and the other way",
			sets:   []set{{"7", Pair{"abc", "map"}}, {"abc", Pair{"7", "created"}}},
			get:    map[string]Pair{"7": {"abc", "map"}, "abc": {"7", "created"}},
			source: map[string]string{"abc": "7", "7": "abc"},
		},
		{
			name: "a re-paired source releases its target, whatever held it",
			sets: []set{
				{"7", Pair{"8", "key"}}, {"7", Pair{"x", "map"}}, // integer to text
				{"7", Pair{"9000000000", "guid"}}, // text to 64 bits
				{"7", Pair{"10", "closest"}},      // 64 to 32 bits
				{"y", Pair{"11", "key"}}, {"y", Pair{"12", "key"}},
			},
			get:    map[string]Pair{"7": {"10", "closest"}, "y": {"12", "key"}},
			source: map[string]string{"8": "", "x": "", "9000000000": "", "10": "7", "11": "", "12": "y"},
		},
		{
			// As it always did: the last to pair with a target claims it, and
			// re-pairing a source releases its old target, whoever claimed it
			// last.
			name: "a target claimed again moves to its new source",
			sets: []set{
				{"1", Pair{"5", "key"}}, {"abc", Pair{"5", "map"}}, {"2", Pair{"6", "key"}}, {"3", Pair{"6", "guid"}},
				{"abc", Pair{"7", "map"}}, {"2", Pair{"8", "key"}},
			},
			get:    map[string]Pair{"1": {"5", "key"}, "abc": {"7", "map"}, "2": {"8", "key"}, "3": {"6", "guid"}},
			source: map[string]string{"5": "", "7": "abc", "6": "", "8": "2"},
		},
		{
			name:   "ways a pair was found other than the usual are kept as given",
			sets:   []set{{"1", Pair{"2", ""}}, {"3", Pair{"4", "by hand, twice"}}, {"5", Pair{"6", "key"}}},
			get:    map[string]Pair{"1": {"2", ""}, "3": {"4", "by hand, twice"}, "5": {"6", "key"}},
			source: map[string]string{"2": "1", "4": "3", "6": "5"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatching()
			for _, s := range tt.sets {
				m.Set("ticket", s.src, s.p)
			}
			for src, want := range tt.get {
				p, ok := m.Get("ticket", src)
				if p != want || ok != (want != Pair{}) {
					t.Errorf("Get(%q) = %+v, %v; want %+v", src, p, ok, want)
				}
				if p, ok := m.Get("status", src); ok {
					t.Errorf("Get(status, %q) = %+v, paired in another kind", src, p)
				}
			}
			for tgt, want := range tt.source {
				if s, ok := m.Source("ticket", tgt); s != want || ok != (want != "") {
					t.Errorf("Source(%q) = %q, %v; want %q", tgt, s, ok, want)
				}
			}
		})
	}
}

// More ways a pair was found than fit in a code: the rest keep their text.
func TestMatchingManyWays(t *testing.T) {
	m := newMatching()
	for i := range 300 {
		m.Set("ticket", strconv.Itoa(i), Pair{strconv.Itoa(1000 + i), fmt.Sprintf("way %d", i)})
	}
	for i := range 300 {
		want := Pair{strconv.Itoa(1000 + i), fmt.Sprintf("way %d", i)}
		if p, ok := m.Get("ticket", strconv.Itoa(i)); p != want || !ok {
			t.Errorf("Get(%d) = %+v, %v; want %+v", i, p, ok, want)
		}
		if s, ok := m.Source("ticket", want.TargetID); s != strconv.Itoa(i) || !ok {
			t.Errorf("Source(%s) = %q, %v; want %d", want.TargetID, s, ok, i)
		}
	}
}

func TestMatchingReasonClearedBySet(t *testing.T) {
	for _, src := range []string{"7", "07", "abc", "9223372036854775807"} {
		m := newMatching()
		m.setReason("ticket", src, "two target records share its key")
		m.setReason("ticket", "8", "its --map entry is wrong")
		if r := m.Reason("ticket", src); r != "two target records share its key" {
			t.Errorf("%q: Reason = %q before Set", src, r)
		}
		m.Set("ticket", src, Pair{"12", "created"})
		if r := m.Reason("ticket", src); r != "" {
			t.Errorf("%q: Reason = %q after Set", src, r)
		}
		if r := m.Reason("ticket", "8"); r != "its --map entry is wrong" {
			t.Errorf("%q: Reason of another record = %q after Set", src, r)
		}
	}
}

// refMatching is Matching as it was, in plain maps of strings: the model the
// compact one must answer like.
type refMatching struct {
	pairs   map[string]map[string]Pair
	claimed map[string]map[string]string
}

func (m *refMatching) Set(kind, srcID string, p Pair) {
	if m.pairs[kind] == nil {
		m.pairs[kind] = map[string]Pair{}
		m.claimed[kind] = map[string]string{}
	}
	if old, ok := m.pairs[kind][srcID]; ok {
		delete(m.claimed[kind], old.TargetID)
	}
	m.pairs[kind][srcID] = p
	m.claimed[kind][p.TargetID] = srcID
}

func TestMatchingAsBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 2026))
	// ids that are integers of 32 and 64 bits, beyond, and not integers' own text
	var pool []string
	for i := range 40 {
		pool = append(pool, strconv.Itoa(i-5), strconv.FormatInt(1<<40+int64(i), 10), "0"+strconv.Itoa(i), "+"+strconv.Itoa(i), fmt.Sprintf("guid-%d", i))
	}
	pool = append(pool, "-0", " 1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "")
	ways := []string{"map", "ledger", "guid", "key", "closest", "created"}
	for i := range 300 { // more than a code holds
		ways = append(ways, fmt.Sprintf("way %d", i))
	}
	kinds := []string{"ticket", "status"}

	m := newMatching()
	ref := &refMatching{pairs: map[string]map[string]Pair{}, claimed: map[string]map[string]string{}}
	for step := range 20000 {
		kind, src := kinds[r.IntN(len(kinds))], pool[r.IntN(len(pool))]
		p := Pair{pool[r.IntN(len(pool))], ways[r.IntN(min(len(ways), 6+step/40))]}
		m.Set(kind, src, p)
		ref.Set(kind, src, p)
		if step%500 != 0 {
			continue
		}
		for _, kind := range append(kinds, "agent") {
			for _, id := range pool {
				want, wok := ref.pairs[kind][id]
				if got, ok := m.Get(kind, id); got != want || ok != wok {
					t.Fatalf("step %d: Get(%s, %q) = %+v, %v; want %+v, %v", step, kind, id, got, ok, want, wok)
				}
				want2, wok := ref.claimed[kind][id]
				if got, ok := m.Source(kind, id); got != want2 || ok != wok {
					t.Fatalf("step %d: Source(%s, %q) = %q, %v; want %q, %v", step, kind, id, got, ok, want2, wok)
				}
			}
		}
	}
	want := IDs{}
	for kind, ps := range ref.pairs {
		want[kind] = map[string]string{}
		for src, p := range ps {
			want[kind][src] = p.TargetID
		}
	}
	got := m.IDs()
	if !maps.EqualFunc(got, want, maps.Equal) || len(got) != len(kinds) {
		t.Errorf("IDs() = %v\nwant %v", got, want)
	}
	if len(m.bys) != 256 {
		t.Errorf("%d ways coded; the test means to fill the codes", len(m.bys))
	}
}

// TestMatchingHoldsLittlePerPair (issue 12): a pair took two maps of
// strings, 93 to 170 bytes a pair (by how full the maps happen to be) with
// the id strings not counted; diff and import pair every record. Two
// integer ids and how they were found now take a few bytes and a code.
func TestMatchingHoldsLittlePerPair(t *testing.T) {
	const n = 100000
	src, tgt := make([]string, n), make([]string, n)
	for i := range src {
		src[i], tgt[i] = strconv.Itoa(i+1), strconv.Itoa(n+i+1)
	}
	ways := []string{"map", "ledger", "guid", "key", "closest", "created"}
	// The ids are the records', held anyway: only what the pairs hold counts.
	held := heaptest.Held(func() *Matching {
		m := newMatching()
		for i := range src {
			m.Set("ticket", src[i], Pair{tgt[i], ways[i%len(ways)]})
		}
		return m
	})
	runtime.KeepAlive(src)
	runtime.KeepAlive(tgt)
	t.Logf("%d bytes a pair", held/n)
	if held/n > 60 {
		t.Errorf("%d pairs hold %d bytes, %d a pair", n, held, held/n)
	}
}

// BenchmarkMatching pairs 100,000 records and looks each up both ways.
func BenchmarkMatching(b *testing.B) {
	const n = 100000
	src, tgt := make([]string, n), make([]string, n)
	for i := range src {
		src[i], tgt[i] = strconv.Itoa(i+1), strconv.Itoa(n+i+1)
	}
	for b.Loop() {
		m := newMatching()
		for i := range src {
			m.Set("ticket", src[i], Pair{tgt[i], "key"})
		}
		for i := range src {
			if _, ok := m.Get("ticket", src[i]); !ok {
				b.Fatal("lost a pair")
			}
			if _, ok := m.Source("ticket", tgt[i]); !ok {
				b.Fatal("lost a pair")
			}
		}
	}
}
