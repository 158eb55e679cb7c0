// Package heaptest measures the live heap, for tests that hold code to a
// memory bound.
package heaptest

import (
	"runtime"
	"runtime/metrics"
	"sync"
)

// Live collects garbage and returns the live heap. It collects twice: the
// first collection moves what sync.Pools hold into their victim caches, the
// second drops it; a buffer a writer left in a pool would otherwise count as
// live before a measurement, and be freed during it.
func Live() uint64 {
	runtime.GC()
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// Held returns what the value load returns takes on the live heap, while it
// is held: the yardstick a memory bound is set against ("less than the
// records, held"). load fails the test itself.
func Held[T any](load func() T) uint64 {
	before := Live()
	v := load()
	after := Live()
	runtime.KeepAlive(v)
	if after < before {
		return 0
	}
	return after - before
}

// Peak runs fn while a goroutine collects back to back, and returns the
// most live heap seen above the live heap before.
func Peak(fn func()) uint64 {
	// Live empties the sync.Pools: buffers an earlier run left there would
	// be reused by the run measured without showing in its peak.
	base := Live()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			peak = max(peak, Live())
			select {
			case <-done:
				return
			default:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	return peak - base
}

// PeakPerUnit returns how much more the function prepare returns for large
// units (records) holds at its peak (Peak) than the one for small, per unit
// more: what a run holds that grows with its input. prepare (writing the
// input) is not measured. Each size runs twice, and its lower peak
// counts: a peak caught in the middle of a collection varies by megabytes.
func PeakPerUnit(small, large int, prepare func(n int) func()) uint64 {
	lower := func(n int) uint64 {
		run := prepare(n)
		return min(Peak(run), Peak(run))
	}
	a, b := lower(small), lower(large)
	if b < a {
		return 0
	}
	return (b - a) / uint64(large-small)
}
