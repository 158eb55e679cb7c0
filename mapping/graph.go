package mapping

import (
	"container/heap"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/halocfg/halocfg/catalog"
)

// Schedule orders the records to create so that each comes after every
// record its references point at. nodes are the records to create, in the
// order ties are broken (catalog kind order, then id); deps[n] are n's
// references to records being created (Rewrite's pending list).
//
// Where references form a cycle (status <-> outcome, ticket type <-> status,
// a status pointing at itself), some must wait: Schedule defers whole
// top-level fields of single records, which are created without them and
// patched once every record exists, one patch per record. It works on the
// graph of the records actually being created, so only references inside a
// strongly connected component are ever deferred. It keeps the patches few:
// it cuts the record on the most cycles (the largest product of references
// in and out within its component; among equals, the one whose cycle-closing
// references are KeyPair2 arrays, then nested arrays, then scalars), and
// again until no cycle is left; then it restores every deferred field that no
// longer closes a cycle, scalar fields first, so that no single deferral in
// the result is unnecessary. A record pointing at itself is always deferred.
//
// deferred maps each record to patch to the top-level fields to patch.
func Schedule(nodes []Node, deps map[Node][]Pending) (order []Node, deferred map[Node][]string) {
	g := newGraph(nodes, deps)
	g.breakCycles()
	return g.order(), g.deferred()
}

// group is the edges of one record's top-level field: they are deferred together.
type group struct {
	from  int
	field string // top-level field
	tier  int    // 0 self-reference, 1 KeyPair2 array, 2 nested, 3 scalar
	to    []int
	live  bool
}

type graph struct {
	nodes  []Node
	groups []*group
	out    [][]*group // groups of each node
}

func newGraph(nodes []Node, deps map[Node][]Pending) *graph {
	g := &graph{nodes: nodes, out: make([][]*group, len(nodes))}
	at := make(map[Node]int, len(nodes))
	for i, n := range nodes {
		at[n] = i
	}
	for i, n := range nodes {
		byField := map[string]*group{}
		for _, p := range deps[n] {
			j, ok := at[p.To]
			if !ok {
				continue // not created by this import: nothing to wait for
			}
			f := p.Top()
			gr := byField[f]
			if gr == nil {
				gr = &group{from: i, field: f, tier: 3, live: true}
				byField[f] = gr
			}
			gr.to = append(gr.to, j)
			gr.tier = min(gr.tier, tierOf(n.Kind, p.Field))
			if j == i {
				gr.tier = 0
			}
		}
		for _, f := range slices.Sorted(maps.Keys(byField)) {
			g.out[i] = append(g.out[i], byField[f])
			g.groups = append(g.groups, byField[f])
		}
	}
	return g
}

// tierOf ranks a reference for deferral: KeyPair2 arrays first, then other
// nested references, then scalar fields.
func tierOf(kind, field string) int {
	for _, r := range catalog.MustLookup(kind).Refs {
		if r.Field == field {
			switch {
			case r.StringID && r.Nested():
				return 1
			case r.Nested():
				return 2
			}
		}
	}
	return 3
}

// breakCycles defers groups until the live graph is acyclic, a record at a
// time, then restores the deferred groups that no longer close a cycle.
func (g *graph) breakCycles() {
	comp := g.components()
	origin := comp
	var deferred []*group
	for {
		var cands []*group
		for _, gr := range g.groups {
			if gr.live && gr.onCycle(comp) {
				cands = append(cands, gr)
			}
		}
		if len(cands) == 0 {
			break
		}
		for _, gr := range g.pick(cands, comp) {
			gr.live = false
			deferred = append(deferred, gr)
		}
		comp = g.components()
	}
	// Scalars first, so that arrays are what stays deferred; in deferral
	// order within a tier.
	sort.SliceStable(deferred, func(i, j int) bool { return deferred[i].tier > deferred[j].tier })
	for _, gr := range deferred {
		if gr.tier > 0 && !g.reaches(gr.to, gr.from, origin) {
			gr.live = true
		}
	}
}

func (gr *group) onCycle(comp []int) bool {
	for _, t := range gr.to {
		if comp[t] == comp[gr.from] {
			return true
		}
	}
	return false
}

// pick chooses the candidates to defer next: every self-reference, or else
// every candidate of the record on the most cycles.
func (g *graph) pick(cands []*group, comp []int) []*group {
	var self []*group
	for _, gr := range cands {
		if gr.tier == 0 {
			self = append(self, gr)
		}
	}
	if len(self) > 0 {
		return self
	}
	in := map[int]int{}
	out := map[int]int{}
	tier := map[int]int{}
	byNode := map[int][]*group{}
	for _, gr := range cands {
		if byNode[gr.from] == nil {
			tier[gr.from] = gr.tier
		}
		byNode[gr.from] = append(byNode[gr.from], gr)
		tier[gr.from] = min(tier[gr.from], gr.tier)
		for _, t := range gr.to {
			if comp[t] == comp[gr.from] {
				out[gr.from]++
				in[t]++
			}
		}
	}
	best := -1
	for n := range byNode {
		if best < 0 {
			best = n
			continue
		}
		sn, sb := in[n]*out[n], in[best]*out[best]
		if sn > sb || sn == sb && (tier[n] < tier[best] || tier[n] == tier[best] && n < best) {
			best = n
		}
	}
	return byNode[best]
}

// reaches reports whether target can be reached from any of from over live
// edges, staying inside target's component of the original graph (no path
// leaves a strongly connected component and comes back).
func (g *graph) reaches(from []int, target int, comp []int) bool {
	seen := map[int]bool{}
	stack := append([]int(nil), from...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == target {
			return true
		}
		if seen[n] || comp[n] != comp[target] {
			continue
		}
		seen[n] = true
		for _, gr := range g.out[n] {
			if gr.live {
				stack = append(stack, gr.to...)
			}
		}
	}
	return false
}

// components labels each node with its strongly connected component over
// live edges (Tarjan's algorithm, iterative so that long chains cannot
// exhaust the stack).
func (g *graph) components() []int {
	n := len(g.nodes)
	index := make([]int, n)
	low := make([]int, n)
	comp := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next, ncomp := 0, 0
	type frame struct{ v, gi, ti int }
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		calls := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			var w = -1
			for w < 0 && f.gi < len(g.out[f.v]) {
				gr := g.out[f.v][f.gi]
				if !gr.live || f.ti >= len(gr.to) {
					f.gi++
					f.ti = 0
					continue
				}
				w = gr.to[f.ti]
				f.ti++
			}
			if w < 0 { // every edge of v done
				v := f.v
				if low[v] == index[v] {
					for {
						x := stack[len(stack)-1]
						stack = stack[:len(stack)-1]
						onStack[x] = false
						comp[x] = ncomp
						if x == v {
							break
						}
					}
					ncomp++
				}
				calls = calls[:len(calls)-1]
				if len(calls) > 0 {
					p := calls[len(calls)-1].v
					low[p] = min(low[p], low[v])
				}
				continue
			}
			switch {
			case index[w] < 0:
				index[w], low[w] = next, next
				next++
				stack = append(stack, w)
				onStack[w] = true
				calls = append(calls, frame{v: w})
			case onStack[w]:
				low[f.v] = min(low[f.v], index[w])
			}
		}
	}
	return comp
}

// order sorts the nodes topologically over live edges, breaking ties by
// their input order.
func (g *graph) order() []Node {
	waiting := make([]int, len(g.nodes))
	users := make([][]int, len(g.nodes))
	for _, gr := range g.groups {
		if !gr.live {
			continue
		}
		for _, t := range gr.to {
			waiting[gr.from]++
			users[t] = append(users[t], gr.from)
		}
	}
	ready := &intHeap{}
	for i, w := range waiting {
		if w == 0 {
			heap.Push(ready, i)
		}
	}
	out := make([]Node, 0, len(g.nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		out = append(out, g.nodes[i])
		for _, u := range users[i] {
			if waiting[u]--; waiting[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(out) != len(g.nodes) {
		var stuck []string
		for i, w := range waiting {
			if w > 0 {
				stuck = append(stuck, g.nodes[i].String())
			}
		}
		panic(fmt.Sprintf("mapping: a cycle survived among %s", strings.Join(stuck, ", ")))
	}
	return out
}

func (g *graph) deferred() map[Node][]string {
	out := map[Node][]string{}
	for _, gr := range g.groups {
		if !gr.live {
			n := g.nodes[gr.from]
			out[n] = append(out[n], gr.field)
		}
	}
	for _, fs := range out {
		sort.Strings(fs)
	}
	return out
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// OnCycles counts the nodes that lie on a reference cycle (Schedule's
// input): the records a naive importer would patch, against which the
// deferrals Schedule chooses can be measured.
func OnCycles(nodes []Node, deps map[Node][]Pending) int {
	g := newGraph(nodes, deps)
	comp := g.components()
	size := map[int]int{}
	for _, c := range comp {
		size[c]++
	}
	n := 0
	for i, c := range comp {
		self := false
		for _, gr := range g.out[i] {
			self = self || gr.tier == 0
		}
		if size[c] > 1 || self {
			n++
		}
	}
	return n
}
