package mapping

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestSchedule(t *testing.T) {
	st := func(id string) Node { return Node{"status", id} }
	oc := func(id string) Node { return Node{"outcome", id} }
	tt := func(id string) Node { return Node{"tickettype", id} }
	wf := func(id string) Node { return Node{"workflow", id} }
	tests := []struct {
		name     string
		nodes    []Node
		deps     map[Node][]Pending
		order    []Node
		deferred map[Node][]string
	}{
		{
			name:  "no cycle: referenced records first",
			nodes: []Node{st("1"), oc("9")},
			deps:  map[Node][]Pending{st("1"): {{"outcomes[].value", oc("9")}}},
			order: []Node{oc("9"), st("1")},
		},
		{
			name:  "status <-> outcome: the KeyPair2 array waits, not the outcome's newstatus",
			nodes: []Node{st("1"), oc("9")},
			deps: map[Node][]Pending{
				st("1"): {{"outcomes[].value", oc("9")}},
				oc("9"): {{"newstatus", st("1")}},
			},
			order:    []Node{st("1"), oc("9")},
			deferred: map[Node][]string{st("1"): {"outcomes"}},
		},
		{
			name:     "a status pointing at itself",
			nodes:    []Node{st("1"), st("2")},
			deps:     map[Node][]Pending{st("1"): {{"statuschangeto", st("1")}}, st("2"): {{"statuschangeto", st("1")}}},
			order:    []Node{st("1"), st("2")},
			deferred: map[Node][]string{st("1"): {"statuschangeto"}},
		},
		{
			name:  "two statuses pointing at each other: one waits",
			nodes: []Node{st("1"), st("2")},
			deps: map[Node][]Pending{
				st("1"): {{"statuschangeto", st("2")}},
				st("2"): {{"statuschangeto", st("1")}},
			},
			order:    []Node{st("1"), st("2")},
			deferred: map[Node][]string{st("1"): {"statuschangeto"}},
		},
		{
			name:  "ticket type -> workflow -> outcome -> ticket type: the nested array waits",
			nodes: []Node{st("1"), wf("3"), tt("7"), oc("9")},
			deps: map[Node][]Pending{
				tt("7"): {{"workflow_id", wf("3")}, {"initial_status", st("1")}},
				wf("3"): {{"always_allow_actions[].id", oc("9")}},
				oc("9"): {{"requesttype", tt("7")}, {"newstatus", st("1")}},
			},
			order:    []Node{st("1"), wf("3"), tt("7"), oc("9")},
			deferred: map[Node][]string{wf("3"): {"always_allow_actions"}},
		},
		{
			name:  "references to records not created here impose nothing",
			nodes: []Node{oc("9")},
			deps:  map[Node][]Pending{oc("9"): {{"newstatus", st("1")}}},
			order: []Node{oc("9")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			order, deferred := Schedule(tc.nodes, tc.deps)
			if !reflect.DeepEqual(order, tc.order) {
				t.Errorf("order = %v, want %v", order, tc.order)
			}
			if tc.deferred == nil {
				tc.deferred = map[Node][]string{}
			}
			if !reflect.DeepEqual(deferred, tc.deferred) {
				t.Errorf("deferred = %v, want %v", deferred, tc.deferred)
			}
			checkSchedule(t, tc.nodes, tc.deps, order, deferred)
			onCycles := 0
			for _, n := range tc.nodes {
				for _, m := range tc.nodes {
					if n != m && reachable(tc.deps, n, m) && reachable(tc.deps, m, n) || n == m && reachable(tc.deps, n, n) {
						onCycles++
						break
					}
				}
			}
			if got := OnCycles(tc.nodes, tc.deps); got != onCycles {
				t.Errorf("OnCycles = %d, want %d", got, onCycles)
			}
		})
	}
}

// reachable reports whether to can be reached from from over one or more references.
func reachable(deps map[Node][]Pending, from, to Node) bool {
	seen := map[Node]bool{}
	stack := []Node{}
	for _, p := range deps[from] {
		stack = append(stack, p.To)
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == to {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		for _, p := range deps[n] {
			stack = append(stack, p.To)
		}
	}
	return false
}

// TestScheduleRandom checks Schedule's promises on random graphs of
// statuses, outcomes and ticket types: a valid order, and no deferral that
// could be dropped alone.
func TestScheduleRandom(t *testing.T) {
	refs := map[string][]struct{ field, target string }{
		"status":     {{"statuschangeto", "status"}, {"outcomes[].value", "outcome"}, {"tickettypes[].value", "tickettype"}},
		"outcome":    {{"newstatus", "status"}, {"requesttype", "tickettype"}, {"tickettypes[].value", "tickettype"}},
		"tickettype": {{"initial_status", "status"}, {"allowed_status[].status_id", "status"}, {"sprint_tickettype_id", "tickettype"}},
	}
	for seed := range 200 {
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		var nodes []Node
		for _, kind := range []string{"status", "tickettype", "outcome"} {
			for i := range 1 + r.IntN(6) {
				nodes = append(nodes, Node{kind, fmt.Sprint(i + 1)})
			}
		}
		deps := map[Node][]Pending{}
		for _, n := range nodes {
			for _, ref := range refs[n.Kind] {
				for range r.IntN(3) {
					var targets []Node
					for _, m := range nodes {
						if m.Kind == ref.target {
							targets = append(targets, m)
						}
					}
					deps[n] = append(deps[n], Pending{ref.field, targets[r.IntN(len(targets))]})
				}
			}
		}
		order, deferred := Schedule(nodes, deps)
		if len(order) != len(nodes) {
			t.Fatalf("seed %d: %d nodes ordered, want %d", seed, len(order), len(nodes))
		}
		checkSchedule(t, nodes, deps, order, deferred)
	}
}

// checkSchedule verifies that every reference not deferred points at a
// record earlier in order, and that each deferred field closes a cycle on
// its own: restoring it alone would make the order impossible.
func checkSchedule(t *testing.T, nodes []Node, deps map[Node][]Pending, order []Node, deferred map[Node][]string) {
	t.Helper()
	pos := map[Node]int{}
	for i, n := range order {
		pos[n] = i
	}
	inNodes := map[Node]bool{}
	for _, n := range nodes {
		inNodes[n] = true
	}
	isDeferred := func(n Node, p Pending) bool {
		for _, f := range deferred[n] {
			if f == p.Top() {
				return true
			}
		}
		return false
	}
	for _, n := range nodes {
		for _, p := range deps[n] {
			if inNodes[p.To] && !isDeferred(n, p) && pos[p.To] >= pos[n] {
				t.Errorf("%v.%s -> %v: not created before", n, p.Field, p.To)
			}
		}
	}
	// live reports whether the edge is kept, with one deferred field restored.
	reach := func(from, to Node, restored Node, field string) bool {
		seen := map[Node]bool{}
		stack := []Node{from}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == to {
				return true
			}
			if seen[n] {
				continue
			}
			seen[n] = true
			for _, p := range deps[n] {
				if inNodes[p.To] && (!isDeferred(n, p) || n == restored && p.Top() == field) {
					stack = append(stack, p.To)
				}
			}
		}
		return false
	}
	for n, fields := range deferred {
		for _, f := range fields {
			closes := false
			for _, p := range deps[n] {
				if p.Top() == f && inNodes[p.To] && (p.To == n || reach(p.To, n, n, f)) {
					closes = true
				}
			}
			if !closes {
				t.Errorf("%v.%s is deferred but closes no cycle", n, f)
			}
		}
	}
}
